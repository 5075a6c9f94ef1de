/**
 * What one sensor batch may cost the center: body sizes, how far it may inflate, line and record
 * counts, decodes in flight, request rate, and which event times are plausible. Configured in
 * `koban.json` (`ingest`, `maxClockAheadSeconds`, `maxLineBytes`); see README, `koban serve`.
 */
import { ConfigSchema, type KobanConfig, KobanError } from '../core/index.js';

export interface IngestLimits {
  /** Largest request body (gzip'd), bytes. */
  readonly maxBodyBytes: number;
  /** Most a body may inflate to, bytes. */
  readonly maxInflatedBytes: number;
  /** Inflated ÷ compressed above which a body that inflated past `inflateRatioFloorBytes` is refused. */
  readonly maxInflateRatio: number;
  readonly inflateRatioFloorBytes: number;
  /** Longest NDJSON line, characters (a longer one is one rejected record, never buffered whole). */
  readonly maxRecordChars: number;
  /** Records in one batch. */
  readonly maxRecords: number;
  /** Lines of one batch that are not JSON (each a rejection) before the whole batch is refused. */
  readonly maxNotJsonLines: number;
  /** Events waiting for the writer before new batches are refused (429). */
  readonly maxQueuedEvents: number;
  /** Longest raw log line (text formats), characters. */
  readonly maxLineChars: number;
  /** Batches decoded at once per sensor (more: 429) and in all (more: 503). */
  readonly decodesPerSensor: number;
  readonly decodesTotal: number;
  /** Requests per second and burst per sensor token (more: 429). */
  readonly requestsPerSecond: number;
  readonly requestBurst: number;
  /** Latest event time accepted, relative to the center's clock. */
  readonly maxClockAheadMs: number;
  /** Earliest event time accepted (UTC ms). */
  readonly minEventTimeMs: number;
}

export function ingestLimitsFromConfig(config: KobanConfig): IngestLimits {
  const i = config.ingest;
  return {
    maxBodyBytes: i.maxBodyBytes,
    maxInflatedBytes: i.maxInflatedBytes,
    maxInflateRatio: i.maxInflateRatio,
    inflateRatioFloorBytes: i.inflateRatioFloorBytes,
    maxRecordChars: i.maxRecordChars,
    maxRecords: i.maxRecords,
    maxNotJsonLines: i.maxNotJsonLines,
    maxQueuedEvents: i.maxQueuedEvents,
    maxLineChars: config.maxLineBytes,
    decodesPerSensor: i.decodesPerSensor,
    decodesTotal: i.decodesTotal,
    requestsPerSecond: i.requestsPerSecond,
    requestBurst: i.requestBurst,
    maxClockAheadMs: config.maxClockAheadSeconds * 1000,
    minEventTimeMs: Date.parse(i.minEventTime),
  };
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = ingestLimitsFromConfig(ConfigSchema.parse({}));

/** The largest `dropped_total` an agent may report: beyond it a count is no longer exact. */
export { MAX_DROPPED_TOTAL } from '../wire/index.js';

/**
 * A batch refused for now: the writer is behind, or too many batches are being decoded (HTTP 429,
 * or 503 when the whole center is busy, with Retry-After).
 */
export class BackpressureError extends KobanError {
  constructor(
    override readonly retryAfterS: number,
    message = `the event store is behind; retry in ${retryAfterS} s`,
    readonly httpStatus: 429 | 503 = 429,
  ) {
    super('E_LIMIT', message);
  }
}
