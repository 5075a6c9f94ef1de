/**
 * Deterministic randomness for the simulator. Everything the simulator draws comes from here, so the
 * same seed and options give byte-identical output on any machine and in any worker split:
 *
 * - {@link Rng}: xoshiro128** 1.1 (Blackman and Vigna, "Scrambled linear pseudorandom number
 *   generators", 2018; reference code prng.di.unimi.it/xoshiro128starstar.c) — 32-bit arithmetic
 *   only, so it runs on `Math.imul` without BigInt.
 * - {@link hash2}/{@link hash3}: stateless integer hashes (Chris Wellons' "lowbias32" finaliser,
 *   github.com/skeeto/hash-prospector) for values that must not depend on the order of generation,
 *   such as which address a persistent host slot has on a given day.
 *
 * Every stream is keyed by what it is for (seed, sensor, hour, purpose), never by how many numbers an
 * earlier stream consumed: changing one sensor's traffic never shifts another's.
 */

/** Lowbias32: a bijective 32-bit mixer with good avalanche. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hash of two 32-bit words. */
export function hash2(a: number, b: number): number {
  return mix32((a ^ mix32((b + 0x9e3779b9) >>> 0)) >>> 0);
}

/** Hash of three 32-bit words. */
export function hash3(a: number, b: number, c: number): number {
  return hash2(hash2(a, b), c);
}

/** Hash of four 32-bit words. */
export function hash4(a: number, b: number, c: number, d: number): number {
  return hash2(hash2(hash2(a, b), c), d);
}

/** A hash as a float in [0, 1). */
export function hashFloat(h: number): number {
  return h / 4294967296;
}

/** Stable 32-bit id of a short label (FNV-1a), used to key streams by purpose. */
export function labelId(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The 32-bit root of a user seed (any non-negative safe integer). */
export function rootSeed(seed: number): number {
  const lo = (seed % 4294967296) >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return hash2(lo, hi ^ 0x5eed5eed);
}

const TWO_32 = 4294967296;

/** xoshiro128**: 128-bit state, period 2^128 − 1, 32-bit outputs. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal = Number.NaN;

  /** A generator keyed by up to four 32-bit words (seed, sensor, hour, purpose…). */
  constructor(k0: number, k1 = 0, k2 = 0, k3 = 0) {
    // SplitMix32-style expansion of the keys into four independent state words.
    let h = hash4(k0 >>> 0, k1 >>> 0, k2 >>> 0, k3 >>> 0);
    this.s0 = h = mix32((h + 0x9e3779b9) >>> 0);
    this.s1 = h = mix32((h + 0x9e3779b9) >>> 0);
    this.s2 = h = mix32((h + 0x9e3779b9) >>> 0);
    this.s3 = mix32((h + 0x9e3779b9) >>> 0);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator with an explicit state (for reference test vectors). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Rng {
    const r = new Rng(0);
    r.s0 = s0 >>> 0;
    r.s1 = s1 >>> 0;
    r.s2 = s2 >>> 0;
    r.s3 = s3 >>> 0;
    return r;
  }

  /** Next 32-bit unsigned output. */
  next(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.next() / TWO_32;
  }

  /** Uniform integer in [0, n) for n ≤ 2^32. */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = Number.NaN;
      return v;
    }
    for (;;) {
      const u = this.float() * 2 - 1;
      const v = this.float() * 2 - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * f;
        return u * f;
      }
    }
  }

  /**
   * Poisson-distributed count with mean `lambda`: Knuth's product method below 30, a rounded
   * normal approximation above (its error is far below the simulator's modelling error).
   */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.float();
      while (p > limit) {
        k++;
        p *= this.float();
      }
      return k;
    }
    const n = Math.round(lambda + Math.sqrt(lambda) * this.normal());
    return Math.max(n, 0);
  }

  /** Index drawn from cumulative weights (last element = total). */
  pickCumulative(cum: Float64Array | readonly number[]): number {
    const x = this.float() * cum[cum.length - 1]!;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Cumulative sums of weights, for {@link Rng.pickCumulative}. */
export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let s = 0;
  for (let i = 0; i < weights.length; i++) {
    s += weights[i]!;
    out[i] = s;
  }
  return out;
}

/** Index drawn from cumulative weights with a given uniform `u` in [0, 1) (stateless picks). */
export function pickCumulativeAt(cum: Float64Array, u: number): number {
  const x = u * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
