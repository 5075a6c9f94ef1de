/**
 * The batch header: the first line of every sensor batch (POST /api/v1/ingest, gzip'd NDJSON).
 *
 * `{"v":1,"batch_id":"…","format":"events"|"iptables"|…,"dropped_total":N,"sent_ms":T}`
 * - `v`: the wire version; each version has its own schema below, and a center refuses versions
 *   it does not know (the sensor then keeps the batch in its spool).
 * - `batch_id` (1–128 chars of [A-Za-z0-9._:-]) is unique per sensor; a batch delivered twice is
 *   stored once.
 * - `format: "events"`: records are normalised events as compact arrays (event.ts), parsed at the
 *   sensor. Any text format name: records are raw log lines as JSON strings, or `[line, recv_ms]`.
 * - `dropped_total`: events the agent has dropped from a full spool so far (reported loss), an
 *   integer up to 2^53 − 1.
 * - `sent_ms`: when the agent sent the batch (optional).
 * The records after the header are hashed into the ledger with the batch id: the same id with
 * other records is refused (409), the same records again are a duplicate.
 */
import { z } from 'zod';

export const WIRE_VERSION = 1;
export const BATCH_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
/** The largest `dropped_total`: a count small enough to be exact in a JSON number. */
export const MAX_DROPPED_TOTAL = Number.MAX_SAFE_INTEGER;
/** The records of an `events` batch are wire events (event.ts); any other format is raw lines. */
export const EVENTS_FORMAT = 'events';

/**
 * The header of version 1. `textFormats` are the raw-line formats the receiving center parses
 * (its parsers, which the wire does not know).
 */
function headerV1(textFormats: readonly string[]) {
  return z.object({
    v: z.literal(1),
    batch_id: z.string().regex(BATCH_ID_RE),
    format: z.string().refine((f) => f === EVENTS_FORMAT || textFormats.includes(f)),
    dropped_total: z.number().int().min(0).max(MAX_DROPPED_TOTAL).optional(),
    sent_ms: z.number().optional(),
  });
}

export type BatchHeader = Readonly<z.infer<ReturnType<typeof headerV1>>>;

/** One message per field, whatever zod found wrong with it (centers' answers quote them). */
const FIELD_MESSAGES: Record<string, (textFormats: readonly string[]) => string> = {
  batch_id: () => 'batch_id must be 1–128 characters of A-Z a-z 0-9 . _ : -',
  format: (t) => `format must be "events" or one of ${t.join(', ')}`,
  dropped_total: () => `dropped_total must be an integer from 0 to ${MAX_DROPPED_TOTAL}`,
  sent_ms: () => 'sent_ms must be a number (ms since 1970)',
};

/** Schemas by version: a new version is one more entry (and the sensors that send it). */
const VERSIONS: Record<number, typeof headerV1> = { 1: headerV1 };

/**
 * Validates a parsed header line: the header, or the reason it is refused (the first field that
 * is wrong, in the order v, batch_id, format, dropped_total, sent_ms).
 */
export function parseBatchHeader(value: unknown, textFormats: readonly string[]): BatchHeader | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'batch header must be an object';
  const v = (value as { v?: unknown }).v;
  const schema = typeof v === 'number' ? VERSIONS[v] : undefined;
  if (schema === undefined) return `unsupported batch version ${String(v)} (expected ${WIRE_VERSION})`;
  const parsed = schema(textFormats).safeParse(value);
  if (parsed.success) return parsed.data;
  const field = String(parsed.error.issues[0]?.path[0] ?? '');
  return FIELD_MESSAGES[field]?.(textFormats) ?? `invalid batch header field ${field}`;
}

/** The header line of a batch (JSON, without its newline). */
export function batchHeaderLine(batchId: string, format: string): string {
  return JSON.stringify({ v: WIRE_VERSION, batch_id: batchId, format });
}
