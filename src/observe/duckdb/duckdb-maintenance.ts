/**
 * Maintenance of the DuckDB event store: raw-event retention (with the identities that stand for
 * the deleted events, duckdb-identity.ts), the ledger's forgotten batch ids, and merging the
 * partial rollup rows and repeated source tuples each append adds (duckdb-schema.ts,
 * duckdb-source-sets.ts). Raw-event retention leaves both: they are kept for good. Every function runs alone on the
 * connection (duckdb-store.ts orders the calls).
 */
import type { RawHour } from '../ports/maintenance.js';
import { COMPACT_SOURCES_SQL } from './duckdb-source-sets.js';
import { type DuckDbState, inTransaction, rows, scalar } from './duckdb-state.js';

export async function forgetBatchesBefore(s: DuckDbState, cutoffMs: number): Promise<number> {
  const where = "starts_with(key, 'batch:') AND updated_ms < $1::BIGINT";
  const n = Number(await scalar(s.con, `SELECT count(*) FROM ledger WHERE ${where}`, [cutoffMs]));
  if (n > 0) await s.con.run(`DELETE FROM ledger WHERE ${where}`, [cutoffMs]);
  return n;
}

export async function deleteRawBefore(s: DuckDbState, cutoffMs: number): Promise<number> {
  const n = Number(await scalar(s.con, 'SELECT count(*) FROM events WHERE ts_ms < $1::BIGINT', [cutoffMs]));
  if (n > 0) await s.con.run('DELETE FROM events WHERE ts_ms < $1::BIGINT', [cutoffMs]);
  // Identities go with the raw events they stand for (duckdb-identity.ts).
  await s.con.run('DELETE FROM event_identities WHERE ts_ms < $1::BIGINT', [cutoffMs]);
  s.health.wrote();
  return n;
}

export async function rawHourCounts(s: DuckDbState): Promise<RawHour[]> {
  const found = await rows(
    s.con,
    'SELECT (ts_ms // 3600000) * 3600000 AS h, count(*) FROM events GROUP BY h ORDER BY h',
  );
  return found.map((r) => ({ hourMs: Number(r[0]), events: Number(r[1]) }));
}

export async function countRawBefore(s: DuckDbState, cutoffMs: number, afterBatch: number): Promise<number> {
  return Number(
    await scalar(s.con, 'SELECT count(*) FROM events WHERE ts_ms < $1::BIGINT AND batch > $2::UINTEGER', [
      cutoffMs,
      afterBatch,
    ]),
  );
}

export async function rawTimeRange(s: DuckDbState): Promise<{ firstMs: number; lastMs: number } | null> {
  const r = (await rows(s.con, 'SELECT min(ts_ms), max(ts_ms) FROM events'))[0];
  return r && r[0] !== null ? { firstMs: Number(r[0]), lastMs: Number(r[1]) } : null;
}

/** Rows of the rollup table (to decide when to compact). */
export async function rollupRows(s: DuckDbState): Promise<number> {
  return Number(await scalar(s.con, 'SELECT count(*) FROM rollup_hourly'));
}

/** Rows of the hourly source sets, repeats included (duckdb-source-sets.ts). */
export async function sourceSetRows(s: DuckDbState): Promise<number> {
  return Number(await scalar(s.con, 'SELECT count(*) FROM source_hourly'));
}

/**
 * Merges partial rollup rows of the same key and drops repeated source tuples (each append adds
 * its own), in one transaction.
 */
export async function compact(s: DuckDbState): Promise<void> {
  await inTransaction(s.con, async () => {
    await s.con.run(`CREATE TEMP TABLE rollup_merged AS
      SELECT hour, sensor, kind, proto, port, country, technique, neighbour, scope, sum(events)::UBIGINT AS events
      FROM rollup_hourly GROUP BY ALL`);
    await s.con.run('DELETE FROM rollup_hourly');
    await s.con.run('INSERT INTO rollup_hourly SELECT * FROM rollup_merged ORDER BY hour');
    await s.con.run('DROP TABLE rollup_merged');
    for (const sql of COMPACT_SOURCES_SQL) await s.con.run(sql);
  });
}

/** Rows of both tables compaction shrinks. */
async function partialRows(s: DuckDbState): Promise<number> {
  return (await rollupRows(s)) + (await sourceSetRows(s));
}

/**
 * Compacts when the rollups and source sets together hold at least `minRows` rows and twice as
 * many as after the last compaction (recorded in `meta`, so a restart does not compact again; a
 * store from before the source sets has no record and compacts once). Returns true if it ran.
 */
export async function compactIfDue(s: DuckDbState, minRows: number): Promise<boolean> {
  const count = await partialRows(s);
  if (s.compactedRows < 0) {
    const saved = await scalar(s.con, "SELECT value FROM meta WHERE key = 'compacted_rows'");
    s.compactedRows = saved === null ? 0 : Number(saved);
  }
  if (count < minRows || count < 2 * s.compactedRows) return false;
  await compact(s);
  s.compactedRows = await partialRows(s);
  await s.con.run(
    `INSERT INTO meta VALUES ('compacted_rows', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [String(s.compactedRows)],
  );
  return true;
}
