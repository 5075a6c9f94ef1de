/**
 * The relational schema as Kysely sees it: one interface per table. Migrations (migrations.ts)
 * create exactly these. Times are UTC milliseconds (numbers) so SQLite and PostgreSQL agree.
 */
import type { Generated } from 'kysely';
import type { AnonTables } from './schema-anon.js';
import type { FeedTables } from './schema-feeds.js';
import type { IntelTables } from './schema-intel.js';
import type { RecorderTables } from './schema-recorder.js';

export interface SensorTable {
  id: Generated<number>;
  name: string;
  site: string | null;
  /** JSON array of CIDR strings: the addresses the sensor watches. */
  address_blocks: string;
  /** Relay sensors (replay, the demo feed) may name the sensor of each event they send. */
  relay: number;
  /** SHA-256 (hex) of the token secret; the secret itself is never stored. */
  token_hash: string;
  created_ms: number;
  revoked_ms: number | null;
  last_seen_ms: number | null;
  /** Newest event time received, for lag (receive time − event time). */
  last_event_ms: number | null;
  events_total: number;
  batches_total: number;
  /** Events the agent reported dropping from a full spool (cumulative, as last reported). */
  dropped_total: number;
  /**
   * For a relayed sensor (no token of its own): the id of the relay sensor that first wrote it, the
   * only relay that may write under its name. Null for registered sensors.
   */
  relayed_by: number | null;
}

/**
 * Address blocks of a sensor the registry has none for (observe/monitored-space.ts): `given` by an
 * operator or a simulated set's manifest, or `learned` from the destinations the sensor has seen.
 */
export interface SensorBlockTable {
  id: Generated<number>;
  sensor: string;
  /** `given` or `learned`. */
  origin: string;
  /** A learned block: the /24 it lies in (one learned block per /24); a given block: the block itself. */
  network: string;
  /** CIDR. */
  block: string;
  /** Learned: the most distinct sources seen sending to the /24 in one learning pass. */
  sources: number;
  /** Learned: events seen addressed to the /24, over every pass. */
  events: number;
  /** Learned: event times of the first and last of them. */
  first_ms: number | null;
  last_ms: number | null;
  updated_ms: number;
}

export interface OperatorAlertTable {
  id: Generated<number>;
  /** Detector or source: `sensor-silent`, `port-surge`, `backscatter`, … */
  kind: string;
  /** Deduplication key: one alert per episode (e.g. `sensor-silent:tokyo-01`). */
  dedup_key: string;
  severity: string;
  /** The severity's rank (info 0 … critical 4): lists order and page on it (detect/alerts.ts). */
  severity_rank: Generated<number>;
  title: string;
  status: string;
  first_ms: number;
  last_ms: number;
  updated_ms: number;
  /** JSON evidence (counts, series, top entities). */
  evidence: string;
  acked_by: string | null;
  acked_ms: number | null;
  closed_by: string | null;
  closed_ms: number | null;
}

/**
 * A scanning source over all its scan episodes (detect/scanners.ts). Counts are of one episode at
 * most (`reach`, `distinct_ports`, `breadth` = the larger of the two) or summed (`packets`,
 * `episodes`); `ports`, `sensors`, `tags` and `alert_reasons` are JSON arrays.
 */
export interface ScannerTable {
  source: string;
  first_ms: number;
  last_ms: number;
  episodes: number;
  breadth: number;
  reach: number;
  distinct_ports: number;
  packets: number;
  type: string;
  ports: string;
  sensors: string;
  country: string | null;
  asn: number | null;
  tags: string;
  alert_reasons: string;
  /** The latest episode's key and packets (its later sightings replace, not add to, them). */
  episode_key: string;
  episode_packets: number;
}

/** Every port a scanner probed (`port` −1: none, as ICMP), for the search by port. */
export interface ScannerPortTable {
  source: string;
  proto: string;
  port: number;
}

/**
 * A DDoS victim below the alerting rate over one backscatter episode
 * (detect/backscatter-statistics.ts); `ports` is a JSON array, `rate_pps` null when no monitored
 * space was known.
 */
export interface BackscatterStatisticTable {
  episode_key: string;
  victim: string;
  attack_type: string;
  ports: string;
  first_ms: number;
  last_ms: number;
  packets: number;
  addresses_hit: number;
  rate_pps: number | null;
  title: string;
}

/** One holder at a time for a named job (lease.ts). */
export interface LeaseTable {
  name: string;
  holder: string;
  expires_ms: number;
  acquired_ms: number;
}

/** Every table: observation and detection tables here, the intel context's in schema-intel.ts. */
export interface Database extends IntelTables, FeedTables, AnonTables, RecorderTables {
  sensors: SensorTable;
  sensor_blocks: SensorBlockTable;
  operator_alerts: OperatorAlertTable;
  scanners: ScannerTable;
  scanner_ports: ScannerPortTable;
  backscatter_statistics: BackscatterStatisticTable;
  leases: LeaseTable;
}
