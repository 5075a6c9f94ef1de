/**
 * Evidence: every reported file is kept byte for byte, content-addressed under
 * `<data dir>/evidence/<sha256[0:2]>/<sha256>`, written once (temporary file, fsync, rename) and
 * made read-only — for its owner only (directories 0700, files 0400: the files hold members'
 * private parts). Its chain of custody — received, viewed, exported: who, when, which report — is
 * an append-only table hash-chained under the chain key (audit/keyed-chain.ts), verified with the
 * audit log (docs/background.md#forensic-readiness: integrity of everything the center stores; the
 * raw file is what a court or a partner may ask for).
 *
 * The raw file holds everything the reporter's private part holds (recipients, signatures), so
 * reading it needs the same right as reading the private part of a report that carries it.
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  KobanError,
  type Notice,
  PRIVATE_DIR_MODE,
  SEALED_FILE_MODE,
  sharedBits,
  tightenTree,
} from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import { appendChained } from '../audit/keyed-chain.js';
import type { Actor } from '../identity/actor.js';
import { canReadPrivate } from '../labels/access.js';
import { type LabelledReport, loadLabelled } from '../labels/labelled.js';

/**
 * The same write, synchronous, for a worker thread (parse-pool.ts) where blocking costs nobody:
 * it keeps the file-system calls off the thread that stores and correlates.
 */
export function writeEvidenceFileSync(dir: string, raw: Buffer, sha256: string, fsync: boolean): void {
  if (!SHA256_RE.test(sha256)) throw new KobanError('E_USAGE', `not a SHA-256: ${sha256}`);
  const sub = join(dir, sha256.slice(0, 2));
  const path = join(sub, sha256);
  if (existsSync(path) && statSync(path).size === raw.length) return;
  mkdirSync(sub, { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', SEALED_FILE_MODE);
  try {
    writeFileSync(fd, raw);
    if (fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * An evidence directory an earlier version left open to other users (0755 directories, 0444 files)
 * is tightened file by file, once: afterwards its root is private and this returns at once.
 */
export function secureEvidenceDir(dir: string, notice?: Notice): void {
  if (sharedBits(dir)) tightenTree(dir, notice);
}

export type CustodyAction = 'received' | 'viewed' | 'exported';

export interface CustodyRecord {
  readonly id: number;
  readonly sha256: string;
  readonly reportId: number | null;
  readonly atMs: number;
  readonly actorLabel: string;
  readonly action: CustodyAction;
  readonly details: Record<string, unknown>;
}

/** A file whose bytes are stored, kept as the evidence of the report `reportId`. */
export interface KeptFile {
  readonly reportId: number;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly mediaType: string;
}

export interface EvidenceOptions {
  /** fsync each new file before its report is committed (default true). */
  readonly fsync?: boolean;
}

const SHA256_RE = /^[0-9a-f]{64}$/;

export class EvidenceStore {
  private readonly fsync: boolean;

  constructor(
    private readonly db: RelationalDb,
    /** `<data dir>/evidence`. */
    readonly dir: string,
    private readonly now: () => number = Date.now,
    opts: EvidenceOptions = {},
  ) {
    this.fsync = opts.fsync ?? true;
  }

  pathOf(sha256: string): string {
    if (!SHA256_RE.test(sha256)) throw new KobanError('E_USAGE', `not a SHA-256: ${sha256}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /**
   * Writes the file if it is new, off the event loop (outside any transaction: an orphan file is
   * harmless, a lost one is not). Returns its SHA-256 (`knownSha256`: already computed by the
   * extraction over the same bytes).
   */
  async writeFile(raw: Buffer, knownSha256?: string): Promise<string> {
    const sha256 = knownSha256 ?? createHash('sha256').update(raw).digest('hex');
    const path = this.pathOf(sha256);
    const existing = await stat(path).catch(() => null);
    if (existing && existing.size === raw.length) return sha256;
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'wx', SEALED_FILE_MODE);
    try {
      await fh.writeFile(raw);
      if (this.fsync) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    return sha256;
  }

  /**
   * Keeps a stored file as the evidence of a new report, in one call inside the report's
   * transaction: the file's row (once per file), the report's reference to it, and the `received`
   * custody entry naming the report. The bytes are written before the transaction (`writeFile`, or
   * a parse worker): durable before the report commits, without holding the transaction open.
   */
  async keep(tx: Kysely<Database>, actor: Actor, file: KeptFile, atMs: number): Promise<void> {
    await tx
      .insertInto('evidence')
      .values({
        sha256: file.sha256,
        size_bytes: file.sizeBytes,
        media_type: file.mediaType,
        first_received_ms: atMs,
      })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    await tx
      .updateTable('reports')
      .set({ evidence_sha256: file.sha256 })
      .where('id', '=', file.reportId)
      .execute();
    await appendCustody(
      tx,
      actor,
      {
        sha256: file.sha256,
        reportId: file.reportId,
        action: 'received',
        details: { sizeBytes: file.sizeBytes },
      },
      atMs,
    );
  }

  /**
   * The raw bytes, for an actor who may read the private part of a report carrying them; checked
   * against the hash on every read, and recorded as `viewed` (or `exported`) in custody and audit.
   */
  async read(
    actor: Actor,
    sha256: string,
    action: 'viewed' | 'exported' = 'viewed',
    purpose = '',
  ): Promise<Buffer> {
    const report = await this.readableCarrier(actor, sha256);
    const raw = await readFile(this.pathOf(sha256));
    if (createHash('sha256').update(raw).digest('hex') !== sha256) {
      throw new KobanError(
        'E_INTERNAL',
        `evidence ${sha256} no longer matches its hash: the file was altered`,
      );
    }
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await appendCustody(
        tx,
        actor,
        { sha256, reportId: report.id, action, details: purpose ? { purpose } : {} },
        nowMs,
      );
      await appendAudit(
        tx,
        actor,
        {
          action: `evidence.${action === 'viewed' ? 'read' : 'export'}`,
          targetType: 'evidence',
          targetId: sha256,
          tlp: report.tlp,
          details: { reportId: report.id },
        },
        nowMs,
      );
    });
    return raw;
  }

  async custody(actor: Actor, sha256: string): Promise<CustodyRecord[]> {
    await this.readableCarrier(actor, sha256);
    const rows = await this.db
      .selectFrom('custody')
      .selectAll()
      .where('evidence_sha256', '=', sha256)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      sha256: r.evidence_sha256,
      reportId: r.report_id === null ? null : Number(r.report_id),
      atMs: Number(r.at_ms),
      actorLabel: r.actor_label,
      action: r.action as CustodyAction,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }

  private async readableCarrier(actor: Actor, sha256: string): Promise<LabelledReport> {
    const ids = await this.db
      .selectFrom('reports')
      .select('id')
      .where('evidence_sha256', '=', sha256)
      .orderBy('id')
      .limit(1000)
      .execute();
    for (const { id } of ids) {
      const r = await loadLabelled(this.db, Number(id));
      if (r && canReadPrivate(actor, r)) return r;
    }
    // The same answer whether the file does not exist or may not be read: no probing by hash.
    throw new KobanError('E_NOT_FOUND', `no evidence ${sha256} readable by ${actor.label}`);
  }
}

export async function appendCustody(
  tx: Kysely<Database>,
  actor: Actor,
  e: { sha256: string; reportId: number | null; action: CustodyAction; details: Record<string, unknown> },
  atMs: number,
): Promise<void> {
  await appendChained(tx, 'custody', custodyContent(actor, e, atMs));
}

/** A custody row's content (batch-store.ts appends a batch's rows at once). */
export function custodyContent(
  actor: Actor,
  e: { sha256: string; reportId: number | null; action: CustodyAction; details: Record<string, unknown> },
  atMs: number,
) {
  return {
    at_ms: atMs,
    actor_user_id: actor.userId,
    actor_org_id: actor.orgId,
    actor_label: actor.label,
    evidence_sha256: e.sha256,
    report_id: e.reportId,
    action: e.action,
    details: JSON.stringify(e.details),
  };
}
