/**
 * Hash chains for the append-only tables (audit log, evidence custody), through one helper for
 * both. Each row stores `hash = MAC(prev_hash ‖ "\n" ‖ canonical JSON of the row's other columns)`,
 * the first row chaining from 64 zeros. Changing any stored value breaks that row's hash; deleting,
 * inserting or reordering rows breaks the next row's `prev_hash`; the row id is hashed too, so
 * renumbering shows.
 *
 * The MAC is HMAC-SHA256 under the data directory's chain key (keyed-chain.ts, chain-key-file.ts), which is kept outside
 * the database: with a plain SHA-256 anyone able to write the database could rewrite a row and
 * recompute every later hash. Rows written before the key existed keep the plain SHA-256 rule up to
 * the switch-over id the key file records. Removing rows from the end is only visible against a
 * head kept elsewhere: the signed checkpoints (checkpoints.ts), or `--expect-head`.
 *
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers as JSON writes them
 * (RFC 8785's JCS rules for the value types these rows hold: strings, integers, null).
 */
import { createHash, createHmac } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return 'null';
}

/** The unkeyed rule: rows written before the chain key existed (and the legacy format's tests). */
export function chainHash(prevHash: string, content: Record<string, unknown>): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(content)}`)
    .digest('hex');
}

/** The keyed rule: HMAC-SHA256 (RFC 2104) under the chain key over the same bytes. */
export function keyedChainHash(key: Buffer, prevHash: string, content: Record<string, unknown>): string {
  return createHmac('sha256', key)
    .update(`${prevHash}\n${canonicalJson(content)}`)
    .digest('hex');
}

/** The hash a row of a table must carry: which rule applies depends on its id. */
export type ChainRule = (id: number, prevHash: string, content: Record<string, unknown>) => string;

/** A stored chained row: its columns, with the two chain columns. */
export interface ChainedRow {
  readonly id: number;
  readonly prev_hash: string;
  readonly hash: string;
  readonly [column: string]: unknown;
}

export type ChainBreak =
  | 'prev-mismatch'
  | 'hash-mismatch'
  | 'head-mismatch'
  | 'checkpoint-mismatch'
  | 'short-of-checkpoint';

export interface ChainCheck {
  readonly rows: number;
  /** Id of the last row checked (0 for an empty chain). */
  readonly seq: number;
  /** Hash of the last row (GENESIS for an empty chain). */
  readonly head: string;
  readonly broken: { readonly id: number | null; readonly reason: ChainBreak } | null;
}

/** Integer columns of the chained tables (PostgreSQL returns bigint as text). */
const NUMERIC_COLUMNS = new Set(['id', 'at_ms', 'actor_user_id', 'actor_org_id', 'report_id']);

/** The hashed content of a row: every column but the chain's own, numbers normalised. */
export function rowContent(row: ChainedRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'prev_hash' || k === 'hash') continue;
    out[k] = typeof v === 'string' && NUMERIC_COLUMNS.has(k) ? num(v) : v;
  }
  return out;
}

function num(s: string): number | string {
  return /^-?\d+$/.test(s) ? Number(s) : s;
}

export interface CheckOptions {
  /** Start after this row, whose hash is `prevHash` (a checkpoint already verified); default: the start. */
  readonly after?: { readonly id: number; readonly hash: string };
  /** The head recorded earlier: also catches rows cut off the end. */
  readonly expectHead?: string;
  /** Hashes rows must carry (from signed checkpoints): id → hash. */
  readonly pins?: ReadonlyMap<number, string>;
}

/** Walks rows in id order, page by page; stops at the first break. */
export async function checkChain(
  page: (afterId: number, limit: number) => Promise<readonly ChainedRow[]>,
  rule: ChainRule,
  opts: CheckOptions = {},
): Promise<ChainCheck> {
  let prev = opts.after?.hash ?? GENESIS_HASH;
  let seq = opts.after?.id ?? 0;
  let rows = 0;
  let after = opts.after?.id ?? -1;
  const fail = (id: number | null, reason: ChainBreak): ChainCheck => ({
    rows,
    seq,
    head: prev,
    broken: { id, reason },
  });
  for (;;) {
    const batch = await page(after, 5000);
    for (const row of batch) {
      const id = Number(row.id);
      if (row.prev_hash !== prev) return fail(id, 'prev-mismatch');
      if (rule(id, prev, rowContent(row)) !== row.hash) return fail(id, 'hash-mismatch');
      const pinned = opts.pins?.get(id);
      if (pinned !== undefined && pinned !== row.hash) return fail(id, 'checkpoint-mismatch');
      prev = row.hash;
      seq = id;
      rows++;
      after = id;
    }
    if (batch.length < 5000) break;
  }
  if (opts.expectHead !== undefined && opts.expectHead !== prev) return fail(null, 'head-mismatch');
  for (const id of opts.pins?.keys() ?? []) if (id > seq) return fail(null, 'short-of-checkpoint');
  return { rows, seq, head: prev, broken: null };
}
