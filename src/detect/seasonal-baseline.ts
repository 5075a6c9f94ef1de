/**
 * Hourly history of one count series (e.g. distinct sources on 139/TCP from domestic hosts) and its
 * robust seasonal baseline, as docs/methods.md#port-surges prescribes and SANS ISC's flat 30-day mean
 * does not: the median of the same hour-of-week over the past weeks (with a short history the same
 * hour-of-day over the past week), shifted by the median departure of the last 24 hours from their
 * own seasonal values to follow level shifts; before any seasonal value exists, the median of the
 * last 24 hours. Scale: max(1.4826 × MAD of recent residuals, √baseline, 1).
 *
 * Missing is not zero: hours with too little coverage are missing for every series (the
 * {@link HourBook} says which), and hours in which a series was alerting are excluded from its own
 * baseline. Hours the book marks as watched but a series has no value for are zeros, so a sparse
 * series costs nothing until it has counts. State per series: its non-zero hours within the
 * retention (8 weeks) and, once its baseline is large enough for the MAD to matter, a ring of 14
 * days of residuals; the non-zero departures of the last 8 days.
 */
import { mad, mean, median, robustScale } from './stats.js';

export const WEEK_HOURS = 168;

/** Which hours the detector watched with enough coverage (shared by all series of a detector). */
export class HourBook {
  private readonly ok = new Map<number, boolean>();
  private watchedHours = 0;
  constructor(private readonly retainHours: number) {}

  mark(hour: number, watched: boolean): void {
    if (watched && this.ok.get(hour) !== true) this.watchedHours++;
    this.ok.set(hour, watched);
    if (this.ok.get(hour - this.retainHours) === true) this.watchedHours--;
    this.ok.delete(hour - this.retainHours);
  }

  /** Watched hours within the retention. */
  count(): number {
    return this.watchedHours;
  }

  watched(hour: number): boolean {
    return this.ok.get(hour) === true;
  }
}

export interface BaselineOptions {
  /** Weeks of same-hour-of-week history used (docs/methods.md#port-surges: 4–8). */
  readonly weeks: number;
  /** Weight of the last 24 hours' level shift added to the seasonal median (1: all of it). */
  readonly seasonalWeight: number;
  /** Fewest values for each estimate. */
  readonly minSeasonal: number;
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
  minRecent: 6,
  residualHours: 14 * 24,
  madFromBaseline: 4,
};

export interface Baseline {
  readonly value: number;
  readonly scale: number;
  /** Which estimate was used. */
  readonly method: 'hour-of-week' | 'hour-of-day' | 'recent' | 'day';
}

/**
 * Widening of the scale for a baseline that is itself a median of `n` values: the median's
 * variance is about π/2 · σ²/n (asymptotic relative efficiency 2/π), so x − baseline has variance
 * σ² (1 + π/(2n)). With three weeks of history that is 1.24 σ; ignoring it made early alerts
 * against medians of three or four values.
 */
function medianError(n: number): number {
  return Math.sqrt(1 + Math.PI / (2 * Math.max(n, 1)));
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
  private lastRecorded = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly book: HourBook,
    private readonly o: BaselineOptions = DEFAULT_BASELINE,
  ) {}

  /** The value of `hour`: undefined when missing (not watched, or excluded as alerting). */
  get(hour: number): number | undefined {
    if (!this.book.watched(hour) || this.excluded.has(hour)) return undefined;
    return this.values.get(hour) ?? 0;
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

  /** The seasonal value of `hour` alone: hour-of-week median, else hour-of-day over the past week. */
  private seasonal(
    hour: number,
  ): { value: number; mean: number; n: number; method: Baseline['method'] } | undefined {
    const week: number[] = [];
    for (let k = 1; k <= this.o.weeks; k++) {
      const v = this.get(hour - k * WEEK_HOURS);
      if (v !== undefined) week.push(v);
    }
    if (week.length >= this.o.minSeasonal)
      return { value: median(week), mean: mean(week), n: week.length, method: 'hour-of-week' };
    const day: number[] = [];
    for (let d = 1; d <= 7; d++) {
      const v = this.get(hour - d * 24);
      if (v !== undefined) day.push(v);
    }
    if (day.length >= this.o.minSeasonal)
      return { value: median(day), mean: mean(day), n: day.length, method: 'hour-of-day' };
    return undefined;
  }

  /**
   * The baseline for a window centred in hour `midHour`, from complete hours before `recentEnd`
   * (exclusive); undefined while the history is too short (warm-up) or all of it is excluded.
   * With a seasonal value, the last 24 usable hours' median departure from their own seasonal
   * values is added (the blend with the last 24 h: it follows a level shift without flattening
   * the daily cycle); without one, the median of the last 24 usable hours is the baseline.
   * For small counts the median of a few Poisson values is biased low (the median of Poisson(2)
   * samples is often 1), so the baseline is never below the same estimate made with means.
   */
  baseline(midHour: number, recentEnd: number): Baseline | undefined {
    const recent: number[] = [];
    const level: number[] = [];
    // Looking back up to a week past missing and alerting hours, so a long episode is still
    // measured against the level before it.
    for (let h = recentEnd - 1; h >= recentEnd - 7 * 24 && recent.length < 24; h--) {
      const v = this.get(h);
      if (v === undefined) continue;
      recent.push(v);
      if (this.levelSince >= 0 && h >= this.levelSince) level.push(this.departures.get(h) ?? 0);
    }
    const s = this.seasonal(midHour);
    let value: number;
    let method: Baseline['method'];
    let n: number;
    if (s) {
      const enough = level.length >= this.o.minRecent;
      const shift = enough ? median(level) : 0;
      const meanShift = enough ? mean(level) : 0;
      const w = this.o.seasonalWeight;
      value = Math.max(0, s.value + w * shift, s.mean + w * meanShift);
      method = s.method;
      n = s.n;
    } else if (recent.length >= this.o.minRecent) {
      // No seasonal model yet: the recent hours' own spread (the daily cycle included) is the scale.
      value = Math.max(median(recent), mean(recent));
      return { value, scale: robustScale(mad(recent), value) * medianError(recent.length), method: 'recent' };
    } else return undefined;
    return { value, scale: robustScale(this.residualMad, value) * medianError(n), method };
  }

  /**
   * Sum of the `hours` hourly values ending with `lastHour` (inclusive): with `withExcluded` the
   * hours a series was alerting count too (the current day of an episode), without it they are
   * missing. Scaled up from at least five sixths of the hours usable; undefined with fewer.
   */
  windowSum(lastHour: number, hours: number, withExcluded: boolean): number | undefined {
    // Past days' sums are read again every hour for weeks: kept (a complete hour's value and
    // whether it was watched or alerting never change once recorded).
    const cached = hours === 24 && !withExcluded && this.daySums !== null;
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
      sum += this.values.get(h) ?? 0;
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
