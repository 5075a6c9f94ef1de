/**
 * The recorder's record format (docs/recorder-format.md): one JSON object per line, chained by
 * SHA-256 over a canonical JSON form, sealed with the machine's Ed25519 key (RFC 8032) and
 * countersigned by the center. The same idea as the center's audit chain and signed checkpoints,
 * with the recorder's own canonical form so a third party can re-implement the check from the
 * document alone.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { KobanError } from '../core/index.js';

export const FORMAT_VERSION = 1;
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Canonical JSON (docs/recorder-format.md#canonical-json): object keys sorted by UTF-16 code
 * units, no whitespace, strings escaped as JSON.stringify does, numbers only as safe integers in
 * plain decimal — a float's text differs between languages, so the format has none.
 */
export function canonicalJson(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new KobanError('E_FORMAT', `not a safe integer: ${v}`);
    return Object.is(v, -0) ? '0' : String(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  throw new KobanError('E_FORMAT', `not representable in canonical JSON: ${typeof v}`);
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A record's hash: SHA-256 of the canonical JSON of every member but `hash` (prev included). */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _omit, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}

/** What a seal signs; the prefix keeps the signature from being replayed as anything else. */
export const sealText = (fingerprint: string, headSeq: number, head: string): string =>
  `koban recorder seal\n${fingerprint}\n${headSeq}\n${head}`;

/** What the center's countersignature signs. */
export const countersignText = (fingerprint: string, headSeq: number, head: string, at: string) =>
  `koban recorder head\n${fingerprint}\n${headSeq}\n${head}\n${at}`;

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const Sig = z.string().regex(/^[A-Za-z0-9_-]{86}$/);
const Port = z.number().int().min(0).max(65535);
const Pid = z.number().int().positive();

const base = {
  v: z.literal(FORMAT_VERSION),
  seq: Seq,
  time: z.iso.datetime(),
  prev: Hash,
  hash: Hash,
};

const ProcessStart = z.strictObject({
  ...base,
  kind: z.literal('process-start'),
  pid: Pid,
  ppid: z.number().int().nonnegative(),
  startTicks: Seq,
  exe: z.string().nullable(),
  exeSha256: Hash.nullable(),
  cmdline: z.array(z.string()),
  uid: z.number().int().nonnegative().nullable(),
  user: z.string().nullable(),
});
const ProcessEnd = z.strictObject({
  ...base,
  kind: z.literal('process-end'),
  pid: Pid,
  startTicks: Seq,
  exe: z.string().nullable(),
});
const Connection = z.strictObject({
  ...base,
  kind: z.literal('connection'),
  proto: z.enum(['tcp', 'tcp6', 'udp', 'udp6']),
  state: z.string(),
  localAddr: z.string(),
  localPort: Port,
  remoteAddr: z.string(),
  remotePort: Port,
  inode: Seq,
  pid: Pid.nullable(),
  exe: z.string().nullable(),
});
const Session = {
  ...base,
  user: z.string(),
  line: z.string(),
  host: z.string(),
  sessionPid: z.number().int().nonnegative(),
  since: z.iso.datetime(),
};
const Login = z.strictObject({ ...Session, kind: z.literal('login') });
const Logout = z.strictObject({ ...Session, kind: z.literal('logout') });
const RecorderStart = z.strictObject({
  ...base,
  kind: z.literal('recorder-start'),
  host: z.string(),
  keyFingerprint: Hash,
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  software: z.string(),
});
const RecorderStop = z.strictObject({
  ...base,
  kind: z.literal('recorder-stop'),
  reason: z.string(),
});
const Gap = z.strictObject({
  ...base,
  kind: z.literal('gap'),
  reason: z.enum(['segments-dropped', 'truncated-tail', 'poll-failed']),
  detail: z.string(),
  /** For segments-dropped: every record with seq ≤ droppedThroughSeq is gone… */
  droppedThroughSeq: Seq.nullable(),
  /** …and this was the hash of the last of them (the prev of the first record kept). */
  droppedThroughHash: Hash.nullable(),
  segments: z.array(z.string()),
  bytes: Seq,
});
const Seal = z.strictObject({
  ...base,
  kind: z.literal('seal'),
  keyFingerprint: Hash,
  /** Repeated in every seal, so the chain stays checkable once its recorder-start is dropped. */
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  sig: Sig,
});
const Countersign = z.strictObject({
  ...base,
  kind: z.literal('countersign'),
  keyFingerprint: Hash,
  headSeq: Seq,
  head: Hash,
  centerKeyId: z.string(),
  centerTime: z.iso.datetime(),
  sig: Sig,
});

export const RecordSchema = z.discriminatedUnion('kind', [
  ProcessStart,
  ProcessEnd,
  Connection,
  Login,
  Logout,
  RecorderStart,
  RecorderStop,
  Gap,
  Seal,
  Countersign,
]);
export type RecorderRecord = z.infer<typeof RecordSchema>;
export type RecordKind = RecorderRecord['kind'];
/** A record before the writer numbers, chains and hashes it. */
export type RecordBody = RecorderRecord extends infer R
  ? R extends RecorderRecord
    ? Omit<R, 'v' | 'seq' | 'time' | 'prev' | 'hash'>
    : never
  : never;

/** A countersignature as the center returns it (also the lines of a countersignatures file). */
export const CountersignatureSchema = z.strictObject({
  keyFingerprint: Hash,
  headSeq: Seq,
  head: Hash,
  centerKeyId: z.string(),
  centerTime: z.iso.datetime(),
  sig: Sig,
});
export type Countersignature = z.infer<typeof CountersignatureSchema>;
