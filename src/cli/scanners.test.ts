// `koban scanners`: its filters and its text, on invented sources.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { openRelational } from '../db/index.js';
import { type Scanner, ScannerStore } from '../detect/index.js';
import { parseSince, renderScanners, scannerFilter } from './scanners.js';

const T = Date.UTC(2006, 7, 18, 5, 0);
const H = 3_600_000;

describe('scannerFilter', () => {
  it('turns the flags into a filter, and names a wrong one', () => {
    expect(
      scannerFilter(
        { limit: '10', port: '23/TCP', country: 'cn', asn: 'AS4134', since: '2006-08-18' },
        T,
        540,
      ),
    ).toEqual({ port: 23, proto: 'tcp', country: 'CN', asn: 4134, sinceMs: Date.UTC(2006, 7, 17, 15) });
    expect(parseSince('24h', T, 540)).toBe(T - 24 * H);
    expect(parseSince('90m', T, 540)).toBe(T - 90 * 60_000);
    expect(parseSince('7d', T, 0)).toBe(T - 7 * 24 * H);
    expect(() => scannerFilter({ limit: '1', port: 'telnet' }, T, 0)).toThrow(/^--port must be a port/);
    expect(() => scannerFilter({ limit: '1', country: 'CHN' }, T, 0)).toThrow(
      /^--country must be two letters/,
    );
    expect(() => scannerFilter({ limit: '1', asn: 'x1' }, T, 0)).toThrow(/^--asn must be an AS number/);
    expect(() => scannerFilter({ limit: '1', since: 'yesterday' }, T, 0)).toThrow(
      /^invalid date "yesterday"/,
    );
  });
});

describe('renderScanners', () => {
  it('prints one line per scanner in the operator offset, tags and whether it was an alert', () => {
    const s: Scanner = {
      source: '192.0.2.2',
      firstMs: T,
      lastMs: T + 2 * H,
      episodes: 2,
      breadth: 300,
      reach: 300,
      distinctPorts: 2,
      packets: 1210,
      type: 'horizontal',
      ports: ['23/tcp', '2323/tcp'],
      sensors: ['fw-a'],
      country: 'CN',
      asn: 4134,
      tags: [],
      alertReasons: ['large new campaign: 300 of 912 monitored addresses (threshold 92)'],
    };
    const research = {
      ...s,
      source: '198.51.100.9',
      reach: 40,
      distinctPorts: 1,
      packets: 40,
      asn: null,
      country: null,
      tags: ['research'],
      alertReasons: [],
    };
    expect(renderScanners([s, research], 5, '40-1-MTk', 540).split('\n')).toEqual([
      '5 scanners, broadest first (addresses reached or ports probed by one episode)',
      '',
      'source        reach  ports  packets  first seen (UTC+09:00)  last seen         country  AS      top ports        tags      alert',
      '------------  -----  -----  -------  ----------------------  ----------------  -------  ------  ---------------  --------  -----',
      '192.0.2.2       300      2    1,210  2006-08-18 14:00        2006-08-18 16:00  CN       AS4134  23/tcp 2323/tcp  -         yes',
      '198.51.100.9     40      1       40  2006-08-18 14:00        2006-08-18 16:00  -        -       23/tcp 2323/tcp  research  -',
      'more: koban scanners --cursor 40-1-MTk (same filters)',
    ]);
    expect(renderScanners([], 0, null, 0)).toBe('no scanners');
  });
});

describe.skipIf(!HAVE_BUILD)('koban scanners (the built command)', () => {
  it('lists the scanners of the data directory, filtered, as text and JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-scanners-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const db = await openRelational(dir);
    const store = new ScannerStore(db);
    for (const [source, reach, ports, country] of [
      ['192.0.2.1', 40, ['445/tcp'], 'NL'],
      ['192.0.2.2', 300, ['23/tcp'], 'CN'],
      ['192.0.2.3', 35, ['445/tcp'], 'CN'],
    ] as const)
      await store.record({
        source,
        episodeKey: `scan:${source}`,
        firstMs: T,
        lastMs: T + H,
        type: 'horizontal',
        reach,
        distinctPorts: 1,
        packets: reach,
        ports,
        sensors: ['fw-a'],
        country,
        asn: null,
        tags: [],
        alertReasons: [],
      });
    await db.destroy();
    const json = await runKoban(['scanners', '--port', '445', '--country', 'CN', '--data', dir, '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out) as { scanners: { source: string }[]; total: number; nextCursor: null };
    expect(doc.scanners.map((s) => s.source)).toEqual(['192.0.2.3']);
    expect(doc.total).toBe(1);
    const text = await runKoban(['scanners', '--since', '2006-08-18', '--limit', '2', '--data', dir]);
    expect(text.code).toBe(0);
    const lines = text.out.trimEnd().split('\n');
    expect(lines[0]).toBe('3 scanners, broadest first (addresses reached or ports probed by one episode)');
    expect(lines.slice(4, 6).map((l) => l.split(/\s+/)[0])).toEqual(['192.0.2.2', '192.0.2.1']);
    expect(lines[6]).toMatch(/^more: koban scanners --cursor 40-\d+-[A-Za-z0-9_-]+ \(same filters\)$/);
    const bad = await runKoban(['scanners', '--port', 'x', '--data', dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain('--port must be a port');
  });
});
