/**
 * Raw-event retention: raw events older than `retentionDays` are deleted, hourly rollups are kept
 * forever. By default the cut-off counts back from the wall clock, so no record — however it is
 * dated — moves it. A data directory of imported history asks explicitly to count back from its
 * newest data instead (`retentionFrom: "newest-event"`, or `koban import --history` for one run):
 * from the end of the newest hour with raw events, never later than now, and never from a few
 * records set apart from the rest by more than the retention period (a yearless log line given the
 * wrong year): such a minority is kept, and does not decide what the majority loses.
 */
import { DAY_MS, HOUR_MS, type KobanConfig } from '../core/index.js';
import type { EventStore } from './ports/event-store.js';
import type { RawHour } from './ports/maintenance.js';

export type RetentionFrom = KobanConfig['retentionFrom'];

export interface RetentionOptions {
  /** The wall clock (tests inject it). */
  readonly nowMs?: number | undefined;
  /** Overrides `config.retentionFrom` for this run. */
  readonly from?: RetentionFrom | undefined;
  /** Count, of the deleted events, those stored in batches after this one (one import's). */
  readonly sinceBatch?: number | undefined;
}

export interface RetentionResult {
  /** Raw events before this instant were deleted; null when retention is off or nothing is stored. */
  readonly cutoffMs: number | null;
  readonly from: RetentionFrom;
  readonly deleted: number;
  /** Of `deleted`, those stored after `sinceBatch` (0 without it). */
  readonly deletedSince: number;
}

/**
 * Applies the raw-event retention and returns what it deleted. Also forgets delivered batch ids
 * older than `batchMemoryDays` (wall clock) and compacts the rollups when due.
 */
export async function applyRetention(
  store: EventStore,
  config: KobanConfig,
  opts: RetentionOptions = {},
): Promise<RetentionResult> {
  const nowMs = opts.nowMs ?? Date.now();
  const from = opts.from ?? config.retentionFrom;
  await store.maybeCompact();
  await store.forgetBatchesBefore(nowMs - config.batchMemoryDays * DAY_MS);
  const none = { cutoffMs: null, from, deleted: 0, deletedSince: 0 };
  if (config.retentionDays === 0) return none;
  const windowMs = config.retentionDays * DAY_MS;
  let endMs = nowMs;
  if (from === 'newest-event') {
    const end = newestBulkEnd(await store.rawHourCounts(), windowMs);
    if (end === null) return none;
    // A sensor's clock ahead of ours must not make everything look old.
    endMs = Math.min(end, nowMs);
  }
  const cutoffMs = endMs - windowMs;
  const deletedSince =
    opts.sinceBatch === undefined ? 0 : await store.countRawBefore(cutoffMs, opts.sinceBatch);
  const deleted = await store.deleteRawBefore(cutoffMs);
  return { cutoffMs, from, deleted, deletedSince };
}

/**
 * The end of the newest hour of raw events, passing over newer hours that hold fewer events than
 * the older ones and are separated from them by a gap longer than `windowMs`: measured from those,
 * the cut-off would delete the majority for the sake of a minority. Null when there are none.
 */
export function newestBulkEnd(hours: readonly RawHour[], windowMs: number): number | null {
  if (hours.length === 0) return null;
  const total = hours.reduce((s, h) => s + h.events, 0);
  let end = hours.length - 1;
  let newer = 0;
  for (let i = hours.length - 1; i > 0; i--) {
    newer += hours[i]!.events;
    if (hours[i]!.hourMs - hours[i - 1]!.hourMs > windowMs && 2 * newer < total) end = i - 1;
  }
  return hours[end]!.hourMs + HOUR_MS;
}
