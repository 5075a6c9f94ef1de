// Blocklist formats on entries written here: RPZ owner names (IPv4, IPv6 with the `zz` run, CIDR),
// Suricata rules for domains and URLs with their content escaped, CSV quoting, stable sids.
import { describe, expect, it } from 'vitest';
import type { BlocklistEntry } from './entries.js';
import { renderBlocklist, rpzIpOwner } from './render.js';
import { SID_BASE, sidOf, stableSids } from './sids.js';

const T = Date.UTC(2026, 11, 1);
const entry = (
  type: BlocklistEntry['type'],
  value: string,
  extra: Partial<BlocklistEntry> = {},
): BlocklistEntry => ({
  type,
  value,
  confidence: 70,
  firstSeenMs: T,
  lastSeenMs: T,
  validUntilMs: T + 30 * 86_400_000,
  changedMs: T,
  campaigns: [],
  ...extra,
});
const body = (s: string, comment = '#') => s.split('\n').filter((l) => l !== '' && !l.startsWith(comment));

describe('RPZ', () => {
  it('names addresses and networks as rpz-ip triggers (draft-vixie-dnsop-dns-rpz §4.3)', () => {
    expect(rpzIpOwner('192.0.2.1')).toBe('32.1.2.0.192.rpz-ip');
    expect(rpzIpOwner('198.51.100.0/24')).toBe('24.0.100.51.198.rpz-ip');
    expect(rpzIpOwner('2a03:b0c0:3:d0::1f')).toBe('128.1f.zz.d0.3.b0c0.2a03.rpz-ip');
    expect(rpzIpOwner('2001:db8::/32')).toBe('32.zz.db8.2001.rpz-ip');
    expect(rpzIpOwner('2001:db8:0:1:0:0:0:1')).toBe('128.1.zz.1.0.db8.2001.rpz-ip');
  });

  it('writes a zone with SOA and NS at the apex, domains with their subdomains, and no URL', () => {
    const zone = renderBlocklist('rpz', {
      center: 'C',
      versionMs: T,
      listed: [
        entry('domain', 'evil.example'),
        entry('ipv4', '192.0.2.1'),
        entry('url', 'http://x.example/a'),
      ],
    });
    expect(body(zone, ';')).toEqual([
      '$TTL 300',
      `@ IN SOA localhost. hostmaster.invalid. ${T / 1000} 3600 600 604800 300`,
      '@ IN NS localhost.',
      'evil.example CNAME .',
      '*.evil.example CNAME .',
      '32.1.2.0.192.rpz-ip CNAME .',
    ]);
    expect(zone).toContain('; 1 URL entries have no RPZ trigger and are not in this zone');
  });
});

describe('Suricata', () => {
  it('matches a domain and its subdomains in DNS, and a URL by host and path, escaping content', () => {
    const rules = body(
      renderBlocklist('suricata', {
        center: 'C',
        versionMs: T,
        listed: [entry('domain', 'evil.example'), entry('url', 'http://gate.example/p.php?a=1;b="2"')],
      }),
    );
    const tail = (v: string) =>
      `classtype:trojan-activity; metadata:koban_confidence 70, koban_valid_until 2026-12-31; sid:${sidOf(...(v.split(/:(.*)/s) as [string, string]))}; rev:1;)`;
    expect(rules).toEqual([
      `alert dns $HOME_NET any -> any any (msg:"Koban C2 destination evil.example"; dns.query; dotprefix; content:".evil.example"; nocase; endswith; ${tail('domain:evil.example')}`,
      `alert http $HOME_NET any -> any any (msg:"Koban C2 destination http://gate.example/p.php?a=1\\;b=\\"2\\""; flow:established,to_server; http.host; content:"gate.example"; nocase; endswith; http.uri; content:"/p.php?a=1|3b|b=|22|2|22|"; startswith; ${tail('url:http://gate.example/p.php?a=1;b="2"')}`,
    ]);
  });

  it('keeps a value’s sid whatever else is listed, and resolves a collision by value order', () => {
    const one = stableSids([{ type: 'ipv4', value: '192.0.2.1' }]);
    const many = stableSids([
      { type: 'domain', value: 'a.example' },
      { type: 'ipv4', value: '192.0.2.1' },
    ]);
    expect(many.get('ipv4:192.0.2.1')).toBe(one.get('ipv4:192.0.2.1'));
    expect(one.get('ipv4:192.0.2.1')).toBeGreaterThanOrEqual(SID_BASE);
  });
});

describe('text and CSV', () => {
  it('lists one value per line, and incremental changes as +/- lines', () => {
    const x = { center: 'C', versionMs: T, listed: [entry('ipv4', '192.0.2.1')] };
    expect(body(renderBlocklist('text', x))).toEqual(['192.0.2.1']);
    const inc = renderBlocklist('text', {
      ...x,
      since: { sinceMs: T - 1, removed: [entry('domain', 'old.example')] },
    });
    expect(body(inc)).toEqual(['+192.0.2.1', '-old.example']);
  });

  it('quotes CSV fields that need it (RFC 4180)', () => {
    const csv = renderBlocklist('csv', {
      center: 'C',
      versionMs: T,
      listed: [entry('url', 'http://x.example/a,b', { campaigns: ['Gate "2012"', 'Other'] })],
    });
    expect(csv.split('\r\n')).toEqual([
      'value,type,confidence,valid_until,first_seen,last_seen,campaigns',
      '"http://x.example/a,b",url,70,2026-12-31T00:00:00.000Z,2026-12-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,"Gate ""2012"";Other"',
      '',
    ]);
  });
});
