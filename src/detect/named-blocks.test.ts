// Known-scanner lists and named blocks, on lists written for this test (documentation addresses).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigSchema } from '../core/index.js';
import { NamedBlocks, parseKnownScanners } from './named-blocks.js';
import { readScanPolicy } from './scan-policy-config.js';

describe('parseKnownScanners', () => {
  it('reads CIDR[,name] and CIDR name lines, skips a header and comments, and counts what it cannot read', () => {
    const text = [
      'cidr,name',
      '# research projects',
      '192.0.2.0/24,Example Research Scanner',
      '198.51.100.7 "Search Engine Crawler"   # one host',
      '2001:db8:5::/48;IPv6 survey',
      '203.0.113.0/25',
      '',
      '203.0.113.999/32,broken',
      'not-an-address',
      '10.1.2.0/33',
    ].join('\r\n');
    expect(parseKnownScanners(text, 'my-list')).toEqual({
      blocks: [
        { cidr: '192.0.2.0/24', name: 'Example Research Scanner' },
        { cidr: '198.51.100.7/32', name: 'Search Engine Crawler' },
        { cidr: '2001:db8:5::/48', name: 'IPv6 survey' },
        { cidr: '203.0.113.0/25', name: 'my-list' },
      ],
      rejected: [
        { line: 8, reason: 'not an address or CIDR block: "203.0.113.999/32"' },
        { line: 9, reason: 'not an address or CIDR block: "not-an-address"' },
        { line: 10, reason: 'not an address or CIDR block: "10.1.2.0/33"' },
      ],
    });
  });
});

describe('NamedBlocks', () => {
  it('names every block holding an address, nested ones too, IPv4 and IPv6', () => {
    const b = new NamedBlocks([
      { cidr: '10.0.0.0/8', name: 'wide' },
      { cidr: '10.1.0.0/16', name: 'mid' },
      { cidr: '10.1.2.0/24', name: 'narrow' },
      { cidr: '10.3.0.0/16', name: 'other' },
      { cidr: '2001:db8::/32', name: 'v6' },
    ]);
    expect(b.namesOf('10.1.2.3')).toEqual(['wide', 'mid', 'narrow']);
    expect(b.namesOf('10.1.3.3')).toEqual(['wide', 'mid']);
    expect(b.namesOf('10.3.0.1')).toEqual(['wide', 'other']);
    expect(b.namesOf('10.255.255.255')).toEqual(['wide']);
    expect(b.namesOf('11.0.0.0')).toEqual([]);
    expect(b.namesOf('9.255.255.255')).toEqual([]);
    expect(b.namesOf('2001:db8:1::1')).toEqual(['v6']);
    expect(b.namesOf('2001:db9::1')).toEqual([]);
    expect(b.namesOf('garbage')).toEqual([]);
    expect(new NamedBlocks([]).namesOf('10.0.0.1')).toEqual([]);
  });
});

describe('readScanPolicy', () => {
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'koban-scan-policy-'));
    onTestFinished(() => rmSync(d, { recursive: true, force: true }));
    return d;
  };

  it('reads the known-scanner file relative to the data directory and tells what it skipped', () => {
    const d = dir();
    writeFileSync(join(d, 'scanners.csv'), '192.0.2.0/24,Example Research\nbogus\n');
    const scans = ConfigSchema.parse({
      scans: {
        knownScanners: 'scanners.csv',
        domesticBlocks: [' 198.51.100.0/24'],
        criticalBlocks: [{ name: 'grid', cidr: '203.0.113.0/28' }],
      },
    }).scans;
    const notices: string[] = [];
    expect(readScanPolicy(scans, d, (m) => notices.push(m))).toEqual({
      domesticBlocks: ['198.51.100.0/24'],
      criticalBlocks: [{ name: 'grid', cidr: '203.0.113.0/28' }],
      knownScanners: [{ cidr: '192.0.2.0/24', name: 'Example Research' }],
    });
    expect(notices).toEqual([
      `scans.knownScanners: ${join(d, 'scanners.csv')}: 1 line(s) skipped (line 2: not an address or CIDR block: "bogus"); 1 blocks kept`,
    ]);
  });

  it('refuses a missing file, and a configuration with a block that is not one', () => {
    const d = dir();
    const scans = ConfigSchema.parse({ scans: { knownScanners: 'missing.txt' } }).scans;
    expect(() => readScanPolicy(scans, d)).toThrow(/^scans\.knownScanners: cannot read .*missing\.txt/);
    const bad = ConfigSchema.safeParse({ scans: { criticalBlocks: [{ name: 'x', cidr: '300.0.0.0/8' }] } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('an IP address or CIDR block');
  });
});
