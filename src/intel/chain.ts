/**
 * Hash chains for the append-only tables (audit log, evidence custody). Each row stores
 * `hash = SHA-256(prev_hash ‖ "\n" ‖ canonical JSON of the row's other columns)`, the first row
 * chaining from 64 zeros. Changing any stored value breaks that row's hash; deleting, inserting or
 * reordering rows breaks the next row's `prev_hash`; the row id is hashed too, so renumbering
 * shows. Removing rows from the end is only visible against a head hash kept elsewhere, which
 * `koban audit verify` prints (and checks with `--expect-head`).
 *
 * Canonical JSON: object keys sorted by code unit, no whitespace, numbers as JSON writes them
 * (RFC 8785's JCS rules for the value types these rows hold: strings, integers, null).
 */
import { createHash } from 'node:crypto';

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

export function chainHash(prevHash: string, content: Record<string, unknown>): string {
  return createHash('sha256')
    .update(`${prevHash}\n${canonicalJson(content)}`)
    .digest('hex');
}

/** A stored chained row: its columns, with the two chain columns. */
export interface ChainedRow {
  readonly id: number;
  readonly prev_hash: string;
  readonly hash: string;
  readonly [column: string]: unknown;
}

export type ChainBreak = 'prev-mismatch' | 'hash-mismatch' | 'head-mismatch';

export interface ChainCheck {
  readonly rows: number;
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

/** Walks rows in id order, page by page; stops at the first break. */
export async function checkChain(
  page: (afterId: number, limit: number) => Promise<readonly ChainedRow[]>,
  expectHead?: string,
): Promise<ChainCheck> {
  let prev = GENESIS_HASH;
  let rows = 0;
  let after = -1;
  for (;;) {
    const batch = await page(after, 5000);
    for (const row of batch) {
      if (row.prev_hash !== prev)
        return { rows, head: prev, broken: { id: Number(row.id), reason: 'prev-mismatch' } };
      if (chainHash(prev, rowContent(row)) !== row.hash) {
        return { rows, head: prev, broken: { id: Number(row.id), reason: 'hash-mismatch' } };
      }
      prev = row.hash;
      rows++;
      after = Number(row.id);
    }
    if (batch.length < 5000) break;
  }
  if (expectHead !== undefined && expectHead !== prev) {
    return { rows, head: prev, broken: { id: null, reason: 'head-mismatch' } };
  }
  return { rows, head: prev, broken: null };
}
