/**
 * Reads of counts from the ClickHouse event store: aggregates (the hourly rollups; distinct sources
 * exactly, `uniqExact`, from raw events), per-sensor activity and the summary. Time buckets are
 * integer arithmetic on UTC milliseconds (day, week from Monday) or `toYYYYMM` (month), so that the
 * server's time zone never matters; every value in the SQL goes through clickhouse-literals.ts.
 */
import {
  EVENT_KINDS,
  type EventKind,
  isBucket,
  KobanError,
  PROTOCOL_NUMBERS,
  protocolFromNumber,
  TECHNIQUES,
} from '../../core/index.js';
import type {
  AggregateFilter,
  AggregateQuery,
  AggregateRow,
  Dimension,
  SensorActivity,
  StoreSummary,
} from '../ports/aggregates.js';
import type { Row } from './clickhouse-connection.js';
import { distinct } from './clickhouse-detect-sql.js';
import { int, str, timeMs } from './clickhouse-literals.js';
import {
  countryCode,
  countryFromCode,
  kindCode,
  kindFromCode,
  SCOPES,
  techniqueFromCode,
} from './clickhouse-rows.js';
import type { ClickHouseState } from './clickhouse-state.js';

type Source = 'rollup' | 'raw';

const H = 3_600_000;
const D = 86_400_000;

const COLUMN: Record<Source, Record<Dimension, string>> = {
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
  raw: {
    kind: 'kind',
    sensor: 'sensor',
    proto: 'proto',
    port: 'ifNull(toInt32(dport), -1)',
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

/** WHERE clause of a filter, or null when it can match nothing (a sensor the store has never seen). */
export function whereClause(s: ClickHouseState, f: AggregateFilter, source: Source): string | null {
  const parts: string[] = [];
  const t = source === 'rollup' ? 'hour_ms' : 'ts_ms';
  if (f.fromMs !== undefined) parts.push(`${t} >= ${timeMs('from', f.fromMs)}`);
  if (f.toMs !== undefined) parts.push(`${t} < ${timeMs('to', f.toMs)}`);
  if (f.kinds && f.kinds.length > 0) {
    parts.push(`kind IN (${f.kinds.map((k) => kindCode(k) ?? invalid('event kind', k)).join(', ')})`);
  }
  if (f.proto !== undefined) {
    const n = f.proto === 'other' ? null : (PROTOCOL_NUMBERS[f.proto] ?? invalid('protocol', f.proto));
    parts.push(n === null ? 'proto NOT IN (1, 6, 17, 58)' : `proto = ${n}`);
  }
  if (f.port !== undefined) parts.push(`${COLUMN[source].port} = ${int('port', f.port, 0, 65535)}`);
  if (f.technique === 'any') parts.push('technique > 0');
  else if (f.technique !== undefined) {
    const i = TECHNIQUES.indexOf(f.technique);
    if (i < 0) invalid('technique', f.technique);
    parts.push(`technique = ${i + 1}`);
  }
  if (f.country !== undefined) parts.push(`country = ${countryCode(f.country)}`);
  if (f.sensor !== undefined) {
    if (!s.sensorFirst.has(f.sensor)) return null;
    parts.push(`sensor = ${str(f.sensor)}`);
  }
  return parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
}

function offsetMs(minutes: unknown): number {
  return Number(int('UTC offset (minutes)', minutes, -14 * 60, 14 * 60)) * 60_000;
}

/** The bucket of `t` at the offset: its start in ms, or (month) its yyyymm. */
function bucketExpr(q: AggregateQuery, t: string): string {
  if (!isBucket(String(q.bucket))) invalid('bucket', q.bucket);
  const off = offsetMs(q.utcOffsetMinutes ?? 0);
  const local = `(${t} + ${off})`;
  switch (q.bucket) {
    case 'hour':
      return `intDiv(${local}, ${H}) * ${H} - ${off}`;
    case 'day':
      return `intDiv(${local}, ${D}) * ${D} - ${off}`;
    case 'week':
      // 1970-01-01 was a Thursday: a week from Monday starts at day 7·floor((day + 3) / 7) − 3.
      return `(intDiv(intDiv(${local}, ${D}) + 3, 7) * 7 - 3) * ${D} - ${off}`;
    default:
      return `toYYYYMM(toDateTime(intDiv(${local}, 1000)), 'UTC')`;
  }
}

function bucketMs(q: AggregateQuery, v: unknown): number {
  if (q.bucket !== 'month') return Number(v);
  const ym = Number(v);
  return Date.UTC(Math.floor(ym / 100), (ym % 100) - 1, 1) - offsetMs(q.utcOffsetMinutes ?? 0);
}

export async function aggregate(s: ClickHouseState, q: AggregateQuery): Promise<AggregateRow[]> {
  const source: Source = q.measure === 'sources' ? 'raw' : 'rollup';
  const where = whereClause(s, q, source);
  if (where === null) return [];
  const select: string[] = [];
  const groups: string[] = [];
  if (q.bucket) {
    select.push(`${bucketExpr(q, source === 'rollup' ? 'hour_ms' : 'ts_ms')} AS b`);
    groups.push('b');
  }
  q.groupBy.forEach((d, i) => {
    const col = COLUMN[source][d] ?? invalid('dimension', d);
    select.push(`${col} AS d${i}`);
    groups.push(`d${i}`);
  });
  // Exact distinct sources: approximate `uniq` is off by ~0.2 %, and the figure is published.
  select.push(`${source === 'rollup' ? 'sum(events)' : `(${distinct('src4')} + ${distinct('src6')})`} AS n`);
  const table = source === 'rollup' ? s.t.rollup : s.t.events;
  const sql =
    `SELECT ${select.join(', ')} FROM ${table} ${where}` +
    (groups.length > 0 ? ` GROUP BY ${groups.join(', ')}` : '') +
    ` ORDER BY ${q.bucket ? 'b, n DESC' : 'n DESC'}` +
    (groups.length > 0 ? `, ${groups.join(', ')}` : '');
  return (await s.entry.rows(sql)).map((r) => aggregateRow(q, r));
}

function aggregateRow(q: AggregateQuery, r: Row): AggregateRow {
  const out: Record<string, unknown> = {};
  let i = 0;
  if (q.bucket) out.bucketMs = bucketMs(q, r[i++]);
  for (const d of q.groupBy) {
    const val = r[i++];
    switch (d) {
      case 'kind':
        out.kind = kindFromCode(Number(val));
        break;
      case 'sensor':
        out.sensor = String(val);
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
  s: ClickHouseState,
  filter: AggregateFilter,
  utcOffsetMinutes: number,
): Promise<SensorActivity[]> {
  const off = offsetMs(utcOffsetMinutes);
  const where = whereClause(s, filter, 'rollup');
  if (where === null) return [];
  const found = await s.entry.rows(
    `SELECT sensor, sum(events), min(hour_ms), max(hour_ms) + ${H}, uniqExact(hour_ms),
       uniqExact(intDiv(hour_ms + ${off}, ${D})) FROM ${s.t.rollup} ${where} GROUP BY sensor`,
  );
  const first = (name: string) => s.sensorFirst.get(name) ?? Number.MAX_SAFE_INTEGER;
  return found
    .map((r) => ({
      sensor: String(r[0]),
      events: Number(r[1]),
      firstMs: Number(r[2]),
      lastMs: Number(r[3]),
      activeHours: Number(r[4]),
      activeDays: Number(r[5]),
    }))
    .sort((a, b) => first(a.sensor) - first(b.sensor) || (a.sensor < b.sensor ? -1 : 1));
}

export async function summary(s: ClickHouseState): Promise<StoreSummary> {
  const byKind = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>;
  let total = 0;
  for (const [k, n] of await s.entry.rows(`SELECT kind, sum(events) FROM ${s.t.rollup} GROUP BY kind`)) {
    byKind[kindFromCode(Number(k))] = Number(n);
    total += Number(n);
  }
  const [hours, firstHour, sensors] = (
    await s.entry.rows(`SELECT count(), min(hour_ms), uniqExact(sensor) FROM ${s.t.rollup}`)
  )[0] ?? [0, 0, 0];
  const [raw, minTs, maxTs] = (
    await s.entry.rows(`SELECT count(), min(ts_ms), max(ts_ms) FROM ${s.t.events}`)
  )[0] ?? [0, 0, 0];
  let sizeBytes = 0;
  for (const node of s.nodes) {
    sizeBytes += Number(
      await node.scalar(
        `SELECT sum(bytes_on_disk) FROM system.parts WHERE database = ${str(s.db)} AND active`,
      ),
    );
  }
  const hasRaw = Number(raw) > 0;
  return {
    events: total,
    rawEvents: Number(raw),
    firstMs: hasRaw ? Number(minTs) : Number(hours) > 0 ? Number(firstHour) : null,
    lastMs: hasRaw ? Number(maxTs) : null,
    sensors: Number(sensors),
    byKind,
    sizeBytes,
  };
}
