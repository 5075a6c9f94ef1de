// The scanner list on the run's relational dialect (test/relational.ts), from hand-written
// sightings of invented sources.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational, type TestRelational } from '../../test/relational.js';
import { parsePortFilter, type ScannerSighting, ScannerStore } from './scanners.js';

const T0 = Date.UTC(2024, 4, 6, 3);
const H = 3_600_000;

const sighting = (over: Partial<ScannerSighting> = {}): ScannerSighting => ({
  source: '192.0.2.1',
  episodeKey: `scan:192.0.2.1:${T0}`,
  firstMs: T0,
  lastMs: T0 + H,
  type: 'horizontal',
  reach: 40,
  distinctPorts: 1,
  packets: 50,
  ports: ['445/tcp'],
  sensors: ['fw-a'],
  country: 'NL',
  asn: 64512,
  tags: [],
  alertReasons: [],
  ...over,
});

describe('ScannerStore', () => {
  let store: TestRelational;
  let scanners: ScannerStore;
  beforeEach(async () => {
    store = await openTestRelational();
    scanners = new ScannerStore(store.db);
  });
  afterEach(async () => {
    await store.close();
  });

  it('keeps one row per source: an episode updates it, a new episode adds to it', async () => {
    await scanners.record(sighting());
    // The same episode, grown: its packets replace the earlier figure, they are not added twice.
    await scanners.record(
      sighting({ lastMs: T0 + 2 * H, reach: 60, packets: 80, ports: ['445/tcp', '139/tcp'] }),
    );
    // A later episode: more ports on fewer addresses, another sensor, now a known scanner.
    await scanners.record(
      sighting({
        episodeKey: `scan:192.0.2.1:${T0 + 48 * H}`,
        firstMs: T0 + 48 * H,
        lastMs: T0 + 49 * H,
        type: 'vertical',
        reach: 1,
        distinctPorts: 120,
        packets: 130,
        ports: ['22/tcp', '23/tcp'],
        sensors: ['dn-b'],
        country: null,
        tags: ['research'],
        alertReasons: ['large new campaign: 120 ports (threshold 100)'],
      }),
    );
    expect(await scanners.list()).toEqual([
      {
        source: '192.0.2.1',
        firstMs: T0,
        lastMs: T0 + 49 * H,
        episodes: 2,
        breadth: 120,
        reach: 60,
        distinctPorts: 120,
        packets: 210,
        type: 'vertical',
        ports: ['22/tcp', '23/tcp', '445/tcp', '139/tcp'],
        sensors: ['dn-b', 'fw-a'],
        country: 'NL',
        asn: 64512,
        tags: ['research'],
        alertReasons: ['large new campaign: 120 ports (threshold 100)'],
      },
    ]);
  });

  it('ranks by breadth then recency, filters by port, country, AS and time, and pages on a keyset', async () => {
    const rows: [string, number, number, string[], string | null, number | null][] = [
      ['192.0.2.1', 40, 5, ['445/tcp'], 'NL', 64512],
      ['192.0.2.2', 300, 2, ['23/tcp', '2323/tcp'], 'CN', 4134],
      ['192.0.2.3', 40, 9, ['445/tcp', '-/icmp'], 'CN', 4134],
      ['2001:db8::7', 90, 1, ['23/udp'], 'US', 15169],
      ['192.0.2.5', 40, 9, ['3389/tcp'], null, null],
    ];
    for (const [source, reach, hour, ports, country, asn] of rows)
      await scanners.record(
        sighting({ source, episodeKey: `scan:${source}`, reach, lastMs: T0 + hour * H, ports, country, asn }),
      );
    const order = (await scanners.list()).map((s) => s.source);
    expect(order).toEqual(['192.0.2.2', '2001:db8::7', '192.0.2.3', '192.0.2.5', '192.0.2.1']);
    const sources = async (f: Parameters<ScannerStore['page']>[0]) =>
      (await scanners.page(f)).scanners.map((s) => s.source);
    expect(await sources({ limit: 10, port: 23 })).toEqual(['192.0.2.2', '2001:db8::7']);
    expect(await sources({ limit: 10, port: 23, proto: 'tcp' })).toEqual(['192.0.2.2']);
    expect(await sources({ limit: 10, port: -1 })).toEqual(['192.0.2.3']);
    expect(await sources({ limit: 10, country: 'CN' })).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(await sources({ limit: 10, asn: 15169 })).toEqual(['2001:db8::7']);
    expect(await sources({ limit: 10, sinceMs: T0 + 5 * H })).toEqual([
      '192.0.2.3',
      '192.0.2.5',
      '192.0.2.1',
    ]);
    expect(await sources({ limit: 10, port: 445, country: 'CN', sinceMs: T0 + 9 * H })).toEqual([
      '192.0.2.3',
    ]);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const p = await scanners.page({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(p.total).toBe(5);
      pages.push(p.scanners.map((s) => s.source));
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([order.slice(0, 2), order.slice(2, 4), order.slice(4)]);
    await expect(scanners.page({ limit: 2, cursor: '1-2-!!' })).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

describe('parsePortFilter', () => {
  it('reads a port with or without its protocol, and "-" for none', () => {
    expect(parsePortFilter('445')).toEqual({ port: 445 });
    expect(parsePortFilter('445/TCP')).toEqual({ port: 445, proto: 'tcp' });
    expect(parsePortFilter('-/icmp')).toEqual({ port: -1, proto: 'icmp' });
    expect(parsePortFilter('70000')).toBeNull();
    expect(parsePortFilter('http')).toBeNull();
  });
});
