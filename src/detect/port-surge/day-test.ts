/**
 * The day test, for slow surges the hourly windows cannot tell from noise (a 1.25× rise is a
 * fraction of one hour's spread, but a day's sum of hourly distinct sources varies by a few per
 * cent from day to day): at each hour end, the last 24 hours' sum against the same 24 hours on
 * each of the previous two weeks (seasonal-baseline.ts `windowBaseline`: median, MAD, the same
 * weekday's level when higher). Only series busy enough to keep residuals are tested. A source
 * still counts once per hour at most, so one noisy scanner adds at most 24 to a day however many
 * packets it sends. It opens above z `dayZAlert` and `dayMinRatio`× (1.2: a busier weekend, which the
 * baseline knows only after a week, is up to ~10 %, and at a busy port's counts that alone is
 * z > 6) when the last 6 hours stand out
 * on their own (still rising, not an ended burst in the sum) and the day holds no hours of an
 * earlier episode; such an episode holds while z ≥ `dayZContinue`. Delay: about a day
 * (docs/methods.md#port-surges).
 */
import type { Baseline, HourBook } from '../seasonal-baseline.js';
import type { PortEpisode } from './episodes.js';
import type { PortSurgeOptions } from './options.js';
import type { Series } from './series.js';

/**
 * The day test's figures when it fires: they open a slow surge (no episode on the port) or hold the
 * port's slow surge.
 */
export interface DayVerdict {
  readonly sum: number;
  readonly b: Baseline;
  readonly z: number;
  readonly ratio: number;
}

/**
 * Tests series `s` at the end of `hour`; `episode` is its port's current one (the day test only
 * opens episodes and holds its own: an hourly episode is the hourly test's). `spread` is asked last.
 */
export function judgeDay(
  o: PortSurgeOptions,
  book: HourBook,
  s: Series,
  at: { readonly hour: number; readonly warm: boolean; readonly episode: PortEpisode | undefined },
  spread: () => number,
): DayVerdict | null {
  const { hour, episode } = at;
  if (!s.hist.hasResiduals() || !book.watched(hour)) return null;
  s.hist.keepDaySums();
  if (episode && episode.trigger.by !== 'day') return null;
  // A new slow surge needs a day without alerting hours in it: a day that still holds an ended
  // episode's hours is that episode's tail, not a new rise.
  const sum = s.hist.windowSum(hour, 24, episode !== undefined);
  if (sum === undefined) return null;
  // Most hours of most series are nowhere near 1.1× their days: skipped before the medians.
  if (!episode && !s.hist.dayMedianMayBeAtMost(hour, o.dayDays, sum, o.dayMinRatio)) return null;
  const b = s.hist.windowBaseline(hour, 24, o.dayDays, o.dayMinDays);
  if (!b) return null;
  const z = (sum - b.value) / b.scale;
  const ratio = sum / Math.max(b.value, 1);
  if (episode) return z < o.dayZContinue ? null : { sum, b, z, ratio };
  if (
    !at.warm ||
    z <= o.dayZAlert ||
    ratio < o.dayMinRatio ||
    sum - b.value < o.minExcess ||
    !stillRising(o, s, hour) ||
    spread() < o.minSpread
  )
    return null;
  return { sum, b, z, ratio };
}

/**
 * The last quarter of the day stands out on its own (z ≥ `dayRecentZ` against the same 6 hours of
 * the previous days): the rise is going on now, rather than a burst that ended hours ago still
 * sitting in the 24-hour sum.
 */
function stillRising(o: PortSurgeOptions, s: Series, hour: number): boolean {
  const recent = s.hist.windowSum(hour, 6, false);
  const b = s.hist.windowBaseline(hour, 6, o.dayDays, o.dayMinDays);
  return recent !== undefined && b !== undefined && (recent - b.value) / b.scale >= o.dayRecentZ;
}
