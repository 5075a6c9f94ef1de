import { describe, expect, it } from 'vitest';
import { canonicalIndicator, canonicalUrl, guessIndicator } from './canonical.js';

describe('canonical indicator values', () => {
  it.each([
    ['domain', 'Evil.Example.', 'evil.example'],
    ['domain', '例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['domain', 'ＥＶＩＬ.example', 'evil.example'],
    ['ipv4', '027.254.40.5', null],
    ['ipv4', '27.254.40.5', '27.254.40.5'],
    ['ipv4', '::ffff:27.254.40.5', '27.254.40.5'],
    ['ipv6', '2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['ipv6', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['ipv4', '2001:db8::1', null],
    ['cidr', '27.254.40.77/24', '27.254.40.0/24'],
    ['ipv4', '27.254.40.5/32', '27.254.40.5'],
    ['cidr', '2001:DB8::/32', '2001:db8::/32'],
    ['md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['sha256', 'D41D8CD98F00B204E9800998ECF8427E', null],
    ['email', 'Tanaka@X-Sangyo.Example', 'tanaka@x-sangyo.example'],
    ['email', 'mailto:info@例え.テスト', 'info@xn--r8jz45g.xn--zckzah'],
    ['email', 'no at sign', null],
  ] as const)('%s %s → %s', (type, input, expected) => {
    expect(canonicalIndicator(type, input)?.value ?? null).toBe(expected);
  });

  it.each([
    ['HTTP://Evil.Example:80/a/./b/../c?q=1#frag', 'http://evil.example/a/c?q=1'],
    ['https://evil.example.:443/', 'https://evil.example/'],
    ['https://evil.example/%7euser/%2fx%3a?p=%41%2f', 'https://evil.example/~user/%2Fx%3A?p=A%2F'],
    ['http://例え.テスト/パス', 'http://xn--r8jz45g.xn--zckzah/%E3%83%91%E3%82%B9'],
    ['http://[2001:DB8::0:1]:8080/x', 'http://[2001:db8::1]:8080/x'],
    ['ftps://Files.Example:990/a', 'ftps://files.example/a'],
    ['http://user:pa%73s@evil.example/', 'http://user:pass@evil.example/'],
    ['javascript:alert(1)', null],
    ['http://', null],
  ] as const)('URL %s → %s (RFC 3986 §6, WHATWG)', (input, expected) => {
    expect(canonicalUrl(input)).toBe(expected);
  });

  it.each([
    ['hxxps://evil[.]example/login', { type: 'url', value: 'https://evil.example/login' }],
    ['27.254.40[.]5:443', { type: 'ipv4', value: '27.254.40.5', port: 443 }],
    ['[2001:db8::1]:8443', { type: 'ipv6', value: '2001:db8::1', port: 8443 }],
    [
      'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
      { type: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    ],
    ['<sato@y-seiki.example>', { type: 'email', value: 'sato@y-seiki.example' }],
    ['10.0.0.0/8', { type: 'cidr', value: '10.0.0.0/8' }],
    ['c2-node[.]example', { type: 'domain', value: 'c2-node.example' }],
    ['not a value', null],
  ] as const)('guesses %s', (input, expected) => {
    expect(guessIndicator(input)).toEqual(expected);
  });

  it('refuses values longer than 8192 characters', () => {
    expect(canonicalUrl(`http://evil.example/${'a'.repeat(9000)}`)).toBeNull();
  });
});
