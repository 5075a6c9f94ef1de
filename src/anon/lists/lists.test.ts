import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../../test/samples.js';
import { detectListFormat, parseList } from './detect.js';
import { policyAllows, policyFromSummary } from './policy.js';
import { parseRbldnsd, toRbldnsd } from './rbldnsd.js';
import { parseOnionoo, parseTorDnsel } from './tor.js';

describe.skipIf(!HAVE_SAMPLES)('the real Tor samples (shared/samples/tor)', () => {
  it('reads the CollecTor TorDNSEL list: 44 exits, valid at its Downloaded line', () => {
    const text = readFileSync(sample('tor/metrics-lib-tordnsel-2017-07-17-17-02-00'), 'utf8');
    expect(detectListFormat(text)).toBe('tordnsel');
    const list = parseTorDnsel(text);
    expect(list.rejected).toEqual([]);
    expect(list.entries).toHaveLength(44);
    expect(new Set(list.entries.map((e) => e.address)).size).toBe(44);
    expect(list.publishedMs).toBe(Date.UTC(2017, 6, 17, 17, 2, 0));
    expect(list.entries[0]).toEqual({
      address: '162.247.72.201',
      fingerprint: '0011BD2485AD45D984EC4159C88FC066E5E3300E',
      policy: null,
      seenMs: Date.UTC(2017, 6, 17, 14, 11, 38),
      reason: null,
    });
  });

  it('reads the relay CSV as relays (OR addresses), IPv6 unbracketed, one entry per relay and address', () => {
    const text = readFileSync(sample('tor/rezaee-tor-nodes-latest.exits.csv'), 'utf8');
    expect(detectListFormat(text)).toBe('tor-relays-csv');
    const list = parseList(text, 'tor-relays-csv');
    expect(list.rejected).toEqual([]);
    expect(list.entries).toHaveLength(5933);
    expect(list.entries.filter((e) => !e.address.includes(':'))).toHaveLength(3230);
    expect(new Set(list.entries.map((e) => e.fingerprint)).size).toBe(3230);
    expect(list.entries[1]).toMatchObject({
      address: '2620:7:6003::141',
      fingerprint: '0008D9640FE4947F73E355F67E20C2D290BBC72C',
    });
  });
});

describe('malformed list lines', () => {
  it('counts each bad TorDNSEL line with its number and keeps the rest', () => {
    const text = [
      'ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E',
      'Published 2017-07-17 13:20:49',
      'ExitAddress 300.1.1.1 2017-07-17 14:11:38',
      'ExitAddress 192.0.2.7 2017-02-30 14:11:38',
      'ExitAddress 192.0.2.8 2017-07-17 14:11:38',
      'Bogus line',
      'ExitNode nothex',
      'ExitAddress 192.0.2.9 2017-07-17 14:11:38',
    ].join('\n');
    const list = parseTorDnsel(text);
    expect(list.entries.map((e) => e.address)).toEqual(['192.0.2.8']);
    expect(list.rejected).toEqual([
      { line: 3, reason: 'not an address: 300.1.1.1' },
      { line: 4, reason: 'bad ExitAddress time' },
      { line: 6, reason: 'unknown keyword: Bogus' },
      { line: 7, reason: 'ExitNode without a 40-hex fingerprint' },
      { line: 8, reason: 'ExitAddress outside an ExitNode record' },
    ]);
    // Without a Downloaded line the list is valid at the newest time it mentions.
    expect(list.publishedMs).toBe(Date.UTC(2017, 6, 17, 14, 11, 38));
  });

  it('detects a bulk list and rejects what is not an address', () => {
    const text = '# exits\n192.0.2.1\n2001:db8::1\nnot-an-ip\n';
    expect(detectListFormat(text)).toBe('bulk');
    const list = parseList(text, 'bulk');
    expect(list.entries.map((e) => e.address)).toEqual(['192.0.2.1', '2001:db8::1']);
    expect(list.rejected).toEqual([{ line: 4, reason: 'not an address: not-an-ip' }]);
  });
});

describe('rbldnsd zones', () => {
  it('reads the ip4set forms of rbldnsd.8 that are blocks, values and $TIMESTAMP; refuses ranges and exclusions', () => {
    const text = [
      '$SOA 1w ns1.ex.com admin.ex.com 0 2h 2h 1w 1h',
      '$TIMESTAMP 2026:12:01:10:00:00',
      ':127.0.0.2:Open proxy, see $',
      '127.0.0.0/24',
      '127.0.0 ; loopback',
      '127/8',
      '192.0.2.5 :127.0.0.3:VPN exit',
      '127.0.0.1-255',
      '!127.0.0.9',
      '2001:db8::/32',
    ].join('\n');
    expect(detectListFormat(text)).toBe('rbldnsd');
    const list = parseRbldnsd(text);
    expect(list.publishedMs).toBe(Date.UTC(2026, 11, 1, 10));
    expect(list.entries.map((e) => [e.address, e.reason])).toEqual([
      ['127.0.0.0/24', 'Open proxy, see $'],
      ['127.0.0.0/24', 'Open proxy, see $'],
      ['127.0.0.0/8', 'Open proxy, see $'],
      ['192.0.2.5', 'VPN exit'],
      ['2001:db8::/32', 'Open proxy, see $'],
    ]);
    expect(list.rejected).toEqual([
      { line: 8, reason: 'not an address or CIDR block this reads: 127.0.0.1-255' },
      { line: 9, reason: 'exclusions (!) are not supported' },
    ]);
  });

  it('round-trips its own export', () => {
    const text = toRbldnsd(['192.0.2.1', '198.51.100.0/24'], {
      publishedMs: Date.UTC(2026, 11, 7, 9),
      reason: 'exit $',
    });
    expect(text).toBe(
      '# written by koban anonymizer export --format rbldnsd\n$TIMESTAMP 2026:12:07:09:00:00\n:127.0.0.2:exit $\n192.0.2.1\n198.51.100.0/24\n',
    );
    const back = parseRbldnsd(text);
    expect(back.rejected).toEqual([]);
    expect(back.publishedMs).toBe(Date.UTC(2026, 11, 7, 9));
    expect(back.entries.map((e) => e.address)).toEqual(['192.0.2.1', '198.51.100.0/24']);
  });
});

describe('Onionoo details and exit policy summaries', () => {
  it('takes exit and OR addresses of Exit relays with their policy summary', () => {
    const list = parseOnionoo({
      relays_published: '2026-12-07 08:00:00',
      relays: [
        {
          fingerprint: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          or_addresses: ['192.0.2.10:9001', '[2001:db8::10]:9001'],
          exit_addresses: ['198.51.100.10'],
          flags: ['Exit', 'Running'],
          exit_policy_summary: { accept: ['80', '443', '6660-6669'] },
        },
        {
          fingerprint: 'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
          or_addresses: ['192.0.2.11:443'],
          flags: ['Guard'],
        },
        { fingerprint: 'short', flags: ['Exit'] },
      ],
    });
    expect(list.publishedMs).toBe(Date.UTC(2026, 11, 7, 8));
    expect(list.entries.map((e) => e.address)).toEqual(['198.51.100.10', '192.0.2.10', '2001:db8::10']);
    expect(list.rejected).toEqual([{ line: 3, reason: 'relay without a 40-hex fingerprint' }]);
    const p = list.entries[0]!.policy!;
    expect([80, 443, 6665, 6670, 22].map((port) => policyAllows(p, port))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('reads a reject summary as everything but those ports', () => {
    const p = policyFromSummary({ reject: ['25', '119-120'] })!;
    expect([25, 119, 120, 121, 443].map((port) => policyAllows(p, port))).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(policyFromSummary({ accept: ['0-80'] })).toBeNull();
  });
});
