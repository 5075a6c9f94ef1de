/**
 * Signed checkpoints of the chain heads: one JSON line per checkpoint in
 * `<data dir>/audit-checkpoints.jsonl` — the last row id and hash of the audit log and of the
 * custody chain, the time, the key id and an Ed25519 signature (RFC 8032) over the rest. The
 * operator ships the file (or `/metrics`' copy of the last line) somewhere the database's writers
 * cannot reach; `koban audit verify` then fails when the chains no longer reach a checkpoint's head
 * (rows removed from the end, or a chain rewritten even by someone holding the HMAC key).
 *
 * A checkpoint is only written over a chain verified since the previous checkpoint, so a signature
 * never blesses a tampered head; `koban serve` writes one every hour when the heads moved, and
 * `koban audit checkpoint` on demand.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { type ChainCheck, canonicalJson, checkChain, GENESIS_HASH } from './chain.js';
import {
  type ChainKey,
  type ChainTable,
  chainKeyOf,
  chainLastId,
  chainPage,
  chainRow,
} from './keyed-chain.js';

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Seq = z.number().int().nonnegative();

export const CheckpointSchema = z.strictObject({
  v: z.literal(1),
  seq: Seq,
  head: Hash,
  custodySeq: Seq,
  custodyHead: Hash,
  at: z.iso.datetime(),
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** A domain prefix, so the signature cannot be replayed as anything else the key signs. */
function signedText(c: Omit<Checkpoint, 'sig'>): string {
  return `koban audit checkpoint\n${canonicalJson(c)}`;
}

export interface Heads {
  readonly seq: number;
  readonly head: string;
  readonly custodySeq: number;
  readonly custodyHead: string;
}

export function signCheckpoint(key: ChainKey, h: Heads, atMs: number): Checkpoint {
  const body = { v: 1 as const, ...h, at: new Date(atMs).toISOString(), keyId: key.keyId };
  return { ...body, sig: key.sign(signedText(body)) };
}

/** Why a checkpoint does not hold under this key, or null. */
export function checkpointProblem(key: ChainKey, c: Checkpoint): string | null {
  if (c.keyId !== key.keyId) return `signed by key ${c.keyId}, not by this center's key ${key.keyId}`;
  const { sig, ...body } = c;
  return key.verify(signedText(body), sig) ? null : 'bad signature';
}

export interface CheckpointFile {
  readonly path: string;
  /** Checkpoints with a good signature, in file order. */
  readonly checkpoints: readonly Checkpoint[];
  /** Lines that are not checkpoints or whose signature fails: each one fails verification. */
  readonly problems: readonly string[];
}

function parseLine(line: string): Checkpoint | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  const r = CheckpointSchema.safeParse(parsed);
  return r.success ? r.data : null;
}

/** Reads a checkpoint file; a missing file is empty unless `required` (a file the operator named). */
export function readCheckpoints(key: ChainKey, path: string, required = false): CheckpointFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !required)
      return { path, checkpoints: [], problems: [] };
    throw new KobanError('E_NOT_FOUND', `cannot read the checkpoint file ${path}: ${(e as Error).message}`);
  }
  const checkpoints: Checkpoint[] = [];
  const problems: string[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const c = parseLine(line);
    if (c === null) {
      problems.push(`${path} line ${i + 1}: not a checkpoint`);
      continue;
    }
    const problem = checkpointProblem(key, c);
    if (problem) problems.push(`${path} line ${i + 1} (row ${c.seq}): ${problem}`);
    else checkpoints.push(c);
  }
  return { path, checkpoints, problems };
}

const TAIL_BYTES = 64 * 1024;

/**
 * The last checkpoint of the file with a good signature, read from its tail only (the file grows
 * by a line an hour for years; a scrape of /metrics or the hourly write need not read it all).
 */
export function lastCheckpoint(key: ChainKey, path: string): Checkpoint | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KobanError('E_IO', `cannot read the checkpoint file ${path}: ${(e as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, TAIL_BYTES));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    const lines = buf.toString('utf8').split('\n');
    // The first line of a partial tail may be cut: it can only fail to parse, never mislead.
    for (let i = lines.length - 1; i >= 0; i--) {
      const c = parseLine(lines[i]!);
      if (c !== null && checkpointProblem(key, c) === null) return c;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Appends one line (O_APPEND: concurrent writers do not interleave lines this short), fsynced. */
function appendLine(path: string, c: Checkpoint): void {
  const fd = openSync(path, 'a', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(c)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Checks one chain from the last checkpoint on (or from the start), under the key. */
async function checkSince(
  db: RelationalDb,
  key: ChainKey,
  table: ChainTable,
  from: { id: number; hash: string } | null,
): Promise<ChainCheck> {
  const rule = key.ruleFor(table);
  if (from !== null && from.id > 0) {
    const row = await chainRow(db, table, from.id);
    if (!row || row.hash !== from.hash)
      return {
        rows: 0,
        seq: from.id,
        head: from.hash,
        broken: { id: from.id, reason: 'checkpoint-mismatch' },
      };
  }
  return checkChain(chainPage(db, table), rule, from === null ? {} : { after: from });
}

/**
 * Signs the current heads and appends the checkpoint to `path`, after checking both chains since
 * the last good checkpoint of the file. Returns null when nothing moved since it (unless `force`).
 */
export async function writeCheckpoint(
  db: RelationalDb,
  path: string,
  nowMs: number,
  opts: { force?: boolean } = {},
): Promise<Checkpoint | null> {
  const key = chainKeyOf(db);
  const last = lastCheckpoint(key, path);
  if (
    last !== null &&
    !opts.force &&
    last.seq === (await chainLastId(db, 'audit_log')) &&
    last.custodySeq === (await chainLastId(db, 'custody'))
  )
    return null;
  const audit = await checkSince(db, key, 'audit_log', last && { id: last.seq, hash: last.head });
  const custody = await checkSince(
    db,
    key,
    'custody',
    last && { id: last.custodySeq, hash: last.custodyHead },
  );
  for (const [table, c] of [
    ['audit_log', audit],
    ['custody', custody],
  ] as const) {
    if (c.broken)
      throw new KobanError(
        'E_INTERNAL',
        `no checkpoint written: ${table} row ${c.broken.id ?? c.seq} fails the check (${c.broken.reason}) since ` +
          `the last checkpoint; run koban audit verify`,
      );
  }
  const c = signCheckpoint(
    key,
    {
      seq: audit.seq,
      head: audit.seq === 0 ? GENESIS_HASH : audit.head,
      custodySeq: custody.seq,
      custodyHead: custody.seq === 0 ? GENESIS_HASH : custody.head,
    },
    nowMs,
  );
  appendLine(path, c);
  return c;
}
