import { describe, expect, it } from 'vitest';
import { addressKey, LoginThrottle, TokenBuckets } from './rate-limit.js';

describe('token buckets', () => {
  it('lets a burst of `capacity` through, then one per refill interval', () => {
    const clock = { ms: 0 };
    const b = new TokenBuckets({ capacity: 3, refillIntervalMs: 1000 }, () => clock.ms);
    expect([b.take('k'), b.take('k'), b.take('k'), b.take('k')]).toEqual([0, 0, 0, 1000]);
    clock.ms += 400;
    expect(b.take('k')).toBe(600);
    clock.ms += 600;
    expect([b.take('k'), b.take('k')]).toEqual([0, 1000]);
    expect(b.take('other')).toBe(0);
  });

  it('never holds more than its capacity, however long it rests', () => {
    const clock = { ms: 0 };
    const b = new TokenBuckets({ capacity: 2, refillIntervalMs: 1000 }, () => clock.ms);
    b.take('k');
    clock.ms += 3_600_000;
    expect([b.take('k'), b.take('k'), b.take('k')]).toEqual([0, 0, 1000]);
  });

  it('keeps at most maxKeys keys, dropping refilled buckets first, then the least recently used', () => {
    const clock = { ms: 0 };
    const b = new TokenBuckets({ capacity: 2, refillIntervalMs: 1000, maxKeys: 2 }, () => clock.ms);
    b.take('a');
    b.take('a');
    b.take('b');
    clock.ms += 1000;
    b.take('c');
    expect(b.size).toBe(2);
    expect(b.waitMs('a')).toBe(0);
    b.take('c');
    b.take('d');
    expect(b.size).toBe(2);
  });
});

describe('the login throttle', () => {
  it('charges nothing while either bucket is empty, and a success refills the pair', () => {
    const clock = { ms: 0 };
    const t = new LoginThrottle(
      {
        perAccount: { capacity: 2, refillIntervalMs: 60_000 },
        perAddress: { capacity: 3, refillIntervalMs: 10_000 },
      },
      () => clock.ms,
    );
    expect([t.attempt('A@x.example', '192.0.2.1'), t.attempt('a@x.example ', '192.0.2.1')]).toEqual([0, 0]);
    expect(t.attempt('a@x.example', '192.0.2.1')).toBe(60_000);
    expect(t.attempt('b@x.example', '192.0.2.1')).toBe(0);
    expect(t.attempt('c@x.example', '192.0.2.1')).toBe(10_000);
    t.succeeded('a@x.example', '192.0.2.1');
    clock.ms += 10_000;
    expect(t.attempt('a@x.example', '192.0.2.1')).toBe(0);
  });

  it('does not let one address lock an account out for another address', () => {
    const clock = { ms: 0 };
    const t = new LoginThrottle({}, () => clock.ms);
    for (let i = 0; i < 5; i++) expect(t.attempt('victim@x.example', '203.0.113.66')).toBe(0);
    expect(t.attempt('victim@x.example', '203.0.113.66')).toBe(60_000);
    // The owner, from their own address, is not charged for the attacker's guesses.
    expect(t.attempt('victim@x.example', '198.51.100.7')).toBe(0);
    // The attacker's /64 is one address: rotating inside it does not help.
    for (let i = 0; i < 5; i++) expect(t.attempt('victim@x.example', `2001:db8:1:2::${i + 1}`)).toBe(0);
    expect(t.attempt('victim@x.example', '2001:db8:1:2::99')).toBe(60_000);
  });

  it('keys IPv6 clients by their /64 and IPv4-mapped clients by their IPv4 address', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb::2'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('unknown')).toBe('unknown');
  });
});
