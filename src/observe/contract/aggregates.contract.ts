/** The contract of the reads for views: aggregates, sensor activity and the summary (ports/aggregates.ts). */
import { expect } from 'vitest';
import { ev } from '../../../test/events.js';
import type { EnrichedEvent } from '../../core/index.js';
import type { ContractCase } from '../event-store.contract.js';
import type { AggregateRow } from '../ports/aggregates.js';

const T0 = Date.UTC(2006, 7, 18, 0, 0);
const H = 3_600_000;
const JST = 540;

const worm = {
  generatorId: 1,
  signatureId: 2003,
  signatureRev: 8,
  signature: 'MS-SQL Worm propagation attempt',
  classtype: 'misc-attack',
  technique: 'Worm' as const,
  priority: 2,
};

const times = (n: number, make: (i: number) => EnrichedEvent) => Array.from({ length: n }, (_, i) => make(i));

/**
 * Eleven events in the hour from T0, counted by hand: every dimension splits them into groups of
 * different sizes, so the order (largest first) is fixed.
 */
const MIX: readonly EnrichedEvent[] = [
  // 5 × s1 firewall 445/tcp from JP, same first two octets as the address hit (neighbour 2).
  ...times(5, (i) => ev({ timeMs: T0 + i, src: '203.0.113.50' })),
  // 3 × s2 darknet 1434/udp from CN, same first octet only (neighbour 1).
  ...times(3, (i) =>
    ev({
      timeMs: T0 + 10 + i,
      sensor: 's2',
      kind: 'darknet',
      protocol: 'udp',
      protocolNumber: 17,
      tcpFlags: null,
      dstPort: 1434,
      srcCountry: 'CN',
      src: '203.1.2.3',
    }),
  ),
  // 2 × s1 IDS Worm alerts on 80/tcp from a private source without a country (neighbour 2).
  ...times(2, (i) =>
    ev({
      timeMs: T0 + 20 + i,
      kind: 'ids',
      dstPort: 80,
      srcCountry: null,
      src: '203.0.9.9',
      srcScope: 'private',
      ids: worm,
    }),
  ),
  // 1 × s1 firewall ICMPv4 echo request over IPv6 addresses: no port, neighbour 0, reserved scope.
  ev({
    timeMs: T0 + 30,
    protocol: 'icmp',
    protocolNumber: 1,
    srcPort: null,
    dstPort: null,
    tcpFlags: null,
    icmpType: 8,
    icmpCode: 0,
    src: '2001:db8::1',
    dst: '2001:db8::2',
    srcScope: 'reserved',
  }),
];

/** Rows in a fixed order, for measures where groups may tie. */
const sorted = (rows: AggregateRow[]) =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

export const AGGREGATE_CASES: readonly ContractCase[] = [
  {
    name: 'groups event counts by every dimension, largest first',
    async run(ctx) {
      const { store } = ctx;
      await store.append(MIX);
      const by = (d: Parameters<typeof store.aggregate>[0]['groupBy'][number]) =>
        store.aggregate({ groupBy: [d] });
      expect(await by('kind')).toEqual([
        { kind: 'firewall', count: 6 },
        { kind: 'darknet', count: 3 },
        { kind: 'ids', count: 2 },
      ]);
      expect(await by('sensor')).toEqual([
        { sensor: 's1', count: 8 },
        { sensor: 's2', count: 3 },
      ]);
      expect(await by('proto')).toEqual([
        { proto: 'tcp', count: 7 },
        { proto: 'udp', count: 3 },
        { proto: 'icmp', count: 1 },
      ]);
      expect(await by('port')).toEqual([
        { port: 445, count: 5 },
        { port: 1434, count: 3 },
        { port: 80, count: 2 },
        { port: null, count: 1 },
      ]);
      expect(await by('country')).toEqual([
        { country: 'JP', count: 6 },
        { country: 'CN', count: 3 },
        { country: null, count: 2 },
      ]);
      expect(await by('technique')).toEqual([
        { technique: null, count: 9 },
        { technique: 'Worm', count: 2 },
      ]);
      expect(await by('neighbour')).toEqual([
        { neighbour: 2, count: 7 },
        { neighbour: 1, count: 3 },
        { neighbour: 0, count: 1 },
      ]);
      expect(await by('scope')).toEqual([
        { scope: 'public', count: 8 },
        { scope: 'private', count: 2 },
        { scope: 'reserved', count: 1 },
      ]);
      expect(await store.aggregate({ groupBy: ['kind', 'proto'] })).toEqual([
        { kind: 'firewall', proto: 'tcp', count: 5 },
        { kind: 'darknet', proto: 'udp', count: 3 },
        { kind: 'ids', proto: 'tcp', count: 2 },
        { kind: 'firewall', proto: 'icmp', count: 1 },
      ]);
    },
  },
  {
    name: 'counts distinct source addresses, IPv4 and IPv6 alike',
    async run(ctx) {
      const { store } = ctx;
      await store.append(MIX);
      expect(await store.aggregate({ groupBy: [], measure: 'sources' })).toEqual([{ count: 4 }]);
      expect(sorted(await store.aggregate({ groupBy: ['kind'], measure: 'sources' }))).toEqual(
        sorted([
          { kind: 'firewall', count: 2 },
          { kind: 'darknet', count: 1 },
          { kind: 'ids', count: 1 },
        ]),
      );
      expect(sorted(await store.aggregate({ groupBy: ['port'], measure: 'sources', proto: 'icmp' }))).toEqual(
        [{ port: null, count: 1 }],
      );
    },
  },
  {
    name: 'filters by time (whole hours for event counts), kind, protocol, port, technique, country and sensor',
    async run(ctx) {
      const { store } = ctx;
      await store.append([...MIX, ev({ timeMs: T0 + 2 * H })]);
      const count = async (f: Omit<Parameters<typeof store.aggregate>[0], 'groupBy'>) =>
        store.aggregate({ groupBy: [], ...f });
      expect(await count({})).toEqual([{ count: 12 }]);
      expect(await count({ fromMs: T0 + H })).toEqual([{ count: 1 }]);
      expect(await count({ toMs: T0 + H })).toEqual([{ count: 11 }]);
      expect(await count({ fromMs: T0, toMs: T0 + 3 * H })).toEqual([{ count: 12 }]);
      expect(await count({ kinds: ['darknet', 'ids'] })).toEqual([{ count: 5 }]);
      expect(await count({ proto: 'udp' })).toEqual([{ count: 3 }]);
      expect(await count({ proto: 'other' })).toEqual([{ count: 0 }]);
      expect(await count({ port: 1434 })).toEqual([{ count: 3 }]);
      expect(await count({ technique: 'Worm' })).toEqual([{ count: 2 }]);
      expect(await count({ technique: 'any' })).toEqual([{ count: 2 }]);
      expect(await count({ technique: 'Scan' })).toEqual([{ count: 0 }]);
      expect(await count({ country: 'CN' })).toEqual([{ count: 3 }]);
      expect(await count({ sensor: 's2' })).toEqual([{ count: 3 }]);
      expect(await count({ sensor: 's2', kinds: ['firewall'] })).toEqual([{ count: 0 }]);
      // A sensor the store has never seen matches nothing.
      expect(await count({ sensor: 'nobody' })).toEqual([]);
      expect(await count({ fromMs: T0 + 2 * H, measure: 'sources' })).toEqual([{ count: 1 }]);
      expect(await count({ fromMs: T0 + 20, toMs: T0 + 30, measure: 'sources' })).toEqual([{ count: 1 }]);
    },
  },
  {
    name: 'buckets by hour, day, week (from Monday) and month, at the operator’s UTC offset',
    async run(ctx) {
      const { store } = ctx;
      const fri = Date.UTC(2006, 7, 18, 14, 30); // Friday 23:30 in Japan
      const friLate = Date.UTC(2006, 7, 18, 16, 10); // Saturday 01:10 in Japan
      const mon = Date.UTC(2006, 7, 21, 0, 5);
      const sep = Date.UTC(2006, 8, 1, 3, 0);
      await store.append([fri, friLate, mon, sep].map((timeMs) => ev({ timeMs })));
      const buckets = async (bucket: 'hour' | 'day' | 'week' | 'month', utcOffsetMinutes = 0) =>
        (await store.aggregate({ groupBy: [], bucket, utcOffsetMinutes })).map((r) => [
          new Date(r.bucketMs!).toISOString(),
          r.count,
        ]);
      expect(await buckets('hour')).toEqual([
        ['2006-08-18T14:00:00.000Z', 1],
        ['2006-08-18T16:00:00.000Z', 1],
        ['2006-08-21T00:00:00.000Z', 1],
        ['2006-09-01T03:00:00.000Z', 1],
      ]);
      expect(await buckets('day')).toEqual([
        ['2006-08-18T00:00:00.000Z', 2],
        ['2006-08-21T00:00:00.000Z', 1],
        ['2006-09-01T00:00:00.000Z', 1],
      ]);
      // Days in Japan start at 15:00 UTC the day before.
      expect(await buckets('day', JST)).toEqual([
        ['2006-08-17T15:00:00.000Z', 1],
        ['2006-08-18T15:00:00.000Z', 1],
        ['2006-08-20T15:00:00.000Z', 1],
        ['2006-08-31T15:00:00.000Z', 1],
      ]);
      expect(await buckets('week')).toEqual([
        ['2006-08-14T00:00:00.000Z', 2],
        ['2006-08-21T00:00:00.000Z', 1],
        ['2006-08-28T00:00:00.000Z', 1],
      ]);
      expect(await buckets('month')).toEqual([
        ['2006-08-01T00:00:00.000Z', 3],
        ['2006-09-01T00:00:00.000Z', 1],
      ]);
      expect(await buckets('month', JST)).toEqual([
        ['2006-07-31T15:00:00.000Z', 3],
        ['2006-08-31T15:00:00.000Z', 1],
      ]);
      const sources = await store.aggregate({
        groupBy: ['port'],
        bucket: 'day',
        utcOffsetMinutes: JST,
        measure: 'sources',
      });
      expect(sources.map((r) => [new Date(r.bucketMs!).toISOString(), r.port, r.count])).toEqual([
        ['2006-08-17T15:00:00.000Z', 445, 1],
        ['2006-08-18T15:00:00.000Z', 445, 1],
        ['2006-08-20T15:00:00.000Z', 445, 1],
        ['2006-08-31T15:00:00.000Z', 445, 1],
      ]);
    },
  },
  {
    name: 'refuses filter values outside their type with E_USAGE',
    async run(ctx) {
      const { store } = ctx;
      await store.append(MIX);
      const refused = async (q: Parameters<typeof store.aggregate>[0], value: string) => {
        const e = await store.aggregate(q).then(
          () => null,
          (err: unknown) => err,
        );
        expect(e).toMatchObject({ code: 'E_USAGE' });
        expect((e as Error).message).toContain(value);
      };
      await refused({ groupBy: [], port: 70000 }, '70000');
      await refused({ groupBy: [], port: 445.5 }, '445.5');
      await refused({ groupBy: [], kinds: ['bogus' as 'ids'] }, 'bogus');
      await refused({ groupBy: [], bucket: 'year' as 'day' }, 'year');
      await refused({ groupBy: [], fromMs: Number.NaN }, 'NaN');
      await expect(store.sensorActivity({}, 5000)).rejects.toMatchObject({ code: 'E_USAGE' });
    },
  },
  {
    name: 'gives each sensor’s events, first and last hour, active hours and active days at an offset',
    async run(ctx) {
      const { store } = ctx;
      const t = Date.UTC(2006, 7, 18, 12, 0);
      await store.append([
        ev({ timeMs: t }),
        ev({ timeMs: t + 59_000 }),
        ev({ timeMs: t + H + 5, sensor: 's2' }),
        ev({ timeMs: t + 4 * H + 1 }), // 01:00 the next day in Japan
      ]);
      const s1 = { sensor: 's1', events: 3, firstMs: t, lastMs: t + 5 * H, activeHours: 2 };
      const s2 = {
        sensor: 's2',
        events: 1,
        firstMs: t + H,
        lastMs: t + 2 * H,
        activeHours: 1,
        activeDays: 1,
      };
      expect(await store.sensorActivity({}, 0)).toEqual([{ ...s1, activeDays: 1 }, s2]);
      expect(await store.sensorActivity({}, JST)).toEqual([{ ...s1, activeDays: 2 }, s2]);
      expect(await store.sensorActivity({ sensor: 's2' }, 0)).toEqual([s2]);
      expect(await store.sensorActivity({ fromMs: t + 4 * H }, 0)).toEqual([
        { ...s1, events: 1, firstMs: t + 4 * H, activeHours: 1, activeDays: 1 },
      ]);
      expect(await store.sensorActivity({ sensor: 'nobody' }, 0)).toEqual([]);
      expect(await store.sensorActivity({ kinds: ['darknet'] }, 0)).toEqual([]);
    },
  },
  {
    name: 'sums up the store: events by kind, raw events, their time span and the sensors',
    async run(ctx) {
      const { store } = ctx;
      expect(await store.summary()).toEqual({
        events: 0,
        rawEvents: 0,
        firstMs: null,
        lastMs: null,
        sensors: 0,
        byKind: { firewall: 0, ids: 0, darknet: 0 },
        sizeBytes: expect.any(Number),
      });
      await store.append(MIX);
      const full = await store.summary();
      expect(full).toEqual({
        events: 11,
        rawEvents: 11,
        firstMs: T0,
        lastMs: T0 + 30,
        sensors: 2,
        byKind: { firewall: 6, ids: 2, darknet: 3 },
        sizeBytes: expect.any(Number),
      });
      expect(full.sizeBytes).toBeGreaterThanOrEqual(0);
      // Once every raw event has expired, the span starts at the first hour of the rollups.
      expect(await store.deleteRawBefore(T0 + H)).toBe(11);
      expect(await store.summary()).toMatchObject({
        events: 11,
        rawEvents: 0,
        firstMs: T0,
        lastMs: null,
        sensors: 2,
      });
    },
  },
];
