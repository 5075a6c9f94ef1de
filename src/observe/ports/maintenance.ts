/**
 * The event store's maintenance and health: what `applyRetention` (retention.ts) and the center's
 * housekeeping and `/healthz` need, so that none of them knows which adapter is live. Raw events
 * expire after the retention period; hourly rollups are kept forever.
 */
import type { StoreStatus } from '../../core/index.js';

/** Raw events stored for one UTC hour. */
export interface RawHour {
  /** Start of the hour, UTC ms. */
  readonly hourMs: number;
  readonly events: number;
}

export interface StoreMaintenance {
  /**
   * Deletes raw events older than `cutoffMs`, with the identities that recognise them as
   * duplicates (`AppendDedup`); rollups stay. Returns how many events were deleted.
   */
  deleteRawBefore(cutoffMs: number): Promise<number>;
  /** Raw events before `cutoffMs` stored by appends after the mark `afterBatch` (one import's). */
  countRawBefore(cutoffMs: number, afterBatch?: number): Promise<number>;
  /** Raw events per UTC hour, oldest first (for retention measured from the data). */
  rawHourCounts(): Promise<RawHour[]>;
  /**
   * Forgets HTTP batch ids (ledger keys starting `batch:`) whose entries were last written before
   * `cutoffMs` by the process clock: one entry per batch would otherwise grow without bound (a
   * sensor shipping every 200 ms writes 432,000 a day). File imports keep theirs (one per file).
   * Returns how many were forgotten.
   */
  forgetBatchesBefore(cutoffMs: number): Promise<number>;
  /**
   * Merges partial rollup rows when the adapter finds it due (each append may add its own; views
   * read fewer rows after a merge); counts never change. Returns whether it ran. An engine that
   * merges by itself returns false.
   */
  maybeCompact(): Promise<boolean>;
}

/** The store's condition, for `/healthz`. */
export interface StoreCondition {
  /** Whether the store has failed since it was opened (a damaged file, an engine gone away). */
  health(): StoreStatus;
  /** A cheap read through the engine: fails (E_STORE) when the store cannot answer. */
  probe(): Promise<void>;
}
