/**
 * The contract of distinct-source counts (`measure: 'sources'`, ports/aggregates.ts): exact over
 * whole hours for as long as the rollups are kept (after raw events expire), each source once
 * however often its events were stored, the same answer whichever way the store reads it.
 */
import { expect } from 'vitest';
import { ev } from '../../../test/events.js';
import type { EnrichedEvent } from '../../core/index.js';
import type { ContractCase } from '../event-store.contract.js';
import type { AggregateQuery, AggregateRow } from '../ports/aggregates.js';

const T0 = Date.UTC(2006, 7, 18, 0, 0);
const H = 3_600_000;

/**
 * Three hours of accesses to sensors at 203.0.113.1 (s1) and 203.0.113.2 (s2), counted by hand:
 * - 203.0.7.7 (neighbour 2) probes s1 in hours 0 and 1 and s2 in hour 1, four times in all;
 * - 203.9.9.9 (neighbour 1) probes s1 in hour 0 and s2 in hour 2;
 * - 198.51.100.1 (neighbour 0) probes s2 in hour 2; 2001:db8::1 (IPv6, neighbour 0) s1 in hour 1;
 * - 192.0.2.5 (neighbour 0) raises an IDS alert on s1 in hour 0.
 * Five sources in all, four of them in accesses (firewall + darknet): one each with neighbour 2
 * and 1, two with neighbour 0.
 */
const EVENTS: readonly EnrichedEvent[] = [
  ev({ timeMs: T0 + 5, src: '203.0.7.7' }),
  ev({ timeMs: T0 + 6, src: '203.0.7.7' }),
  ev({ timeMs: T0 + 7, src: '203.9.9.9', kind: 'darknet' }),
  ev({ timeMs: T0 + 8, src: '192.0.2.5', kind: 'ids' }),
  ev({ timeMs: T0 + H + 1, src: '203.0.7.7' }),
  ev({ timeMs: T0 + H + 2, src: '203.0.7.7', sensor: 's2', dst: '203.0.113.2' }),
  ev({ timeMs: T0 + H + 3, src: '2001:db8::1', dst: '2001:db8::2', srcCountry: null }),
  ev({ timeMs: T0 + 2 * H + 4, src: '203.9.9.9', sensor: 's2', dst: '203.0.113.2', kind: 'darknet' }),
  ev({ timeMs: T0 + 2 * H + 5, src: '198.51.100.1', sensor: 's2', dst: '203.0.113.2', srcCountry: 'US' }),
];

const ACCESSES = ['firewall', 'darknet'] as const;

const byNeighbour = (rows: AggregateRow[]) =>
  [...rows].sort((a, b) => (b.neighbour ?? 0) - (a.neighbour ?? 0)).map((r) => [r.neighbour, r.count]);

/** The answers the fixture gives while its raw events are stored, and (whole hours) after. */
async function expectHandCounts(
  sources: (q: Omit<AggregateQuery, 'measure'>) => Promise<AggregateRow[]>,
): Promise<void> {
  expect(await sources({ groupBy: [] })).toEqual([{ count: 5 }]);
  expect(await sources({ groupBy: [], kinds: [...ACCESSES] })).toEqual([{ count: 4 }]);
  expect(byNeighbour(await sources({ groupBy: ['neighbour'], kinds: [...ACCESSES] }))).toEqual([
    [2, 1],
    [1, 1],
    [0, 2],
  ]);
  expect(await sources({ groupBy: [], kinds: [...ACCESSES], sensor: 's2' })).toEqual([{ count: 3 }]);
  expect(await sources({ groupBy: [], fromMs: T0 + H, toMs: T0 + 2 * H })).toEqual([{ count: 2 }]);
  expect(await sources({ groupBy: [], bucket: 'hour', kinds: [...ACCESSES] })).toEqual([
    { bucketMs: T0, count: 2 },
    { bucketMs: T0 + H, count: 2 },
    { bucketMs: T0 + 2 * H, count: 2 },
  ]);
  // Hours 0–2 UTC are all on the 18th in Japan: one day, four sources.
  expect(await sources({ groupBy: [], bucket: 'day', utcOffsetMinutes: 540, kinds: [...ACCESSES] })).toEqual([
    { bucketMs: T0 - 9 * H, count: 4 },
  ]);
}

export const SOURCE_CASES: readonly ContractCase[] = [
  {
    name: 'counts distinct sources by neighbour class, sensor, hour and day, exactly',
    async run(ctx) {
      const { store } = ctx;
      await store.append(EVENTS);
      await expectHandCounts((q) => store.aggregate({ ...q, measure: 'sources' }));
      expect(await store.aggregate({ groupBy: [], measure: 'sources', country: 'US' })).toEqual([
        { count: 1 },
      ]);
      // Bounds inside an hour read the raw events: the same sources as a whole-hour query holds.
      const inside = await store.aggregate({
        groupBy: ['neighbour'],
        measure: 'sources',
        fromMs: T0 + 1,
        toMs: T0 + 3 * H,
        kinds: [...ACCESSES],
      });
      expect(byNeighbour(inside)).toEqual([
        [2, 1],
        [1, 1],
        [0, 2],
      ]);
    },
  },
  {
    name: 'keeps whole-hour distinct-source counts after raw events expire; bounds inside an hour see none',
    async run(ctx) {
      const { store } = ctx;
      await store.append(EVENTS);
      expect(await store.deleteRawBefore(T0 + 3 * H)).toBe(EVENTS.length);
      await expectHandCounts((q) => store.aggregate({ ...q, measure: 'sources' }));
      // Bounds inside an hour need the raw events, which are gone.
      expect(await store.aggregate({ groupBy: [], measure: 'sources', fromMs: T0 + 1 })).toEqual([
        { count: 0 },
      ]);
      const reopened = await ctx.reopen();
      await expectHandCounts((q) => reopened.aggregate({ ...q, measure: 'sources' }));
    },
  },
  {
    name: 'counts each source once however often its events were stored (re-imports)',
    async run(ctx) {
      const { store } = ctx;
      // The same events three times over, in separate appends: three times the events, the same sources.
      for (let i = 0; i < 3; i++) await store.append(EVENTS);
      expect(await store.aggregate({ groupBy: [] })).toEqual([{ count: 3 * EVENTS.length }]);
      await expectHandCounts((q) => store.aggregate({ ...q, measure: 'sources' }));
      const reopened = await ctx.reopen();
      await expectHandCounts((q) => reopened.aggregate({ ...q, measure: 'sources' }));
    },
  },
];
