/**
 * Sensor health, volume side (delivery silence is sensor-silence.ts): a sensor stream (sensor ×
 * event kind) whose events stop — silent for longer than its usual rate makes plausible, as
 * coverage.ts decides — or whose hourly volume jumps or collapses against its usual share of the
 * fleet's volume (docs/methods.md#sensor-health: sensors fail silently; a silent or collapsing
 * sensor raises its own alert and is excluded from baselines, not counted as zero traffic).
 *
 * Shares, not counts: a fleet-wide surge or a quiet night moves every sensor together and is not a
 * sensor problem; a sensor whose share of the fleet's volume is `jumpRatio` times its median share
 * over the past week (z > 3.5 against max(1.4826 × MAD, √expected, 1)) is. One alert per episode:
 * `silent` ends when events arrive again, `jump`/`drop` when an hour is back within bounds.
 *
 * State: per stream one week of hourly shares (168 numbers) and its open episodes.
 */
import type { EventKind } from '../core/index.js';
import type { Severity } from './alerts.js';
import type { CoverageSnapshot, StreamStatus } from './coverage.js';
import { type DetectorDescriptor, listOf } from './descriptor.js';
import { type Detector, type Finding, HOUR_MS, iso, MINUTE_MS, type MinuteRows, sig } from './finding.js';
import { MAD_TO_SIGMA, mad, median } from './stats.js';

export interface SensorHealthOptions {
  /** A jump: this many times the usual share… */
  readonly jumpRatio: number;
  /** …a drop: at most this fraction of it (but not zero: silence is its own alert). */
  readonly dropRatio: number;
  readonly zAlert: number;
  /** Hours of history needed before jumps and drops are judged. */
  readonly minHistoryHours: number;
  /** Fewest events an hour must differ from the expected volume by. */
  readonly minDifference: number;
}

export const DEFAULT_SENSOR_HEALTH: SensorHealthOptions = {
  jumpRatio: 5,
  dropRatio: 0.1,
  zAlert: 3.5,
  minHistoryHours: 24,
  minDifference: 100,
};

interface StreamState {
  readonly sensor: string;
  readonly kind: EventKind;
  hourEvents: number;
  activeAllHour: boolean;
  readonly shares: number[];
  usual?: { atMs: number; med: number; mad: number };
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
        s = { sensor: st.sensor, kind: st.kind, hourEvents: 0, activeAllHour: false, shares: [] };
        this.streams.set(st, s);
      }
      s.hourEvents += st.events;
      if (!st.active) s.activeAllHour = false;
      if (!st.active && !s.silent) {
        const since = st.lastEventMs + MINUTE_MS;
        s.silent = {
          key: `sensor-health:${s.sensor}/${s.kind}:silent:${since}`,
          startMs: since,
          detectedMs: m + MINUTE_MS,
        };
        out.push(this.silentFinding(s, 'opened', m + MINUTE_MS, st.ratePerMinute));
      } else if (st.active && s.silent) {
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
    const totals = this.fleetVolumes();
    for (const s of this.streams.values()) {
      const id = `${s.sensor}/${s.kind}`;
      const total = totals.get(s.kind) ?? 0;
      const x = s.hourEvents;
      const judged = s.activeAllHour && total > 0 && s.shares.length >= this.o.minHistoryHours;
      let abnormal: 'jump' | 'drop' | null = null;
      let expected = 0;
      if (judged) {
        // The usual share moves slowly: its median and MAD are refreshed every 6 hours.
        if (!s.usual || t - s.usual.atMs >= 6 * HOUR_MS)
          s.usual = { atMs: t, med: median(s.shares), mad: mad(s.shares) };
        const med = s.usual.med;
        expected = med * total;
        const scale = Math.max(MAD_TO_SIGMA * s.usual.mad * total, Math.sqrt(expected), 1);
        const z = (x - expected) / scale;
        if (x >= this.o.jumpRatio * expected && z > this.o.zAlert && x - expected >= this.o.minDifference)
          abnormal = 'jump';
        else if (
          x > 0 &&
          x <= this.o.dropRatio * expected &&
          -z > this.o.zAlert &&
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
        s.shares.push(x / total);
        if (s.shares.length > 168) s.shares.shift();
      }
      s.hourEvents = 0;
      s.activeAllHour = true;
    }
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
