/**
 * Sensor health, volume side (delivery silence is sensor-silence.ts): a sensor stream (sensor ×
 * event kind) whose events stop — silent for longer than its usual rate makes plausible, as
 * coverage.ts decides — or whose hourly volume jumps or collapses against its usual share of the
 * fleet's volume (docs/methods.md#sensor-health: sensors fail silently; a silent or collapsing
 * sensor raises its own alert and is excluded from baselines, not counted as zero traffic).
 *
 * Shares, not counts: a fleet-wide surge or a quiet night moves every sensor together and is not a
 * sensor problem; a sensor whose share of the fleet's volume is `jumpRatio` times its usual share
 * (z > 4.5 both on the log scale and on the shares themselves: `levelZ`) is. Iglewicz and
 * Hoaglin's 3.5 is a cut for one series; a fleet of 20 streams judged every hour is 15,000 tests a
 * month (one of 150 streams, 100,000), and at 3.5 the ordinary bursts of a simulated 20-sensor
 * fleet gave six false jumps in 30 days. The usual share is the median of the same
 * hour of day over the past week: sensors' days differ (a firewall at a business is busy from nine,
 * a darknet is not), so a sensor's share has its own daily cycle, and a week's median of every hour
 * would read its busy hours as a jump every day. The MAD is the larger of the same hour's and of
 * the whole week's (a few same-hour values understate the spread). Nothing is judged before
 * `minHistoryHours` of shares and `minSameHour` values of the hour: with a day of history, one
 * sweep of a small darknet block is "7 × its usual share" (docs/methods.md#sensor-health). One
 * alert per episode: `silent` ends when events arrive again, `jump`/`drop` when an hour is back
 * within bounds.
 *
 * Silence is a stream's own (coverage.ts): the whole fleet falling silent at once is a gap in the
 * data (docs/methods.md#daily-and-weekly-cycles-gaps) and raises nothing here; its hours are not
 * judged and do not enter the usual shares. A sensor joining adds a stream that is judged once it
 * has `minHistoryHours` of shares; a sensor leaving is one silent stream, reported once.
 *
 * State: per stream one week of hourly ln-shares (168 numbers, by hour of week) and its open
 * episodes.
 */
import type { EventKind } from '../core/index.js';
import type { Severity } from './alerts.js';
import { medianError } from './baseline.js';
import type { CoverageSnapshot, StreamStatus } from './coverage.js';
import { type DetectorDescriptor, listOf } from './descriptor.js';
import { type Detector, type Finding, HOUR_MS, iso, MINUTE_MS, type MinuteRows, sig } from './finding.js';
import { MAD_TO_SIGMA, mad, median } from './stats.js';

const WEEK_HOURS = 168;

export interface SensorHealthOptions {
  /** A jump: this many times the usual share… */
  readonly jumpRatio: number;
  /** …a drop: at most this fraction of it (but not zero: silence is its own alert). */
  readonly dropRatio: number;
  readonly zAlert: number;
  /** Hours of shares (in the past week) needed before jumps and drops are judged. */
  readonly minHistoryHours: number;
  /** Values of the same hour of day (in the past week) needed before that hour is judged. */
  readonly minSameHour: number;
  /** Fewest events an hour must differ from the expected volume by. */
  readonly minDifference: number;
}

export const DEFAULT_SENSOR_HEALTH: SensorHealthOptions = {
  jumpRatio: 5,
  dropRatio: 0.1,
  zAlert: 4.5,
  minHistoryHours: 72,
  minSameHour: 3,
  minDifference: 100,
};

interface StreamState {
  readonly sensor: string;
  readonly kind: EventKind;
  hourEvents: number;
  activeAllHour: boolean;
  /** ln of the share of the fleet's volume per hour of the past week (`logShare`), at hour % 168. */
  readonly logShares: Float64Array;
  /** The hour each slot of `logShares` holds (NaN: not known). */
  readonly shareHours: Float64Array;
  /** The usual share of the hour being closed (`usualShare`); undefined while not judged. */
  usual?: UsualShare | undefined;
  silent?: { key: string; startMs: number; detectedMs: number };
  level?: {
    key: string;
    type: 'jump' | 'drop';
    startMs: number;
    detectedMs: number;
    x: number;
    expected: number;
  };
}

/** A stream's usual share of an hour, on the log scale (`usualShare`). */
interface UsualShare {
  /** Median of the same hour's log shares. */
  readonly center: number;
  /** The share it stands for (e^center). */
  readonly med: number;
  /** The larger of the same hour's and the week's MAD of log shares… */
  readonly mad: number;
  /** …and of the shares themselves. */
  readonly linearMad: number;
  /** Values of the same hour the median has. */
  readonly n: number;
}

/**
 * ln of a stream's share of the fleet's hourly volume; the half event keeps a quiet hour finite
 * (a stream active all hour with no event is rare but possible).
 */
function logShare(x: number, total: number): number {
  return Math.log((x + 0.5) / total);
}

/**
 * z of an hour's `x` events of a fleet `total` against the usual share, under two models of a
 * stream's noise, each widened for the median of only `n` values of the hour (√(1 + π/(2n)): a
 * median of 3 is itself uncertain — baseline.ts `medianError`):
 * - `log`: multiplicative. A stream's hourly share varies by a factor (a firewall hit by a
 *   background sweep carries ten times its share for an hour, then a fifth of it): ln-shares are
 *   about normal where the shares are skewed far to the right, and a MAD of shares read those
 *   bursts as jumps. Scale: 1.4826 × MAD of ln-shares, at least the Poisson 1/√expected.
 * - `linear`: additive, max(1.4826 × MAD of shares, √expected, 1) in events. Its left tail is
 *   the honest one: a darknet's events come in clumps (one scanner, hundreds of packets), so an
 *   hour with one event where 57 are usual is an ordinary lull, which on the log scale (ln 1.5/57)
 *   would read as a collapse.
 * An hour is abnormal only when it is so under both.
 */
function levelZ(x: number, total: number, usual: UsualShare): { linear: number; log: number } {
  const expected = usual.med * total;
  const widen = medianError(usual.n);
  const logSigma = Math.max(MAD_TO_SIGMA * usual.mad, 1 / Math.sqrt(Math.max(expected, 1)));
  const linearScale = Math.max(MAD_TO_SIGMA * usual.linearMad * total, Math.sqrt(expected), 1);
  return {
    linear: (x - expected) / (linearScale * widen),
    log: (logShare(x, total) - usual.center) / (logSigma * widen),
  };
}

export class SensorHealthDetector implements Detector {
  readonly name = 'sensor-health' as const;
  private readonly o: SensorHealthOptions;
  private readonly streams = new Map<StreamStatus, StreamState>();

  constructor(options: Partial<SensorHealthOptions> = {}) {
    this.o = { ...DEFAULT_SENSOR_HEALTH, ...options };
  }

  step(rows: MinuteRows, cov: CoverageSnapshot): Finding[] {
    const m = rows.minuteMs;
    const out: Finding[] = [];
    for (const st of cov.streams) {
      // Coverage's stream records are stable objects: they key the state without building strings.
      let s = this.streams.get(st);
      if (!s) {
        s = {
          sensor: st.sensor,
          kind: st.kind,
          hourEvents: 0,
          activeAllHour: false,
          logShares: new Float64Array(WEEK_HOURS).fill(Number.NaN),
          shareHours: new Float64Array(WEEK_HOURS).fill(Number.NaN),
        };
        this.streams.set(st, s);
      }
      s.hourEvents += st.events;
      if (!st.active) s.activeAllHour = false;
      // Its own silence, not a fleet-wide gap in the data (coverage.ts): every stream is inactive
      // in a gap, none is silent.
      if (st.silent && !s.silent) {
        const since = st.lastEventMs + MINUTE_MS;
        s.silent = {
          key: `sensor-health:${s.sensor}/${s.kind}:silent:${since}`,
          startMs: since,
          detectedMs: m + MINUTE_MS,
        };
        out.push(this.silentFinding(s, 'opened', m + MINUTE_MS, st.ratePerMinute));
      } else if (!st.silent && s.silent) {
        out.push(this.silentFinding(s, 'ended', m, st.ratePerMinute));
        s.silent = undefined;
      }
    }
    if ((m + MINUTE_MS) % HOUR_MS === 0) {
      const live = new Set(cov.streams);
      for (const k of this.streams.keys()) if (!live.has(k)) this.streams.delete(k);
      this.closeHour(m + MINUTE_MS, out);
    }
    return out;
  }

  private closeHour(t: number, out: Finding[]): void {
    const hour = t / HOUR_MS - 1;
    for (const s of this.streams.values()) s.usual = this.usualShare(s, hour) ?? undefined;
    const totals = this.fleetVolumes();
    for (const s of this.streams.values()) {
      const id = `${s.sensor}/${s.kind}`;
      const total = totals.get(s.kind) ?? 0;
      const x = s.hourEvents;
      const usual = s.activeAllHour && total > 0 ? s.usual : undefined;
      const judged = usual !== undefined;
      let abnormal: 'jump' | 'drop' | null = null;
      let expected = 0;
      if (usual) {
        expected = usual.med * total;
        const z = levelZ(x, total, usual);
        const cut = this.o.zAlert;
        if (
          x >= this.o.jumpRatio * expected &&
          Math.min(z.linear, z.log) > cut &&
          x - expected >= this.o.minDifference
        )
          abnormal = 'jump';
        else if (
          x > 0 &&
          x <= this.o.dropRatio * expected &&
          Math.max(z.linear, z.log) < -cut &&
          expected - x >= this.o.minDifference
        )
          abnormal = 'drop';
      }
      if (abnormal && !s.level) {
        s.level = {
          key: `sensor-health:${id}:${abnormal}:${t - HOUR_MS}`,
          type: abnormal,
          startMs: t - HOUR_MS,
          detectedMs: t,
          x,
          expected,
        };
        out.push(this.levelFinding(s, 'opened', t));
      } else if (s.level && abnormal === s.level.type) {
        s.level.x = x;
        s.level.expected = expected;
        out.push(this.levelFinding(s, 'updated', t));
      } else if (s.level && judged) {
        out.push(this.levelFinding(s, 'ended', t));
        s.level = undefined;
      }
      // Abnormal and partial hours stay out of the usual share.
      if (s.activeAllHour && total > 0 && !s.level) {
        s.logShares[hour % WEEK_HOURS] = logShare(x, total);
        s.shareHours[hour % WEEK_HOURS] = hour;
      }
      s.hourEvents = 0;
      s.activeAllHour = true;
    }
  }

  /**
   * The stream's usual share for `hour`, on the log scale: the median of the same hour of day over
   * the past week, the larger of that hour's and the week's MAD, and how many values of the hour
   * the median has; null while the history is too short to judge.
   */
  private usualShare(s: StreamState, hour: number): UsualShare | null {
    const week: number[] = [];
    const same: number[] = [];
    for (let k = 1; k <= WEEK_HOURS; k++) {
      const slot = (hour - k) % WEEK_HOURS;
      if (s.shareHours[slot] !== hour - k) continue;
      week.push(s.logShares[slot]!);
      if (k % 24 === 0) same.push(s.logShares[slot]!);
    }
    if (week.length < this.o.minHistoryHours || same.length < this.o.minSameHour) return null;
    const center = median(same);
    const linear = (xs: number[]) => mad(xs.map(Math.exp));
    return {
      center,
      med: Math.exp(center),
      mad: Math.max(mad(same), mad(week)),
      linearMad: Math.max(linear(same), linear(week)),
      n: same.length,
    };
  }

  /**
   * The fleet's volume of each kind this hour, each stream counted up to `jumpRatio` times what its
   * usual share implies (the median over streams of events ÷ usual share is the fleet's volume as
   * the streams themselves imply it; the plain sum until 3 streams have a usual share). One
   * stream's burst — a flood at a sensor's own address, hundreds of times its usual volume — would
   * otherwise swell the sum, and every other stream's share would "collapse" with it; an ordinary
   * hour is its plain sum.
   */
  private fleetVolumes(): Map<EventKind, number> {
    const implied = new Map<EventKind, number[]>();
    for (const s of this.streams.values()) {
      if (!s.activeAllHour || !s.usual || s.usual.med <= 0) continue;
      const list = implied.get(s.kind) ?? [];
      list.push(s.hourEvents / s.usual.med);
      implied.set(s.kind, list);
    }
    const scale = new Map<EventKind, number>();
    for (const [kind, list] of implied) if (list.length >= 3) scale.set(kind, median(list));
    const totals = new Map<EventKind, number>();
    for (const s of this.streams.values()) {
      const m = scale.get(s.kind);
      const cap =
        m !== undefined && s.usual && s.usual.med > 0 ? this.o.jumpRatio * s.usual.med * m : Infinity;
      totals.set(s.kind, (totals.get(s.kind) ?? 0) + Math.min(s.hourEvents, cap));
    }
    return totals;
  }

  private silentFinding(s: StreamState, phase: Finding['phase'], atMs: number, rate: number): Finding {
    const e = s.silent!;
    return {
      detector: 'sensor-health',
      kind: 'sensor-health',
      key: e.key,
      phase,
      subject: { sensor: s.sensor, stream: s.kind, problem: 'silent' },
      startMs: e.startMs,
      detectedMs: e.detectedMs,
      lastMs: atMs,
      severity: 'high',
      title: `Sensor ${s.sensor}: no ${s.kind} events since ${iso(e.startMs)}`,
      evidence: {
        sensor: s.sensor,
        stream: s.kind,
        problem: 'silent',
        since: iso(e.startMs),
        usual_events_per_minute: sig(rate),
        ended: phase === 'ended' ? iso(atMs) : null,
        note: 'its minutes are missing (not zero) in every detector baseline until it reports again',
      },
    };
  }

  private levelFinding(s: StreamState, phase: Finding['phase'], atMs: number): Finding {
    const e = s.level!;
    const ratio = e.expected > 0 ? e.x / e.expected : null;
    const severity: Severity = e.type === 'drop' ? 'high' : 'medium';
    return {
      detector: 'sensor-health',
      kind: 'sensor-health',
      key: e.key,
      phase,
      subject: { sensor: s.sensor, stream: s.kind, problem: e.type },
      startMs: e.startMs,
      detectedMs: e.detectedMs,
      lastMs: atMs,
      severity,
      title: `Sensor ${s.sensor}: ${s.kind} volume ${e.type === 'jump' ? 'jumped' : 'collapsed'} to ${ratio === null ? '?' : sig(ratio, 2)}× its usual share`,
      evidence: {
        sensor: s.sensor,
        stream: s.kind,
        problem: e.type,
        events_last_hour: e.x,
        expected_events: sig(e.expected),
        ratio: ratio === null ? null : sig(ratio),
        ended: phase === 'ended' ? iso(atMs) : null,
      },
    };
  }

  stateSize(): number {
    return this.streams.size;
  }
}

/**
 * A sensor that went silent or collapsed matches an outage of that sensor; a volume jump at a sensor
 * an episode was sending traffic to reports something true (explained).
 */
export const sensorHealth: DetectorDescriptor<'sensor-health', SensorHealthOptions> = {
  name: 'sensor-health',
  optionsKey: 'sensorHealth',
  // It reads coverage's streams, built from the sensor-volume rows every run reads.
  families: ['sensor-volume'],
  scoredKind: 'sensor-outage',
  matches(s, e) {
    if (e.kind === 'sensor-outage') return s.sensor === e.subject.sensor && s.problem !== 'jump';
    return s.problem === 'jump' && listOf(e.observed.sensors).includes(s.sensor);
  },
  defaults: DEFAULT_SENSOR_HEALTH,
  create: ({ options }) => new SensorHealthDetector(options),
};
