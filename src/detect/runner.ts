/**
 * Runs the detectors over the event store's minute-level aggregates (docs/scale.md), in
 * event-time order: every minute of a range is fed — empty or not — to coverage first, then to each
 * detector, so idle timers and hour ends advance even when nothing arrives. History mode steps
 * through a time range in chunks (the next chunk's queries run while the detectors work on the
 * current one); live mode (live.ts) feeds batches after a cursor behind a watermark. Each minute's
 * findings pass through the outbreak fold (outbreak-fold.ts: a worm outbreak's infected hosts raise
 * no scan alerts of their own) before they go to a sink: the `AlertSink` (alert-sink.ts) turns them into operator alerts, one per episode. Which
 * detectors run, and the row families they need, come from the registry (detectors.ts).
 */
import type { DetectionFamily, DetectionSource } from '../observe/index.js';
import { Coverage, type CoverageOptions } from './coverage.js';
import type { DetectorDescriptor } from './descriptor.js';
import { DETECTORS, type DetectorName, type DetectorOptionsByKey } from './detectors.js';
import { type Detector, type Finding, iso, MINUTE_MS, type MinuteRows } from './finding.js';
import { OutbreakFold } from './outbreak-fold.js';

/**
 * Coverage's options and the run's, plus each detector's options under its descriptor's
 * `optionsKey` (`portSurge`, `backscatter`, `scan`, `worm`, `sensorHealth`: detectors.ts).
 */
export interface DetectorsOptions extends DetectorOptionsByKey {
  /** IPv4 addresses per sensor (coverage.ts `addressCounts`). */
  readonly addresses?: ReadonlyMap<string, number>;
  /** ISO 3166-1 alpha-2 of "domestic" for the port-surge split (default JP). */
  readonly domesticCountry?: string;
  /** Run only these detectors (default: all). */
  readonly only?: readonly DetectorName[];
  readonly coverage?: CoverageOptions;
}

/** Coverage and the detectors, stepped together one minute at a time (the pure core of a run). */
export class DetectorSet {
  readonly coverage: Coverage;
  readonly detectors: readonly Detector[];
  /** Families the detectors read (sensor-volume always, for coverage). */
  readonly families: readonly DetectionFamily[];
  private nextMinute = -1;
  readonly cpu = { detectorsUs: 0, minutes: 0 };
  /** Detector steps that threw (counted; the last 100 kept for the log). */
  failures = 0;
  readonly errors: { detector: DetectorName; minuteMs: number; error: unknown }[] = [];
  /** Scans by a reported outbreak's infected hosts fold into it (outbreak-fold.ts). */
  private readonly fold = new OutbreakFold();

  constructor(o: DetectorsOptions = {}) {
    this.coverage = new Coverage({ ...o.coverage, addresses: o.addresses ?? o.coverage?.addresses });
    const domesticCountry = o.domesticCountry ?? 'JP';
    const chosen: readonly DetectorDescriptor[] = o.only
      ? DETECTORS.filter((d) => o.only!.includes(d.name))
      : DETECTORS;
    // The options of each detector sit under its own key, typed by DetectorOptionsByKey.
    const byKey: Readonly<Record<string, unknown>> = { ...o };
    this.detectors = chosen.map((d) => d.create({ options: byKey[d.optionsKey] ?? {}, domesticCountry }));
    const fams = new Set<DetectionFamily>(['sensor-volume']);
    for (const d of chosen) for (const f of d.families) fams.add(f);
    this.families = [...fams];
  }

  /** The first minute not yet fed (−1 before any). */
  get position(): number {
    return this.nextMinute;
  }

  /** Feeds one minute; minutes must come in order without gaps (use {@link feedUpTo} for gaps). */
  feed(rows: MinuteRows): Finding[] {
    if (this.nextMinute >= 0 && rows.minuteMs !== this.nextMinute) {
      throw new Error(`minute ${iso(rows.minuteMs)} fed out of order (expected ${iso(this.nextMinute)})`);
    }
    const t0 = process.hrtime.bigint();
    this.nextMinute = rows.minuteMs + MINUTE_MS;
    const cov = this.coverage.observe(rows.minuteMs, rows.volume);
    const out: Finding[] = [];
    // One detector failing on a minute must not stop the others, nor hold the minute back for ever.
    for (const d of this.detectors) {
      try {
        for (const f of d.step(rows, cov)) out.push(f);
      } catch (e) {
        this.errors.push({ detector: d.name, minuteMs: rows.minuteMs, error: e });
        if (this.errors.length > 100) this.errors.shift();
        this.failures++;
      }
    }
    const folded = this.fold.apply(out);
    this.cpu.detectorsUs += Number(process.hrtime.bigint() - t0) / 1000;
    this.cpu.minutes++;
    return folded;
  }

  /**
   * Shows the detectors that look at minutes in progress (`Detector.early`) the rows so far of a
   * minute not yet fed; returns what they open. Minutes already fed are ignored.
   */
  early(rows: MinuteRows): Finding[] {
    const out: Finding[] = [];
    if (this.nextMinute >= 0 && rows.minuteMs < this.nextMinute) return out;
    for (const d of this.detectors) {
      if (!d.early) continue;
      try {
        for (const f of d.early(rows)) out.push(f);
      } catch (e) {
        this.errors.push({ detector: d.name, minuteMs: rows.minuteMs, error: e });
        if (this.errors.length > 100) this.errors.shift();
        this.failures++;
      }
    }
    return out;
  }

  /**
   * Moves the position forward to `minuteMs` without feeding the minutes between (live detection
   * after a clock jump); the detectors see the gap as missing time.
   */
  skipTo(minuteMs: number): void {
    if (minuteMs > this.nextMinute) this.nextMinute = Math.floor(minuteMs / MINUTE_MS) * MINUTE_MS;
  }

  /** Feeds every minute from the current position up to (excluding) `endMs`, taking rows from `rows`. */
  feedUpTo(endMs: number, rows: ReadonlyMap<number, MinuteRows>): Finding[] {
    const out: Finding[] = [];
    if (this.nextMinute < 0) this.nextMinute = Math.min(...rows.keys(), endMs);
    for (let m = this.nextMinute; m < endMs; m += MINUTE_MS) {
      for (const f of this.feed(rows.get(m) ?? emptyMinute(m))) out.push(f);
    }
    return out;
  }

  /** Entities held by coverage and each detector. */
  stateSizes(): Record<string, number> {
    const s: Record<string, number> = { coverage: this.coverage.stateSize() };
    for (const d of this.detectors) s[d.name] = d.stateSize();
    // The fold holds state only for the outbreaks the worm detector reports.
    if (s.worm !== undefined) s['outbreak-fold'] = this.fold.stateSize();
    return s;
  }
}

export function emptyMinute(minuteMs: number): MinuteRows {
  return { minuteMs, probes: [], backscatter: [], payloads: [], ids: [], volume: [], inbound: [] };
}

type Mutable = {
  -readonly [K in keyof MinuteRows]-?: NonNullable<MinuteRows[K]> extends readonly (infer T)[]
    ? T[]
    : MinuteRows[K];
};

const FIELD: Readonly<Record<DetectionFamily, Exclude<keyof MinuteRows, 'minuteMs'>>> = {
  probes: 'probes',
  backscatter: 'backscatter',
  payloads: 'payloads',
  ids: 'ids',
  'sensor-volume': 'volume',
  inbound: 'inbound',
};

/** Adds a family's rows to per-minute buckets; returns how many fell before `notBefore` (dropped). */
export function bucketRows(
  into: Map<number, MinuteRows>,
  family: DetectionFamily,
  rows: readonly { readonly minuteMs: number }[],
  notBefore = Number.NEGATIVE_INFINITY,
): number {
  let dropped = 0;
  const field = FIELD[family];
  for (const r of rows) {
    if (r.minuteMs < notBefore) {
      dropped++;
      continue;
    }
    let b = into.get(r.minuteMs) as Mutable | undefined;
    if (!b) {
      b = {
        minuteMs: r.minuteMs,
        probes: [],
        backscatter: [],
        payloads: [],
        ids: [],
        volume: [],
        inbound: [],
      };
      into.set(r.minuteMs, b);
    }
    (b[field] as unknown[]).push(r);
  }
  return dropped;
}

export type FindingSink = (f: Finding) => unknown;

export interface HistoryOptions {
  /** Time per query chunk (default 3 hours). */
  readonly chunkMs?: number;
  readonly onProgress?: (p: { doneMs: number; totalMs: number; findings: number }) => void;
}

export interface RunStats {
  readonly minutes: number;
  readonly rows: Readonly<Record<string, number>>;
  /** Events covered (sum of the sensor-volume rows). */
  readonly events: number;
  readonly findings: number;
  readonly queryMs: number;
  readonly detectorCpuMs: number;
  readonly state: Readonly<Record<string, number>>;
}

/** Runs the set over [fromMs, toMs) of stored history, minute by minute, sending findings to `sink`. */
export async function runHistory(
  source: DetectionSource,
  range: { readonly fromMs: number; readonly toMs: number },
  set: DetectorSet,
  sink: FindingSink,
  options: HistoryOptions = {},
): Promise<RunStats> {
  const chunk = options.chunkMs ?? 3 * 3_600_000;
  const from = Math.floor(range.fromMs / MINUTE_MS) * MINUTE_MS;
  const to = Math.ceil(range.toMs / MINUTE_MS) * MINUTE_MS;
  const rowCounts: Record<string, number> = {};
  let events = 0;
  let findings = 0;
  let queryMs = 0;
  const cpu0 = set.cpu.detectorsUs;
  const fetch = async (a: number): Promise<Map<number, MinuteRows>> => {
    const t0 = performance.now();
    const b = Math.min(a + chunk, to);
    const lists = await Promise.all(set.families.map((f) => source.detectionRows(f, { fromMs: a, toMs: b })));
    const rows = new Map<number, MinuteRows>();
    set.families.forEach((f, i) => {
      rowCounts[f] = (rowCounts[f] ?? 0) + lists[i]!.length;
      bucketRows(rows, f, lists[i]!);
    });
    queryMs += performance.now() - t0;
    return rows;
  };
  if (set.position < 0) set.feedUpTo(from, new Map());
  let next = from < to ? fetch(from) : null;
  for (let a = from; a < to; a += chunk) {
    const rows = await next!;
    const b = Math.min(a + chunk, to);
    next = b < to ? fetch(b) : null;
    for (const v of rows.values()) for (const r of v.volume) events += r.packets;
    for (const f of set.feedUpTo(b, rows)) {
      findings++;
      await sink(f);
    }
    options.onProgress?.({ doneMs: b - from, totalMs: to - from, findings });
  }
  return {
    minutes: (to - from) / MINUTE_MS,
    rows: rowCounts,
    events,
    findings,
    queryMs: Math.round(queryMs),
    detectorCpuMs: Math.round((set.cpu.detectorsUs - cpu0) / 1000),
    state: set.stateSizes(),
  };
}
