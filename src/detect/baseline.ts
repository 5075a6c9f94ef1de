/**
 * What a baseline is (seasonal-baseline.ts): its value, scale and method, the options of the
 * seasonal series, and the error of a baseline that is a median of a few values
 * (docs/methods.md#port-surges, #daily-and-weekly-cycles-gaps).
 */

export interface BaselineOptions {
  /** Weeks of same-hour-of-week history used (docs/methods.md#port-surges: 4–8). */
  readonly weeks: number;
  /** Weight of the last 24 hours' level shift added to the seasonal median (1: all of it). */
  readonly seasonalWeight: number;
  /** Fewest values for each estimate (the hour of day's, the recent hours' level shift). */
  readonly minSeasonal: number;
  /**
   * Fewest past weeks with the same hour of week known for the hour-of-week estimate: from two, the
   * weekly shape (a busier weekend) is the baseline, its own error carried by the scale
   * (`medianError`, `upperBaseline` with n = 2); before, the hour of day.
   */
  readonly minWeeks: number;
  readonly minRecent: number;
  /** Residual ring size (hours) for the MAD: 14 days (docs/methods.md#port-surges). */
  readonly residualHours: number;
  /** Baseline from which residual MADs are kept (below it the Poisson floor dominates). */
  readonly madFromBaseline: number;
}

export const DEFAULT_BASELINE: BaselineOptions = {
  weeks: 8,
  seasonalWeight: 1,
  minSeasonal: 3,
  minWeeks: 2,
  minRecent: 6,
  residualHours: 14 * 24,
  madFromBaseline: 4,
};

export interface Baseline {
  readonly value: number;
  readonly scale: number;
  /** Which estimate was used. */
  readonly method: 'hour-of-week' | 'hour-of-day' | 'recent' | 'day';
  /** How many values the estimate is a median of (its own uncertainty: {@link upperBaseline}). */
  readonly n?: number;
}

/**
 * The baseline plus twice the standard error of a median of `n` Poisson-like values (√(π/(2n)) of
 * their σ ≈ √baseline): what an exact count test should assume when the baseline is itself a
 * median of a few days. Three days' hour-of-day median of a port with a handful of sources an hour
 * (6, 6 and 7 at 17 h while the working hours around it held 10–13) otherwise makes an ordinary
 * busy hour of 23 look like a one-in-a-hundred-million event.
 */
export function upperBaseline(b: Baseline): number {
  const n = b.n ?? Number.POSITIVE_INFINITY;
  return b.value + 2 * Math.sqrt((Math.max(b.value, 0) * Math.PI) / (2 * n));
}

/**
 * Widening of the scale for a baseline that is itself a median of `n` values: the median's
 * variance is about π/2 · σ²/n (asymptotic relative efficiency 2/π), so x − baseline has variance
 * σ² (1 + π/(2n)). With three weeks of history that is 1.24 σ; ignoring it made early alerts
 * against medians of three or four values.
 */
export function medianError(n: number): number {
  return Math.sqrt(1 + Math.PI / (2 * Math.max(n, 1)));
}

/** The `q` quantile of `xs` (nearest rank, lower), `xs` not empty. */
export function quantile(xs: readonly number[], q: number): number {
  const v = Float64Array.from(xs).sort();
  return v[Math.floor(q * (v.length - 1))]!;
}
