import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ev } from '../../test/events.js';
import { DuckDbEventStore } from './duckdb-store.js';

const T0 = Date.UTC(2006, 7, 18, 0, 0);
const H = 3_600_000;

describe('DuckDB event store', () => {
  let store: DuckDbEventStore;
  beforeEach(async () => {
    store = await DuckDbEventStore.open({ dataDir: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  it('counts appended events in hourly rollups by any dimension', async () => {
    await store.append([
      ev({ timeMs: T0 + 10, dstPort: 139 }),
      ev({ timeMs: T0 + 20, dstPort: 139, srcCountry: 'CN' }),
      ev({ timeMs: T0 + H + 5, dstPort: 445, sensor: 's2' }),
    ]);
    await store.append([ev({ timeMs: T0 + 30, dstPort: 139 })]);
    const byPort = await store.aggregate({ groupBy: ['port'] });
    expect(byPort).toEqual([
      { port: 139, count: 3 },
      { port: 445, count: 1 },
    ]);
    const hourly = await store.aggregate({ groupBy: ['sensor'], bucket: 'hour' });
    expect(hourly).toEqual([
      { bucketMs: T0, sensor: 's1', count: 3 },
      { bucketMs: T0 + H, sensor: 's2', count: 1 },
    ]);
    const cn = await store.aggregate({ groupBy: [], country: 'CN' });
    expect(cn).toEqual([{ count: 1 }]);
  });

  it('stores nothing of a batch that fails half-way, ledger included', async () => {
    await expect(
      store.append([ev({ timeMs: T0 }), ev({ timeMs: T0, dstPort: 70000 })], {
        key: 'k',
        sensor: '*',
        position: 2,
        complete: true,
        bytes: 10,
        headHash: null,
        contentHash: null,
      }),
    ).rejects.toThrow();
    expect((await store.summary()).events).toBe(0);
    expect(await store.ledger('k')).toBeNull();
    await store.append([ev({ timeMs: T0, sensor: 'after-failure' })]);
    expect(await store.aggregate({ groupBy: ['sensor'] })).toEqual([{ sensor: 'after-failure', count: 1 }]);
  });

  it('keeps the ledger position and event count with the events', async () => {
    const l = { key: 'file:*:abc', sensor: '*', bytes: 0, headHash: 'h', contentHash: 'abc' };
    await store.append([ev({ timeMs: T0 }), ev({ timeMs: T0 })], { ...l, position: 5, complete: false });
    await store.append([ev({ timeMs: T0 })], { ...l, position: 9, complete: true, bytes: 100 });
    const entry = await store.ledger('file:*:abc');
    expect(entry).toMatchObject({ position: 9, complete: true, events: 3, bytes: 100, headHash: 'h' });
    expect(await store.ledgerByHead('*', 'h')).toHaveLength(1);
  });

  it('forgets delivered batch ids older than the cutoff, never file imports', async () => {
    const l = { sensor: 's1', position: 1, complete: true, bytes: 1, headHash: null, contentHash: null };
    // Rows are stamped with the wall clock when written: a fake one, a millisecond either side
    // of the cutoff.
    const cutoff = Date.UTC(2026, 10, 23, 12);
    vi.useFakeTimers({ toFake: ['Date'], now: cutoff - 1 });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    await store.append([ev({ timeMs: T0 })], { ...l, key: 'batch:1:old' });
    await store.append([ev({ timeMs: T0 })], { ...l, key: 'file:s1:abc' });
    vi.setSystemTime(cutoff);
    await store.append([ev({ timeMs: T0 })], { ...l, key: 'batch:1:new' });
    expect(await store.forgetBatchesBefore(cutoff)).toBe(1);
    expect(await store.ledger('batch:1:old')).toBeNull();
    expect(await store.ledger('batch:1:new')).not.toBeNull();
    expect(await store.ledger('file:s1:abc')).not.toBeNull();
    expect(await store.forgetBatchesBefore(0)).toBe(0);
    expect((await store.summary()).events).toBe(3);
  });

  it('counts distinct sources from raw events and deletes raw events past retention', async () => {
    await store.append([
      ev({ timeMs: T0, src: '198.51.100.1' }),
      ev({ timeMs: T0, src: '198.51.100.1' }),
      ev({ timeMs: T0 + 2 * H, src: '2001:db8::1' }),
    ]);
    expect(await store.aggregate({ groupBy: [], measure: 'sources' })).toEqual([{ count: 2 }]);
    expect(await store.deleteRawBefore(T0 + H)).toBe(2);
    expect(await store.aggregate({ groupBy: [], measure: 'sources' })).toEqual([{ count: 1 }]);
    // Rollups are kept after raw events expire.
    expect((await store.summary()).events).toBe(3);
  });

  it('merges partial rollup rows on compaction without changing any count', async () => {
    for (let i = 0; i < 3; i++) await store.append([ev({ timeMs: T0 + i })]);
    expect(await store.rollupRows()).toBe(3);
    await store.compact();
    expect(await store.rollupRows()).toBe(1);
    expect(await store.aggregate({ groupBy: [] })).toEqual([{ count: 3 }]);
  });
});
