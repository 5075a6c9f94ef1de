/**
 * What the DuckDB adapter does beyond the port (the port's behaviour is in
 * duckdb-store.contract.test.ts): rollup rows, partial per append, merged by compaction.
 */
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

  it('compacts when due: enough rows, and twice as many as after the last compaction', async () => {
    const add = (i: number) => store.append([ev({ timeMs: T0 + i, sensor: `s${i % 2}` })]);
    for (let i = 0; i < 4; i++) await add(i);
    expect(await store.maybeCompact(5)).toBe(false);
    expect(await store.maybeCompact(4)).toBe(true);
    // One row per sensor is left: the next compaction is due at twice that.
    expect(await store.rollupRows()).toBe(2);
    await add(4);
    expect(await store.maybeCompact(1)).toBe(false);
    await add(5);
    expect(await store.maybeCompact(1)).toBe(true);
    expect(await store.rollupRows()).toBe(2);
    expect(await store.aggregate({ groupBy: ['sensor'] })).toEqual([
      { sensor: 's0', count: 3 },
      { sensor: 's1', count: 3 },
    ]);
  });
});
