import { describe, expect, it } from 'vitest';
import { WarningList } from './warning-list.js';

const list = new WarningList(
  [
    { kind: 'domain', value: 'partner-portal.example', reason: 'our partners’ portal' },
    { kind: 'cidr', value: '74.208.0.0/16', reason: 'hosting shared by members' },
    { kind: 'url-prefix', value: 'https://forms.example/public/', reason: 'public survey forms' },
    { kind: 'exact', value: 'noreply@center.example', reason: 'our own alerts' },
  ],
  [{ name: 'tokyo-01', blocks: ['27.254.40.0/29'] }],
);

describe('warning lists', () => {
  it.each([
    ['ipv4', '10.1.2.3', 'private address range'],
    ['ipv4', '192.0.2.7', 'reserved address range'],
    ['ipv6', 'fd00::1', 'private address range'],
    ['ipv6', '2001:db8::1', 'reserved address range'],
    ['cidr', '192.168.0.0/16', 'private address range'],
    ['ipv4', '27.254.40.5', 'own sensor tokyo-01'],
    ['ipv4', '27.254.40.9', null],
    ['ipv4', '74.208.142.31', 'hosting shared by members'],
    ['domain', 'gmail.com', 'webmail provider'],
    ['domain', 'mail.gmail.com', 'webmail provider'],
    ['domain', 'docomo.ne.jp', 'webmail provider'],
    ['domain', 'foo.amazonaws.com', 'large provider or placeholder'],
    ['domain', 'example.com', 'large provider or placeholder'],
    ['domain', 'docs.google.com', 'user-content host'],
    ['domain', 'github.io', 'user-subdomain platform'],
    ['domain', 'evil.github.io', null],
    ['domain', 'sub.partner-portal.example', 'our partners’ portal'],
    ['domain', 'x-sangyo.example', null],
    ['url', 'https://www.google.com/search?q=1', 'large provider or placeholder'],
    ['url', 'https://docs.google.com/forms/d/e/1FAIpQLSf/viewform', null],
    ['url', 'https://docs.google.com/', 'user-content host'],
    ['url', 'https://evil.github.io/login', null],
    ['url', 'https://forms.example/public/survey1', 'public survey forms'],
    ['url', 'http://10.0.0.5/admin', 'private address range'],
    ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'empty file'],
    ['email', 'noreply@center.example', 'our own alerts'],
    ['email', 'someone@gmail.com', null],
  ] as const)('%s %s → %s', (type, value, expected) => {
    expect(list.check(type, value)).toBe(expected);
  });
});
