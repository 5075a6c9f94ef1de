/**
 * Damaged store files for tests (written by the project): an event store with old and new events
 * in separate DuckDB row groups, and block-level damage to either. DuckDB's file layout: three 4 KiB
 * headers, then 256 KiB blocks (https://duckdb.org/docs/stable/internals/storage);
 * `pragma_storage_info` says which blocks hold which row group.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEventStore, EVENTS_DB_FILE } from '../src/observe/duckdb/index.js';

export const OLD_MS = Date.UTC(2020, 0, 15);
export const NEW_MS = Date.UTC(2024, 0, 15);
/** More than one DuckDB row group (122,880 rows): the first holds only old events. */
export const OLD_EVENTS = 200_000;
const BLOCK_BYTES = 262_144;
const HEADER_BYTES = 3 * 4096;

/**
 * An event store in `dir` with 200,000 events of January 2020 (inserted by SQL: quick; raw events
 * only, no rollups) and one of January 2024 in a row group of its own: the read check at open reads
 * only the newest.
 */
export async function eventStoreWithHistory(dir: string): Promise<string> {
  const store = await DuckDbEventStore.open({ dataDir: dir });
  await store.close();
  const path = join(dir, EVENTS_DB_FILE);
  const db = await DuckDBInstance.create(path);
  const con = await db.connect();
  const insert =
    'INSERT INTO events (ts_ms, batch, sensor, kind, proto, src4, dst4, country, scope, neighbour, technique)';
  await con.run(`${insert} SELECT ${OLD_MS} + range, 1, 0, 0, 6, 3325256704 + range * 7919 % 16777216, 3405803776,
    0, 0, 0, 0 FROM range(${OLD_EVENTS})`);
  await con.run(`${insert} VALUES (${NEW_MS}, 2, 0, 0, 6, 3325256704, 3405803776, 0, 0, 0, 0)`);
  // Their batch rows, as appends write them: a later append takes the next batch id, and reads only
  // its own rows back (the rollups and source sets it adds), never the old ones.
  await con.run(`INSERT INTO batches VALUES (1, ${OLD_MS}, ${OLD_EVENTS}), (2, ${NEW_MS}, 1)`);
  await con.run('CHECKPOINT');
  con.closeSync();
  db.closeSync();
  return path;
}

/** Overwrites a block of `events` that only its oldest (or newest) row group uses. */
export async function damageEventBlock(path: string, which: 'oldest' | 'newest'): Promise<void> {
  const db = await DuckDBInstance.create(path);
  const con = await db.connect();
  const info = "pragma_storage_info('events')";
  const target = which === 'oldest' ? 0 : `(SELECT max(row_group_id) FROM ${info})`;
  const rows = (
    await con.runAndReadAll(
      `SELECT block_id FROM ${info} WHERE block_id >= 0 GROUP BY block_id
       HAVING bool_and(row_group_id = ${target}) ORDER BY block_id LIMIT 1`,
    )
  ).getRows();
  con.closeSync();
  db.closeSync();
  if (rows.length === 0) throw new Error(`no block of the ${which} row group alone`);
  const fd = openSync(path, 'r+');
  writeSync(
    fd,
    Buffer.alloc(BLOCK_BYTES, 0x5a),
    0,
    BLOCK_BYTES,
    HEADER_BYTES + Number(rows[0]![0]) * BLOCK_BYTES,
  );
  closeSync(fd);
}
