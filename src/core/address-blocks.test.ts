import { describe, expect, it } from 'vitest';
import { parseAddressBlock } from './address-blocks.js';
import { cidrToString } from './ip.js';

const text = (s: string) => {
  const c = parseAddressBlock(s);
  return c && cidrToString(c);
};

describe('address blocks as people type them', () => {
  it('reads blocks and bare addresses of both families, host bits cleared', () => {
    expect(
      [
        '10.0.0.0/8',
        '203.0.113.77/24',
        '192.0.2.1',
        '0.0.0.0/0',
        '2001:DB8::1/64',
        '::1',
        '::/0',
        '::ffff:192.0.2.1/120',
      ].map(text),
    ).toEqual([
      '10.0.0.0/8',
      '203.0.113.0/24',
      '192.0.2.1/32',
      '0.0.0.0/0',
      '2001:db8::/64',
      '::1/128',
      '::/0',
      '::ffff:192.0.2.0/120',
    ]);
    expect(parseAddressBlock('198.51.100.9/30')).toEqual({
      family: 4,
      bytes: new Uint8Array([198, 51, 100, 8]),
      prefix: 30,
    });
  });

  it('refuses the inet_aton spellings ipaddr.js alone would read', () => {
    for (const bad of [
      '127.1',
      '0x7f.0.0.1',
      '010.0.0.1',
      '2130706433',
      '::ffff:010.0.0.1',
      '::ffff:0x7f.1.1.1',
    ])
      expect(parseAddressBlock(bad), bad).toBeNull();
  });

  it('refuses zone indexes, the deprecated IPv4-compatible form, bad prefixes and stray text', () => {
    for (const bad of [
      'fe80::1%eth0',
      '::192.0.2.1',
      '10.0.0.0/33',
      '2001:db8::/129',
      '10.0.0.0/',
      '10.0.0.0/-1',
      '10.0.0.0/+8',
      '1::2::3',
      '[::1]',
      ' 10.0.0.1',
      '10.0.0.1 ',
      'proxy.example',
      '',
    ])
      expect(parseAddressBlock(bad), bad).toBeNull();
  });
});
