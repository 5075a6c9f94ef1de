import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import { DuckDbEventStore } from './duckdb-store.js';

const T0 = Date.UTC(2026, 2, 20, 14, 0, 0);

describe('DuckDB store: recognising records another source stored', () => {
  let store: DuckDbEventStore;
  beforeEach(async () => {
    store = await DuckDbEventStore.open({ dataDir: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });
  const total = async () => (await store.summary()).events;
  const packets = (n: number, over: Parameters<typeof ev>[0] | object = {}) =>
    Array.from({ length: n }, (_, i) => ev({ timeMs: T0 + i * 10, ipId: i, ...over }));

  it('counts the events an earlier source stored instead of storing them again', async () => {
    const first = await store.append(packets(5), undefined, { sinceBatch: await store.appendMark() });
    expect(first).toEqual({ stored: 5, duplicates: 0 });
    const mark = await store.appendMark();
    // The second source holds three of the same packets and two others.
    const again = [...packets(3), ...packets(2, { sensor: 's1', timeMs: T0 + 7 })];
    expect(await store.append(again, undefined, { sinceBatch: mark })).toEqual({ stored: 2, duplicates: 3 });
    expect(await total()).toBe(7);
    expect(await store.aggregate({ groupBy: [] })).toEqual([{ count: 7 }]);
  });

  it('compares within one sensor only', async () => {
    await store.append(packets(4), undefined, { sinceBatch: 0 });
    const r = await store.append(packets(4, { sensor: 's2' }), undefined, {
      sinceBatch: await store.appendMark(),
    });
    expect(r).toEqual({ stored: 4, duplicates: 0 });
  });

  it('never compares a source with its own batches, which come after its mark', async () => {
    const mark = await store.appendMark();
    expect(await store.append(packets(3), undefined, { sinceBatch: mark })).toEqual({
      stored: 3,
      duplicates: 0,
    });
    expect(await store.append(packets(3), undefined, { sinceBatch: mark })).toEqual({
      stored: 3,
      duplicates: 0,
    });
    expect(await total()).toBe(6);
  });

  it('counts a recognised duplicate in the ledger entry of the source that delivered it', async () => {
    await store.append(packets(3), undefined, { sinceBatch: 0 });
    const ledger = {
      key: 'file:*:b',
      sensor: '*',
      position: 3,
      complete: true,
      bytes: 9,
      headHash: 'h',
      contentHash: 'b',
    };
    await store.append(packets(3), ledger, { sinceBatch: await store.appendMark() });
    expect(await store.ledger('file:*:b')).toMatchObject({ position: 3, events: 3 });
    expect(await total()).toBe(3);
  });

  it('compares nothing and writes no identity for appends that do not ask for it', async () => {
    await store.append(packets(3));
    expect(await store.append(packets(3), undefined, { sinceBatch: await store.appendMark() })).toEqual({
      stored: 3,
      duplicates: 0,
    });
  });

  it('forgets identities with the raw events the retention deletes', async () => {
    await store.append(packets(3), undefined, { sinceBatch: 0 });
    expect(await store.deleteRawBefore(T0 + 15)).toBe(2);
    const r = await store.append(packets(3), undefined, { sinceBatch: await store.appendMark() });
    expect(r).toEqual({ stored: 2, duplicates: 1 });
  });
});
