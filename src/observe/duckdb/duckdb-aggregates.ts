/**
 * Reads of counts from the DuckDB event store: aggregates (hourly rollups, or distinct sources
 * from the hourly source sets or raw events; SQL in duckdb-sql.ts), per-sensor activity and the summary. Stored codes are
 * turned back into names here (duckdb-schema.ts).
 */
import { statSync } from 'node:fs';
import type { DuckDBValue } from '@duckdb/node-api';
import { EVENT_KINDS, type EventKind, protocolFromNumber } from '../../core/index.js';
import type {
  AggregateFilter,
  AggregateQuery,
  AggregateRow,
  SensorActivity,
  StoreSummary,
} from '../ports/aggregates.js';
import { countryFromCode, kindFromCode, SCOPES, techniqueFromCode } from './duckdb-schema.js';
import { buildAggregateSql, buildSensorActivitySql, readsRawEvents } from './duckdb-sql.js';
import { type DuckDbState, rows, scalar, sensorName } from './duckdb-state.js';

export async function aggregate(s: DuckDbState, query: AggregateQuery): Promise<AggregateRow[]> {
  const raw = readsRawEvents(query) ? Number(await scalar(s.con, 'SELECT count(*) FROM events')) : 0;
  const sql = buildAggregateSql(query, s.sensorIds, raw);
  if (sql === null) return [];
  const found = await rows(s.con, sql.text, sql.values);
  return found.map((r) => aggregateRow(s, query, r));
}

function aggregateRow(s: DuckDbState, query: AggregateQuery, r: DuckDBValue[]): AggregateRow {
  const out: Record<string, unknown> = {};
  let i = 0;
  if (query.bucket) out.bucketMs = Number(r[i++]);
  for (const d of query.groupBy) {
    const val = r[i++];
    switch (d) {
      case 'kind':
        out.kind = kindFromCode(Number(val));
        break;
      case 'sensor':
        out.sensor = sensorName(s, val);
        break;
      case 'proto':
        out.proto = protocolFromNumber(Number(val));
        break;
      case 'port':
        out.port = val === null || Number(val) < 0 ? null : Number(val);
        break;
      case 'country':
        out.country = countryFromCode(Number(val));
        break;
      case 'technique':
        out.technique = techniqueFromCode(Number(val));
        break;
      case 'neighbour':
        out.neighbour = Number(val);
        break;
      case 'scope':
        out.scope = SCOPES[Number(val)] ?? 'bogon';
        break;
    }
  }
  out.count = Number(r[i]);
  return out as unknown as AggregateRow;
}

export async function sensorActivity(
  s: DuckDbState,
  filter: AggregateFilter,
  utcOffsetMinutes: number,
): Promise<SensorActivity[]> {
  const sql = buildSensorActivitySql(filter, s.sensorIds, utcOffsetMinutes);
  if (sql === null) return [];
  const found = await rows(s.con, sql.text, sql.values);
  return found.map((r) => ({
    sensor: sensorName(s, r[0]),
    events: Number(r[1]),
    firstMs: Number(r[2]),
    lastMs: Number(r[3]),
    activeHours: Number(r[4]),
    activeDays: Number(r[5]),
  }));
}

export async function summary(s: DuckDbState): Promise<StoreSummary> {
  const byKindRows = await rows(s.con, 'SELECT kind, sum(events) FROM rollup_hourly GROUP BY kind');
  const byKind = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>;
  let total = 0;
  for (const [k, n] of byKindRows) {
    byKind[kindFromCode(Number(k))] = Number(n);
    total += Number(n);
  }
  const range = (await rows(s.con, 'SELECT min(hour), max(hour) FROM rollup_hourly'))[0];
  const bounds = await rows(s.con, 'SELECT min(ts_ms), max(ts_ms), count(*) FROM events');
  const [minTs, maxTs, raw] = bounds[0] ?? [null, null, 0];
  const sensors = Number(await scalar(s.con, 'SELECT count(DISTINCT sensor) FROM rollup_hourly'));
  const firstMs = minTs !== null ? Number(minTs) : range?.[0] ? Date.parse(String(range[0]) + 'Z') : null;
  const lastMs = maxTs !== null ? Number(maxTs) : null;
  return { events: total, rawEvents: Number(raw), firstMs, lastMs, sensors, byKind, sizeBytes: fileSize(s) };
}

function fileSize(s: DuckDbState): number {
  if (!s.path) return 0;
  try {
    return statSync(s.path).size;
  } catch {
    return 0;
  }
}
