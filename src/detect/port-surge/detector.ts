/**
 * The port-surge detector: feeds each minute's probe rows to the series (series.ts), and every
 * `evalEveryMin` minutes judges each series' window with the hourly test (hourly-test.ts) and, at
 * hour ends, closes the hour and runs the day test (day-test.ts); the tests' verdicts open, hold and
 * end episodes (episodes.ts), which become findings (alert.ts). The method and its cuts: index.ts.
 */
import type { CoverageSnapshot } from '../coverage.js';
import { type Detector, type Finding, HOUR_MS, MINUTE_MS, type MinuteRows } from '../finding.js';
import { floodedAddresses } from '../flooded-addresses.js';
import { type Baseline, HourBook } from '../seasonal-baseline.js';
import { WatchedTime } from '../watched-time.js';
import { portSurgeFinding } from './alert.js';
import { judgeDay } from './day-test.js';
import { type PortEpisode, PortEpisodes } from './episodes.js';
import { closeHour, judgeWindow } from './hourly-test.js';
import { DEFAULT_PORT_SURGE, type PortSurgeOptions } from './options.js';
import { type Series, SeriesBook, type WindowHours } from './series.js';

/** The time figures of one evaluation at `t` (the end of a minute), shared by every series. */
interface Evaluation {
  readonly t: number;
  readonly hourEnd: boolean;
  /** The hour that ends at `t` (when `hourEnd`). */
  readonly hour: number;
  readonly fraction: number;
  readonly warm: boolean;
  /** The hours the window covers, with its share of each. */
  readonly window: WindowHours;
  /** Minute index of the window's first minute. */
  readonly from: number;
}

/**
 * The hours [from, to) covers and its share of each (a daily step inside the window is then met
 * by the same step in its baseline); complete hours are those before the first.
 */
export function windowHours(fromMs: number, toMs: number): WindowHours {
  const hours: number[] = [];
  const weights: number[] = [];
  for (let h = Math.floor(fromMs / HOUR_MS); h * HOUR_MS < toMs; h++) {
    const a = Math.max(fromMs, h * HOUR_MS);
    const b = Math.min(toMs, (h + 1) * HOUR_MS);
    hours.push(h);
    weights.push((b - a) / (toMs - fromMs));
  }
  return { hours, weights, recentEnd: Math.floor(fromMs / HOUR_MS) };
}

export class PortSurgeDetector implements Detector {
  readonly name = 'port-surge' as const;
  private readonly o: PortSurgeOptions;
  private readonly series: SeriesBook;
  /** What the caps turned away: series not opened, sources counted but not kept. */
  readonly overflow: { readonly series: number; readonly sources: number };
  private readonly episodes = new PortEpisodes();
  private readonly book: HourBook;
  /**
   * Which windows and hours were watched (watched-time.ts): coverage, gaps of the fleet's data, and
   * the fleet's membership (an hour in which a sensor joined or was forgotten is neither the old
   * fleet's nor the new one's; hours of other memberships are read at today's, hour-book.ts).
   */
  private readonly watched: WatchedTime;

  constructor(options: Partial<PortSurgeOptions> = {}) {
    this.o = { ...DEFAULT_PORT_SURGE, ...options };
    this.book = new HourBook(this.o.baseline.weeks * 168 + 48);
    this.series = new SeriesBook(this.o, this.book);
    this.overflow = this.series.overflow;
    this.watched = new WatchedTime(['probes'], this.o.windowMin, this.o.minCoverage, 'probes');
  }

  step(rows: MinuteRows, cov: CoverageSnapshot): Finding[] {
    const m = rows.minuteMs;
    this.watched.minute(m, cov);
    // A flood at one address is the inbound-flood detector's alert, not a surge of its port (or of
    // the random ports a reflection's answers reach): its rows are left out (flooded-addresses.ts).
    const flooded = floodedAddresses(rows.probes);
    for (const r of rows.probes) if (flooded.size === 0 || !flooded.has(r.dst)) this.series.add(r, m);
    const t = m + MINUTE_MS;
    const out: Finding[] = [];
    if ((t / MINUTE_MS) % this.o.evalEveryMin === 0) {
      this.book.refresh((e) => cov.sizeAt('probes', e), cov.epochOf('probes'));
      this.evaluate(t, out);
    }
    return out;
  }

  private evaluate(t: number, out: Finding[]): void {
    const hourEnd = t % HOUR_MS === 0;
    const hour = t / HOUR_MS - 1;
    if (hourEnd) {
      const h = this.watched.closeHour(t);
      this.book.mark(hour, h.watched, h.epoch);
    }
    const windowMs = this.o.windowMin * MINUTE_MS;
    const cutoff = t - windowMs;
    this.series.cutoff = cutoff;
    const ev: Evaluation = {
      t,
      hourEnd,
      hour,
      fraction: this.watched.window('probes'),
      warm: this.watched.warm(t, this.o.warmupMs),
      window: windowHours(cutoff, t),
      from: cutoff / MINUTE_MS,
    };
    for (const [key, s] of this.series.all) {
      // Stale sources are dropped hourly; the window count never includes them.
      if (hourEnd) this.series.dropStale(s, cutoff);
      this.evaluateSeries(key, s, ev, out);
    }
    for (const { e, phase, atMs } of this.episodes.sweep(t, hourEnd, this.o.endAfterMs)) {
      out.push(this.finding(e, phase, atMs));
      if (phase === 'ended')
        for (const s of this.series.all.values()) if (s.portKey === e.portKey) s.cusum = 0;
    }
  }

  private evaluateSeries(key: number, s: Series, ev: Evaluation, out: Finding[]): void {
    const { hourEnd, hour, fraction } = ev;
    const episode = this.episodes.get(s.portKey);
    if (fraction < this.o.minCoverage) return;
    // Only a window that could alert, or an episode's, is judged between hour ends (the sources
    // held bound the window's count from above).
    if (!hourEnd && !episode && this.series.held(s) / fraction < this.o.minCount) return;
    const x = this.series.windowCount(s, ev.from) / fraction;
    if (!hourEnd && !episode && x < this.o.minCount) return;
    // A quiet hour of a quiet series needs no baseline: it only records its zero.
    if (hourEnd && x === 0 && !episode && s.cusum === 0 && !s.hist.hasResiduals()) {
      if (this.book.watched(hour)) s.hist.record(hour, 0, false);
      if (this.series.held(s) === 0 && s.hist.negligible(this.o.forgetBelow)) this.series.forget(key, s);
      return;
    }
    let b = this.series.baselineOf(s, ev.window);
    if (b && !episode) s.frozen = b;
    // A long episode excludes its hours until no usable ones are left in the look-back: it is
    // then measured against the level before it rather than left unjudged (and ended).
    if (!b && episode) b = s.frozen;
    if (b) this.judgeWindow(s, ev, x, b, episode, out);
    if (!hourEnd) return;
    closeHour(this.o, this.book, s, hour, x, b, episode, fraction);
    this.judgeDay(s, ev, out);
    if (this.series.held(s) === 0 && !episode && s.cusum === 0 && s.hist.negligible(this.o.forgetBelow)) {
      this.series.forget(key, s);
    }
  }

  /** The hourly test on `s`'s window count `x`: opens its port's episode, or raises or holds it. */
  private judgeWindow(
    s: Series,
    ev: Evaluation,
    x: number,
    b: Baseline,
    episode: PortEpisode | undefined,
    out: Finding[],
  ): void {
    const { t } = ev;
    const v = judgeWindow(this.o, s, { x, b, fraction: ev.fraction, warm: ev.warm }, () =>
      this.series.spread(s, this.o.minSpread),
    );
    if (v.alarm) {
      const ratio = x / Math.max(b.value, 1);
      if (episode) {
        this.episodes.raise(episode, s.split, t, x, b, v.z, ratio);
        return;
      }
      const windowStart = t - this.o.windowMin * MINUTE_MS;
      const e = this.episodes.open(s, t, {
        by: v.alarm,
        keyMs: windowStart,
        startMs: s.cusum > 0 && s.cusumFromMs >= 0 ? Math.min(windowStart, s.cusumFromMs) : windowStart,
        split: { x, baseline: b.value, z: v.z, peakRatio: ratio, scale: b.scale, method: b.method },
        x,
        b,
        z: v.z,
      });
      out.push(this.finding(e, 'opened', t));
    } else if (episode && v.holds) this.episodes.hold(episode, s.split, t, x, b, v.z);
  }

  /** The day test on `s` at an hour end: opens a slow surge, or holds its own. */
  private judgeDay(s: Series, ev: Evaluation, out: Finding[]): void {
    const { t } = ev;
    const episode = this.episodes.get(s.portKey);
    const v = judgeDay(this.o, this.book, s, { hour: ev.hour, warm: ev.warm, episode }, () =>
      this.series.spread(s, this.o.minSpread),
    );
    if (!v) return;
    if (episode) {
      this.episodes.holdDay(episode, s.split, t, v.sum, v.b, v.z, v.ratio);
      return;
    }
    const last = s.last;
    const e = this.episodes.open(s, t, {
      by: 'day',
      keyMs: t - 24 * HOUR_MS,
      startMs: t - 24 * HOUR_MS,
      split: {
        x: last?.x ?? 0,
        baseline: last?.b.value ?? 0,
        z: last?.z ?? 0,
        peakRatio: v.ratio,
        scale: last?.b.scale,
        method: last?.b.method,
      },
      day: { sum: v.sum, baseline: v.b.value, z: v.z, peakRatio: v.ratio },
      x: v.sum,
      b: v.b,
      z: v.z,
    });
    out.push(this.finding(e, 'opened', t));
  }

  private finding(e: PortEpisode, phase: Finding['phase'], atMs: number): Finding {
    return portSurgeFinding(e, phase, atMs, this.series, this.o.windowMin);
  }

  stateSize(): number {
    return this.series.stateSize() + this.episodes.size;
  }
}
