/**
 * Small statistics the detectors share: robust location and scale (median, MAD — Iglewicz and
 * Hoaglin 1993, "How to Detect and Handle Outliers", whose modified z-score cut of 3.5 the
 * surge detector uses), Poisson tails for count tests (docs/methods.md#backscatter) and a one-sided
 * CUSUM (Page 1954) for slow ramps.
 */

/**
 * Scratch space for median and MAD: the detectors ask them for every series every hour, on arrays
 * of a few to a few hundred values, and a fresh array (and a sort) per call was most of their cost.
 * Grown as needed; never shared across an await (these functions are synchronous).
 */
let scratch: Float64Array<ArrayBuffer> = new Float64Array(256);
let deviations: Float64Array<ArrayBuffer> = new Float64Array(256);

function room(buf: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  if (buf.length >= n) return buf;
  let size = buf.length;
  while (size < n) size *= 2;
  return new Float64Array(size);
}

/** The k-th smallest of v[0..n) (0-based), rearranging v (Hoare's selection, median of three). */
function select(v: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot: sorted input (common in these series) stays O(n).
    let a = v[lo]!;
    let b = v[mid]!;
    let c = v[hi]!;
    if (a > b) [a, b] = [b, a];
    if (b > c) [b, c] = [c, b];
    if (a > b) [a, b] = [b, a];
    const pivot = b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        const t = v[i]!;
        v[i] = v[j]!;
        v[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k]!;
  }
  return v[k]!;
}

/** Median of v[0..n), rearranging v (n > 0). */
function medianOf(v: Float64Array, n: number): number {
  const m = n >> 1;
  const upper = select(v, n, m);
  if (n % 2 === 1) return upper;
  // The lower middle is the largest of what selection left below the upper one.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < m; i++) if (v[i]! > lower) lower = v[i]!;
  return (lower + upper) / 2;
}

/** Copies the finite values of `xs` into the scratch; how many there are. */
function finiteIntoScratch(xs: ArrayLike<number>): number {
  scratch = room(scratch, xs.length);
  let n = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (Number.isFinite(x)) scratch[n++] = x;
  }
  return n;
}

/** Median of the finite values (NaN when there are none). Does not modify `xs`. */
export function median(xs: ArrayLike<number>): number {
  const n = finiteIntoScratch(xs);
  return n === 0 ? Number.NaN : medianOf(scratch, n);
}

/** Arithmetic mean (NaN when empty). */
export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length > 0 ? s / xs.length : Number.NaN;
}

/**
 * Median absolute deviation from the median (unscaled), of the finite values (NaN when there are
 * none; non-finite values are left out of both medians). Does not modify `xs`.
 */
export function mad(xs: ArrayLike<number>): number {
  const n = finiteIntoScratch(xs);
  if (n === 0) return Number.NaN;
  deviations = room(deviations, n);
  for (let i = 0; i < n; i++) deviations[i] = scratch[i]!;
  const m = medianOf(deviations, n);
  for (let i = 0; i < n; i++) deviations[i] = Math.abs(scratch[i]! - m);
  return medianOf(deviations, n);
}

/** 1.4826 × MAD estimates σ for normal data (Iglewicz and Hoaglin 1993, §2.2). */
export const MAD_TO_SIGMA = 1.4826;

/**
 * The robust scale docs/methods.md#port-surges prescribes for count series: max(1.4826 × MAD of
 * residuals, √baseline, 1). The √ term is a Poisson floor, so a quiet series (MAD 0) is not
 * declared surging by one extra count; the 1 keeps the scale positive at a zero baseline.
 */
export function robustScale(residualMad: number, baseline: number): number {
  const m = Number.isFinite(residualMad) ? MAD_TO_SIGMA * residualMad : 0;
  return Math.max(m, Math.sqrt(Math.max(0, baseline)), 1);
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, n = 9; Numerical Recipes §6.1). */
export function lnGamma(x: number): number {
  const c = [
    0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
    12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X ≥ k) for X ~ Poisson(mu), accurate in the far upper tail (summed from k upward). */
export function poissonUpperTail(k: number, mu: number): number {
  if (k <= 0) return 1;
  if (mu <= 0) return 0;
  if (k <= mu) {
    // Not a tail: 1 − P(X < k), summed from 0.
    let term = Math.exp(-mu);
    let below = 0;
    for (let i = 0; i < k; i++) {
      below += term;
      term *= mu / (i + 1);
    }
    return Math.max(0, 1 - below);
  }
  let term = Math.exp(-mu + k * Math.log(mu) - lnGamma(k + 1));
  let sum = 0;
  for (let i = k; term > sum * 1e-16 && i < k + 10_000; i++) {
    sum += term;
    term *= mu / (i + 1);
  }
  return Math.min(1, sum);
}

/**
 * The smallest count k with P(X ≥ k | mu) < alpha: the critical count of a one-sided Poisson test.
 * Cached per (mu, alpha) rounded to 4 significant digits, because detectors ask it every minute.
 */
export function poissonCriticalCount(mu: number, alpha: number): number {
  const key = `${mu.toPrecision(4)}|${alpha}`;
  const hit = criticalCache.get(key);
  if (hit !== undefined) return hit;
  // Start near the answer for large means (a few standard deviations above): stepping one count at
  // a time from mu would take thousands of tail evaluations.
  let k = Math.max(1, Math.floor(mu + (mu > 100 ? 4 * Math.sqrt(mu) : 0)));
  while (poissonUpperTail(k, mu) >= alpha) k++;
  while (k > 1 && poissonUpperTail(k - 1, mu) < alpha) k--;
  if (criticalCache.size > 10_000) criticalCache.clear();
  criticalCache.set(key, k);
  return k;
}
const criticalCache = new Map<string, number>();

/**
 * One-sided upper CUSUM on standardised values (Page 1954): S ← max(0, S + z − k); a shift of about
 * 2k standard deviations is signalled when S > h. The textbook starting point: k ≈ 0.5, h ≈ 4–5.
 */
export function cusumStep(s: number, z: number, k: number): number {
  return Math.max(0, s + z - k);
}
