/**
 * Maintenance of the ClickHouse event store. Retention drops the raw events' day partitions that
 * lie wholly before the cut-off (a metadata operation, no rewrite) and deletes the rest of a
 * partial day with a mutation; the minute aggregates and identities go the same way, and the
 * minute the cut-off falls in is counted again from what raw events remain. Hourly rollups stay.
 */
import type { RawHour } from '../ports/maintenance.js';
import type { ClickHouseNode } from './clickhouse-connection.js';
import { int, list, str, timeMs } from './clickhouse-literals.js';
import { type ClickHouseState, deleteWhere } from './clickhouse-state.js';

const D = 86_400_000;
const M = 60_000;

export async function forgetBatchesBefore(s: ClickHouseState, cutoffMs: number): Promise<number> {
  const keys = (
    await s.entry.rows(
      `SELECT key FROM ${s.t.ledger} FINAL
       WHERE substring(key, 1, 6) = 'batch:' AND updated_ms < ${timeMs('cut-off', cutoffMs)}`,
    )
  ).map((r) => String(r[0]));
  for (let i = 0; i < keys.length; i += 1000) {
    await deleteWhere(s, 'ledger', `key IN ${list(keys.slice(i, i + 1000).map(str))}`, [s.entry]);
  }
  return keys.length;
}

/**
 * Removes rows of `table` (partitioned by UTC day of `column`) before `cutoffMs` on `node`: whole
 * days by DROP PARTITION, the partial day by a mutation.
 */
async function dropBefore(
  s: ClickHouseState,
  node: ClickHouseNode,
  table: string,
  column: string,
  cutoffMs: number,
): Promise<void> {
  const cutoffDay = Math.floor(cutoffMs / D);
  const parts = await node.rows(
    `SELECT DISTINCT partition FROM system.parts WHERE database = ${str(s.db)} AND table = ${str(table)} AND active`,
  );
  for (const [p] of parts) {
    const day = Number(p);
    // A partition id of this schema is the day number; anything else is left alone.
    if (Number.isInteger(day) && day < cutoffDay) {
      await node.run(`ALTER TABLE ${s.db}.${table} DROP PARTITION ${int('partition', day)}`);
    }
  }
  const left = Number(
    await node.scalar(
      `SELECT count() FROM ${s.db}.${table} WHERE ${column} < ${timeMs('cut-off', cutoffMs)}`,
    ),
  );
  if (left > 0) await deleteWhere(s, table, `${column} < ${cutoffMs}`, [node]);
}

export async function deleteRawBefore(s: ClickHouseState, cutoffMs: number): Promise<number> {
  const n = Number(
    await s.entry.scalar(`SELECT count() FROM ${s.t.events} WHERE ts_ms < ${timeMs('cut-off', cutoffMs)}`),
  );
  const minute = Math.floor(cutoffMs / M) * M;
  for (const node of s.nodes) {
    if (n > 0) await dropBefore(s, node, 'events', 'ts_ms', cutoffMs);
    await dropBefore(s, node, 'sensor_minute', 'minute_ms', minute);
    if (minute !== cutoffMs) {
      // The minute the cut-off falls in: counted again from the raw events left of it.
      await deleteWhere(s, 'sensor_minute', `minute_ms = ${minute}`, [node]);
      await node.run(
        `INSERT INTO ${s.db}.sensor_minute SELECT intDiv(ts_ms, 60000) * 60000 AS m, batch, sensor, kind, count()
         FROM ${s.db}.events WHERE ts_ms >= ${minute} AND ts_ms < ${minute + M} GROUP BY m, batch, sensor, kind`,
      );
    }
  }
  // Identities go with the raw events they stand for (clickhouse-append.ts).
  await dropBefore(s, s.entry, 'event_identities', 'ts_ms', cutoffMs);
  return n;
}

export async function rawHourCounts(s: ClickHouseState): Promise<RawHour[]> {
  const found = await s.entry.rows(
    `SELECT intDiv(ts_ms, 3600000) * 3600000 AS h, count() FROM ${s.t.events} GROUP BY h ORDER BY h`,
  );
  return found.map((r) => ({ hourMs: Number(r[0]), events: Number(r[1]) }));
}

export async function countRawBefore(
  s: ClickHouseState,
  cutoffMs: number,
  afterBatch: number,
): Promise<number> {
  return Number(
    await s.entry.scalar(
      `SELECT count() FROM ${s.t.events}
       WHERE ts_ms < ${timeMs('cut-off', cutoffMs)} AND batch > ${int('mark', afterBatch, 0)}`,
    ),
  );
}

export async function rawTimeRange(s: ClickHouseState): Promise<{ firstMs: number; lastMs: number } | null> {
  const r = (await s.entry.rows(`SELECT count(), min(ts_ms), max(ts_ms) FROM ${s.t.events}`))[0];
  return r && Number(r[0]) > 0 ? { firstMs: Number(r[1]), lastMs: Number(r[2]) } : null;
}
