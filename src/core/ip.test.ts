import { describe, expect, it } from 'vitest';
import {
  addressScope,
  canonicalIp,
  cidrContains,
  cidrToString,
  ipv4ToString,
  ipv6ToString,
  parseCidr,
  parseIPv4,
  parseIPv6,
} from './ip.js';

describe('IPv4 parsing', () => {
  it('reads a dotted quad into an unsigned 32-bit number', () => {
    expect(parseIPv4('192.168.1.10')).toBe(0xc0a8010a);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4ToString(0xc0a8010a)).toBe('192.168.1.10');
  });

  it('refuses anything that is not exactly four decimal octets', () => {
    for (const bad of [
      '188.143.a.b',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1..2.3',
      '',
      '1.2.3.4 ',
    ]) {
      expect(parseIPv4(bad), bad).toBe(-1);
    }
  });
});

describe('IPv6 text', () => {
  it('compresses the longest run of zero words and lower-cases (RFC 5952)', () => {
    expect(canonicalIp('0000:0000:0000:0000:0000:0000:0000:0001')).toBe('::1');
    expect(canonicalIp('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalIp('fe80::')).toBe('fe80::');
  });

  it('turns IPv4-mapped addresses into plain IPv4', () => {
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });

  it('round-trips bytes to text', () => {
    const b = parseIPv6('2001:db8::ff00:42:8329')!;
    expect(ipv6ToString(b)).toBe('2001:db8::ff00:42:8329');
  });

  it('rejects malformed IPv6', () => {
    for (const bad of ['1::2::3', '12345::', ':::', '1:2:3:4:5:6:7:8:9', 'g::1'])
      expect(parseIPv6(bad), bad).toBeNull();
  });
});

describe('CIDR blocks', () => {
  it('clears host bits and tests membership', () => {
    const c = parseCidr('203.0.113.77/24')!;
    expect(cidrToString(c)).toBe('203.0.113.0/24');
    expect(cidrContains(c, new Uint8Array([203, 0, 113, 200]))).toBe(true);
    expect(cidrContains(c, new Uint8Array([203, 0, 114, 1]))).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
  });
});

describe('address scope', () => {
  it('classes private, reserved, bogon and public sources', () => {
    expect(addressScope('10.1.2.3')).toBe('private');
    expect(addressScope('100.64.0.1')).toBe('private');
    expect(addressScope('172.20.10.4')).toBe('private');
    expect(addressScope('192.0.2.5')).toBe('reserved');
    expect(addressScope('224.0.0.1')).toBe('reserved');
    expect(addressScope('127.0.0.1')).toBe('bogon');
    expect(addressScope('0.1.2.3')).toBe('bogon');
    expect(addressScope('250.1.1.1')).toBe('bogon');
    expect(addressScope('82.165.177.154')).toBe('public');
    expect(addressScope('fd00::1')).toBe('private');
    expect(addressScope('2001:db8::1')).toBe('reserved');
    expect(addressScope('::1')).toBe('bogon');
    expect(addressScope('2400:cb00::1')).toBe('public');
  });
});
