/**
 * Live detection for the server: every `intervalMs` it reads the detection aggregates of the batches
 * stored since its cursor, holds them by event minute, and feeds the detectors every minute up to a
 * watermark — the newest event minute seen minus `graceMs`, so events that arrive a little late
 * (agents deliver in batches, spools drain after an outage) still land in their minute. Rows for
 * minutes already fed are counted as late and dropped. Before going live it warms the detectors'
 * baselines on the last `warmupMs` of stored history without raising alerts.
 *
 * The watermark follows event time, not the wall clock: when every sensor is silent nothing is
 * fed, so no attack "ends" and no port "goes quiet" for lack of data (METHODS.md, "Coverage").
 * Rows stamped more than `maxFutureMs` ahead of the wall clock (a sensor with a wrong clock) are
 * dropped so they cannot drag the watermark forward.
 */
import type { DetectionSource } from '../observe/index.js';
import type { AlertStore } from './alerts.js';
import { type Finding, MINUTE_MS, type MinuteRows } from './finding.js';
import type { Notifier } from './notify.js';
import { AlertSink, bucketRows, DetectorSet, type DetectorsOptions, runHistory } from './runner.js';

export interface LiveDetectionOptions {
  readonly source: DetectionSource;
  readonly alerts: AlertStore;
  /** Detector and coverage options (addresses per sensor from the registry's `addressBlocks`). */
  readonly detectors?: DetectorsOptions;
  readonly notifier?: Notifier;
  readonly intervalMs?: number;
  readonly graceMs?: number;
  readonly warmupMs?: number;
  readonly maxFutureMs?: number;
  readonly now?: () => number;
  readonly onError?: (e: unknown) => void;
  readonly onFinding?: (f: Finding) => void;
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

export async function startLiveDetection(o: LiveDetectionOptions): Promise<LiveDetection> {
  const set = new DetectorSet(o.detectors);
  const sink = new AlertSink(o.alerts, o.notifier);
  const grace = o.graceMs ?? 2 * MINUTE_MS;
  const now = o.now ?? Date.now;
  const maxFuture = o.maxFutureMs ?? 10 * MINUTE_MS;
  let cursor = await o.source.latestBatch();
  const pending = new Map<number, MinuteRows>();
  let maxMinute = -1;
  let findings = 0;
  let late = 0;
  let future = 0;
  let minutesFed = 0;

  const range = await o.source.rawTimeRange();
  const warmup = o.warmupMs ?? 2 * 86_400_000;
  if (range && warmup > 0) {
    const to = Math.floor(range.lastMs / MINUTE_MS) * MINUTE_MS;
    await runHistory(
      o.source,
      { fromMs: Math.max(range.firstMs, to - warmup), toMs: to },
      set,
      () => undefined,
    );
    // The last stored minute may still grow: its rows wait with the live ones instead of being fed.
    const tail = { fromMs: to, toMs: range.lastMs + 1 };
    const lists = await Promise.all(set.families.map((f) => o.source.detectionRows(f, tail)));
    set.families.forEach((f, i) => {
      bucketRows(pending, f, lists[i]!);
    });
    maxMinute = to;
  }

  const emit = async (f: Finding) => {
    findings++;
    o.onFinding?.(f);
    await sink.accept(f);
  };

  const poll = async (): Promise<void> => {
    await o.beforePoll?.();
    const latest = await o.source.latestBatch();
    if (latest > cursor) {
      const r = { afterBatch: cursor, upToBatch: latest };
      const lists = await Promise.all(set.families.map((f) => o.source.detectionRows(f, r)));
      cursor = latest;
      const limit = now() + maxFuture;
      const notBefore = set.position < 0 ? Number.NEGATIVE_INFINITY : set.position;
      set.families.forEach((f, i) => {
        const rows = lists[i]!.filter((x) => x.minuteMs <= limit);
        future += lists[i]!.length - rows.length;
        late += bucketRows(pending, f, rows, notBefore);
        for (const x of rows) if (x.minuteMs > maxMinute) maxMinute = x.minuteMs;
      });
    }
    if (maxMinute < 0) return;
    const watermark = Math.floor((maxMinute - grace) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    if (set.position >= 0 && watermark <= set.position) return;
    const before = set.cpu.minutes;
    for (const f of set.feedUpTo(watermark, pending)) await emit(f);
    minutesFed += set.cpu.minutes - before;
    for (const m of pending.keys()) if (m < watermark) pending.delete(m);
  };

  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = poll()
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
    stats: () => ({
      cursor,
      watermarkMs: set.position < 0 ? null : set.position,
      minutesFed,
      findings,
      lateRows: late,
      futureRows: future,
      state: set.stateSizes(),
    }),
    poll: async () => {
      await running;
      await poll();
    },
  };
}
