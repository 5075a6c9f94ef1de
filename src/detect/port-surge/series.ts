/**
 * Series bookkeeping: distinct sources per (protocol, port, domestic/foreign) in a sliding window
 * of `windowMin` minutes. Each series keeps its sources (when each was last seen) and a ring of how
 * many sources were last seen in each minute of the window, so the window's distinct count is a sum
 * over the ring rather than a walk over the sources. A source has one country, so the port's 'all'
 * series holds no sources of its own: it counts its two halves. Bounded state: at most `maxSeries`
 * series and `maxSources` source entries; what the caps turn away is counted in `overflow`.
 */
import { PROTOCOL_NUMBERS, type Protocol } from '../../core/index.js';
import type { ProbeRow } from '../../observe/index.js';
import { MINUTE_MS } from '../finding.js';
import { type Baseline, type HourBook, SeasonalSeries } from '../seasonal-baseline.js';
import type { PortSurgeOptions } from './options.js';

export interface SourceSeen {
  last: number;
  packets: number;
  country: string | null;
  asn: number | null;
  sensor: string;
}

export type Split = 'domestic' | 'foreign' | 'all';

export interface Series {
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
  readonly hist: SeasonalSeries;
  cusum: number;
  cusumFromMs: number;
  last?: { x: number; b: Baseline; z: number; fraction: number };
  /** The last baseline outside an episode: what a long episode is measured against. */
  frozen?: Baseline;
}

/** The hours a sliding window covers and its share of each; complete hours end before `recentEnd`. */
export interface WindowHours {
  readonly hours: readonly number[];
  readonly weights: readonly number[];
  readonly recentEnd: number;
}

export const portKeyOf = (proto: Protocol, port: number | null) => `${port ?? '-'}/${proto}`;

/** A number per (protocol, port, split), cheaper to hash than a string on every probe row. */
function seriesKey(proto: Protocol, port: number | null, split: Split): number {
  const p = PROTOCOL_NUMBERS[proto as Exclude<Protocol, 'other'>] ?? 255;
  return (p * 65537 + (port ?? -1) + 1) * 3 + (split === 'domestic' ? 1 : split === 'foreign' ? 2 : 0);
}

type SeriesOptions = Pick<
  PortSurgeOptions,
  'maxSources' | 'maxSeries' | 'domesticCountry' | 'windowMin' | 'baseline'
>;

export class SeriesBook {
  /** The series by key, in the order they were opened. */
  readonly all = new Map<number, Series>();
  /** What the caps turned away: series not opened, sources counted but not kept. */
  readonly overflow = { series: 0, sources: 0 };
  /** Start of the current window (event time): sources last seen before it are out of it. */
  cutoff = 0;
  /** Source entries held over all series (bounded by `maxSources`). */
  private entries = 0;

  constructor(
    private readonly o: SeriesOptions,
    private readonly book: HourBook,
  ) {}

  /** Counts a probe row's source in minute `m` on its (protocol, port, split) series. */
  add(r: ProbeRow, m: number): void {
    const split: Split = r.country === this.o.domesticCountry ? 'domestic' : 'foreign';
    const key = seriesKey(r.proto, r.port, split);
    let s = this.all.get(key);
    if (!s) {
      // Bounded state: a flood over random ports opens no series beyond the cap (those seen before
      // it go on being watched).
      if (this.all.size >= this.o.maxSeries) {
        this.overflow.series++;
        return;
      }
      s = this.open(r.proto, r.port, split);
    }
    const mi = m / MINUTE_MS;
    const seen = s.sources.get(r.src);
    if (seen) {
      if (seen.last !== m) {
        const old = seen.last / MINUTE_MS;
        const oi = old % this.o.windowMin;
        if (s.stamps[oi] === old) s.counts[oi]!--;
        this.bucket(s, mi);
        seen.last = m;
      }
      seen.packets += r.packets;
      seen.sensor = r.sensor;
    } else {
      // Beyond the cap on sources held, a new source is still counted in its minute but not kept
      // (a flood of spoofed sources then reads as a surge, which it is, without exhausting memory).
      if (this.entries < this.o.maxSources) {
        s.sources.set(r.src, {
          last: m,
          packets: r.packets,
          country: r.country,
          asn: r.asn,
          sensor: r.sensor,
        });
        this.entries++;
      } else this.overflow.sources++;
      this.bucket(s, mi);
    }
  }

  /** Opens a split's series, and its port's 'all' series when it is the first split seen. */
  private open(proto: Protocol, port: number | null, split: Split): Series {
    const s = this.newSeries(proto, port, split);
    this.all.set(seriesKey(proto, port, split), s);
    const allKey = seriesKey(proto, port, 'all');
    let all = this.all.get(allKey);
    if (!all) {
      all = this.newSeries(proto, port, 'all');
      this.all.set(allKey, all);
    }
    all.parts.push(s);
    return s;
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

  get(proto: Protocol, port: number | null, split: Split): Series | undefined {
    return this.all.get(seriesKey(proto, port, split));
  }

  /** The sources a series holds ('all': both halves'). */
  *sourcesOf(s: Series): Iterable<[string, SourceSeen]> {
    if (s.parts.length === 0) yield* s.sources;
    else for (const p of s.parts) yield* p.sources;
  }

  held(s: Series): number {
    let n = s.sources.size;
    for (const p of s.parts) n += p.sources.size;
    return n;
  }

  /** Drops the sources last seen before `cutoff` (hourly; the window count never includes them). */
  dropStale(s: Series, cutoff: number): void {
    for (const [src, seen] of s.sources) {
      if (seen.last < cutoff) {
        s.sources.delete(src);
        this.entries--;
      }
    }
  }

  /** Drops a series (an 'all' one only once its halves are gone). */
  forget(key: number, s: Series): void {
    if (s.split === 'all' && s.parts.length > 0) return;
    this.all.delete(key);
    this.entries -= s.sources.size;
    const all = s.split === 'all' ? undefined : this.get(s.proto, s.port, 'all');
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
  windowCount(s: Series, from: number): number {
    let n = 0;
    for (const p of s.parts) n += this.windowCount(p, from);
    for (let i = 0; i < s.counts.length; i++) if (s.stamps[i]! >= from) n += s.counts[i]!;
    return n;
  }

  /** The baseline of a window over `hours` with `weights` (seasonal-baseline.ts `baselineOver`). */
  baselineOf(s: Series, w: WindowHours): Baseline | undefined {
    return s.hist.baselineOver(w.hours, w.weights, w.recentEnd);
  }

  /** Distinct sensors or ASNs (the larger) among the window's sources, counted up to `enough`. */
  spread(s: Series, enough: number): number {
    const sensors = new Set<string>();
    const asns = new Set<number>();
    for (const [, v] of this.sourcesOf(s)) {
      if (v.last < this.cutoff) continue;
      sensors.add(v.sensor);
      if (v.asn !== null) asns.add(v.asn);
      if (sensors.size >= enough || asns.size >= enough) break;
    }
    return Math.max(sensors.size, asns.size);
  }

  /** Series and source entries held. */
  stateSize(): number {
    let n = 0;
    for (const s of this.all.values()) n += 1 + s.sources.size;
    return n;
  }
}
