/**
 * The event store port. Observation events are append-only and analytical; the embedded default
 * is DuckDB (duckdb-store.ts) and a ClickHouse adapter can implement the same interface, so that
 * ingest, analyses and detectors never branch on which one is live.
 *
 * Two kinds of reads:
 * - `aggregate` with measure `events` reads the hourly rollups (kept forever, fast at any size);
 * - `aggregate` with measure `sources` counts distinct source addresses from raw events (kept for
 *   the retention period only).
 */
import type { Bucket, EnrichedEvent, EventKind, Protocol, Technique } from '../core/index.js';

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
  readonly updatedMs: number;
}

export type LedgerUpdate = Omit<LedgerEntry, 'events' | 'updatedMs'> & {
  /** Events an earlier entry already covers (a grown file's prefix): counted when the entry is created. */
  readonly eventsCarried?: number;
};

export const DIMENSIONS = [
  'kind',
  'sensor',
  'proto',
  'port',
  'country',
  'technique',
  'neighbour',
  'scope',
] as const;
/** What aggregates can be grouped by. `port` is the destination port; `neighbour` is 0/1/2 (see below). */
export type Dimension = (typeof DIMENSIONS)[number];

/**
 * Neighbour class of an IPv4 access (seed 000 §2.1.1: worms probe addresses near their own):
 * 2 = source shares the first two octets with the sensor address it hit, 1 = only the first
 * octet, 0 = neither (and every IPv6 access).
 */
export type NeighbourClass = 0 | 1 | 2;

export interface AggregateFilter {
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  readonly kinds?: readonly EventKind[] | undefined;
  readonly proto?: Protocol | undefined;
  readonly port?: number | undefined;
  /** A technique class, or `any` for every IDS detection with a technique. */
  readonly technique?: Technique | 'any' | undefined;
  readonly country?: string | undefined;
  readonly sensor?: string | undefined;
}

export interface AggregateQuery extends AggregateFilter {
  readonly groupBy: readonly Dimension[];
  readonly bucket?: Bucket | undefined;
  /** Operator's UTC offset for day/week/month buckets. */
  readonly utcOffsetMinutes?: number | undefined;
  /** `events` from the rollups; `sources` = distinct source addresses, from raw events. */
  readonly measure?: 'events' | 'sources';
}

export interface AggregateRow {
  /** Bucket start (UTC ms) when the query has a bucket. */
  readonly bucketMs?: number;
  readonly kind?: EventKind;
  readonly sensor?: string;
  readonly proto?: Protocol;
  readonly port?: number | null;
  readonly country?: string | null;
  readonly technique?: Technique | null;
  readonly neighbour?: NeighbourClass;
  readonly scope?: string;
  readonly count: number;
}

export interface StoreSummary {
  readonly events: number;
  readonly rawEvents: number;
  readonly firstMs: number | null;
  readonly lastMs: number | null;
  readonly sensors: number;
  readonly byKind: Readonly<Record<EventKind, number>>;
  readonly sizeBytes: number;
}

export interface SensorActivity {
  readonly sensor: string;
  readonly events: number;
  readonly firstMs: number;
  readonly lastMs: number;
  /** Distinct hours with at least one event: the sensor's active time, for per-sensor rates. */
  readonly activeHours: number;
  /** Distinct days with at least one event. */
  readonly activeDays: number;
}

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

export interface EventStore {
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
  /** Complete or partial file entries of a sensor whose first 4 KiB hash to `headHash`. */
  ledgerByHead(sensor: string, headHash: string): Promise<LedgerEntry[]>;
  aggregate(query: AggregateQuery): Promise<AggregateRow[]>;
  /** Per-sensor volume and active time within the filter (from the rollups). */
  sensorActivity(filter: AggregateFilter, utcOffsetMinutes: number): Promise<SensorActivity[]>;
  summary(): Promise<StoreSummary>;
  /** Deletes raw events older than `cutoffMs`; rollups stay. Returns how many were deleted. */
  deleteRawBefore(cutoffMs: number): Promise<number>;
  close(): Promise<void>;
}
