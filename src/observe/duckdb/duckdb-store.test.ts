/**
 * What the DuckDB adapter does beyond the port (the port's behaviour is in
 * duckdb-store.contract.test.ts): rollup rows and source tuples, partial per append, merged by
 * compaction; the upgrade of a store written before the source sets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../../../test/events.js';
import { DuckDbEventStore } from './duckdb-store.js';

const T0 = Date.UTC(2006, 7, 18, 0, 0);

describe('DuckDB event store', () => {
  let store: DuckDbEventStore;
  beforeEach(async () => {
    store = await DuckDbEventStore.open({ dataDir: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('merges partial rollup rows on compaction without changing any count', async () => {
    for (let i = 0; i < 3; i++) await store.append([ev({ timeMs: T0 + i })]);
    expect(await store.rollupRows()).toBe(3);
    await store.compact();
    expect(await store.rollupRows()).toBe(1);
    expect(await store.aggregate({ groupBy: [] })).toEqual([{ count: 3 }]);
  });

  it('keeps one source tuple per hour, sensor and source, repeats dropped by compaction', async () => {
    const sources = () => store.aggregate({ groupBy: ['neighbour'], measure: 'sources' });
    // One append: its tuples are distinct already (two sources, one of them twice in the hour).
    await store.append([
      ev({ timeMs: T0, src: '203.0.1.1' }),
      ev({ timeMs: T0 + 1, src: '203.0.1.1' }),
      ev({ timeMs: T0 + 2, src: '198.51.100.7' }),
    ]);
    expect(await store.sourceSetRows()).toBe(2);
    // The same source again in the same hour, another append; and in the next hour.
    await store.append([ev({ timeMs: T0 + 3, src: '203.0.1.1' })]);
    await store.append([ev({ timeMs: T0 + 3_600_000, src: '203.0.1.1' })]);
    expect(await store.sourceSetRows()).toBe(4);
    expect(await sources()).toEqual([
      { neighbour: 0, count: 1 },
      { neighbour: 2, count: 1 },
    ]);
    await store.compact();
    expect(await store.sourceSetRows()).toBe(3);
    expect(await sources()).toEqual([
      { neighbour: 0, count: 1 },
      { neighbour: 2, count: 1 },
    ]);
  });

  it('compacts when due: enough rows, and twice as many as after the last compaction', async () => {
    const add = (i: number) => store.append([ev({ timeMs: T0 + i, sensor: `s${i % 2}` })]);
    for (let i = 0; i < 4; i++) await add(i);
    // Each append adds a rollup row and a source tuple: 8 rows in all.
    expect(await store.maybeCompact(9)).toBe(false);
    expect(await store.maybeCompact(8)).toBe(true);
    // One row of each per sensor is left: the next compaction is due at twice that.
    expect(await store.rollupRows()).toBe(2);
    expect(await store.sourceSetRows()).toBe(2);
    await add(4);
    expect(await store.maybeCompact(1)).toBe(false);
    await add(5);
    expect(await store.maybeCompact(1)).toBe(true);
    expect(await store.rollupRows()).toBe(2);
    expect(await store.sourceSetRows()).toBe(2);
    expect(await store.aggregate({ groupBy: ['sensor'] })).toEqual([
      { sensor: 's0', count: 3 },
      { sensor: 's1', count: 3 },
    ]);
  });
});

describe('DuckDB event store written before the source sets (schema 1)', () => {
  const H = 3_600_000;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'koban-duck-v1-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** What schema 1 was: today's tables without `source_hourly`, and its version number. */
  async function downgradeToSchema1(): Promise<void> {
    const db = await DuckDBInstance.create(join(dir, 'events.duckdb'));
    const con = await db.connect();
    await con.run('DROP TABLE source_hourly');
    await con.run("UPDATE meta SET value = '1' WHERE key = 'schema_version'");
    con.closeSync();
    db.closeSync();
  }

  it('fills the sets from the raw events it holds at open, once; expired hours stay unknown', async () => {
    const open = () => DuckDbEventStore.open({ dataDir: dir, notice: () => {} });
    let store = await open();
    await store.append([
      ev({ timeMs: T0, src: '192.0.2.1' }),
      ev({ timeMs: T0 + H, src: '203.0.1.1' }),
      ev({ timeMs: T0 + H + 1, src: '203.0.1.1' }),
      ev({ timeMs: T0 + H + 2, src: '198.51.100.7', sensor: 's2' }),
    ]);
    // Hour 0's raw events expired before the upgrade: nothing can tell its sources any more.
    expect(await store.deleteRawBefore(T0 + H)).toBe(1);
    await store.close();
    await downgradeToSchema1();

    store = await open();
    expect(await store.sourceSetRows()).toBe(2);
    expect(await store.aggregate({ groupBy: ['sensor'], measure: 'sources' })).toEqual([
      { sensor: 's1', count: 1 },
      { sensor: 's2', count: 1 },
    ]);
    await store.append([ev({ timeMs: T0 + 2 * H, src: '203.0.1.1' })]);
    await store.close();
    // The upgrade is recorded: a second open does not fill the sets again.
    store = await open();
    expect(await store.sourceSetRows()).toBe(3);
    expect(await store.aggregate({ groupBy: [], measure: 'sources', bucket: 'hour' })).toEqual([
      { bucketMs: T0 + H, count: 2 },
      { bucketMs: T0 + 2 * H, count: 1 },
    ]);
    await store.close();
  });
});
