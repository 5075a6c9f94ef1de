/**
 * Live detection for the server: every `intervalMs` it reads the detection aggregates of the batches
 * stored since its cursor, holds them by event minute, and feeds the detectors every minute up to a
 * watermark, so events that arrive a little late (agents deliver in batches, spools drain after an
 * outage) still land in their minute. A minute is complete when every stream (sensor × kind) heard
 * from within `graceMs` of the newest event minute has delivered rows of a later minute at least
 * `settleMs` ago: an agent ships a source nearly in order, and the settle time covers what it
 * sends out of order (two segments in flight, a retried one). A stream quieter than the grace does
 * not hold the others back, and the watermark is never behind the newest event minute minus
 * `graceMs`. Busy fleets thus see a minute judged `settleMs` after it ends rather than `graceMs`.
 * The price: a stream that is both sparse (silent longer than the grace) and slow (its rows arrive
 * more than `settleMs` after their minute) has those rows counted late; `waitForStreams: false`
 * always waits the grace. Rows for minutes already fed are counted as late and dropped. Detectors
 * that judge a minute in progress (`Detector.early`: inbound floods) are shown the rows of the
 * minutes after the watermark at every poll, so their alerts need not wait for the minute. Before
 * going live it warms the detectors'
 * baselines on the last `warmupMs` of stored history without raising alerts.
 *
 * The watermark follows event time, not the wall clock: when every sensor is silent nothing is
 * fed, so no attack "ends" and no port "goes quiet" for lack of data (docs/methods.md#coverage).
 * Rows stamped more than `maxFutureMs` ahead of the wall clock (a sensor with a wrong clock) are
 * dropped so they cannot drag the watermark forward; the server passes the limit ingest applies
 * (`maxClockAheadSeconds`), so what was stored is what is detected. Neither the warm-up nor the
 * watermark goes past the wall clock.
 */
import { DEFAULT_MAX_CLOCK_AHEAD_SECONDS } from '../core/index.js';
import type { DetectionSource, SensorVolumeRow } from '../observe/index.js';
import { AlertSink } from './alert-sink.js';
import type { AlertStore } from './alerts.js';
import type { BackscatterStatistics } from './backscatter-statistics.js';
import { type Finding, MINUTE_MS, type MinuteRows } from './finding.js';
import { StreamClock } from './live-streams.js';
import type { Notifier } from './notify.js';
import { bucketRows, DetectorSet, type DetectorsOptions, runHistory } from './runner.js';
import type { ScannerStore } from './scanners.js';

export interface LiveDetectionOptions {
  readonly source: DetectionSource;
  readonly alerts: AlertStore;
  /** Where every scan is kept as data (the scanner list); none: not kept. */
  readonly scanners?: ScannerStore;
  /** Where DDoS victims below the alerting rate are kept as statistics; none: not kept. */
  readonly backscatter?: BackscatterStatistics;
  /** Detector and coverage options (addresses per sensor from the registry's `addressBlocks`). */
  readonly detectors?: DetectorsOptions;
  readonly notifier?: Notifier;
  readonly intervalMs?: number;
  readonly graceMs?: number;
  /** Feed a minute once every recently heard stream has moved past it (default true); false: grace only. */
  readonly waitForStreams?: boolean;
  /** How long a stream's newer minute must have been seen before the minutes before it count as done. */
  readonly settleMs?: number;
  readonly warmupMs?: number;
  /** Rows stamped later than this ahead of the wall clock are dropped (default: `maxClockAheadSeconds`'s). */
  readonly maxFutureMs?: number;
  readonly now?: () => number;
  readonly onError?: (e: unknown) => void;
  readonly onFinding?: (f: Finding) => void;
  /** Stored batches read per poll at most (default 500): a backlog is caught up over several polls. */
  readonly maxBatchesPerPoll?: number;
  /** Event time fed at most before the watermark (default 31 days); older rows count as late. */
  readonly maxGapMs?: number;
  /** Runs before each poll (the server refreshes the sensors' address blocks here). */
  readonly beforePoll?: () => Promise<void>;
}

export interface LiveDetectionStats {
  readonly cursor: number;
  readonly watermarkMs: number | null;
  readonly minutesFed: number;
  readonly findings: number;
  readonly lateRows: number;
  readonly futureRows: number;
  readonly state: Readonly<Record<string, number>>;
}

export interface LiveDetection {
  /** Stops polling and waits for the current poll to finish. */
  stop(): Promise<void>;
  stats(): LiveDetectionStats;
  /** Runs one poll now (tests and the server's shutdown use it). */
  poll(): Promise<void>;
}

/** Starts live detection: warms the detectors up on stored history, then polls every `intervalMs`. */
export async function startLiveDetection(o: LiveDetectionOptions): Promise<LiveDetection> {
  const run = new LiveRun(o);
  await run.start();
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = run
      .poll()
      .catch((e) => o.onError?.(e))
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(tick, o.intervalMs ?? 10_000);
        timer.unref?.();
      });
  };
  let timer: NodeJS.Timeout = setTimeout(tick, o.intervalMs ?? 10_000);
  timer.unref?.();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    stats: () => run.stats(),
    poll: async () => {
      await running;
      await run.poll();
    },
  };
}

/** The state of one live run: the cursor, the rows waiting for the watermark, the counters. */
class LiveRun {
  private readonly set: DetectorSet;
  private readonly sink: AlertSink;
  private readonly grace: number;
  private readonly now: () => number;
  private readonly maxFuture: number;
  private readonly maxBatches: number;
  private readonly maxGap: number;
  /** Null with `waitForStreams: false` (the grace alone then decides). */
  private readonly streams: StreamClock | null;
  private readonly pending = new Map<number, MinuteRows>();
  private cursor = 0;
  private maxMinute = -1;
  private findings = 0;
  private late = 0;
  private future = 0;
  private minutesFed = 0;

  constructor(private readonly o: LiveDetectionOptions) {
    this.set = new DetectorSet(o.detectors);
    this.sink = new AlertSink(o.alerts, o.notifier, { scanners: o.scanners, backscatter: o.backscatter });
    this.grace = o.graceMs ?? 2 * MINUTE_MS;
    this.now = o.now ?? Date.now;
    this.maxFuture = o.maxFutureMs ?? DEFAULT_MAX_CLOCK_AHEAD_SECONDS * 1000;
    this.maxBatches = o.maxBatchesPerPoll ?? 500;
    this.maxGap = o.maxGapMs ?? 31 * 86_400_000;
    this.streams = (o.waitForStreams ?? true) ? new StreamClock(o.settleMs ?? 20_000) : null;
  }

  async start(): Promise<void> {
    this.cursor = await this.o.source.latestBatch();
    const range = await this.o.source.rawTimeRange();
    const warmup = this.o.warmupMs ?? 2 * 86_400_000;
    if (range && warmup > 0) await this.warmUp(range, warmup);
  }

  /** Feeds the last `warmupMs` of stored history without raising alerts; the newest minute waits. */
  private async warmUp(range: { firstMs: number; lastMs: number }, warmup: number): Promise<void> {
    const { source } = this.o;
    const set = this.set;
    // Warm up to the wall clock at most: a stored event stamped ahead (a sensor clock running fast)
    // must not put the detectors past the present, where every row arriving now would be "late".
    // Then the newest stored minute at or before now is unknown: the grace before now is left to
    // the live feed (as the watermark would leave it), with stored rows up to `maxFutureMs` ahead.
    const wallMs = this.now();
    const lastMs = Math.min(range.lastMs, wallMs + this.maxFuture);
    const to = Math.floor((range.lastMs > wallMs ? wallMs - this.grace : lastMs) / MINUTE_MS) * MINUTE_MS;
    await runHistory(
      source,
      { fromMs: Math.max(range.firstMs, to - warmup), toMs: to },
      set,
      () => undefined,
    );
    // The last stored minute may still grow: its rows wait with the live ones instead of being fed.
    const tail = { fromMs: to, toMs: lastMs + 1 };
    const lists = await Promise.all(set.families.map((f) => source.detectionRows(f, tail)));
    set.families.forEach((f, i) => {
      bucketRows(this.pending, f, lists[i]!);
    });
    this.maxMinute = to;
    // The streams heard from within the grace before the restart hold the watermark like live ones
    // (otherwise the first to deliver would carry it past the others' minutes): their stored minutes
    // are settled, the tail's may still grow.
    if (this.streams) {
      this.streams.note(
        await source.detectionRows('sensor-volume', { fromMs: to - this.grace, toMs: to }),
        Number.NEGATIVE_INFINITY,
      );
      this.streams.note(
        (lists[set.families.indexOf('sensor-volume')] ?? []) as SensorVolumeRow[],
        this.now(),
      );
    }
  }

  async poll(): Promise<void> {
    await this.o.beforePoll?.();
    await this.read();
    if (this.maxMinute < 0) return;
    const watermark = this.watermark();
    if (this.set.position < 0 || watermark > this.set.position) await this.feed(watermark);
    await this.early();
  }

  /**
   * The minutes still in progress, shown to the detectors that judge them early (inbound floods):
   * their alerts follow the poll that reads a flood's first rows, not the minute's end.
   */
  private async early(): Promise<void> {
    for (const [m, rows] of this.pending) {
      if (this.set.position >= 0 && m < this.set.position) continue;
      for (const f of this.set.early(rows)) await this.emit(f);
    }
    this.reportErrors();
  }

  /** Reads the rows of the batches stored since the cursor (a bounded number) into `pending`. */
  private async read(): Promise<void> {
    const latest = await this.o.source.latestBatch();
    if (latest <= this.cursor) return;
    const set = this.set;
    // After a stall, catch up a bounded number of batches per poll.
    const r = { afterBatch: this.cursor, upToBatch: Math.min(latest, this.cursor + this.maxBatches) };
    const lists = await Promise.all(set.families.map((f) => this.o.source.detectionRows(f, r)));
    this.cursor = r.upToBatch;
    const limit = this.now() + this.maxFuture;
    const notBefore = set.position < 0 ? Number.NEGATIVE_INFINITY : set.position;
    set.families.forEach((f, i) => {
      const rows = lists[i]!.filter((x) => x.minuteMs <= limit);
      this.future += lists[i]!.length - rows.length;
      this.late += bucketRows(this.pending, f, rows, notBefore);
      for (const x of rows) if (x.minuteMs > this.maxMinute) this.maxMinute = x.minuteMs;
      if (f === 'sensor-volume') this.streams?.note(rows as SensorVolumeRow[], this.now());
    });
  }

  /** The first minute not yet complete: the grace behind the newest, or where every stream has settled. */
  private watermark(): number {
    // Never past the wall clock: one sensor whose clock runs ahead must not make everybody late.
    const wallMinute = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    const top = Math.min(this.maxMinute, wallMinute);
    const watermark = Math.floor((top - this.grace) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    // Every stream heard from within the grace has settled past minute m: m is complete.
    const allPast = this.streams
      ? this.streams.settledPast(this.now(), top, this.grace, this.maxGap)
      : Number.POSITIVE_INFINITY;
    return allPast === Number.POSITIVE_INFINITY
      ? watermark
      : Math.max(watermark, Math.min(allPast, wallMinute));
  }

  /** Feeds the detectors up to `watermark` and raises what they find. */
  private async feed(watermark: number): Promise<void> {
    const set = this.set;
    // A stray row from a clock far in the past would have the detectors step through years of
    // empty minutes: at most `maxGapMs` before the watermark is fed, the rest counts as late.
    const floor = watermark - this.maxGap;
    for (const [m, rows] of this.pending) {
      if (m >= floor) continue;
      this.late += rowCount(rows);
      this.pending.delete(m);
    }
    if (set.position >= 0 && set.position < floor) set.skipTo(floor);
    const before = set.cpu.minutes;
    const found = set.feedUpTo(watermark, this.pending);
    this.reportErrors();
    for (const f of found) await this.emit(f);
    this.minutesFed += set.cpu.minutes - before;
    for (const m of this.pending.keys()) if (m < watermark) this.pending.delete(m);
  }

  private reportErrors(): void {
    for (const e of this.set.errors.splice(0)) {
      this.o.onError?.(
        new Error(`detector ${e.detector} failed at ${new Date(e.minuteMs).toISOString()}`, {
          cause: e.error,
        }),
      );
    }
  }

  private async emit(f: Finding): Promise<void> {
    this.findings++;
    this.o.onFinding?.(f);
    // A failing alert store loses this finding, not the ones after it.
    try {
      await this.sink.accept(f);
    } catch (e) {
      this.o.onError?.(e);
    }
  }

  stats(): LiveDetectionStats {
    return {
      cursor: this.cursor,
      watermarkMs: this.set.position < 0 ? null : this.set.position,
      minutesFed: this.minutesFed,
      findings: this.findings,
      lateRows: this.late,
      futureRows: this.future,
      state: this.set.stateSizes(),
    };
  }
}

function rowCount(r: MinuteRows): number {
  return (
    r.probes.length +
    r.backscatter.length +
    r.payloads.length +
    r.ids.length +
    r.volume.length +
    (r.inbound?.length ?? 0)
  );
}
