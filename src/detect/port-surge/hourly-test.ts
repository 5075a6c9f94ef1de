/**
 * The hourly test, run on each series' sliding window every `evalEveryMin` minutes: z = (x −
 * baseline) / scale above `zAlert`, with at least `minCount` sources, `minExcess` above baseline,
 * `minRatio` times it and P(X ≥ x) < `alpha` under Poisson(baseline); or a one-sided CUSUM of the hourly z (Page 1954)
 * above `cusumH` for slow ramps, the current window standing out too. Either alarm also needs the
 * sources spread over `minSpread` sensors or ASNs (docs/methods.md#port-surges). At each hour end
 * the hour just completed feeds the series' history, residuals and CUSUM.
 */
import { HOUR_MS } from '../finding.js';
import { type Baseline, type HourBook, upperBaseline } from '../seasonal-baseline.js';
import { cusumStep, poissonUpperTail } from '../stats.js';
import type { PortEpisode } from './episodes.js';
import type { PortSurgeOptions } from './options.js';
import type { Series } from './series.js';

export interface WindowVerdict {
  readonly z: number;
  /** Which test alarmed (both need the spread and the warm-up), or null. */
  readonly alarm: 'z' | 'cusum' | null;
  /** The window still stands out enough to hold an open episode (z or CUSUM at continuation level). */
  readonly holds: boolean;
}

/**
 * Judges the window count `x` of series `s` (coverage-normalised, `fraction` the window's coverage)
 * against baseline `b`; `spread` is asked only when a test alarms. Records the figures in `s.last`.
 */
export function judgeWindow(
  o: PortSurgeOptions,
  s: Series,
  w: { readonly x: number; readonly b: Baseline; readonly fraction: number; readonly warm: boolean },
  spread: () => number,
): WindowVerdict {
  const { x, b, fraction } = w;
  const z = zOf(x, b, fraction);
  s.last = { x, b, z, fraction };
  // Significance alone is not a surge: at thousands of sources an hour a few per cent more is
  // "significant", and the weekly cycle the baseline cannot know before a week of history is
  // about that size. A surge is also at least `minRatio` times its baseline (an effect size).
  const big = x >= o.minCount && x - b.value >= o.minExcess && x >= o.minRatio * b.value;
  // Small counts are tested exactly (Poisson) as well: the normal approximation behind z is too
  // generous for a port with a handful of sources an hour, and many such ports are watched. The
  // test is on the sources actually seen (x and the baseline at the window's coverage), not on
  // their coverage-scaled figure: 19 sources seen by three quarters of the fleet are 19, not 25;
  // and against the baseline's upper bound (a median of a few days is uncertain itself).
  const tail = poissonUpperTail(Math.round(x * fraction), Math.max(upperBaseline(b) * fraction, 0.1));
  const byZ = z > o.zAlert && big && tail < o.alpha;
  // A CUSUM alarm also needs the current window to stand out (z ≥ 2 and unlikely under Poisson).
  const byCusum = s.cusum > o.cusumH && big && z >= o.zContinue && tail < o.cusumAlpha;
  const alarm = (byZ || byCusum) && w.warm && spread() >= o.minSpread ? (byZ ? 'z' : 'cusum') : null;
  return { z, alarm, holds: (z >= o.zContinue || s.cusum > o.cusumH / 2) && x - b.value >= 1 };
}

/**
 * z of a coverage-scaled count `x` against baseline `b`: counted by a share `fraction` of the
 * fleet, x = seen / fraction varies √(1 / fraction) times more than a whole fleet's count, so the
 * scale widens by that much (a quarter of the fleet gone would otherwise inflate z by 15 %).
 */
export function zOf(x: number, b: Baseline, fraction: number): number {
  return ((x - b.value) / b.scale) * Math.sqrt(Math.min(1, Math.max(fraction, 1e-9)));
}

/** Records the hour just completed: its value, residual and CUSUM step. */
export function closeHour(
  o: PortSurgeOptions,
  book: HourBook,
  s: Series,
  hour: number,
  x: number,
  b: Baseline | undefined,
  e: PortEpisode | undefined,
  fraction: number,
): void {
  if (!book.watched(hour)) return;
  const alerting = e !== undefined && hour * HOUR_MS - e.startMs < o.maxExcludeMs;
  s.hist.record(hour, x, alerting);
  // The CUSUM runs only on seasonal baselines: against a flat recent median the daily cycle
  // itself would look like a ramp.
  if (!b || b.method === 'recent') return;
  const z = zOf(x, b, fraction);
  if (!alerting) s.hist.recordResidual(b.value, x - b.value);
  const before = s.cusum;
  s.cusum = cusumStep(s.cusum, z, o.cusumK);
  // During an episode the sum would keep climbing on the episode's own hours and then hold the
  // episode open for days after it ends: it is capped at the continuation level (a ramp still
  // going on climbs past it again within the hour).
  if (alerting) s.cusum = Math.min(s.cusum, o.cusumH / 2);
  if (before === 0 && s.cusum > 0) s.cusumFromMs = hour * HOUR_MS;
  if (s.cusum === 0) s.cusumFromMs = -1;
}
