/** The port-surge detector's options and their defaults (the reasons for each cut: index.ts). */
import { HOUR_MS } from '../finding.js';
import { type BaselineOptions, DEFAULT_BASELINE } from '../seasonal-baseline.js';

export interface PortSurgeOptions {
  /** Source entries held over all series at most (≈ 230 bytes each); beyond, new sources are counted, not kept. */
  readonly maxSources: number;
  /** Series (port × split) watched at once at most (≈ 1.5 KB each plus their sources). */
  readonly maxSeries: number;
  /** ISO 3166-1 alpha-2 of "domestic" (the data directory's `domesticCountry`). */
  readonly domesticCountry: string;
  readonly windowMin: number;
  readonly evalEveryMin: number;
  readonly zAlert: number;
  /** …and, for small counts, P(X ≥ x) under Poisson(baseline) below this. */
  readonly alpha: number;
  readonly zContinue: number;
  readonly cusumK: number;
  readonly cusumH: number;
  /** Poisson tail the current window must pass for a CUSUM alarm. */
  readonly cusumAlpha: number;
  /** Fewest (coverage-normalised) distinct sources in the window for an alert. */
  readonly minCount: number;
  /** Fewest sources above the baseline for an alert. */
  readonly minExcess: number;
  /**
   * Smallest rise for an alert by the hourly z or the CUSUM: the window at least this multiple of
   * its baseline (at large counts any few per cent is significant; the weekly cycle is ~10 %).
   */
  readonly minRatio: number;
  /** Sources must come through at least this many sensors or ASNs. */
  readonly minSpread: number;
  /** Windows and hours with a minute whose coverage is below this are missing. */
  readonly minCoverage: number;
  readonly endAfterMs: number;
  /** The day test: z of the 24-hour sum of hourly distinct sources above this opens a slow surge… */
  readonly dayZAlert: number;
  /**
   * …if that sum is at least this multiple of its baseline (above the weekly cycle, which the day
   * baseline knows only after a week); the episode holds while z ≥ `dayZContinue`.
   */
  readonly dayMinRatio: number;
  readonly dayZContinue: number;
  /** The last 6 hours alone must stand out this much (the rise is still going on). */
  readonly dayRecentZ: number;
  /** Days of history the day baseline is the median of, and the fewest it needs. */
  readonly dayDays: number;
  readonly dayMinDays: number;
  /** No alerts until the detector has watched this long (its baselines are still empty). */
  readonly warmupMs: number;
  readonly maxExcludeMs: number;
  /** Series averaging fewer sources per watched hour than this, with none now, are dropped. */
  readonly forgetBelow: number;
  readonly baseline: BaselineOptions;
}

export const DEFAULT_PORT_SURGE: PortSurgeOptions = {
  maxSources: 1_000_000,
  maxSeries: 60_000,
  domesticCountry: 'JP',
  windowMin: 60,
  evalEveryMin: 5,
  zAlert: 4.5,
  alpha: 1e-7,
  zContinue: 3,
  cusumK: 1,
  cusumH: 10,
  cusumAlpha: 1e-3,
  minCount: 8,
  minExcess: 5,
  minRatio: 1.2,
  minSpread: 2,
  minCoverage: 0.5,
  endAfterMs: 6 * HOUR_MS,
  dayZAlert: 6,
  dayMinRatio: 1.2,
  dayZContinue: 3,
  dayRecentZ: 2,
  dayDays: 14,
  dayMinDays: 5,
  warmupMs: 24 * HOUR_MS,
  maxExcludeMs: 14 * 24 * HOUR_MS,
  forgetBelow: 0.05,
  baseline: DEFAULT_BASELINE,
};
