/**
 * The audit log: every change in the intel context, and every read of AMBER, AMBER+STRICT or RED
 * data, as one row of a keyed hash chain (chain.ts, keyed-chain.ts) written in the same transaction
 * as the change. `verifyAuditChain` checks this chain and the evidence custody chain, against the
 * signed checkpoints of their heads (checkpoints.ts) when given.
 */
import type { Kysely } from 'kysely';
import type { Database, RelationalDb } from '../../db/index.js';
import type { Actor } from '../identity/actor.js';
import type { Tlp } from '../labels/tlp.js';
import { type ChainCheck, checkChain } from './chain.js';
import type { Checkpoint, CheckpointFile } from './checkpoints.js';
import { appendChained, appendChainedRows, type ChainTable, chainKeyOf, chainPage } from './keyed-chain.js';

export interface AuditEntry {
  /** `report.create`, `report.read`, `campaign.merge`, `auth.login-failed`, … */
  readonly action: string;
  readonly targetType: string;
  readonly targetId?: string | number | null;
  readonly tlp?: Tlp | null;
  readonly details?: Record<string, unknown>;
}

export interface AuditRecord {
  readonly id: number;
  readonly atMs: number;
  readonly actorUserId: number | null;
  readonly actorOrgId: number | null;
  readonly actorLabel: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly tlp: string | null;
  readonly details: Record<string, unknown>;
  readonly hash: string;
}

/** Who an audit row names (an `Actor`, or the one a queued intake recorded). */
export type AuditActor = Pick<Actor, 'userId' | 'orgId' | 'label'>;

/** Appends one row; `db` should be the transaction of the change it records. */
export async function appendAudit(
  db: Kysely<Database>,
  actor: AuditActor,
  e: AuditEntry,
  atMs: number,
): Promise<void> {
  const row = auditContent(actor, e, atMs);
  if (db.isTransaction) await appendChained(db, 'audit_log', row);
  else await db.transaction().execute((tx) => appendChained(tx, 'audit_log', row));
}

/** Appends rows in order inside `tx`, as many `appendAudit` calls would (reports/intake-pipeline.ts). */
export async function appendAuditRows(
  tx: Kysely<Database>,
  rows: readonly { actor: AuditActor; entry: AuditEntry; atMs: number }[],
): Promise<void> {
  await appendChainedRows(
    tx,
    'audit_log',
    rows.map((r) => auditContent(r.actor, r.entry, r.atMs)),
  );
}

function auditContent(actor: AuditActor, e: AuditEntry, atMs: number) {
  return {
    at_ms: atMs,
    actor_user_id: actor.userId,
    actor_org_id: actor.orgId,
    actor_label: actor.label,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId === undefined || e.targetId === null ? null : String(e.targetId),
    tlp: e.tlp ?? null,
    details: JSON.stringify(e.details ?? {}),
  };
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly audit: ChainCheck;
  readonly custody: ChainCheck;
  /** The signed checkpoints checked against (a missing default file counts as none). */
  readonly checkpoints: {
    readonly path: string | null;
    readonly count: number;
    readonly last: Checkpoint | null;
    readonly problems: readonly string[];
  };
  /** The first broken row, named: `audit_log row 17: hash-mismatch`. */
  readonly message: string;
}

/** Hashes the signed checkpoints fix, per table; two checkpoints disagreeing about a row are a problem. */
function pinsOf(file: CheckpointFile | undefined, problems: string[]) {
  const pins: Record<ChainTable, Map<number, string>> = { audit_log: new Map(), custody: new Map() };
  for (const c of file?.checkpoints ?? []) {
    for (const [table, seq, head] of [
      ['audit_log', c.seq, c.head],
      ['custody', c.custodySeq, c.custodyHead],
    ] as const) {
      if (seq === 0) continue;
      const had = pins[table].get(seq);
      if (had !== undefined && had !== head) problems.push(`checkpoints disagree about ${table} row ${seq}`);
      pins[table].set(seq, head);
    }
  }
  return pins;
}

function describeBreak(table: ChainTable, c: ChainCheck, pins: ReadonlyMap<number, string>): string | null {
  if (!c.broken) return null;
  switch (c.broken.reason) {
    case 'head-mismatch':
      return `${table}: head-mismatch (the chain ends at ${c.head} after ${c.rows} rows)`;
    case 'short-of-checkpoint':
      return (
        `${table}: the chain ends at row ${c.seq}, short of the signed checkpoint at row ` +
        `${Math.max(...pins.keys())}: rows were removed from the end`
      );
    case 'checkpoint-mismatch':
      return `${table} row ${c.broken.id}: differs from the signed checkpoint (the chain was rewritten)`;
    default:
      return `${table} row ${c.broken.id}: ${c.broken.reason}`;
  }
}

/**
 * Recomputes both chains from the first row under the key of the handle. `checkpoints` (a read
 * checkpoint file) pins the heads they signed: each must still be the hash of its row, and the
 * chains must reach the last one. `expectHead` (an audit head recorded elsewhere) does the same
 * for one hash.
 */
export async function verifyAuditChain(
  db: RelationalDb,
  opts: { expectHead?: string; checkpoints?: CheckpointFile } = {},
): Promise<AuditVerification> {
  const key = chainKeyOf(db);
  const problems: string[] = [...(opts.checkpoints?.problems ?? [])];
  const pins = pinsOf(opts.checkpoints, problems);
  const audit = await checkChain(chainPage(db, 'audit_log'), key.ruleFor('audit_log'), {
    expectHead: opts.expectHead,
    pins: pins.audit_log,
  });
  const custody = await checkChain(chainPage(db, 'custody'), key.ruleFor('custody'), {
    pins: pins.custody,
  });
  const broken = [
    describeBreak('audit_log', audit, pins.audit_log),
    describeBreak('custody', custody, pins.custody),
  ];
  problems.unshift(...broken.filter((s) => s !== null));
  const last = opts.checkpoints?.checkpoints.at(-1) ?? null;
  const reached = last === null ? '' : `; reaches the signed checkpoint of ${last.at} (row ${last.seq})`;
  return {
    ok: problems.length === 0,
    audit,
    custody,
    checkpoints: {
      path: opts.checkpoints?.path ?? null,
      count: opts.checkpoints?.checkpoints.length ?? 0,
      last,
      problems: opts.checkpoints?.problems ?? [],
    },
    message:
      problems.length === 0
        ? `chain intact (${audit.rows} rows; custody ${custody.rows} rows; head ${audit.head})${reached}`
        : problems.join('; '),
  };
}

/** Audit rows, newest first (center admins with `audit:read`; the service checks). */
export async function listAudit(
  db: RelationalDb,
  filter: { targetType?: string; targetId?: string; action?: string; limit?: number } = {},
): Promise<AuditRecord[]> {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc');
  if (filter.targetType) q = q.where('target_type', '=', filter.targetType);
  if (filter.targetId) q = q.where('target_id', '=', filter.targetId);
  if (filter.action) q = q.where('action', '=', filter.action);
  const rows = await q.limit(filter.limit ?? 100).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    atMs: Number(r.at_ms),
    actorUserId: r.actor_user_id === null ? null : Number(r.actor_user_id),
    actorOrgId: r.actor_org_id === null ? null : Number(r.actor_org_id),
    actorLabel: r.actor_label,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    tlp: r.tlp,
    details: JSON.parse(r.details) as Record<string, unknown>,
    hash: r.hash,
  }));
}
