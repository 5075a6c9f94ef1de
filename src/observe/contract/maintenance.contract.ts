/**
 * The contract of maintenance, health and persistence (ports/maintenance.ts): retention deletes
 * and the counts retention decides by, forgotten batch ids, compaction, `/healthz`, close and
 * reopen.
 */
import { expect, onTestFinished, vi } from 'vitest';
import { ev } from '../../../test/events.js';
import type { ContractCase } from '../event-store.contract.js';

const T0 = Date.UTC(2006, 7, 18, 0, 0);
const H = 3_600_000;

const ledger = (key: string) => ({
  key,
  sensor: 's1',
  position: 1,
  complete: true,
  bytes: 1,
  headHash: null,
  contentHash: null,
});

export const MAINTENANCE_CASES: readonly ContractCase[] = [
  {
    name: 'deletes raw events before a cut-off and keeps their counts in the rollups and source sets',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        ev({ timeMs: T0, src: '198.51.100.1' }),
        ev({ timeMs: T0, src: '198.51.100.1' }),
        ev({ timeMs: T0 + 2 * H, src: '2001:db8::1' }),
      ]);
      expect(await store.aggregate({ groupBy: [], measure: 'sources' })).toEqual([{ count: 2 }]);
      expect(await store.deleteRawBefore(T0 + H)).toBe(2);
      expect(await store.deleteRawBefore(T0 + H)).toBe(0);
      // Distinct sources over whole hours are kept like the rollups (sources.contract.ts).
      expect(await store.aggregate({ groupBy: [], measure: 'sources' })).toEqual([{ count: 2 }]);
      expect(await store.rawTimeRange()).toEqual({ firstMs: T0 + 2 * H, lastMs: T0 + 2 * H });
      expect(await store.detectionRows('sensor-volume', { fromMs: T0, toMs: T0 + 3 * H })).toHaveLength(1);
      // Rollups are kept after raw events expire.
      expect((await store.summary()).events).toBe(3);
      expect(await store.aggregate({ groupBy: [], bucket: 'hour' })).toEqual([
        { bucketMs: T0, count: 2 },
        { bucketMs: T0 + 2 * H, count: 1 },
      ]);
    },
  },
  {
    name: 'counts raw events per UTC hour, oldest first, and those before a cut-off since a mark',
    async run(ctx) {
      const { store } = ctx;
      expect(await store.rawHourCounts()).toEqual([]);
      expect(await store.rawTimeRange()).toBeNull();
      await store.append([ev({ timeMs: T0 + 5 * H }), ev({ timeMs: T0 + 10 })]);
      const mark = await store.appendMark();
      await store.append([
        ev({ timeMs: T0 + 20 }),
        ev({ timeMs: T0 + 5 * H + 59 * 60_000 }),
        ev({ timeMs: T0 + 9 * H }),
      ]);
      expect(await store.rawHourCounts()).toEqual([
        { hourMs: T0, events: 2 },
        { hourMs: T0 + 5 * H, events: 2 },
        { hourMs: T0 + 9 * H, events: 1 },
      ]);
      expect(await store.countRawBefore(T0 + 6 * H)).toBe(4);
      expect(await store.countRawBefore(T0 + 6 * H, mark)).toBe(2);
      expect(await store.countRawBefore(T0 + 20)).toBe(1);
      expect(await store.rawTimeRange()).toEqual({ firstMs: T0 + 10, lastMs: T0 + 9 * H });
    },
  },
  {
    name: 'forgets delivered batch ids last written before the cut-off, never file imports',
    async run(ctx) {
      const { store } = ctx;
      // The ledger is stamped by the process clock; a fake one makes "before" exact.
      vi.useFakeTimers({ toFake: ['Date'] });
      onTestFinished(() => {
        vi.useRealTimers();
      });
      const now = Date.UTC(2026, 0, 10);
      vi.setSystemTime(now);
      await store.append([ev({ timeMs: T0 })], ledger('batch:1:old'));
      await store.append([ev({ timeMs: T0 })], ledger('file:s1:abc'));
      vi.setSystemTime(now + 10);
      await store.append([ev({ timeMs: T0 })], ledger('batch:1:new'));
      expect((await store.ledger('batch:1:old'))?.updatedMs).toBe(now);
      expect(await store.forgetBatchesBefore(now + 10)).toBe(1);
      expect(await store.ledger('batch:1:old')).toBeNull();
      expect(await store.ledger('batch:1:new')).not.toBeNull();
      expect(await store.ledger('file:s1:abc')).not.toBeNull();
      expect(await store.forgetBatchesBefore(0)).toBe(0);
      expect((await store.summary()).events).toBe(3);
    },
  },
  {
    name: 'compacts the rollups, when the store finds it due, without changing a count',
    async run(ctx) {
      const { store } = ctx;
      for (let i = 0; i < 3; i++) await store.append([ev({ timeMs: T0 + i, sensor: `s${i % 2}` })]);
      expect(typeof (await store.maybeCompact())).toBe('boolean');
      expect(await store.aggregate({ groupBy: ['sensor'] })).toEqual([
        { sensor: 's0', count: 2 },
        { sensor: 's1', count: 1 },
      ]);
      expect((await store.summary()).events).toBe(3);
    },
  },
  {
    name: 'reports its health and answers a probe',
    async run(ctx) {
      const { store } = ctx;
      expect(store.health()).toEqual({ store: 'events', ok: true });
      await expect(store.probe()).resolves.toBeUndefined();
    },
  },
  {
    name: 'keeps events, sensors, signatures, the ledger and the mark when closed and opened again',
    async run(ctx) {
      const ids = {
        generatorId: 1,
        signatureId: 469,
        signatureRev: 3,
        signature: 'ICMP PING NMAP',
        classtype: 'attempted-recon',
        technique: 'Scan' as const,
        priority: 3,
      };
      await ctx.store.append(
        [ev({ timeMs: T0 }), ev({ timeMs: T0 + 1, sensor: 's2', kind: 'ids', ids })],
        ledger('file:s1:persist'),
      );
      const mark = await ctx.store.appendMark();
      const store = await ctx.reopen();
      expect(await store.appendMark()).toBe(mark);
      expect(await store.latestBatch()).toBe(mark);
      expect(await store.ledger('file:s1:persist')).toMatchObject({ position: 1, events: 2, complete: true });
      expect(await store.aggregate({ groupBy: ['sensor', 'kind'] })).toEqual(
        expect.arrayContaining([
          { sensor: 's1', kind: 'firewall', count: 1 },
          { sensor: 's2', kind: 'ids', count: 1 },
        ]),
      );
      const idsRows = await store.detectionRows('ids', { fromMs: T0, toMs: T0 + H });
      expect(idsRows.map((r) => [r.sensor, r.signatureId, r.signature, r.technique])).toEqual([
        ['s2', 469, 'ICMP PING NMAP', 'Scan'],
      ]);
      // New sensors after the reopen get names of their own; old ones keep theirs.
      await store.append([ev({ timeMs: T0 + 2, sensor: 's3' }), ev({ timeMs: T0 + 3, sensor: 's2' })]);
      expect(await store.appendMark()).toBeGreaterThan(mark);
      expect(await store.aggregate({ groupBy: ['sensor'] })).toEqual(
        expect.arrayContaining([
          { sensor: 's1', count: 1 },
          { sensor: 's2', count: 2 },
          { sensor: 's3', count: 1 },
        ]),
      );
      expect(await store.aggregate({ groupBy: ['sensor'] })).toHaveLength(3);
    },
  },
  {
    name: 'refuses calls once closed (E_IO), and closes twice without harm',
    async run(ctx) {
      const { store } = ctx;
      await store.close();
      await store.close();
      await expect(store.summary()).rejects.toMatchObject({ code: 'E_IO' });
      await expect(store.append([ev({ timeMs: T0 })])).rejects.toMatchObject({ code: 'E_IO' });
    },
  },
];
