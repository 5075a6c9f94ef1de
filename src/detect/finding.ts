/**
 * What every traffic detector shares: the rows of one minute it is fed (in time order, by the
 * runner), the coverage of that minute, and the findings it returns — one episode each, opened once
 * and updated while it grows, which the runner turns into operator alerts (one alert per episode,
 * by dedup key).
 */
import type {
  BackscatterRow,
  IdsRow,
  InboundRow,
  PayloadRow,
  ProbeRow,
  SensorVolumeRow,
} from '../observe/index.js';
import type { Severity } from './alerts.js';
import type { CoverageSnapshot } from './coverage.js';
import type { DetectorName } from './detectors.js';
import type { ScannerSighting } from './scanners.js';

/** The aggregates of one event minute, by family (empty arrays when none). */
export interface MinuteRows {
  readonly minuteMs: number;
  readonly probes: readonly ProbeRow[];
  readonly backscatter: readonly BackscatterRow[];
  readonly payloads: readonly PayloadRow[];
  readonly ids: readonly IdsRow[];
  readonly volume: readonly SensorVolumeRow[];
  /**
   * Inbound traffic per monitored address (the inbound-flood detector's family). The runner always
   * sets it; minutes built by hand for detectors that do not read it may leave it out.
   */
  readonly inbound?: readonly InboundRow[];
}

export type SubjectValue = string | number | boolean | null | readonly (string | number)[];

/**
 * One episode as a detector sees it at this minute. `phase` says whether it is new, has grown, or
 * has ended (idle for the detector's gap); `key` is stable over the episode and names a new alert
 * for a later episode of the same subject.
 */
export interface Finding {
  readonly detector: DetectorName;
  /** Alert kind (`port-surge`, `backscatter`, `scan`, `worm-outbreak`, `sensor-health`). */
  readonly kind: string;
  readonly key: string;
  readonly phase: 'opened' | 'updated' | 'ended';
  /**
   * Kept as data, not raised as an alert (docs/methods.md#what-deserves-an-alert): the alert sink
   * drops it, `koban detect` lists it. A later finding of the same key without it opens the alert.
   */
  readonly statistic?: boolean;
  /** What the episode is about (victim, port, source, fingerprint…): what evaluation matches on. */
  readonly subject: Readonly<Record<string, SubjectValue>>;
  /** Estimated start of the episode (event time). */
  readonly startMs: number;
  /** Event time at which the detector's condition first held. */
  readonly detectedMs: number;
  /** Latest event time the episode covers. */
  readonly lastMs: number;
  readonly severity: Severity;
  readonly title: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  /**
   * Whether the episode deserves an operator alert (absent: it does). One that does not is kept as
   * data only — docs/methods.md#what-deserves-an-alert; the sink raises nothing for it.
   */
  readonly alert?: boolean;
  /** What the episode leaves as data whether or not it is an alert: a scan's scanner record. */
  readonly record?: ScannerSighting;
  /**
   * The sources the episode accounts for — a worm outbreak's infected hosts: their scans fold into
   * it instead of raising scan alerts (outbreak-fold.ts). Not part of the alert's evidence.
   */
  readonly members?: ReadonlySet<string>;
}

/** A detector with a pure core: rows in, findings out; no I/O. */
export interface Detector {
  readonly name: DetectorName;
  /**
   * Feeds one minute (every minute of the range, in order, empty or not) and returns the findings
   * whose state changed at its end.
   */
  step(rows: MinuteRows, coverage: CoverageSnapshot): Finding[];
  /**
   * Optional, live detection only: looks at the rows so far of a minute not yet complete (not yet
   * stepped) and returns the episodes they already open — for detectors whose alert should not wait
   * for the minute to end (inbound floods). The same minute is stepped in full later.
   */
  early?(rows: MinuteRows): Finding[];
  /** Entities held in memory (for the bounded-state checks and the benchmark). */
  stateSize(): number;
}

// The detectors' files import the time units from here; they are core's.
export { DAY_MS, HOUR_MS, MINUTE_MS } from '../core/index.js';

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Top `n` entries of a count map, largest first (ties by key), as `[key, count]` pairs. */
export function topEntries<K extends string | number>(m: ReadonlyMap<K, number>, n: number): [K, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : 1)).slice(0, n);
}

/** Adds `by` to `m[key]`, keeping at most `cap` keys (new keys beyond it are dropped, not counted). */
export function bump<K>(m: Map<K, number>, key: K, by: number, cap = Number.POSITIVE_INFINITY): void {
  const v = m.get(key);
  if (v !== undefined) m.set(key, v + by);
  else if (m.size < cap) m.set(key, by);
}

/** Rounds to `d` significant digits for evidence (not for decisions). */
export function sig(x: number, d = 3): number {
  return x === 0 || !Number.isFinite(x) ? x : Number(x.toPrecision(d));
}
