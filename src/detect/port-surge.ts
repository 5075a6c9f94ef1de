/**
 * Port surges: a sudden rise in the number of distinct sources probing one port — the 139/TCP rise
 * after MS06-040 (seed 000 §2.2.2, figure 2.9), a game-software vulnerability being probed
 * (seed 001). Following METHODS.md ("Port surges", doing better than SANS ISC's trend score):
 *
 * - Series: distinct sources per (protocol, port, domestic/foreign) in a sliding 60-minute window,
 *   evaluated every 5 minutes (so the delay is not bound to hour ends), divided by the share of
 *   the fleet's usual probe volume whose streams were active (coverage.ts) — a silent sensor is
 *   missing, not a quiet port. Sources, not packets: one noisy scanner adds one.
 * - Baseline and scale: seasonal-baseline.ts (hour-of-week median blended with the last 24 h;
 *   max(1.4826 × MAD, √baseline, 1)). Complete hours are recorded at hour ends; hours in which the
 *   port was alerting do not feed it (for at most `maxExcludeMs`, after which a lasting level is
 *   accepted as the new normal).
 * - Alert: z = (x − baseline) / scale above `zAlert`, with at least `minCount` sources, `minExcess`
 *   above baseline, P(X ≥ x) < `alpha` under Poisson(baseline) and sources spread over ≥ 2 sensors
 *   or ASNs; or a one-sided CUSUM of the hourly z (Page 1954) for slow ramps. Iglewicz and Hoaglin's
 *   3.5 and METHODS.md's k 0.5, h 5 are cuts for one series: here hundreds of (port, split) series
 *   are tested 12 times an hour, and on the simulator's background the hourly z of quiet series
 *   has a heavier tail than the normal (0.16 % above 3.5 instead of 0.02 %, because each baseline
 *   is a median of a handful of values), which gave dozens of false surges a month. The defaults —
 *   z > 4.5, α = 10⁻⁷, CUSUM k 1, h 10 — keep family-wise false alarms near zero on 30-day
 *   simulated sets (BENCHMARKS.md) at the price of later detection of weak ramps.
 * - Slow surges (the day test, `judgeDay`): a rise of a quarter in sources is a fraction of one
 *   hour's spread but several times a day's, so at each hour end the last 24 hours' sum of hourly
 *   distinct sources is compared with the same 24 hours on each of the previous two weeks (median,
 *   MAD; the same weekday's level when higher). It alerts above z 6 and 1.1× when the last 6 hours
 *   stand out on their own (z ≥ 2: still rising, not an ended burst in the sum) and the day holds no
 *   hours of an earlier episode; such an episode holds while that z ≥ 3. Delay: about a day.
 * - Episode: per (protocol, port), both splits joining one alert; it continues while z ≥ 3 (at 2, noise alone kept
 *   ended surges open for hours: a dozen windows an hour are tested) or the
 *   CUSUM stays above h/2 and ends after `endAfterMs` without that. A later rise is a new alert.
 *
 * State: per series its sources of the last hour and its seasonal history; a series averaging
 * less than `forgetBelow` sources per watched hour with no current sources is dropped (its hours then
 * read as zeros, nearly what they were), so the random ports of background probing cost nothing
 * for long.
 */
import { PROTOCOL_NUMBERS, type Protocol } from '../core/index.js';
import { serviceName } from '../observe/index.js';
import type { Severity } from './alerts.js';
import type { CoverageSnapshot } from './coverage.js';
import {
  type Detector,
  type Finding,
  HOUR_MS,
  iso,
  MINUTE_MS,
  type MinuteRows,
  sig,
  topEntries,
} from './finding.js';
import {
  type Baseline,
  type BaselineOptions,
  DEFAULT_BASELINE,
  HourBook,
  SeasonalSeries,
} from './seasonal-baseline.js';
import { cusumStep, poissonUpperTail } from './stats.js';

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
  /** Sources must come through at least this many sensors or ASNs. */
  readonly minSpread: number;
  /** Windows whose mean coverage is below this are missing. */
  readonly minCoverage: number;
  readonly endAfterMs: number;
  /** The day test: z of the 24-hour sum of hourly distinct sources above this opens a slow surge… */
  readonly dayZAlert: number;
  /** …if that sum is at least this multiple of its baseline; the episode holds while z ≥ `dayZContinue`. */
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
  minSpread: 2,
  minCoverage: 0.5,
  endAfterMs: 6 * HOUR_MS,
  dayZAlert: 6,
  dayMinRatio: 1.1,
  dayZContinue: 3,
  dayRecentZ: 2,
  dayDays: 14,
  dayMinDays: 5,
  warmupMs: 24 * HOUR_MS,
  maxExcludeMs: 14 * 24 * HOUR_MS,
  forgetBelow: 0.05,
  baseline: DEFAULT_BASELINE,
};

interface SourceSeen {
  last: number;
  packets: number;
  country: string | null;
  asn: number | null;
  sensor: string;
}

type Split = 'domestic' | 'foreign' | 'all';

interface Series {
  readonly proto: Protocol;
  readonly port: number | null;
  readonly portKey: string;
  readonly split: Split;
  /** The split's sources; empty for 'all', which counts its two halves (a source has one country). */
  readonly sources: Map<string, SourceSeen>;
  readonly parts: Series[];
  /**
   * Sources by the minute they were last seen, as a ring over the window (`stamps` says which
   * minute a slot holds): the window's distinct count without walking the sources.
   */
  readonly counts: Int32Array;
  readonly stamps: Float64Array;
  /** Baseline memo: it changes only when the window's hours do. */
  memo?: { mid: number; recentEnd: number; b: Baseline | undefined };
  readonly hist: SeasonalSeries;
  cusum: number;
  cusumFromMs: number;
  last?: { x: number; b: Baseline; z: number; fraction: number };
  /** The last baseline outside an episode: what a long episode is measured against. */
  frozen?: Baseline;
}

/** One split's figures in an episode: its window count, baseline, z and largest ratio so far. */
interface SplitFigures {
  x: number;
  baseline: number;
  z: number;
  peakRatio: number;
  scale?: number | undefined;
  method?: string | undefined;
}

interface DayFigures {
  sum: number;
  baseline: number;
  z: number;
  peakRatio: number;
}

interface PortEpisode {
  readonly key: string;
  readonly portKey: string;
  readonly proto: Protocol;
  readonly port: number | null;
  readonly startMs: number;
  readonly detectedMs: number;
  lastActiveMs: number;
  readonly splits: Map<Split, SplitFigures>;
  /** The day test's figures per split (sums of hourly distinct sources over 24 h), when it ran. */
  readonly day: Map<Split, DayFigures>;
  /** What held at detection: the split, its count (a 24-hour sum for the day test), baseline, z and CUSUM. */
  readonly trigger: {
    by: 'z' | 'cusum' | 'day';
    split: Split;
    x: number;
    baseline: number;
    z: number;
    cusum: number;
    method: string;
  };
}

const portKeyOf = (proto: Protocol, port: number | null) => `${port ?? '-'}/${proto}`;

/** A number per (protocol, port, split), cheaper to hash than a string on every probe row. */
interface SeriesPoint {
  hour: string;
  sources: number | null;
  /** False for the episode's own hours, kept out of the baseline. */
  in_baseline: boolean;
}

function hourlySeries(s: Series, atMs: number, hours: number): SeriesPoint[] {
  const end = Math.floor(atMs / HOUR_MS);
  const out: SeriesPoint[] = [];
  for (let h = end - hours; h < end; h++) {
    const v = s.hist.observed(h);
    out.push({
      hour: iso(h * HOUR_MS),
      sources: v ? sig(v.value) : null,
      in_baseline: v?.inBaseline ?? false,
    });
  }
  return out;
}

function seriesKey(proto: Protocol, port: number | null, split: Split): number {
  const p = PROTOCOL_NUMBERS[proto as Exclude<Protocol, 'other'>] ?? 255;
  return (p * 65537 + (port ?? -1) + 1) * 3 + (split === 'domestic' ? 1 : split === 'foreign' ? 2 : 0);
}

export class PortSurgeDetector implements Detector {
  readonly name = 'port-surge' as const;
  private readonly o: PortSurgeOptions;
  private readonly series = new Map<number, Series>();
  /** Source entries held over all series (bounded by `maxSources`). */
  private entries = 0;
  /** What the caps turned away: series not opened, sources counted but not kept. */
  readonly overflow = { series: 0, sources: 0 };
  private readonly episodes = new Map<string, PortEpisode>();
  private readonly book: HourBook;
  private readonly fractions: Float64Array;
  private firstMs = -1;
  private cutoff = 0;
  private hourFraction = 0;
  private hourMinutes = 0;

  constructor(options: Partial<PortSurgeOptions> = {}) {
    this.o = { ...DEFAULT_PORT_SURGE, ...options };
    this.book = new HourBook(this.o.baseline.weeks * 168 + 48);
    this.fractions = new Float64Array(this.o.windowMin).fill(Number.NaN);
  }

  step(rows: MinuteRows, cov: CoverageSnapshot): Finding[] {
    const m = rows.minuteMs;
    if (this.firstMs < 0) this.firstMs = m;
    const f = cov.fraction('probes');
    this.fractions[(m / MINUTE_MS) % this.o.windowMin] = f;
    this.hourFraction += f;
    this.hourMinutes++;
    for (const r of rows.probes) this.add(r.proto, r.port, r.src, m, r.packets, r.country, r.asn, r.sensor);
    const t = m + MINUTE_MS;
    const out: Finding[] = [];
    if ((t / MINUTE_MS) % this.o.evalEveryMin === 0) this.evaluate(t, out);
    return out;
  }

  private add(
    proto: Protocol,
    port: number | null,
    src: string,
    m: number,
    packets: number,
    country: string | null,
    asn: number | null,
    sensor: string,
  ): void {
    const split: Split = country === this.o.domesticCountry ? 'domestic' : 'foreign';
    const key = seriesKey(proto, port, split);
    let s = this.series.get(key);
    if (!s) {
      // Bounded state: a flood over random ports opens no series beyond the cap (those seen before
      // it go on being watched).
      if (this.series.size >= this.o.maxSeries) {
        this.overflow.series++;
        return;
      }
      s = this.newSeries(proto, port, split);
      this.series.set(key, s);
      const allKey = seriesKey(proto, port, 'all');
      let all = this.series.get(allKey);
      if (!all) {
        all = this.newSeries(proto, port, 'all');
        this.series.set(allKey, all);
      }
      all.parts.push(s);
    }
    const mi = m / MINUTE_MS;
    const seen = s.sources.get(src);
    if (seen) {
      if (seen.last !== m) {
        const old = seen.last / MINUTE_MS;
        const oi = old % this.o.windowMin;
        if (s.stamps[oi] === old) s.counts[oi]!--;
        this.bucket(s, mi);
        seen.last = m;
      }
      seen.packets += packets;
      seen.sensor = sensor;
    } else {
      // Beyond the cap on sources held, a new source is still counted in its minute but not kept
      // (a flood of spoofed sources then reads as a surge, which it is, without exhausting memory).
      if (this.entries < this.o.maxSources) {
        s.sources.set(src, { last: m, packets, country, asn, sensor });
        this.entries++;
      } else this.overflow.sources++;
      this.bucket(s, mi);
    }
  }

  private newSeries(proto: Protocol, port: number | null, split: Split): Series {
    return {
      proto,
      port,
      portKey: portKeyOf(proto, port),
      split,
      sources: new Map(),
      parts: [],
      counts: new Int32Array(this.o.windowMin),
      stamps: new Float64Array(this.o.windowMin).fill(-1),
      hist: new SeasonalSeries(this.book, this.o.baseline),
      cusum: 0,
      cusumFromMs: -1,
    };
  }

  /** The sources a series holds ('all': both halves'). */
  private *sourcesOf(s: Series): Iterable<[string, SourceSeen]> {
    if (s.parts.length === 0) yield* s.sources;
    else for (const p of s.parts) yield* p.sources;
  }

  private held(s: Series): number {
    let n = s.sources.size;
    for (const p of s.parts) n += p.sources.size;
    return n;
  }

  /** Drops a series (an 'all' one only once its halves are gone). */
  private forget(key: number, s: Series): void {
    if (s.split === 'all' && s.parts.length > 0) return;
    this.series.delete(key);
    this.entries -= s.sources.size;
    const all = s.split === 'all' ? undefined : this.series.get(seriesKey(s.proto, s.port, 'all'));
    if (all) all.parts.splice(all.parts.indexOf(s), 1);
  }

  private bucket(s: Series, minuteIndex: number): void {
    const i = minuteIndex % this.o.windowMin;
    if (s.stamps[i] !== minuteIndex) {
      s.stamps[i] = minuteIndex;
      s.counts[i] = 0;
    }
    s.counts[i]!++;
  }

  /** Distinct sources last seen at or after minute index `from`. */
  private windowCount(s: Series, from: number): number {
    let n = 0;
    for (const p of s.parts) n += this.windowCount(p, from);
    for (let i = 0; i < s.counts.length; i++) if (s.stamps[i]! >= from) n += s.counts[i]!;
    return n;
  }

  private baselineOf(s: Series, mid: number, recentEnd: number): Baseline | undefined {
    if (s.memo?.mid !== mid || s.memo.recentEnd !== recentEnd) {
      s.memo = { mid, recentEnd, b: s.hist.baseline(mid, recentEnd) };
    }
    return s.memo.b;
  }

  private windowFraction(): number {
    let sum = 0;
    let n = 0;
    for (const v of this.fractions) {
      if (!Number.isNaN(v)) {
        sum += v;
        n++;
      }
    }
    return n === this.o.windowMin ? sum / n : 0;
  }

  private evaluate(t: number, out: Finding[]): void {
    const hourEnd = t % HOUR_MS === 0;
    const hour = t / HOUR_MS - 1;
    if (hourEnd) {
      const watched = this.hourMinutes === 60 && this.hourFraction / 60 >= this.o.minCoverage;
      this.book.mark(hour, watched && t - HOUR_MS >= this.firstMs);
      this.hourFraction = 0;
      this.hourMinutes = 0;
    }
    const fraction = this.windowFraction();
    const warm = t - this.firstMs >= this.o.warmupMs;
    const midHour = Math.floor((t - (this.o.windowMin * MINUTE_MS) / 2) / HOUR_MS);
    const recentEnd = Math.floor((t - this.o.windowMin * MINUTE_MS) / HOUR_MS);
    const cutoff = t - this.o.windowMin * MINUTE_MS;
    this.cutoff = cutoff;
    const from = cutoff / MINUTE_MS;
    for (const [key, s] of this.series) {
      // Stale sources are dropped hourly; the window count never includes them.
      if (hourEnd) {
        for (const [src, seen] of s.sources) {
          if (seen.last < cutoff) {
            s.sources.delete(src);
            this.entries--;
          }
        }
      }
      const episode = this.episodes.get(s.portKey);
      if (fraction < this.o.minCoverage) continue;
      // Only a window that could alert, or an episode's, is judged between hour ends (the sources
      // held bound the window's count from above).
      if (!hourEnd && !episode && this.held(s) / fraction < this.o.minCount) continue;
      const x = this.windowCount(s, from) / fraction;
      if (!hourEnd && !episode && x < this.o.minCount) continue;
      // A quiet hour of a quiet series needs no baseline: it only records its zero.
      if (hourEnd && x === 0 && !episode && s.cusum === 0 && !s.hist.hasResiduals()) {
        if (this.book.watched(hour)) s.hist.record(hour, 0, false);
        if (this.held(s) === 0 && s.hist.negligible(this.o.forgetBelow)) this.forget(key, s);
        continue;
      }
      let b = this.baselineOf(s, midHour, recentEnd);
      if (b && !episode) s.frozen = b;
      // A long episode excludes its hours until no usable ones are left in the look-back: it is
      // then measured against the level before it rather than left unjudged (and ended).
      if (!b && episode) b = s.frozen;
      if (b) this.judge(s, t, x, b, fraction, warm, episode, out);
      if (!hourEnd) continue;
      this.closeHour(s, hour, x, b, episode);
      this.judgeDay(s, t, hour, warm, out);
      if (this.held(s) === 0 && !episode && s.cusum === 0 && s.hist.negligible(this.o.forgetBelow)) {
        this.forget(key, s);
      }
    }
    for (const [pk, e] of this.episodes) {
      if (t - e.lastActiveMs >= this.o.endAfterMs) {
        this.episodes.delete(pk);
        out.push(this.finding(e, 'ended', e.lastActiveMs));
        for (const s of this.series.values()) if (s.portKey === pk) s.cusum = 0;
      } else if (hourEnd && e.lastActiveMs === t) out.push(this.finding(e, 'updated', t));
    }
  }

  private judge(
    s: Series,
    t: number,
    x: number,
    b: Baseline,
    fraction: number,
    warm: boolean,
    episode: PortEpisode | undefined,
    out: Finding[],
  ): void {
    const z = (x - b.value) / b.scale;
    s.last = { x, b, z, fraction };
    const big = x >= this.o.minCount && x - b.value >= this.o.minExcess;
    // Small counts are tested exactly (Poisson) as well: the normal approximation behind z is too
    // generous for a port with a handful of sources an hour, and many such ports are watched.
    const byZ =
      z > this.o.zAlert && big && poissonUpperTail(Math.round(x), Math.max(b.value, 0.1)) < this.o.alpha;
    // A CUSUM alarm also needs the current window to stand out (z ≥ 2 and unlikely under Poisson).
    const byCusum =
      s.cusum > this.o.cusumH &&
      big &&
      z >= this.o.zContinue &&
      poissonUpperTail(Math.round(x), Math.max(b.value, 0.1)) < this.o.cusumAlpha;
    if ((byZ || byCusum) && warm && this.spread(s) >= this.o.minSpread) {
      const ratio = x / Math.max(b.value, 1);
      if (!episode) {
        const windowStart = t - this.o.windowMin * MINUTE_MS;
        this.open(s, t, out, {
          by: byZ ? 'z' : 'cusum',
          keyMs: windowStart,
          startMs: s.cusum > 0 && s.cusumFromMs >= 0 ? Math.min(windowStart, s.cusumFromMs) : windowStart,
          split: { x, baseline: b.value, z, peakRatio: ratio, scale: b.scale, method: b.method },
          x,
          b,
          z,
        });
        return;
      }
      const prev = episode.splits.get(s.split);
      episode.splits.set(s.split, {
        x,
        baseline: b.value,
        z,
        peakRatio: Math.max(prev?.peakRatio ?? 0, ratio),
        scale: b.scale,
        method: b.method,
      });
      episode.lastActiveMs = t;
      return;
    }
    if (episode && (z >= this.o.zContinue || s.cusum > this.o.cusumH / 2) && x - b.value >= 1) {
      const prev = episode.splits.get(s.split);
      if (prev) {
        episode.splits.set(s.split, {
          x,
          baseline: b.value,
          z,
          peakRatio: prev.peakRatio,
          scale: b.scale,
          method: b.method,
        });
        episode.lastActiveMs = t;
      }
    }
  }

  /**
   * The day test, for slow surges the hourly windows cannot tell from noise (a 1.25× rise is a
   * fraction of one hour's spread, but a day's sum of hourly distinct sources varies by a few per
   * cent from day to day): at each hour end, the last 24 hours' sum against the same 24 hours on
   * each of the previous two weeks (seasonal-baseline.ts `dayBaseline`). Only series busy enough to
   * keep residuals are tested. A source still counts once per hour at most, so one noisy scanner
   * adds at most 24 to a day however many packets it sends.
   */
  private judgeDay(s: Series, t: number, hour: number, warm: boolean, out: Finding[]): void {
    if (!s.hist.hasResiduals() || !this.book.watched(hour)) return;
    s.hist.keepDaySums();
    const episode = this.episodes.get(s.portKey);
    // The day test only opens episodes and holds its own; an hourly episode is the hourly test's.
    if (episode && episode.trigger.by !== 'day') return;
    // A new slow surge needs a day without alerting hours in it: a day that still holds an ended
    // episode's hours is that episode's tail, not a new rise.
    const sum = s.hist.windowSum(hour, 24, episode !== undefined);
    if (sum === undefined) return;
    // Most hours of most series are nowhere near 1.1× their days: skipped before the medians.
    if (!episode && !s.hist.dayMedianMayBeAtMost(hour, this.o.dayDays, sum, this.o.dayMinRatio)) return;
    const b = s.hist.windowBaseline(hour, 24, this.o.dayDays, this.o.dayMinDays);
    if (!b) return;
    const z = (sum - b.value) / b.scale;
    const ratio = sum / Math.max(b.value, 1);
    if (episode) {
      if (z < this.o.dayZContinue) return;
      episode.lastActiveMs = t;
      const prev = episode.day.get(s.split);
      episode.day.set(s.split, {
        sum,
        baseline: b.value,
        z,
        peakRatio: Math.max(prev?.peakRatio ?? 0, ratio),
      });
      return;
    }
    if (
      !warm ||
      z <= this.o.dayZAlert ||
      ratio < this.o.dayMinRatio ||
      sum - b.value < this.o.minExcess ||
      !this.stillRising(s, hour) ||
      this.spread(s) < this.o.minSpread
    )
      return;
    const last = s.last;
    this.open(s, t, out, {
      by: 'day',
      keyMs: t - 24 * HOUR_MS,
      startMs: t - 24 * HOUR_MS,
      split: {
        x: last?.x ?? 0,
        baseline: last?.b.value ?? 0,
        z: last?.z ?? 0,
        peakRatio: ratio,
        scale: last?.b.scale,
        method: last?.b.method,
      },
      day: { sum, baseline: b.value, z, peakRatio: ratio },
      x: sum,
      b,
      z,
    });
  }

  /** Opens an episode on `s`'s port at `t`; `x`, `b` and `z` are what triggered it. */
  private open(
    s: Series,
    t: number,
    out: Finding[],
    o: {
      by: PortEpisode['trigger']['by'];
      keyMs: number;
      startMs: number;
      split: SplitFigures;
      day?: DayFigures;
      x: number;
      b: Baseline;
      z: number;
    },
  ): void {
    const portKey = portKeyOf(s.proto, s.port);
    const e: PortEpisode = {
      key: `port-surge:${portKey}:${o.keyMs}`,
      portKey,
      proto: s.proto,
      port: s.port,
      startMs: o.startMs,
      detectedMs: t,
      lastActiveMs: t,
      splits: new Map([[s.split, o.split]]),
      day: new Map(o.day ? [[s.split, o.day]] : []),
      trigger: {
        by: o.by,
        split: s.split,
        x: sig(o.x),
        baseline: sig(o.b.value),
        z: sig(o.z),
        cusum: sig(s.cusum),
        method: o.b.method,
      },
    };
    this.episodes.set(portKey, e);
    out.push(this.finding(e, 'opened', t));
  }

  /**
   * The last quarter of the day stands out on its own (z ≥ `dayRecentZ` against the same 6 hours of
   * the previous days): the rise is going on now, rather than a burst that ended hours ago still
   * sitting in the 24-hour sum.
   */
  private stillRising(s: Series, hour: number): boolean {
    const recent = s.hist.windowSum(hour, 6, false);
    const b = s.hist.windowBaseline(hour, 6, this.o.dayDays, this.o.dayMinDays);
    return recent !== undefined && b !== undefined && (recent - b.value) / b.scale >= this.o.dayRecentZ;
  }

  /** Records the hour just completed: its value, residual and CUSUM step. */
  private closeHour(
    s: Series,
    hour: number,
    x: number,
    b: Baseline | undefined,
    e: PortEpisode | undefined,
  ): void {
    if (!this.book.watched(hour)) return;
    const alerting = e !== undefined && hour * HOUR_MS - e.startMs < this.o.maxExcludeMs;
    s.hist.record(hour, x, alerting);
    // The CUSUM runs only on seasonal baselines: against a flat recent median the daily cycle
    // itself would look like a ramp.
    if (!b || b.method === 'recent') return;
    const z = (x - b.value) / b.scale;
    if (!alerting) s.hist.recordResidual(b.value, x - b.value);
    const before = s.cusum;
    s.cusum = cusumStep(s.cusum, z, this.o.cusumK);
    // During an episode the sum would keep climbing on the episode's own hours and then hold the
    // episode open for days after it ends: it is capped at the continuation level (a ramp still
    // going on climbs past it again within the hour).
    if (alerting) s.cusum = Math.min(s.cusum, this.o.cusumH / 2);
    if (before === 0 && s.cusum > 0) s.cusumFromMs = hour * HOUR_MS;
    if (s.cusum === 0) s.cusumFromMs = -1;
  }

  /** Distinct sensors or ASNs (the larger) among the window's sources. */
  private spread(s: Series): number {
    const sensors = new Set<string>();
    const asns = new Set<number>();
    for (const [, v] of this.sourcesOf(s)) {
      if (v.last < this.cutoff) continue;
      sensors.add(v.sensor);
      if (v.asn !== null) asns.add(v.asn);
      if (sensors.size >= this.o.minSpread || asns.size >= this.o.minSpread) break;
    }
    return Math.max(sensors.size, asns.size);
  }

  private finding(e: PortEpisode, phase: Finding['phase'], atMs: number): Finding {
    const service = e.port === null ? '' : serviceName(e.port, e.proto);
    const parts = [...e.splits.entries()];
    const days = [...e.day.entries()];
    // A slow surge's magnitude is its day's (an hour of it may stand higher, but that hour alone was
    // not enough to alert).
    const peak =
      e.trigger.by === 'day'
        ? Math.max(...days.map(([, v]) => v.peakRatio))
        : Math.max(...parts.map(([, v]) => v.peakRatio));
    const maxZ = Math.max(...parts.map(([, v]) => v.z));
    // Evidence from the port's whole window (its 'all' series sees every source once).
    const sources = new Map<string, number>();
    const countries = new Map<string, number>();
    const sensors = new Map<string, number>();
    const all = this.seriesOf(e.proto, e.port, 'all');
    for (const [src, v] of all ? this.sourcesOf(all) : []) {
      if (v.last < this.cutoff) continue;
      sources.set(src, v.packets);
      countries.set(v.country ?? '??', (countries.get(v.country ?? '??') ?? 0) + 1);
      sensors.set(v.sensor, (sensors.get(v.sensor) ?? 0) + 1);
    }
    const severity: Severity = peak >= 5 || maxZ >= 20 ? 'high' : peak >= 2 || maxZ >= 8 ? 'medium' : 'low';
    const splitNames = parts.map(([k]) => k).join(' and ');
    return {
      detector: 'port-surge',
      kind: 'port-surge',
      key: e.key,
      phase,
      subject: { proto: e.proto, port: e.port, splits: parts.map(([k]) => k) },
      startMs: e.startMs,
      detectedMs: e.detectedMs,
      lastMs: atMs,
      severity,
      title:
        `${e.trigger.by === 'day' ? 'Slow surge' : 'Surge'} on ${e.port ?? '-'}/${e.proto}${service ? ` (${service})` : ''}: ` +
        `${sig(peak, 2)}× baseline distinct sources${e.trigger.by === 'day' ? ' over 24 h' : ''} (${splitNames})`,
      evidence: {
        service: service || null,
        trigger: e.trigger,
        magnitude: sig(peak),
        splits: Object.fromEntries(
          parts.map(([k, v]) => [
            k,
            {
              sources: sig(v.x),
              baseline: sig(v.baseline),
              scale: v.scale === undefined ? null : sig(v.scale),
              z: sig(v.z),
              peak_ratio: sig(v.peakRatio),
              baseline_method: v.method ?? null,
            },
          ]),
        ),
        // The day test (slow surges): 24-hour sums of hourly distinct sources against the same
        // 24 hours of the previous two weeks.
        day: Object.fromEntries(
          days.map(([k, v]) => [
            k,
            {
              source_hours: sig(v.sum),
              baseline: sig(v.baseline),
              z: sig(v.z),
              peak_ratio: sig(v.peakRatio),
            },
          ]),
        ),
        top_sources: topEntries(sources, 10).map(([src, packets]) => ({ src, packets })),
        // The last two days of complete hours, distinct sources (null: not watched or not yet kept).
        series: all ? hourlySeries(all, atMs, 48) : [],
        countries: topEntries(countries, 10).map(([country, n]) => ({ country, sources: n })),
        sensors: topEntries(sensors, 10).map(([sensor, n]) => ({ sensor, sources: n })),
        window_min: this.o.windowMin,
        ended: phase === 'ended' ? iso(atMs) : null,
        method: 'distinct sources per 60 min vs seasonal median/MAD baseline; METHODS.md "Port surges"',
      },
    };
  }

  private seriesOf(proto: Protocol, port: number | null, split: Split): Series | undefined {
    return this.series.get(seriesKey(proto, port, split));
  }

  stateSize(): number {
    let n = 0;
    for (const s of this.series.values()) n += 1 + s.sources.size;
    return n + this.episodes.size;
  }
}
