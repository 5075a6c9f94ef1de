/**
 * The sensor ↔ center format (POST /api/v1/ingest): gzip'd NDJSON batches, a versioned header
 * line (`header.ts`, validated with zod) then one record per line — events as compact arrays
 * (`event.ts`, typed as labelled tuples) or raw log lines — cut by size and age (`batch-cutter.ts`).
 * Written by the sensor agent and `koban replay`, read by the center's ingest (`observe`). A leaf:
 * it imports only `core`, so a sensor loads no store.
 */
export { BatchCutter, type BatchCutterOptions, eventsBatchBody } from './batch-cutter.js';
export {
  type DecodedEvent,
  decodeEvent,
  encodeEvent,
  type WireEvent,
  type WireIds,
  type WirePayload,
  type WireQuoted,
} from './event.js';
export {
  BATCH_ID_RE,
  type BatchHeader,
  batchHeaderLine,
  EVENTS_FORMAT,
  MAX_DROPPED_TOTAL,
  parseBatchHeader,
  WIRE_VERSION,
} from './header.js';
