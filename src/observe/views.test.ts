import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import type { EnrichedEvent } from '../core/index.js';
import { openEventStore } from './open-event-store.js';
import type { EventStore } from './ports/event-store.js';
import { runView, type ViewOptions } from './views.js';

// A hand-countable day pair, in JST (+09:00) as an NPA analyst would bucket it.
const JST = 540;
const D1 = Date.UTC(2006, 7, 17, 15); // 2006-08-18T00:00+09:00
const D2 = D1 + 86_400_000;
const H = 3_600_000;
const DAY = 86_400_000;
const opts: ViewOptions = { utcOffsetMinutes: JST, domesticCountry: 'JP' };

const worm = {
  generatorId: 1,
  signatureId: 2003,
  signatureRev: 8,
  signature: 'MS-SQL Worm propagation attempt',
  classtype: 'misc-attack',
  technique: 'Worm' as const,
  priority: 2,
};
const scan = {
  ...worm,
  signatureId: 469,
  signature: 'ICMP PING NMAP',
  classtype: 'attempted-recon',
  technique: 'Scan' as const,
};

/** Accesses and alerts on two JST days, counted by hand in the tests below. */
const FIXTURE: readonly EnrichedEvent[] = [
  // day 1, sensor s1 at 203.0.113.1: 3 accesses to 139/tcp (2 JP, 1 CN), 1 to 445/tcp from a private source
  ev({ timeMs: D1 + H, dstPort: 139, src: '203.0.5.9' }), // same first two octets as the sensor
  ev({ timeMs: D1 + 2 * H, dstPort: 139, src: '203.9.9.9' }), // same first octet only
  ev({ timeMs: D1 + 2 * H, dstPort: 139, src: '61.1.1.1', srcCountry: 'CN' }),
  ev({
    timeMs: D1 + 3 * H,
    dstPort: 445,
    src: '10.0.0.5',
    srcCountry: null,
    srcAsn: null,
    srcScope: 'private',
  }),
  // day 2, sensor s2: 1 UDP 1434 darknet packet from CN; 2 IDS alerts
  ev({
    timeMs: D2 + H,
    sensor: 's2',
    kind: 'darknet',
    protocol: 'udp',
    protocolNumber: 17,
    dstPort: 1434,
    tcpFlags: null,
    src: '61.1.1.1',
    srcCountry: 'CN',
  }),
  ev({
    timeMs: D2 + H,
    sensor: 's2',
    kind: 'ids',
    ids: worm,
    protocol: 'udp',
    protocolNumber: 17,
    dstPort: 1434,
    src: '61.1.1.1',
    srcCountry: 'CN',
  }),
  ev({ timeMs: D2 + 2 * H, sensor: 's2', kind: 'ids', ids: scan, src: '198.51.100.7', srcCountry: 'US' }),
];

describe('observation views over a hand-counted fixture', () => {
  let store: EventStore;
  beforeAll(async () => {
    store = await openEventStore({ dataDir: ':memory:' });
    await store.append(FIXTURE);
  });
  afterAll(async () => {
    await store.close();
  });

  it('total counts each kind per JST day', async () => {
    expect((await runView(store, 'total', opts)).rows).toEqual([
      { bucket: '2006-08-18T00:00:00+09:00', kind: 'firewall', count: 4 },
      { bucket: '2006-08-19T00:00:00+09:00', kind: 'darknet', count: 1 },
      { bucket: '2006-08-19T00:00:00+09:00', kind: 'ids', count: 2 },
    ]);
  });

  it('countries shares accesses and keeps private sources out of every country', async () => {
    expect((await runView(store, 'countries', opts)).rows).toEqual([
      { country: 'CN', label: 'CN', scope: 'public', count: 2, share: 0.4 },
      { country: 'JP', label: 'JP', scope: 'public', count: 2, share: 0.4 },
      { country: null, label: '(private)', scope: 'private', count: 1, share: 0.2 },
    ]);
  });

  it('ports ranks TCP destination ports with IANA service names', async () => {
    expect((await runView(store, 'ports', { ...opts, proto: 'tcp' })).rows).toEqual([
      { proto: 'tcp', port: 139, service: 'netbios-ssn', count: 3, share: 0.75 },
      { proto: 'tcp', port: 445, service: 'microsoft-ds', count: 1, share: 0.25 },
    ]);
    expect((await runView(store, 'ports', { ...opts, proto: 'udp' })).rows).toEqual([
      { proto: 'udp', port: 1434, service: 'ms-sql-m', count: 1, share: 1 },
    ]);
  });

  it('port-series splits one port into domestic and foreign per day', async () => {
    const r = await runView(store, 'port-series', { ...opts, port: { port: 139, proto: 'tcp' } });
    expect(r.rows).toEqual([
      {
        bucket: '2006-08-18T00:00:00+09:00',
        proto: 'tcp',
        port: 139,
        domestic: 2,
        foreign: 1,
        unattributed: 0,
        count: 3,
      },
    ]);
  });

  it('techniques gives IDS shares and their daily series', async () => {
    expect((await runView(store, 'techniques', opts)).rows).toEqual([
      {
        technique: 'Worm',
        count: 1,
        share: 0.5,
        series: [{ bucket: '2006-08-19T00:00:00+09:00', count: 1 }],
      },
      {
        technique: 'Scan',
        count: 1,
        share: 0.5,
        series: [{ bucket: '2006-08-19T00:00:00+09:00', count: 1 }],
      },
    ]);
  });

  it('worm-countries counts Worm detections per country per day', async () => {
    expect((await runView(store, 'worm-countries', opts)).rows).toEqual([
      { bucket: '2006-08-19T00:00:00+09:00', country: 'CN', count: 1 },
    ]);
  });

  it('sensor-rate gives accesses per active day and the mean interval', async () => {
    expect((await runView(store, 'sensor-rate', opts)).rows).toEqual([
      {
        sensor: 's1',
        count: 4,
        active_days: 1,
        active_hours: 3,
        per_day: 4,
        interval_s: 2700,
        first: '2006-08-18T01:00:00+09:00',
        last: '2006-08-18T04:00:00+09:00',
      },
      {
        sensor: 's2',
        count: 1,
        active_days: 1,
        active_hours: 1,
        per_day: 1,
        interval_s: 3600,
        first: '2006-08-19T01:00:00+09:00',
        last: '2006-08-19T02:00:00+09:00',
      },
    ]);
  });

  it('neighbours measures sources near the sensor address they hit', async () => {
    expect((await runView(store, 'neighbours', opts)).rows).toEqual([
      { match: 'first-two-octets', sources: 1, source_share: 0.25, count: 1, share: 0.2 },
      { match: 'first-octet', sources: 1, source_share: 0.25, count: 1, share: 0.2 },
      { match: 'none', sources: 2, source_share: 0.5, count: 3, share: 0.6 },
    ]);
  });

  it('sources counts the distinct sources of accesses per JST day (IDS alerts are not accesses)', async () => {
    expect((await runView(store, 'sources', opts)).rows).toEqual([
      { bucket: '2006-08-18T00:00:00+09:00', count: 4 },
      { bucket: '2006-08-19T00:00:00+09:00', count: 1 },
    ]);
  });

  it('restricts every view to the --from/--to range', async () => {
    const r = await runView(store, 'total', { ...opts, fromMs: D2 });
    expect(r.rows.map((x) => x.kind)).toEqual(['darknet', 'ids']);
  });
});

describe('distinct-source views after the raw events expire', () => {
  it('neighbours and sources keep their exact counts (the hourly source sets outlive raw events)', async () => {
    const store = await openEventStore({ dataDir: ':memory:' });
    try {
      await store.append(FIXTURE);
      expect(await store.deleteRawBefore(D2 + DAY)).toBe(FIXTURE.length);
      expect((await runView(store, 'neighbours', opts)).rows).toEqual([
        { match: 'first-two-octets', sources: 1, source_share: 0.25, count: 1, share: 0.2 },
        { match: 'first-octet', sources: 1, source_share: 0.25, count: 1, share: 0.2 },
        { match: 'none', sources: 2, source_share: 0.5, count: 3, share: 0.6 },
      ]);
      expect((await runView(store, 'sources', opts)).rows).toEqual([
        { bucket: '2006-08-18T00:00:00+09:00', count: 4 },
        { bucket: '2006-08-19T00:00:00+09:00', count: 1 },
      ]);
      // An operator offset of part of an hour needs the raw events' times: gone, so no rows.
      expect((await runView(store, 'sources', { ...opts, utcOffsetMinutes: 570 })).rows).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
