import { describe, expect, it } from 'vitest';
import { cumulative, hash2, Rng, rootSeed } from './prng.js';

describe('Rng (xoshiro128**)', () => {
  it('matches the reference implementation for state {1, 2, 3, 4}', () => {
    // Outputs of prng.di.unimi.it/xoshiro128starstar.c seeded with s = {1, 2, 3, 4}.
    const r = Rng.fromState(1, 2, 3, 4);
    const out = Array.from({ length: 10 }, () => r.next());
    expect(out).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it('gives the same stream for the same keys and a different one for other keys', () => {
    const a = new Rng(7, 1, 2, 3);
    const b = new Rng(7, 1, 2, 3);
    const c = new Rng(7, 1, 2, 4);
    const xa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xa);
  });

  it('draws Poisson counts with the requested mean, small and large', () => {
    const r = new Rng(rootSeed(42));
    for (const lambda of [0.5, 4, 80]) {
      let sum = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) sum += r.poisson(lambda);
      expect(sum / n).toBeGreaterThan(lambda * 0.97 - 0.02);
      expect(sum / n).toBeLessThan(lambda * 1.03 + 0.02);
    }
  });

  it('picks from cumulative weights in proportion', () => {
    const r = new Rng(3);
    const cum = cumulative([1, 3]);
    let ones = 0;
    for (let i = 0; i < 40_000; i++) ones += r.pickCumulative(cum);
    expect(ones / 40_000).toBeCloseTo(0.75, 1);
  });

  it('hashes are stable across runs', () => {
    expect(hash2(1, 2)).toBe(hash2(1, 2));
    expect(rootSeed(1)).not.toBe(rootSeed(2));
    expect(rootSeed(2 ** 40 + 1)).not.toBe(rootSeed(1));
  });
});
