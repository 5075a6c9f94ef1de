import { describe, expect, it } from 'vitest';
import { SettledCache } from './cache.js';

const clock = { ms: 1_000 };
const cache = (maxEntries = 2, ttlMs = 100) =>
  new SettledCache<string>({ maxEntries, ttlMs, now: () => clock.ms });

describe('the settled-data cache', () => {
  it('makes a value once and serves it until it expires', async () => {
    const c = cache();
    let made = 0;
    const make = async () => `v${++made}`;
    expect(await c.get('a', make)).toBe('v1');
    clock.ms += 99;
    expect(await c.get('a', make)).toBe('v1');
    clock.ms += 1;
    expect(await c.get('a', make)).toBe('v2');
    expect(made).toBe(2);
  });

  it('shares one making between requests that come while it runs', async () => {
    const c = cache();
    let made = 0;
    let finish: (v: string) => void = () => {};
    const make = () => {
      made++;
      return new Promise<string>((r) => {
        finish = r;
      });
    };
    const first = c.get('a', make);
    const second = c.get('a', make);
    finish('x');
    expect(await Promise.all([first, second])).toEqual(['x', 'x']);
    expect(made).toBe(1);
  });

  it('holds at most maxEntries, dropping the least recently used', async () => {
    const c = cache(2);
    const made: string[] = [];
    const make = (k: string) => async () => {
      made.push(k);
      return k;
    };
    await c.get('a', make('a'));
    await c.get('b', make('b'));
    await c.get('a', make('a')); // a is now the most recently used
    await c.get('c', make('c')); // b goes
    expect(c.size).toBe(2);
    await c.get('a', make('a'));
    await c.get('b', make('b'));
    expect(made).toEqual(['a', 'b', 'c', 'b']);
  });

  it('keeps no failure: the next request tries again', async () => {
    const c = cache();
    await expect(c.get('a', async () => Promise.reject(new Error('store closed')))).rejects.toThrow(
      'store closed',
    );
    expect(c.size).toBe(0);
    expect(await c.get('a', async () => 'ok')).toBe('ok');
  });
});
