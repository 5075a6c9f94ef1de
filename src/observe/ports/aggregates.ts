/**
 * The event store's reads for views and reports: counts grouped by dimensions and time buckets,
 * per-sensor activity and a summary. `measure: 'events'` reads the hourly rollups (kept forever,
 * fast at any size); `measure: 'sources'` counts distinct source addresses, exactly: over whole
 * hours and by kind, sensor and neighbour from hourly source sets kept like the
 * rollups (after raw events expire), otherwise (bounds inside an hour, an operator offset that is
 * not whole hours with a bucket, protocol, port, technique, country or scope) from raw events, kept for the
 * retention period only.
 */
import type { Bucket, EventKind, Protocol, Technique } from '../../core/index.js';

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
 * Neighbour class of an IPv4 access (docs/background.md#observation: worms probe addresses near their own):
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
  /**
   * `events` from the rollups; `sources` = distinct source addresses (see above for what is kept
   * after raw events expire). A source stored twice — a re-import, a repeated delivery — counts once.
   */
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

/** Reads of counts for views and reports. */
export interface EventAggregates {
  /**
   * Counts grouped by `groupBy` (and `bucket`): rows ordered by bucket, then by count, largest
   * first (ties in the adapter's order). A filter naming a sensor the store has never seen matches
   * nothing; a filter value outside its type (a port of 70000, an unknown kind) is E_USAGE.
   */
  aggregate(query: AggregateQuery): Promise<AggregateRow[]>;
  /**
   * Per-sensor volume and active time within the filter (from the rollups), one row per sensor
   * with events, in the order the store first saw the sensors.
   */
  sensorActivity(filter: AggregateFilter, utcOffsetMinutes: number): Promise<SensorActivity[]>;
  summary(): Promise<StoreSummary>;
}
