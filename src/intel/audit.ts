/**
 * The audit log: every change in the intel context, and every read of AMBER, AMBER+STRICT or RED
 * data, as one hash-chained row (chain.ts) written in the same transaction as the change. Rows
 * are appended with an explicit id (last + 1) because the id is part of the hashed content; two
 * writers racing for the same id collide on the primary key instead of forking the chain.
 * `verifyAuditChain` checks this chain and the evidence custody chain.
 */
import type { Kysely } from 'kysely';
import type { Database, RelationalDb } from '../db/index.js';
import type { Actor } from './actor.js';
import { type ChainCheck, type ChainedRow, chainHash, checkChain, GENESIS_HASH } from './chain.js';
import type { Tlp } from './tlp.js';

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

/** Appends one row; `db` should be the transaction of the change it records. */
export async function appendAudit(
  db: Kysely<Database>,
  actor: Actor,
  e: AuditEntry,
  atMs: number,
): Promise<void> {
  const run = async (tx: Kysely<Database>) => {
    const last = await tx
      .selectFrom('audit_log')
      .select(['id', 'hash'])
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const row = {
      id: last ? Number(last.id) + 1 : 1,
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
    const prev = last?.hash ?? GENESIS_HASH;
    await tx
      .insertInto('audit_log')
      .values({ ...row, prev_hash: prev, hash: chainHash(prev, row) })
      .execute();
  };
  if (db.isTransaction) await run(db);
  else await db.transaction().execute(run);
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly audit: ChainCheck;
  readonly custody: ChainCheck;
  /** The first broken row, named: `audit_log row 17: hash-mismatch`. */
  readonly message: string;
}

/**
 * Recomputes both chains from the first row. `expectHead` (the audit head hash recorded earlier,
 * e.g. by a daily job outside this database) also catches rows cut off the end.
 */
export async function verifyAuditChain(
  db: RelationalDb,
  opts: { expectHead?: string } = {},
): Promise<AuditVerification> {
  const audit = await checkChain(
    (after, limit) =>
      db
        .selectFrom('audit_log')
        .selectAll()
        .where('id', '>', after)
        .orderBy('id')
        .limit(limit)
        .execute() as Promise<ChainedRow[]>,
    opts.expectHead,
  );
  const custody = await checkChain(
    (after, limit) =>
      db
        .selectFrom('custody')
        .selectAll()
        .where('id', '>', after)
        .orderBy('id')
        .limit(limit)
        .execute() as Promise<ChainedRow[]>,
  );
  const describe = (table: string, c: ChainCheck) =>
    c.broken
      ? c.broken.id === null
        ? `${table}: ${c.broken.reason} (the chain ends at ${c.head} after ${c.rows} rows)`
        : `${table} row ${c.broken.id}: ${c.broken.reason}`
      : null;
  const problems = [describe('audit_log', audit), describe('custody', custody)].filter((s) => s !== null);
  return {
    ok: problems.length === 0,
    audit,
    custody,
    message:
      problems.length === 0
        ? `chain intact (${audit.rows} rows; custody ${custody.rows} rows; head ${audit.head})`
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
