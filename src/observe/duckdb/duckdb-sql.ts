/**
 * SQL for the DuckDB event store's reads. Aggregates of event counts come from the hourly
 * rollups; distinct-source counts from the hourly source sets when the query allows it
 * (duckdb-source-sets.ts), else from raw events. Time filters on rollups have hour precision (an
 * operator offset that is not a whole hour shifts day buckets by its minutes).
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { isBucket, KobanError, PROTOCOL_NUMBERS, TECHNIQUES } from '../../core/index.js';
import type { AggregateFilter, AggregateQuery, Dimension } from '../ports/aggregates.js';
import { countryCode, kindCode } from './duckdb-schema.js';
import { sourceSetsAnswer } from './duckdb-source-sets.js';

export interface SqlQuery {
  readonly text: string;
  readonly values: DuckDBValue[];
}

/** The table a read scans: hourly rollups, hourly source sets, or raw events. */
type Source = 'rollup' | 'sets' | 'raw';

const DIMENSION_COLUMN: Record<Source, Record<Dimension, string>> = {
  rollup: {
    kind: 'kind',
    sensor: 'sensor',
    proto: 'proto',
    port: 'port',
    country: 'country',
    technique: 'technique',
    neighbour: 'neighbour',
    scope: 'scope',
  },
  sets: {
    kind: 'kind',
    sensor: 'sensor',
    // Never read: sourceSetsAnswer() sends queries on these to the raw events.
    proto: 'NULL',
    port: 'NULL',
    country: 'NULL',
    technique: 'NULL',
    neighbour: 'neighbour',
    scope: 'NULL',
  },
  raw: {
    kind: 'kind',
    sensor: 'sensor',
    proto: 'proto',
    port: 'coalesce(dport, -1)',
    country: 'country',
    technique: 'technique',
    neighbour: 'neighbour',
    scope: 'scope',
  },
};

function invalid(what: string, value: unknown): never {
  throw new KobanError(
    'E_USAGE',
    `invalid ${what}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
  );
}

/**
 * A number written into the SQL text: only integers reach it (types are erased at runtime, so a
 * caller passing unchecked input must get an error here, never a malformed statement).
 */
function sqlInt(what: string, n: unknown, min: number, max: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) invalid(what, n);
  return n;
}

function checkedTime(what: string, ms: number): number {
  return sqlInt(what, ms, -8.64e15, 8.64e15);
}

/** WHERE clause for a filter, or null when it can match nothing (e.g. an unknown sensor). */
function whereClause(
  f: AggregateFilter,
  source: Source,
  sensorIds: ReadonlyMap<string, number>,
  values: DuckDBValue[],
): string | null {
  const parts: string[] = [];
  const param = (v: DuckDBValue): string => {
    values.push(v);
    return `$${values.length}`;
  };
  if (f.fromMs !== undefined) {
    parts.push(
      source !== 'raw'
        ? `hour >= epoch_ms(${param(checkedTime('from', f.fromMs))}::BIGINT)`
        : `ts_ms >= ${param(checkedTime('from', f.fromMs))}::BIGINT`,
    );
  }
  if (f.toMs !== undefined) {
    const to = param(checkedTime('to', f.toMs));
    parts.push(source !== 'raw' ? `hour < epoch_ms(${to}::BIGINT)` : `ts_ms < ${to}::BIGINT`);
  }
  if (f.kinds && f.kinds.length > 0) {
    const codes = f.kinds.map((k) => kindCode(k) ?? invalid('event kind', k));
    parts.push(`kind IN (${codes.join(', ')})`);
  }
  if (f.proto !== undefined) {
    const n = f.proto === 'other' ? null : (PROTOCOL_NUMBERS[f.proto] ?? invalid('protocol', f.proto));
    parts.push(n === null ? `proto NOT IN (1, 6, 17, 58)` : `proto = ${n}`);
  }
  if (f.port !== undefined)
    parts.push(`${DIMENSION_COLUMN[source].port} = ${sqlInt('port', f.port, 0, 65535)}`);
  if (f.technique === 'any') parts.push('technique > 0');
  else if (f.technique !== undefined) {
    const i = TECHNIQUES.indexOf(f.technique);
    if (i < 0) invalid('technique', f.technique);
    parts.push(`technique = ${i + 1}`);
  }
  if (f.country !== undefined) parts.push(`country = ${countryCode(f.country)}`);
  if (f.sensor !== undefined) {
    const id = sensorIds.get(f.sensor);
    if (id === undefined) return null;
    parts.push(`sensor = ${id}`);
  }
  return parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
}

function bucketExpr(source: Source, q: AggregateQuery): string {
  const t = source !== 'raw' ? 'hour' : 'epoch_ms(ts_ms)';
  const off = sqlInt('UTC offset (minutes)', q.utcOffsetMinutes ?? 0, -14 * 60, 14 * 60);
  if (!isBucket(String(q.bucket))) invalid('bucket', q.bucket);
  const shifted = off === 0 ? t : `(${t} + INTERVAL ${off} MINUTE)`;
  const truncated = `date_trunc('${q.bucket}', ${shifted})`;
  const back = off === 0 ? truncated : `(${truncated} - INTERVAL ${off} MINUTE)`;
  return `epoch_ms(${back})`;
}

/**
 * Distinct sources are counted exactly from the hourly source sets, and from raw events (a query
 * the sets cannot answer) exactly up to {@link EXACT_DISTINCT_LIMIT} raw events, beyond that with
 * DuckDB's HyperLogLog (`approx_count_distinct`, a few per cent error): an exact count over
 * hundreds of millions of raw rows takes many seconds.
 */
export const EXACT_DISTINCT_LIMIT = 20_000_000;

const TABLES: Record<Exclude<Source, 'sets'>, string> = { rollup: 'rollup_hourly', raw: 'events' };

function sourceOf(q: AggregateQuery): Source {
  if (q.measure !== 'sources') return 'rollup';
  return sourceSetsAnswer(q) ? 'sets' : 'raw';
}

/** Whether an aggregate reads raw events (and so needs their count, for EXACT_DISTINCT_LIMIT). */
export function readsRawEvents(q: AggregateQuery): boolean {
  return sourceOf(q) === 'raw';
}

export function buildAggregateSql(
  q: AggregateQuery,
  sensorIds: ReadonlyMap<string, number>,
  rawEvents = 0,
): SqlQuery | null {
  const source = sourceOf(q);
  const values: DuckDBValue[] = [];
  const where = whereClause(q, source, sensorIds, values);
  if (where === null) return null;
  const select: string[] = [];
  const groups: string[] = [];
  if (q.bucket) {
    select.push(`${bucketExpr(source, q)} AS b`);
    groups.push('b');
  }
  q.groupBy.forEach((d, i) => {
    select.push(`${DIMENSION_COLUMN[source][d]} AS d${i}`);
    groups.push(`d${i}`);
  });
  const order = ` ORDER BY ${q.bucket ? 'b, n DESC' : 'n DESC'}${groups.length > 0 ? `, ${groups.join(', ')}` : ''}`;
  const grouped = groups.length > 0 ? ` GROUP BY ${groups.join(', ')}` : '';
  if (source === 'sets') {
    // Distinct (groups, source) rows first, then counted per group: several times faster in
    // DuckDB than count(DISTINCT …) per group. Every event has one source address, IPv4 or IPv6.
    const inner = `SELECT DISTINCT ${[...select, 'src4', 'src6'].join(', ')} FROM source_hourly ${where}`;
    return {
      text: `SELECT ${[...groups, 'count(*) AS n'].join(', ')} FROM (${inner})${grouped}${order}`,
      values,
    };
  }
  const measure =
    source === 'rollup'
      ? 'sum(events)'
      : rawEvents > EXACT_DISTINCT_LIMIT
        ? '(approx_count_distinct(src4) + approx_count_distinct(src6))'
        : '(count(DISTINCT src4) + count(DISTINCT src6))';
  select.push(`${measure} AS n`);
  return { text: `SELECT ${select.join(', ')} FROM ${TABLES[source]} ${where}${grouped}${order}`, values };
}

export function buildSensorActivitySql(
  f: AggregateFilter,
  sensorIds: ReadonlyMap<string, number>,
  utcOffsetMinutes: number,
): SqlQuery | null {
  const values: DuckDBValue[] = [];
  const where = whereClause(f, 'rollup', sensorIds, values);
  if (where === null) return null;
  const off = sqlInt('UTC offset (minutes)', utcOffsetMinutes, -14 * 60, 14 * 60);
  const day = `date_trunc('day', hour + INTERVAL ${off} MINUTE)`;
  return {
    text:
      `SELECT sensor, sum(events), epoch_ms(min(hour)), epoch_ms(max(hour)) + 3600000, count(DISTINCT hour), ` +
      `count(DISTINCT ${day}) FROM rollup_hourly ${where} GROUP BY sensor ORDER BY sensor`,
    values,
  };
}
