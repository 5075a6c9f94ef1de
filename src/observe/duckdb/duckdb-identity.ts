/**
 * Identities of stored events (event-identity.ts), kept per sensor beside the raw events and
 * deleted with them by the retention, so that a record a second source delivers again — the same
 * packet in `ufw.log` and in `syslog`, imported today or next month — is recognised and not
 * stored twice. Only appends that ask for it write and compare identities (file imports).
 *
 * Memory stays bounded by the append, not the store: an append's identities go into a temporary
 * table and DuckDB joins it with the stored ones of the same sensors and time range (zone maps
 * on `ts_ms` and `sensor` skip the row groups outside it); nothing of the store is loaded into
 * JavaScript. When the store holds no identity in that range — the usual first import of a
 * period — a one-row probe query is all it costs.
 */
import { BIGINT, type DuckDBConnection, UINTEGER, USMALLINT } from '@duckdb/node-api';
import type { EnrichedEvent } from '../../core/index.js';
import { IdentityHasher } from '../event-identity.js';
import { ChunkWriter, type ColumnSpec } from './duckdb-chunk-writer.js';

export const IDENTITY_DDL = `
CREATE TABLE IF NOT EXISTS event_identities (
  sensor USMALLINT NOT NULL, ts_ms BIGINT NOT NULL, h1 UINTEGER NOT NULL, h2 UINTEGER NOT NULL,
  batch UINTEGER NOT NULL);
CREATE TEMP TABLE IF NOT EXISTS identity_probe (
  i UINTEGER NOT NULL, sensor USMALLINT NOT NULL, ts_ms BIGINT NOT NULL, h1 UINTEGER NOT NULL,
  h2 UINTEGER NOT NULL);
`;

const PROBE_COLUMNS: readonly ColumnSpec[] = [
  { kind: 'u32', type: UINTEGER },
  { kind: 'u16', type: USMALLINT },
  { kind: 'i64', type: BIGINT },
  { kind: 'u32', type: UINTEGER },
  { kind: 'u32', type: UINTEGER },
];
const IDENTITY_COLUMNS: readonly ColumnSpec[] = [
  { kind: 'u16', type: USMALLINT },
  { kind: 'i64', type: BIGINT },
  { kind: 'u32', type: UINTEGER },
  { kind: 'u32', type: UINTEGER },
  { kind: 'u32', type: UINTEGER },
];

/** The identities of one append's events, column-wise. */
export interface EventIdentities {
  readonly sensor: Uint16Array;
  readonly tsMs: Float64Array;
  readonly h1: Uint32Array;
  readonly h2: Uint32Array;
  readonly length: number;
}

const hasher = new IdentityHasher();

export function identitiesOf(
  events: readonly EnrichedEvent[],
  sensorIds: ReadonlyMap<string, number>,
): EventIdentities {
  const n = events.length;
  const out = {
    sensor: new Uint16Array(n),
    tsMs: new Float64Array(n),
    h1: new Uint32Array(n),
    h2: new Uint32Array(n),
    length: n,
  };
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    hasher.of(e);
    out.sensor[i] = sensorIds.get(e.sensor)!;
    out.tsMs[i] = e.timeMs;
    out.h1[i] = hasher.h1;
    out.h2[i] = hasher.h2;
  }
  return out;
}

/** The identities of the events `keep` marks (1 = keep). */
export function keptIdentities(ids: EventIdentities, keep: Uint8Array, kept: number): EventIdentities {
  const out = {
    sensor: new Uint16Array(kept),
    tsMs: new Float64Array(kept),
    h1: new Uint32Array(kept),
    h2: new Uint32Array(kept),
    length: kept,
  };
  let k = 0;
  for (let i = 0; i < ids.length; i++) {
    if (keep[i] === 0) continue;
    out.sensor[k] = ids.sensor[i]!;
    out.tsMs[k] = ids.tsMs[i]!;
    out.h1[k] = ids.h1[i]!;
    out.h2[k] = ids.h2[i]!;
    k++;
  }
  return out;
}

/**
 * Which of the events already have their identity stored by a batch up to `sinceBatch` (the
 * earlier sources; the caller's own batches come after it). Returns null when none does, else a
 * mask with 1 for each event to keep. Runs inside the caller's transaction.
 */
export async function findStored(
  con: DuckDBConnection,
  ids: EventIdentities,
  sinceBatch: number,
): Promise<Uint8Array | null> {
  if (ids.length === 0) return null;
  let tMin = Number.POSITIVE_INFINITY;
  let tMax = Number.NEGATIVE_INFINITY;
  let sMin = 65535;
  let sMax = 0;
  for (let i = 0; i < ids.length; i++) {
    const t = ids.tsMs[i]!;
    const s = ids.sensor[i]!;
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
    if (s < sMin) sMin = s;
    if (s > sMax) sMax = s;
  }
  const range = [sinceBatch, sMin, sMax, tMin, tMax];
  const where = `batch <= $1::UINTEGER AND sensor BETWEEN $2::USMALLINT AND $3::USMALLINT
    AND ts_ms BETWEEN $4::BIGINT AND $5::BIGINT`;
  const any = await con.runAndReadAll(`SELECT 1 FROM event_identities WHERE ${where} LIMIT 1`, range);
  if (any.currentRowCount === 0) return null;

  const appender = await con.createAppender('identity_probe', 'main', 'temp');
  try {
    write(appender, PROBE_COLUMNS, ids, (c, row, i) => {
      (c[0]!.values as Uint32Array)[row] = i;
      (c[1]!.values as Uint16Array)[row] = ids.sensor[i]!;
      (c[2]!.values as BigInt64Array)[row] = BigInt(ids.tsMs[i]!);
      (c[3]!.values as Uint32Array)[row] = ids.h1[i]!;
      (c[4]!.values as Uint32Array)[row] = ids.h2[i]!;
    });
  } finally {
    appender.closeSync();
  }
  try {
    const found = await con.runAndReadAll(
      `SELECT DISTINCT p.i FROM identity_probe p JOIN (SELECT sensor, ts_ms, h1, h2 FROM event_identities
         WHERE ${where}) s
       ON s.sensor = p.sensor AND s.ts_ms = p.ts_ms AND s.h1 = p.h1 AND s.h2 = p.h2`,
      range,
    );
    if (found.currentRowCount === 0) return null;
    const keep = new Uint8Array(ids.length).fill(1);
    for (const col of found.getColumns()) for (const i of col) keep[Number(i)] = 0;
    return keep;
  } finally {
    await con.run('DELETE FROM identity_probe');
  }
}

/** Stores the identities of an append's stored events under its batch id. */
export async function appendIdentities(
  con: DuckDBConnection,
  ids: EventIdentities,
  batchId: number,
): Promise<void> {
  if (ids.length === 0) return;
  const appender = await con.createAppender('event_identities');
  try {
    write(appender, IDENTITY_COLUMNS, ids, (c, row, i) => {
      (c[0]!.values as Uint16Array)[row] = ids.sensor[i]!;
      (c[1]!.values as BigInt64Array)[row] = BigInt(ids.tsMs[i]!);
      (c[2]!.values as Uint32Array)[row] = ids.h1[i]!;
      (c[3]!.values as Uint32Array)[row] = ids.h2[i]!;
      (c[4]!.values as Uint32Array)[row] = batchId;
    });
  } finally {
    appender.closeSync();
  }
}

type Appender = Awaited<ReturnType<DuckDBConnection['createAppender']>>;

function write(
  appender: Appender,
  specs: readonly ColumnSpec[],
  ids: EventIdentities,
  fill: (c: ChunkWriter['columns'], row: number, i: number) => void,
): void {
  const w = new ChunkWriter(specs, appender);
  for (let i = 0; i < ids.length; i++) {
    fill(w.columns, w.rows, i);
    w.endRow();
  }
  w.flush();
  appender.flushSync();
}
