/** The contract of appends and the idempotency ledger (ports/event-store.ts). */
import { expect } from 'vitest';
import { ev } from '../../../test/events.js';
import type { ContractCase } from '../event-store.contract.js';
import type { LedgerUpdate, UniqueAppend } from '../ports/event-store.js';

const T0 = Date.UTC(2006, 7, 18, 0, 0);
const H = 3_600_000;

const file = (key: string, over: Partial<LedgerUpdate> = {}): LedgerUpdate => ({
  key,
  sensor: '*',
  position: 1,
  complete: true,
  bytes: 0,
  headHash: null,
  contentHash: null,
  ...over,
});

const delivery = (key: string, contentHash: string | null, events: number, at = T0): UniqueAppend => ({
  events: Array.from({ length: events }, (_, i) => ev({ timeMs: at + i })),
  ledger: file(key, { sensor: 's1', position: events, contentHash }),
});

export const APPEND_CASES: readonly ContractCase[] = [
  {
    name: 'counts appended events in hourly rollups by any dimension',
    async run(ctx) {
      const { store } = ctx;
      expect(
        await store.append([
          ev({ timeMs: T0 + 10, dstPort: 139 }),
          ev({ timeMs: T0 + 20, dstPort: 139, srcCountry: 'CN' }),
          ev({ timeMs: T0 + H + 5, dstPort: 445, sensor: 's2' }),
        ]),
      ).toEqual({ stored: 3, duplicates: 0 });
      await store.append([ev({ timeMs: T0 + 30, dstPort: 139 })]);
      expect(await store.aggregate({ groupBy: ['port'] })).toEqual([
        { port: 139, count: 3 },
        { port: 445, count: 1 },
      ]);
      expect(await store.aggregate({ groupBy: ['sensor'], bucket: 'hour' })).toEqual([
        { bucketMs: T0, sensor: 's1', count: 3 },
        { bucketMs: T0 + H, sensor: 's2', count: 1 },
      ]);
      expect(await store.aggregate({ groupBy: [], country: 'CN' })).toEqual([{ count: 1 }]);
    },
  },
  {
    name: 'stores nothing of an append that fails half-way, ledger included',
    async run(ctx) {
      const { store } = ctx;
      // A port the columns cannot hold: the append fails as a whole.
      await expect(
        store.append([ev({ timeMs: T0 }), ev({ timeMs: T0, dstPort: 70000 })], file('k', { position: 2 })),
      ).rejects.toThrow();
      expect((await store.summary()).events).toBe(0);
      expect(await store.ledger('k')).toBeNull();
      await store.append([ev({ timeMs: T0, sensor: 'after-failure' })]);
      expect(await store.aggregate({ groupBy: ['sensor'] })).toEqual([{ sensor: 'after-failure', count: 1 }]);
    },
  },
  {
    name: 'keeps the ledger position and event count with the events',
    async run(ctx) {
      const { store } = ctx;
      const l = { key: 'file:*:abc', sensor: '*', bytes: 0, headHash: 'h', contentHash: 'abc' };
      await store.append([ev({ timeMs: T0 }), ev({ timeMs: T0 })], { ...l, position: 5, complete: false });
      await store.append([ev({ timeMs: T0 })], { ...l, position: 9, complete: true, bytes: 100 });
      expect(await store.ledger('file:*:abc')).toEqual({
        key: 'file:*:abc',
        sensor: '*',
        position: 9,
        complete: true,
        events: 3,
        bytes: 100,
        headHash: 'h',
        contentHash: 'abc',
        updatedMs: expect.any(Number),
      });
      expect(await store.ledger('file:*:other')).toBeNull();
    },
  },
  {
    name: 'finds a sensor’s entries by the hash of their first bytes, longest first',
    async run(ctx) {
      const { store } = ctx;
      await store.append([], file('short', { bytes: 10, headHash: 'h' }));
      await store.append([], file('long', { bytes: 30, headHash: 'h' }));
      await store.append([], file('other-head', { bytes: 20, headHash: 'g' }));
      await store.append([], file('other-sensor', { sensor: 'x', bytes: 40, headHash: 'h' }));
      expect((await store.ledgerByHead('*', 'h')).map((e) => [e.key, e.bytes])).toEqual([
        ['long', 30],
        ['short', 10],
      ]);
      expect(await store.ledgerByHead('*', 'none')).toEqual([]);
    },
  },
  {
    name: 'counts the events an earlier entry carries once, when the entry is created',
    async run(ctx) {
      const { store } = ctx;
      const grown = file('file:*:grown', { complete: false, eventsCarried: 5 });
      await store.append([ev({ timeMs: T0 }), ev({ timeMs: T0 })], grown);
      await store.append([ev({ timeMs: T0 })], { ...grown, position: 2, complete: true });
      expect(await store.ledger('file:*:grown')).toMatchObject({ position: 2, complete: true, events: 8 });
      expect((await store.summary()).events).toBe(3);
    },
  },
  {
    name: 'stores each delivery once: a repeated key is a duplicate, or a conflict with other content',
    async run(ctx) {
      const { store } = ctx;
      expect(
        await store.appendUnique([delivery('k1', 'h1', 2), delivery('k2', 'h2', 1), delivery('k1', 'h1', 1)]),
      ).toEqual(['stored', 'stored', 'duplicate']);
      expect(
        await store.appendUnique([
          delivery('k1', 'h1', 2),
          delivery('k2', 'other', 1),
          delivery('k3', null, 1),
          delivery('k3', 'h3', 1),
        ]),
      ).toEqual(['duplicate', 'conflict', 'stored', 'duplicate']);
      // A stored key without a content hash is a duplicate of any content.
      expect(await store.appendUnique([delivery('k3', 'anything', 4)])).toEqual(['duplicate']);
      expect((await store.summary()).events).toBe(4);
      expect(await store.ledger('k1')).toMatchObject({
        sensor: 's1',
        position: 2,
        events: 2,
        contentHash: 'h1',
      });
      expect(await store.ledger('k3')).toMatchObject({ position: 1, events: 1, contentHash: null });
      expect(await store.appendUnique([])).toEqual([]);
    },
  },
  {
    name: 'gives every append a larger mark, the latest batch the detectors read up to',
    async run(ctx) {
      const { store } = ctx;
      const m0 = await store.appendMark();
      expect(await store.latestBatch()).toBe(m0);
      await store.append([ev({ timeMs: T0 })]);
      const m1 = await store.appendMark();
      await store.appendUnique([delivery('b', 'h', 1)]);
      const m2 = await store.appendMark();
      expect(m1).toBeGreaterThan(m0);
      expect(m2).toBeGreaterThan(m1);
      expect(await store.latestBatch()).toBe(m2);
      // Only duplicates: nothing appended, the mark stays.
      await store.appendUnique([delivery('b', 'h', 1)]);
      expect(await store.appendMark()).toBe(m2);
    },
  },
  {
    name: 'keeps IPv6 addresses, names of many sensors and signatures as given',
    async run(ctx) {
      const { store } = ctx;
      const sensors = Array.from({ length: 300 }, (_, i) => `sensor-${i}`);
      await store.append(
        sensors.map((sensor, i) => ev({ timeMs: T0 + i, sensor, src: `2001:db8::${i + 1}` })),
      );
      const bySensor = await store.aggregate({ groupBy: ['sensor'] });
      expect(bySensor.map((r) => r.sensor).sort()).toEqual([...sensors].sort());
      expect(bySensor.every((r) => r.count === 1)).toBe(true);
      expect(await store.aggregate({ groupBy: [], measure: 'sources' })).toEqual([{ count: 300 }]);
    },
  },
];
