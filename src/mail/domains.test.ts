import { describe, expect, it } from 'vitest';
import { isWithin, organisationalDomain } from './domains.js';

describe('the organisational domain of a host (Public Suffix List)', () => {
  it.each([
    ['mx1.mail.example.co.jp', 'example.co.jp'],
    ['a.b.example.com', 'example.com'],
    ['www.example.com.au', 'example.com.au'],
    // Japan's geographic names are public suffixes down to the municipality: a Tokyo ward's
    // domain is its own, not `tokyo.jp` shared with every other local government of Tokyo.
    ['www.city.shibuya.tokyo.jp', 'city.shibuya.tokyo.jp'],
    ['mail.pref.hokkaido.lg.jp', 'hokkaido.lg.jp'],
    ['www.city.chiyoda.lg.jp', 'chiyoda.lg.jp'],
    // A wildcard rule with an exception: `*.kawasaki.jp` but `!city.kawasaki.jp`.
    ['www.city.kawasaki.jp', 'city.kawasaki.jp'],
    // The list's private section: users' subdomains of a platform belong to the users.
    ['foo.web.app', 'foo.web.app'],
    ['cdn.foo.web.app', 'foo.web.app'],
    ['user.github.io', 'user.github.io'],
    ['bucket.s3.amazonaws.com', 'bucket.s3.amazonaws.com'],
    // A public suffix itself, an internal name and an unknown TLD keep their own answer.
    ['github.io', 'github.io'],
    ['co.jp', 'co.jp'],
    ['mgw01.corp.local', 'corp.local'],
    ['localhost', 'localhost'],
  ])('%s → %s', (host, expected) => {
    expect(organisationalDomain(host)).toBe(expected);
  });

  it('tells one user’s page from another’s on the same platform', () => {
    const own = organisationalDomain('reporter.github.io');
    expect(isWithin('reporter.github.io', own)).toBe(true);
    expect(isWithin('attacker.github.io', own)).toBe(false);
  });
});
