/**
 * Hourly history of one count series (e.g. distinct sources on 139/TCP from domestic hosts) and its
 * robust seasonal baseline, as docs/methods.md#port-surges prescribes and SANS ISC's flat 30-day mean
 * does not: the median of the same hour-of-week over the past weeks (with a short history the same
 * hour-of-day over the past week), shifted by the median departure of the last 24 hours from their
 * own seasonal values to follow level shifts; before any seasonal value exists, the busy hours
 * (90th percentile) of the last 24. Scale: max(1.4826 × MAD of recent residuals, √baseline, 1).
 *
 * Missing is not zero: hours with too little coverage are missing for every series (the
 * {@link HourBook} says which), and hours in which a series was alerting are excluded from its own
 * baseline. Hours the book marks as watched but a series has no value for are zeros, so a sparse
 * series costs nothing until it has counts. State per series: its non-zero hours within the
 * retention (8 weeks) and, once its baseline is large enough for the MAD to matter, a ring of 14
 * days of residuals; the non-zero departures of the last 8 days.
 */
import { type Baseline, type BaselineOptions, DEFAULT_BASELINE, medianError, quantile } from './baseline.js';
import type { HourBook } from './hour-book.js';
import { mad, mean, median, robustScale } from './stats.js';

export { type Baseline, type BaselineOptions, DEFAULT_BASELINE, upperBaseline } from './baseline.js';
export { HourBook } from './hour-book.js';

export const WEEK_HOURS = 168;

interface Seasonal {
  readonly value: number;
  readonly mean: number;
  readonly n: number;
  readonly method: Baseline['method'];
}

/** The last usable hours before a `recentEnd`, with what the baselines read of them. */
interface Recent {
  readonly values: readonly number[];
  /** Median and mean departure of those hours from their seasonal values (0 with too few). */
  readonly shift: number;
  readonly meanShift: number;
  /** The baseline from these hours alone (before the daily cycle is known), once asked. */
  alone?: Baseline | undefined;
}

export class SeasonalSeries {
  private readonly values = new Map<number, number>();
  private readonly excluded = new Set<number>();
  private residuals: Float32Array | null = null;
  private residualHead = 0;
  /** MAD of the ring, recomputed when a residual is added (hourly), not at every evaluation. */
  private residualMad = Number.NaN;
  private sum = 0;
  /** Departures of recent hours from their seasonal value (non-zero ones; a week and a day). */
  private readonly departures = new Map<number, number>();
  private levelSince = -1;
  /** Ring of past 24-hour sums without alerting hours (`windowSum`), once `keepDaySums` was called. */
  private daySums: Float32Array | null = null;
  private dayStamps: Int32Array | null = null;
  private daySumsVersion = 0;
  private lastRecorded = Number.NEGATIVE_INFINITY;
  /** The seasonal values of the last two hours asked, and the recent hours of the last `recentEnd`. */
  private readonly seasonalMemo: ({ hour: number; v: number; s: Seasonal | undefined } | undefined)[] = [];
  private recentMemo: { end: number; v: number; r: Recent } | undefined;

  constructor(
    private readonly book: HourBook,
    private readonly o: BaselineOptions = DEFAULT_BASELINE,
  ) {}

  /**
   * The value of `hour` at today's fleet size (hour-book.ts `factor`): undefined when missing (not
   * watched, or excluded as alerting).
   */
  get(hour: number): number | undefined {
    if (!this.book.watched(hour) || this.excluded.has(hour)) return undefined;
    const v = this.values.get(hour);
    return v === undefined ? 0 : v * this.book.factor(hour);
  }

  /** The value recorded for `hour`, alerting or not (undefined when not watched): for evidence. */
  observed(hour: number): { value: number; inBaseline: boolean } | undefined {
    if (!this.book.watched(hour)) return undefined;
    return { value: this.values.get(hour) ?? 0, inBaseline: !this.excluded.has(hour) };
  }

  /** Records a complete hour; `alerting` keeps it out of its baseline (docs/methods.md#port-surges, 6). */
  record(hour: number, value: number, alerting: boolean): void {
    // With at most one non-zero hour retained, every seasonal median is 0: a zero hour departs
    // from nothing, and the lookups can be skipped (most series are such sparse ones).
    const s = value === 0 && this.values.size <= 1 ? null : this.seasonal(hour);
    if (s) {
      if (this.levelSince < 0) this.levelSince = hour;
      if (value !== s.value) this.departures.set(hour, value - s.value);
    } else if (s === null && this.levelSince < 0 && this.book.count() >= 24 * this.o.minSeasonal) {
      this.levelSince = hour;
    }
    for (const h of this.departures.keys()) {
      if (h >= hour - 8 * 24) break;
      this.departures.delete(h);
    }
    if (hour > this.lastRecorded) this.lastRecorded = hour;
    const before = this.values.get(hour) ?? 0;
    if (value !== 0) this.values.set(hour, value);
    else this.values.delete(hour);
    this.sum += value - before;
    if (alerting) this.excluded.add(hour);
    // A day back beyond the weeks: the same-weekday window `weeks` back starts 23 hours earlier.
    const oldest = hour - this.o.weeks * WEEK_HOURS - 24;
    for (const [h, v] of this.values) {
      if (h >= oldest) break;
      this.values.delete(h);
      this.sum -= v;
    }
    for (const h of this.excluded) if (h < oldest) this.excluded.delete(h);
  }

  /** Stores the residual of a complete hour for the MAD (only once the series is busy enough). */
  recordResidual(baseline: number, residual: number): void {
    if (!this.residuals) {
      if (baseline < this.o.madFromBaseline) return;
      this.residuals = new Float32Array(this.o.residualHours).fill(Number.NaN);
    }
    this.residuals[this.residualHead] = residual;
    this.residualHead = (this.residualHead + 1) % this.residuals.length;
    // The MAD of two weeks moves slowly: refreshed every 6 residuals.
    if (this.residualHead % 6 === 0 || Number.isNaN(this.residualMad)) this.residualMad = mad(this.residuals);
  }

  /** True once residuals are kept (the series is busy enough for its MAD to matter). */
  hasResiduals(): boolean {
    return this.residuals !== null;
  }

  /** Sum of the retained hourly values. */
  total(): number {
    return this.sum;
  }

  /**
   * True when the series averaged less than `rate` per watched hour: forgetting it and later
   * reading its hours as zeros is then (nearly) right. A series young because the detector is
   * young is not forgotten on that account.
   */
  negligible(rate: number): boolean {
    return this.sum < rate * Math.max(1, this.book.count());
  }

  /**
   * The seasonal value of `hour` alone: the median of the same hour of week over the past weeks
   * when at least `minWeeks` of them are known; else of the same hour of day over the last 7
   * days that are known — looking back past missing days (a gap in the data, hours excluded as
   * alerting) as far as the retained weeks, so the daily cycle learnt before a gap is the baseline
   * after it rather than nothing or zero (docs/methods.md#daily-and-weekly-cycles-gaps).
   */
  private seasonal(hour: number): Seasonal | undefined {
    const week: number[] = [];
    for (let k = 1; k <= this.o.weeks; k++) {
      const v = this.get(hour - k * WEEK_HOURS);
      if (v !== undefined) week.push(v);
    }
    if (week.length >= this.o.minWeeks)
      return { value: median(week), mean: mean(week), n: week.length, method: 'hour-of-week' };
    const day: number[] = [];
    for (let d = 1; d <= this.o.weeks * 7 && day.length < 7; d++) {
      const v = this.get(hour - d * 24);
      if (v !== undefined) day.push(v);
    }
    if (day.length >= this.o.minSeasonal)
      return { value: median(day), mean: mean(day), n: day.length, method: 'hour-of-day' };
    return undefined;
  }

  /** {@link seasonal}, kept for the two hours a sliding window spans (a past hour's never changes). */
  private seasonalOf(hour: number): Seasonal | undefined {
    const m = this.seasonalMemo;
    const v = this.book.version;
    if (m[0]?.hour === hour && m[0].v === v) return m[0].s;
    if (m[1]?.hour === hour && m[1].v === v) return m[1].s;
    const s = this.seasonal(hour);
    m[1] = m[0];
    m[0] = { hour, v, s };
    return s;
  }

  /**
   * The last (up to) 24 usable hours before `recentEnd` and, for the level shift, their departures
   * from their own seasonal values — looking back past missing and alerting hours as far as the
   * retention, so a long episode is measured against the level before it and the first hours after
   * a gap against the hours before it. Kept per `recentEnd`.
   */
  private recentOf(recentEnd: number): Recent {
    const version = this.book.version;
    if (this.recentMemo?.end === recentEnd && this.recentMemo.v === version) return this.recentMemo.r;
    const values: number[] = [];
    const level: number[] = [];
    const oldest = recentEnd - this.o.weeks * WEEK_HOURS;
    for (let h = recentEnd - 1; h >= oldest && values.length < 24; h--) {
      const v = this.get(h);
      if (v === undefined) continue;
      values.push(v);
      if (this.levelSince >= 0 && h >= this.levelSince) level.push(this.departures.get(h) ?? 0);
    }
    const enough = level.length >= this.o.minRecent;
    const r: Recent = { values, shift: enough ? median(level) : 0, meanShift: enough ? mean(level) : 0 };
    this.recentMemo = { end: recentEnd, v: version, r };
    return r;
  }

  /** The baseline for a window centred in hour `midHour`: {@link baselineOver} that one hour. */
  baseline(midHour: number, recentEnd: number): Baseline | undefined {
    return this.baselineOver([midHour], [1], recentEnd);
  }

  /**
   * The baseline for a window covering `hours` with `weights` (its share of each, summing to 1: a
   * sliding hour from 09:25 to 10:25 is 7/12 of 09h and 5/12 of 10h, so a daily step at 10:00 is
   * not read against 09h alone), from complete hours before `recentEnd` (exclusive); undefined
   * while the history is too short (warm-up) or all of it is excluded. With seasonal values (the
   * weighted mean of each hour's), the last 24 usable hours' median departure from their own
   * seasonal values is added (the blend with the last 24 h: it follows a level shift without
   * flattening the daily cycle). Without one, before the daily cycle is known, the baseline is the
   * 90th percentile of the last 24 usable hours — their busy hours, not their median: a surge
   * must stand out above the busiest part of the day seen so far, not above its quiet night.
   * For small counts the median of a few Poisson values is biased low (the median of Poisson(2)
   * samples is often 1), so the baseline is never below the same estimate made with means.
   */
  baselineOver(
    hours: readonly number[],
    weights: readonly number[],
    recentEnd: number,
  ): Baseline | undefined {
    let value = 0;
    let meanValue = 0;
    let n = Number.POSITIVE_INFINITY;
    let method: Baseline['method'] | undefined;
    let weight = 0;
    for (let i = 0; i < hours.length; i++) {
      const w = weights[i]!;
      if (w <= 0) continue;
      const s = this.seasonalOf(hours[i]!);
      if (!s) continue;
      value += w * s.value;
      meanValue += w * s.mean;
      weight += w;
      n = Math.min(n, s.n);
      if (!method || w > 0.5) method = s.method;
    }
    const r = this.recentOf(recentEnd);
    if (method && weight > 0) {
      const sw = this.o.seasonalWeight;
      const v = Math.max(0, value / weight + sw * r.shift, meanValue / weight + sw * r.meanShift);
      return { value: v, scale: robustScale(this.residualMad, v) * medianError(n), method, n };
    }
    if (!('alone' in r)) r.alone = this.recentAlone(r.values);
    return r.alone;
  }

  /** Before the daily cycle is known: the recent hours' busy part, their own spread as the scale. */
  private recentAlone(recent: readonly number[]): Baseline | undefined {
    if (recent.length < this.o.minRecent) return undefined;
    const v = Math.max(quantile(recent, 0.9), mean(recent));
    const scale = robustScale(mad(recent), v) * medianError(recent.length);
    return { value: v, scale, method: 'recent', n: recent.length };
  }

  /**
   * Sum of the `hours` hourly values ending with `lastHour` (inclusive): with `withExcluded` the
   * hours a series was alerting count too (the current day of an episode), without it they are
   * missing. Scaled up from at least five sixths of the hours usable; undefined with fewer. At
   * today's fleet, as {@link get}.
   */
  windowSum(lastHour: number, hours: number, withExcluded: boolean): number | undefined {
    // Past days' sums are read again every hour for weeks: kept (a complete hour's value and
    // whether it was watched or alerting never change once recorded) until the fleet's membership
    // factors change (hour-book.ts).
    const cached = hours === 24 && !withExcluded && this.daySums !== null;
    if (cached && this.daySumsVersion !== this.book.version) {
      this.dayStamps!.fill(-1);
      this.daySumsVersion = this.book.version;
    }
    if (cached) {
      const i = lastHour % this.daySums!.length;
      if (this.dayStamps![i] === lastHour) {
        const v = this.daySums![i]!;
        return Number.isNaN(v) ? undefined : v;
      }
    }
    let sum = 0;
    let n = 0;
    for (let h = lastHour - hours + 1; h <= lastHour; h++) {
      if (!this.book.watched(h) || (!withExcluded && this.excluded.has(h))) continue;
      sum += (this.values.get(h) ?? 0) * this.book.factor(h);
      n++;
    }
    const v = n * 6 >= hours * 5 ? (sum * hours) / n : undefined;
    if (cached && lastHour <= this.lastRecorded) {
      const i = lastHour % this.daySums!.length;
      this.dayStamps![i] = lastHour;
      this.daySums![i] = v ?? Number.NaN;
    }
    return v;
  }

  /**
   * False when `sum / max(baseline, 1) ≥ ratio` is impossible for the day baseline of the window
   * ending at `lastHour` (fewer than half of the previous `days` days' sums pass that test
   * themselves, so their median cannot, and the same-weekday median only raises the baseline): a
   * cheap test, without sorting or allocating, that lets most hours skip `windowBaseline`. The
   * same arithmetic as the alert's, so it never rejects an hour the full test would pass.
   */
  dayMedianMayBeAtMost(lastHour: number, days: number, sum: number, ratio: number): boolean {
    let n = 0;
    let pass = 0;
    for (let d = 1; d <= days; d++) {
      const v = this.windowSum(lastHour - 24 * d, 24, false);
      if (v === undefined) continue;
      n++;
      if (sum / Math.max(v, 1) >= ratio) pass++;
    }
    return pass >= Math.ceil(n / 2);
  }

  /** Starts keeping past 24-hour sums (for a series whose day baseline is read every hour). */
  keepDaySums(): void {
    if (this.daySums) return;
    const n = this.o.weeks * WEEK_HOURS + 24;
    // Float32 sums and Int32 hour stamps: 11 KB per busy series.
    this.daySums = new Float32Array(n);
    this.dayStamps = new Int32Array(n).fill(-1);
  }

  /**
   * Baseline of the `hours`-hour sum ending with `lastHour`: the median of the same window on each
   * of the previous `days` days (alerting hours missing, windows with too few usable hours
   * skipped), at least `minDays` of them; scale max(1.4826 × MAD of those sums, √median, 1), widened
   * for the median of few values. The weekly cycle: a weekend day busier than the weekdays before it
   * is not a surge, so when the same weekday of earlier weeks is known (within the retained weeks)
   * and its median is higher, that is the baseline (measured on the simulator's background, a
   * Saturday's 24 hours run 5–10 % above a Wednesday's — dozens of false slow surges without this).
   */
  windowBaseline(lastHour: number, hours: number, days: number, minDays: number): Baseline | undefined {
    const sums: number[] = [];
    for (let d = 1; d <= days; d++) {
      const v = this.windowSum(lastHour - 24 * d, hours, false);
      if (v !== undefined) sums.push(v);
    }
    if (sums.length < minDays) return undefined;
    const weekday: number[] = [];
    for (let k = 1; k <= this.o.weeks; k++) {
      const v = this.windowSum(lastHour - WEEK_HOURS * k, hours, false);
      if (v !== undefined) weekday.push(v);
    }
    const value = Math.max(median(sums), weekday.length > 0 ? median(weekday) : 0);
    return { value, scale: robustScale(mad(sums), value) * medianError(sums.length), method: 'day' };
  }

  /** Approximate bytes held (for the bounded-state report). */
  sizeBytes(): number {
    return (
      64 +
      this.values.size * 40 +
      this.excluded.size * 24 +
      (this.residuals?.byteLength ?? 0) +
      (this.daySums ? this.daySums.byteLength + this.dayStamps!.byteLength : 0)
    );
  }
}
