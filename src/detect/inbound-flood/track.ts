/**
 * What the inbound-flood detector keeps per monitored address × vector: its normal peak (the largest
 * per-minute rate and distinct-source count of each of its last hours with data, minutes of a flood
 * left out) and the flood in progress. Peaks rather than a mean: an address busy at some hours of
 * the day (a working-day cycle) sets its own bar at its busiest, and hours without data (a sensor
 * down, a gap in an import) are skipped, never recorded as zero (docs/methods.md#daily-and-weekly-cycles-gaps).
 */
import type { InboundVector } from '../../observe/index.js';
import type { MinuteCounts, Signature } from './signature.js';

export interface MinutePoint {
  readonly minuteMs: number;
  readonly packets: number;
  readonly pps: number;
  readonly sources: number;
}

export interface Episode {
  readonly key: string;
  readonly startMs: number;
  readonly detectedMs: number;
  lastMs: number;
  /** Complete minutes counted (a minute opened early, from part of its rows, counts once it is complete). */
  minutes: number;
  packets: number;
  bytes: number;
  peakPps: number;
  peakMbps: number;
  peakSources: number;
  /** Distinct sources of each minute added up: an upper bound of the episode's distinct sources. */
  sourcesSum: number;
  /** The signature of the minute that opened it (the alert's subject). */
  readonly signature: Signature;
  /** The latest minute's counts and rate (what the title shows). */
  current: MinuteCounts;
  currentPps: number;
  /** Most distinct ports (of the vector's port: see InboundVector) in one minute. */
  distinctPorts: number;
  /** Packets by source port and by source country over the episode (the rows' top lists added up). */
  readonly sourcePortPackets: Map<number, number>;
  readonly countryPackets: Map<string, number>;
  readonly sensors: Set<string>;
  /** What the address's normal was when it opened, and the bar it crossed. */
  readonly normal: { readonly pps: number; readonly sources: number } | null;
  readonly thresholdPps: number;
  readonly trigger: 'rate' | 'sources' | 'signature';
  /** Consecutive watched minutes below half the threshold. */
  quiet: number;
  lastEmitMs: number;
  lastEmitPackets: number;
  lastSeverityRank: number;
  /** A minute opened from part of its rows (live), whose complete rows are still to come. */
  earlyMinute: number | null;
  readonly series: MinutePoint[];
}

export interface Track {
  readonly dst: string;
  readonly vector: InboundVector;
  /** The reflection service's port (`udp-reflection`), else null. */
  readonly service: number | null;
  /** `vector` or `vector:service`: the key within the address. */
  readonly vectorKey: string;
  sensor: string;
  /** This hour's peaks over normal minutes, and whether any minute of it was watched. */
  hourPps: number;
  hourSources: number;
  busyThisHour: boolean;
  readonly peaksPps: number[];
  readonly peaksSources: number[];
  /** Normal minutes fed in all. */
  fed: number;
  /** Watched hours since the last minute with `trackPackets` packets. */
  idleHours: number;
  episode: Episode | null;
}

export function newTrack(dst: string, vector: InboundVector, service: number | null, sensor: string): Track {
  return {
    dst,
    vector,
    service,
    vectorKey: service === null ? vector : `${vector}:${service}`,
    sensor,
    hourPps: 0,
    hourSources: 0,
    busyThisHour: false,
    peaksPps: [],
    peaksSources: [],
    fed: 0,
    idleHours: 0,
    episode: null,
  };
}

/**
 * The address × vector's normal peak: the largest of its completed hours' — not the hour in
 * progress, or a flood rising over a few minutes would carry its own bar up with it. Before any hour
 * is complete, the hour so far when the sensor has only just started (`learning`: all there is),
 * else null (the caller decides: quiet, or unknown).
 */
export function normalPeak(t: Track, learning: boolean): { pps: number; sources: number } | null {
  if (t.peaksPps.length === 0) {
    return learning && t.fed > 0 ? { pps: t.hourPps, sources: t.hourSources } : null;
  }
  let pps = 0;
  let sources = 0;
  for (const p of t.peaksPps) if (p > pps) pps = p;
  for (const s of t.peaksSources) if (s > sources) sources = s;
  return { pps, sources };
}

/** A normal minute into this hour's peaks. */
export function feedNormal(t: Track, pps: number, sources: number, busy: boolean): void {
  if (pps > t.hourPps) t.hourPps = pps;
  if (sources > t.hourSources) t.hourSources = sources;
  t.fed++;
  if (busy) t.busyThisHour = true;
}

/** A level lasting long enough to be the normal: it joins the kept peaks at once. */
export function adoptLevel(t: Track, pps: number, sources: number): void {
  const last = t.peaksPps.length - 1;
  if (last < 0) {
    t.peaksPps.push(pps);
    t.peaksSources.push(sources);
  } else {
    t.peaksPps[last] = Math.max(t.peaksPps[last]!, pps);
    t.peaksSources[last] = Math.max(t.peaksSources[last]!, sources);
  }
  t.fed++;
  t.busyThisHour = true;
}

/** Hour end for a track whose sensor was watched in it: its peaks join the kept hours. */
export function closeTrackHour(t: Track, keep: number): void {
  t.peaksPps.push(t.hourPps);
  t.peaksSources.push(t.hourSources);
  if (t.peaksPps.length > keep) {
    t.peaksPps.shift();
    t.peaksSources.shift();
  }
  t.idleHours = t.busyThisHour ? 0 : t.idleHours + 1;
  t.hourPps = 0;
  t.hourSources = 0;
  t.busyThisHour = false;
}

export function emptyCounts(): MinuteCounts {
  return {
    packets: 0,
    bytes: 0,
    sources: 0,
    sources16: 0,
    sourcePorts: 0,
    unroutable: 0,
    firstMs: Number.POSITIVE_INFINITY,
    lastMs: Number.NEGATIVE_INFINITY,
    tenSeconds: [0, 0, 0, 0, 0, 0],
    port: null,
    portPackets: 0,
    ports: 0,
    sourcePortPackets: new Map(),
    countryPackets: new Map(),
  };
}

/** Adds `from`'s counts into `into`, keeping at most `keep` values (the largest) once it holds 4 × that. */
export function addCounts<T>(into: Map<T, number>, from: ReadonlyMap<T, number>, keep: number): void {
  for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
  if (into.size <= 4 * keep) return;
  const kept = topOf(into, keep);
  into.clear();
  for (const { value, packets } of kept) into.set(value, packets);
}

/** The `n` largest counts, then the smaller value first. */
export function topOf<T>(counts: ReadonlyMap<T, number>, n: number): { value: T; packets: number }[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([value, packets]) => ({ value, packets }));
}

/**
 * Packets per second in the minute: over its active span (first to last packet, at least a second)
 * or over its busiest 10-second slot, whichever is higher — a flood that starts at second 50 reads
 * at its own rate rather than a sixth of it, and a stray packet long before or after a burst (which
 * stretches the span) does not dilute it.
 */
export function rateOf(c: MinuteCounts): number {
  return Math.max(c.packets / Math.max(1, (c.lastMs - c.firstMs) / 1000), Math.max(...c.tenSeconds) / 10);
}

/**
 * When the burst of the minute began, to the 10 seconds: the first packet, or the start of the
 * first 10-second slot holding a tenth of the busiest one's packets if that is later (background
 * probes of the address earlier in the minute are not the flood's start).
 */
export function burstStartOf(c: MinuteCounts): number {
  const minute = Math.floor(c.firstMs / 60_000) * 60_000;
  const peak = Math.max(...c.tenSeconds);
  const k = c.tenSeconds.findIndex((n) => n > 0 && n >= peak / 10);
  return Math.max(c.firstMs, minute + Math.max(0, k) * 10_000);
}

/** Megabits per second at that rate (0 when the log records no lengths). */
export function mbpsOf(c: MinuteCounts): number {
  return c.packets > 0 ? (rateOf(c) * (c.bytes / c.packets) * 8) / 1e6 : 0;
}
