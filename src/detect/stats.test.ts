// Hand-picked inputs with known closed-form values (Poisson tails, Γ function, medians); no real data.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/prng.js';
import {
  cusumStep,
  lnGamma,
  MAD_TO_SIGMA,
  mad,
  mean,
  median,
  poissonCriticalCount,
  poissonUpperTail,
  robustScale,
} from './stats.js';

/** P(X ≥ k) for Poisson(mu) by the direct complement, for moderate k. */
function tailByComplement(k: number, mu: number): number {
  let term = Math.exp(-mu);
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += term;
    term *= mu / (i + 1);
  }
  return 1 - below;
}

describe('median, mean, mad', () => {
  it('computes the median of odd and even counts, skipping non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, Number.NaN, 1, Number.POSITIVE_INFINITY, 3])).toBe(3);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
    expect(median(new Float32Array([10, -2, 7]))).toBe(7);
  });

  it('sorts numerically and leaves its input alone', () => {
    const xs = [10, 9, 100, 1];
    expect(median(xs)).toBe(9.5);
    expect(xs).toEqual([10, 9, 100, 1]);
  });

  it('agrees with a full sort on random arrays: ties, sorted runs, non-finite values, sizes 1–600', () => {
    const rnd = mulberry32(7);
    const sorted = (xs: number[]) => xs.filter(Number.isFinite).sort((a, b) => a - b);
    const byMedian = (xs: number[]) => {
      const v = sorted(xs);
      const m = v.length >> 1;
      return v.length === 0 ? Number.NaN : v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
    };
    for (let trial = 0; trial < 400; trial++) {
      const n = 1 + Math.floor(rnd() * 600);
      const shape = trial % 4;
      const xs = Array.from({ length: n }, (_, i) =>
        shape === 0
          ? Math.floor(rnd() * 5) // many ties
          : shape === 1
            ? i // sorted
            : shape === 2
              ? n - i // reversed
              : rnd() < 0.1
                ? Number.NaN
                : rnd() * 1000,
      );
      const copy = [...xs];
      const m = byMedian(xs);
      expect(median(xs)).toBe(m);
      const fin = sorted(xs);
      expect(mad(xs)).toBe(byMedian(fin.map((x) => Math.abs(x - m))));
      expect(xs).toEqual(copy);
    }
  });

  it('computes the mean and the unscaled MAD', () => {
    expect(mean([1, 2, 3, 10])).toBe(4);
    expect(mean([])).toBeNaN();
    // Median 3; deviations 2, 1, 0, 1, 97 → MAD 1.
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(mad([])).toBeNaN();
    expect(MAD_TO_SIGMA).toBeCloseTo(1.4826, 4);
  });

  it('floors the robust scale at √baseline and 1', () => {
    expect(robustScale(10, 4)).toBeCloseTo(14.826, 10);
    expect(robustScale(0, 25)).toBe(5);
    expect(robustScale(0, 0)).toBe(1);
    expect(robustScale(Number.NaN, 16)).toBe(4);
    expect(robustScale(0.1, -3)).toBe(1);
  });
});

describe('lnGamma', () => {
  it('matches ln((n − 1)!) and Γ(1/2) = √π', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(2)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    // Reflection below 1/2: Γ(1/4) = 3.6256099082219083.
    expect(lnGamma(0.25)).toBeCloseTo(Math.log(3.62560990822191), 12);
    // ln Γ(101) = ln(100!) = 363.73937555556349 (mpmath).
    expect(lnGamma(101)).toBeCloseTo(363.739375555563, 9);
  });
});

describe('poissonUpperTail', () => {
  it('matches known values', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(-1, 3)).toBe(1);
    expect(poissonUpperTail(1, 0)).toBe(0);
    expect(poissonUpperTail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 14);
    // P(X ≥ 3 | 2) = 1 − 5 e^−2.
    expect(poissonUpperTail(3, 2)).toBeCloseTo(1 - 5 * Math.exp(-2), 14);
    // Reference values computed with mpmath at 40 digits.
    expect(poissonUpperTail(10, 4)).toBeCloseTo(0.00813224279693386, 12);
    expect(poissonUpperTail(20, 10)).toBeCloseTo(0.00345434197585681, 12);
  });

  it('stays accurate far in the tail, where 1 − CDF would round to 0', () => {
    // P(X ≥ 10 | 0.1) = e^−0.1 0.1^10 / 10! × (1 + 0.1/11 + …) = 2.5163478067703162e−17 (mpmath).
    const p = poissonUpperTail(10, 0.1);
    expect(p / 2.51634780677032e-17).toBeCloseTo(1, 10);
    // (1 − CDF in doubles is several times off there.)
    expect(Math.abs(tailByComplement(10, 0.1) - p) / p).toBeGreaterThan(1);
    // P(X ≥ 60 | 20) = 4.2332846947129030e−13 (mpmath).
    expect(poissonUpperTail(60, 20) / 4.233284694712903e-13).toBeCloseTo(1, 10);
  });

  it('agrees with the complement where both are accurate and decreases in k', () => {
    for (const mu of [0.5, 3, 12.5]) {
      let prev = 1;
      for (let k = 0; k < 30; k++) {
        const p = poissonUpperTail(k, mu);
        if (tailByComplement(k, mu) > 1e-6) expect(p).toBeCloseTo(tailByComplement(k, mu), 10);
        expect(p).toBeLessThanOrEqual(prev);
        prev = p;
      }
    }
  });
});

describe('poissonCriticalCount', () => {
  it('is the smallest k with P(X ≥ k) < alpha', () => {
    // μ = 2: P(X ≥ 5) = 0.0527, P(X ≥ 6) = 0.0166.
    expect(poissonCriticalCount(2, 0.05)).toBe(6);
    expect(poissonCriticalCount(2, 0.06)).toBe(5);
    for (const [mu, alpha] of [
      [0.01, 1e-7],
      [0.43, 1e-7],
      [5, 1e-3],
      [100, 1e-6],
    ] as const) {
      const k = poissonCriticalCount(mu, alpha);
      expect(poissonUpperTail(k, mu)).toBeLessThan(alpha);
      expect(poissonUpperTail(k - 1, mu)).toBeGreaterThanOrEqual(alpha);
    }
    // Tiny μ: 2 events are already improbable at 1e-3 (P ≈ μ²/2 = 5e−5).
    expect(poissonCriticalCount(0.01, 1e-3)).toBe(2);
  });
});

describe('cusumStep', () => {
  it('accumulates z − k and never goes below 0', () => {
    let s = 0;
    for (const z of [0.2, 3, 3, -1, -10]) s = cusumStep(s, z, 0.5);
    expect(s).toBe(0);
    expect(cusumStep(0, 3, 0.5)).toBe(2.5);
    expect(cusumStep(2.5, 3, 0.5)).toBe(5);
    expect(cusumStep(5, -1, 0.5)).toBe(3.5);
  });
});
