/**
 * The event store port. Observation events are append-only and analytical; the embedded default
 * is DuckDB (`observe/duckdb/`); the ClickHouse adapter (`observe/clickhouse/`) implements the same interface, so
 * that ingest, analyses and detectors never branch on which one is live. `openEventStore` (the
 * one place an adapter is chosen) opens one; `observe/event-store.contract.ts` is the suite every
 * adapter passes.
 *
 * The port in parts: appends with their idempotency ledger (here), reads of counts for views
 * (`aggregates.ts`), minute-level reads for the detectors (`detection-rows.ts`), the sensors'
 * destinations per /24 (`destinations.ts`), and maintenance and health (`maintenance.ts`).
 */
import type { EnrichedEvent } from '../../core/index.js';
import type { EventAggregates } from './aggregates.js';
import type { DestinationReads } from './destinations.js';
import type { DetectionSource } from './detection-rows.js';
import type { StoreCondition, StoreMaintenance } from './maintenance.js';

/**
 * A ledger entry makes appends idempotent: it is written in the same transaction as the events
 * it covers. A file import keys it on sensor and content hash and records how many input records
 * are stored (so an interrupted import resumes where it stopped); an HTTP batch keys it on the
 * sensor's batch id.
 */
export interface LedgerEntry {
  readonly key: string;
  readonly sensor: string;
  /** Input records (lines, packets, batch items) consumed and stored so far. */
  readonly position: number;
  readonly complete: boolean;
  /**
   * Events the covered records yielded so far: stored under this key, or recognised as records
   * another source had stored already ({@link AppendDedup}).
   */
  readonly events: number;
  /** For files: bytes covered, and a hash of the first 4 KiB to find an earlier, shorter copy. */
  readonly bytes: number;
  readonly headHash: string | null;
  /** SHA-256 of the covered content (a file; an HTTP batch's records after its header). */
  readonly contentHash: string | null;
  /** When the entry was last written, by the process clock (`Date.now()`). */
  readonly updatedMs: number;
}

export type LedgerUpdate = Omit<LedgerEntry, 'events' | 'updatedMs'> & {
  /** Events an earlier entry already covers (a grown file's prefix): counted when the entry is created. */
  readonly eventsCarried?: number;
};

/**
 * Asks an append to recognise records another source already delivered — the same packet that
 * rsyslog wrote to both `ufw.log` and `syslog` — by their identity (every field of the event,
 * the time to the millisecond; `event-identity.ts`) within the event's sensor. Such events are
 * counted, not stored. Events stored by batches up to `sinceBatch` ({@link EventStore.appendMark}
 * taken before the source's first append) count as the earlier copies: one source's own records
 * are never compared with each other, since a log may hold two equal records that are two
 * accesses (DShield's count, a repeated probe in one second). Identities are kept as long as the
 * raw events (the retention).
 */
export interface AppendDedup {
  readonly sinceBatch: number;
}

/** What an append stored of the events it was given. */
export interface AppendResult {
  readonly stored: number;
  /** Events not stored because another source had stored the same record ({@link AppendDedup}). */
  readonly duplicates: number;
}

/** One delivery for {@link EventStore.appendUnique}: events and the ledger key that makes them idempotent. */
export interface UniqueAppend {
  readonly events: readonly EnrichedEvent[];
  readonly ledger: LedgerUpdate;
}

export type UniqueAppendResult = 'stored' | 'duplicate' | 'conflict';

/** Appends and the idempotency ledger. */
export interface EventAppends {
  /**
   * Appends enriched events and, atomically with them, the ledger update (if any). Either all of
   * it is stored or none. Large batches (10^4–10^6 events) are the efficient unit. With `dedup`,
   * events another source already stored are counted instead ({@link AppendDedup}).
   */
  append(events: readonly EnrichedEvent[], ledger?: LedgerUpdate, dedup?: AppendDedup): Promise<AppendResult>;
  /** The mark for {@link AppendDedup.sinceBatch}: everything appended so far. */
  appendMark(): Promise<number>;
  /**
   * Appends several deliveries in one transaction, skipping each whose ledger key is already
   * stored (or repeats an earlier one in the same call): the exactly-once step of HTTP ingest.
   * Returns, per delivery, whether it was stored, was a duplicate (same key, same content hash or
   * none to compare), or conflicts (same key, other content: nothing stored).
   */
  appendUnique(deliveries: readonly UniqueAppend[]): Promise<UniqueAppendResult[]>;
  ledger(key: string): Promise<LedgerEntry | null>;
  /** Entries of a sensor (scope) whose first 4 KiB hash to `headHash`, longest first. */
  ledgerByHead(sensor: string, headHash: string): Promise<LedgerEntry[]>;
}

/**
 * An event store: appends, reads for views and detectors, maintenance and health. Every method may
 * be called concurrently; an adapter orders what its engine cannot run at once.
 */
export interface EventStore
  extends EventAppends,
    EventAggregates,
    DetectionSource,
    DestinationReads,
    StoreMaintenance,
    StoreCondition {
  /** Flushes and releases the store; later calls fail with E_IO. Closing twice is harmless. */
  close(): Promise<void>;
}
