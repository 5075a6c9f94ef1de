/**
 * Hourly source sets of the DuckDB event store: the distinct (hour, sensor, kind, neighbour class,
 * source address) tuples of the stored events, written with the rollups at each append and kept
 * like them, after raw events expire. Distinct-source counts (`measure: 'sources'`) read them
 * instead of the raw events whenever the query can be answered at hour precision: a source set
 * is a set, so the union over hours and sensors is exact (no sketch error), and a tuple written
 * twice — two appends in one hour, a re-import — counts once, so no deduplication is needed for
 * correctness; compaction only removes the repeats (`COMPACT_SOURCES_SQL`).
 *
 * Why exact sets rather than mergeable sketches (HyperLogLog): the monthly release and the
 * public portal publish these counts, and the tuples are few next to the events (a scanner's
 * hundreds of probes of one sensor in one hour are one tuple; BENCHMARKS.md, issue 16).
 */
import { HOUR_MS } from '../../core/index.js';
import type { AggregateQuery, Dimension } from '../ports/aggregates.js';

export const SOURCE_SETS_DDL = `
CREATE TABLE IF NOT EXISTS source_hourly (
  hour TIMESTAMP NOT NULL, sensor USMALLINT NOT NULL, kind UTINYINT NOT NULL, neighbour UTINYINT NOT NULL,
  src4 UINTEGER, src6 VARCHAR);
`;

/**
 * The tuples of a set of events (a SQL condition on `events`), each once. The hour is made a
 * timestamp after the DISTINCT, on the fewer rows: an integer key hashes faster.
 */
function tuplesOf(where: string): string {
  return `SELECT epoch_ms(h * 3600000) AS hour, sensor, kind, neighbour, src4, src6
     FROM (SELECT DISTINCT ts_ms // 3600000 AS h, sensor, kind, neighbour, src4, src6 FROM events WHERE ${where})`;
}

/** Adds the source tuples of one batch (`$1`, the batch id); run in the append's transaction. */
export const INSERT_BATCH_SOURCES_SQL = `INSERT INTO source_hourly ${tuplesOf('batch = $1::UINTEGER')}`;

/** Fills the sets from every raw event: the upgrade of a store written before they existed. */
export const BACKFILL_SOURCES_SQL = `INSERT INTO source_hourly SELECT * FROM (${tuplesOf('true')}) ORDER BY hour`;

/** Rewrites the sets without repeated tuples (appends in the same hour each add theirs). */
export const COMPACT_SOURCES_SQL = [
  'CREATE TEMP TABLE source_merged AS SELECT DISTINCT * FROM source_hourly',
  'DELETE FROM source_hourly',
  'INSERT INTO source_hourly SELECT * FROM source_merged ORDER BY hour',
  'DROP TABLE source_merged',
];

/** Dimensions the source sets hold; grouping or filtering by any other needs the raw events. */
const SET_DIMENSIONS: ReadonlySet<Dimension> = new Set(['kind', 'sensor', 'neighbour']);

const wholeHour = (ms: number | undefined): boolean => ms === undefined || ms % HOUR_MS === 0;

/**
 * Whether a distinct-source query can be answered from the hourly sets with the same result as
 * from raw events over the same hours: time bounds on whole hours, buckets whose edges fall on
 * whole hours (an operator offset in whole hours), and only the dimensions the sets keep (kind,
 * sensor, neighbour class: no protocol, port, technique, country or scope).
 */
export function sourceSetsAnswer(q: AggregateQuery): boolean {
  if (!wholeHour(q.fromMs) || !wholeHour(q.toMs)) return false;
  if (q.bucket !== undefined && (q.utcOffsetMinutes ?? 0) % 60 !== 0) return false;
  if (q.proto !== undefined || q.port !== undefined || q.technique !== undefined) return false;
  if (q.country !== undefined) return false;
  return q.groupBy.every((d) => SET_DIMENSIONS.has(d));
}
