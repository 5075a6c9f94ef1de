/**
 * The episode lifecycle: one episode per (protocol, port), both splits joining it. The hourly test
 * or the day test opens it; it holds while a test says the rise goes on (each split's figures kept,
 * with its largest ratio so far), and ends `endAfterMs` after it last held. A later rise of the same
 * port is a new episode (a new key: a new alert).
 */
import type { Protocol } from '../../core/index.js';
import { sig } from '../finding.js';
import type { Baseline } from '../seasonal-baseline.js';
import { portKeyOf, type Series, type Split } from './series.js';

/** One split's figures in an episode: its window count, baseline, z and largest ratio so far. */
export interface SplitFigures {
  x: number;
  baseline: number;
  z: number;
  peakRatio: number;
  scale?: number | undefined;
  method?: string | undefined;
}

export interface DayFigures {
  sum: number;
  baseline: number;
  z: number;
  peakRatio: number;
}

export type TriggerTest = 'z' | 'cusum' | 'day';

export interface PortEpisode {
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
    by: TriggerTest;
    split: Split;
    x: number;
    baseline: number;
    z: number;
    cusum: number;
    method: string;
  };
}

/** What opens an episode: the test, the key's and the start's times, and the figures that held. */
export interface Opening {
  readonly by: TriggerTest;
  readonly keyMs: number;
  readonly startMs: number;
  readonly split: SplitFigures;
  readonly day?: DayFigures;
  /** The count (a 24-hour sum for the day test), baseline and z that triggered it. */
  readonly x: number;
  readonly b: Baseline;
  readonly z: number;
}

export class PortEpisodes {
  private readonly byPort = new Map<string, PortEpisode>();

  get(portKey: string): PortEpisode | undefined {
    return this.byPort.get(portKey);
  }

  get size(): number {
    return this.byPort.size;
  }

  /** Opens an episode on `s`'s port at `t`. */
  open(s: Series, t: number, o: Opening): PortEpisode {
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
    this.byPort.set(portKey, e);
    return e;
  }

  /** An hourly window of `split` alarming again: its figures, and its largest ratio if `ratio` is larger. */
  raise(e: PortEpisode, split: Split, t: number, x: number, b: Baseline, z: number, ratio: number): void {
    this.setSplit(e, split, t, x, b, z, Math.max(e.splits.get(split)?.peakRatio ?? 0, ratio));
  }

  /**
   * An hourly window of `split` still standing out without alarming: its figures (its largest ratio
   * kept); a split the episode does not have yet is not added by it.
   */
  hold(e: PortEpisode, split: Split, t: number, x: number, b: Baseline, z: number): void {
    const prev = e.splits.get(split);
    if (prev) this.setSplit(e, split, t, x, b, z, prev.peakRatio);
  }

  private setSplit(
    e: PortEpisode,
    split: Split,
    t: number,
    x: number,
    b: Baseline,
    z: number,
    peakRatio: number,
  ): void {
    e.splits.set(split, { x, baseline: b.value, z, peakRatio, scale: b.scale, method: b.method });
    e.lastActiveMs = t;
  }

  /** The day test still holding a slow surge on `split`. */
  holdDay(e: PortEpisode, split: Split, t: number, sum: number, b: Baseline, z: number, ratio: number): void {
    e.lastActiveMs = t;
    const prev = e.day.get(split);
    e.day.set(split, { sum, baseline: b.value, z, peakRatio: Math.max(prev?.peakRatio ?? 0, ratio) });
  }

  /**
   * At `t`: the episodes idle for `endAfterMs` end (removed, reported with their last active time);
   * at an hour end, those active at `t` are reported as updated. In the order they were opened.
   */
  *sweep(
    t: number,
    hourEnd: boolean,
    endAfterMs: number,
  ): Iterable<{ e: PortEpisode; phase: 'ended' | 'updated'; atMs: number }> {
    for (const [pk, e] of this.byPort) {
      if (t - e.lastActiveMs >= endAfterMs) {
        this.byPort.delete(pk);
        yield { e, phase: 'ended', atMs: e.lastActiveMs };
      } else if (hourEnd && e.lastActiveMs === t) yield { e, phase: 'updated', atMs: t };
    }
  }
}
