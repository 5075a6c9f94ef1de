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
 * always waits the grace. Rows for minutes already fed are counted as late and dropped. Before
 * going live it warms the detectors'
 * baselines on the last `warmupMs` of stored history without raising alerts.
 *
 * The watermark follows event time, not the wall clock: when every sensor is silent nothing is
 * fed, so no attack "ends" and no port "goes quiet" for lack of data (METHODS.md, "Coverage").
 * Rows stamped more than `maxFutureMs` ahead of the wall clock (a sensor with a wrong clock) are
 * dropped so they cannot drag the watermark forward; the server passes the limit ingest applies
 * (`maxClockAheadSeconds`), so what was stored is what is detected. Neither the warm-up nor the
 * watermark goes past the wall clock.
 */
import { DEFAULT_MAX_CLOCK_AHEAD_SECONDS } from '../core/index.js';
import type { DetectionSource, SensorVolumeRow } from '../observe/index.js';
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

export async function startLiveDetection(o: LiveDetectionOptions): Promise<LiveDetection> {
  const set = new DetectorSet(o.detectors);
  const sink = new AlertSink(o.alerts, o.notifier);
  const grace = o.graceMs ?? 2 * MINUTE_MS;
  const now = o.now ?? Date.now;
  const maxFuture = o.maxFutureMs ?? DEFAULT_MAX_CLOCK_AHEAD_SECONDS * 1000;
  let cursor = await o.source.latestBatch();
  const pending = new Map<number, MinuteRows>();
  let maxMinute = -1;
  /**
   * Per stream (sensor × kind: one agent may follow a firewall log and an IDS log), from its volume
   * rows: the newest event minute delivered, the newest one delivered at least `settleMs` ago, and
   * the newer ones with when they were first seen (one entry per poll).
   */
  const streams = new Map<string, { latest: number; settled: number; queue: [number, number][] }>();
  const waitForStreams = o.waitForStreams ?? true;
  const settleMs = o.settleMs ?? 20_000;
  const noteStreams = (rows: readonly SensorVolumeRow[], seenAt: number) => {
    if (!waitForStreams) return;
    const newest = new Map<string, number>();
    for (const x of rows) {
      const key = `${x.sensor}\u0000${x.kind}`;
      if (x.minuteMs > (newest.get(key) ?? Number.NEGATIVE_INFINITY)) newest.set(key, x.minuteMs);
    }
    for (const [key, m] of newest) {
      let st = streams.get(key);
      if (!st) {
        st = { latest: Number.NEGATIVE_INFINITY, settled: Number.NEGATIVE_INFINITY, queue: [] };
        streams.set(key, st);
      }
      if (m <= st.latest) continue;
      st.latest = m;
      st.queue.push([m, seenAt]);
    }
  };
  let findings = 0;
  let late = 0;
  let future = 0;
  let minutesFed = 0;

  const range = await o.source.rawTimeRange();
  const warmup = o.warmupMs ?? 2 * 86_400_000;
  if (range && warmup > 0) {
    // Warm up to the wall clock at most: a stored event stamped ahead (a sensor clock running fast)
    // must not put the detectors past the present, where every row arriving now would be "late".
    // Then the newest stored minute at or before now is unknown: the grace before now is left to
    // the live feed (as the watermark would leave it), with stored rows up to `maxFutureMs` ahead.
    const wallMs = now();
    const lastMs = Math.min(range.lastMs, wallMs + maxFuture);
    const to = Math.floor((range.lastMs > wallMs ? wallMs - grace : lastMs) / MINUTE_MS) * MINUTE_MS;
    await runHistory(
      o.source,
      { fromMs: Math.max(range.firstMs, to - warmup), toMs: to },
      set,
      () => undefined,
    );
    // The last stored minute may still grow: its rows wait with the live ones instead of being fed.
    const tail = { fromMs: to, toMs: lastMs + 1 };
    const lists = await Promise.all(set.families.map((f) => o.source.detectionRows(f, tail)));
    set.families.forEach((f, i) => {
      bucketRows(pending, f, lists[i]!);
    });
    maxMinute = to;
    // The streams heard from within the grace before the restart hold the watermark like live ones
    // (otherwise the first to deliver would carry it past the others' minutes): their stored minutes
    // are settled, the tail's may still grow.
    if (waitForStreams) {
      noteStreams(
        await o.source.detectionRows('sensor-volume', { fromMs: to - grace, toMs: to }),
        Number.NEGATIVE_INFINITY,
      );
      noteStreams((lists[set.families.indexOf('sensor-volume')] ?? []) as SensorVolumeRow[], now());
    }
  }

  const emit = async (f: Finding) => {
    findings++;
    o.onFinding?.(f);
    // A failing alert store loses this finding, not the ones after it.
    try {
      await sink.accept(f);
    } catch (e) {
      o.onError?.(e);
    }
  };
  const maxBatches = o.maxBatchesPerPoll ?? 500;
  const maxGap = o.maxGapMs ?? 31 * 86_400_000;

  const poll = async (): Promise<void> => {
    await o.beforePoll?.();
    const latest = await o.source.latestBatch();
    if (latest > cursor) {
      // After a stall, catch up a bounded number of batches per poll.
      const r = { afterBatch: cursor, upToBatch: Math.min(latest, cursor + maxBatches) };
      const lists = await Promise.all(set.families.map((f) => o.source.detectionRows(f, r)));
      cursor = r.upToBatch;
      const limit = now() + maxFuture;
      const notBefore = set.position < 0 ? Number.NEGATIVE_INFINITY : set.position;
      set.families.forEach((f, i) => {
        const rows = lists[i]!.filter((x) => x.minuteMs <= limit);
        future += lists[i]!.length - rows.length;
        late += bucketRows(pending, f, rows, notBefore);
        for (const x of rows) if (x.minuteMs > maxMinute) maxMinute = x.minuteMs;
        if (f === 'sensor-volume') noteStreams(rows as SensorVolumeRow[], now());
      });
    }
    if (maxMinute < 0) return;
    // Never past the wall clock: one sensor whose clock runs ahead must not make everybody late.
    const wallMinute = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
    const top = Math.min(maxMinute, wallMinute);
    let watermark = Math.floor((top - grace) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    // Every stream heard from within the grace has settled past minute m: m is complete.
    let allPast = Number.POSITIVE_INFINITY;
    const t = now();
    for (const [key, st] of streams) {
      while (st.queue.length > 0 && st.queue[0]![1] <= t - settleMs) st.settled = st.queue.shift()![0];
      if (st.latest >= top - grace) allPast = Math.min(allPast, st.settled);
      else if (st.latest < top - maxGap) streams.delete(key);
    }
    if (allPast !== Number.POSITIVE_INFINITY) watermark = Math.max(watermark, Math.min(allPast, wallMinute));
    if (set.position >= 0 && watermark <= set.position) return;
    // A stray row from a clock far in the past would have the detectors step through years of
    // empty minutes: at most `maxGapMs` before the watermark is fed, the rest counts as late.
    const floor = watermark - maxGap;
    for (const [m, rows] of pending) {
      if (m >= floor) continue;
      late += rowCount(rows);
      pending.delete(m);
    }
    if (set.position >= 0 && set.position < floor) set.skipTo(floor);
    const before = set.cpu.minutes;
    const found = set.feedUpTo(watermark, pending);
    for (const e of set.errors.splice(0)) {
      o.onError?.(
        new Error(`detector ${e.detector} failed at ${new Date(e.minuteMs).toISOString()}`, {
          cause: e.error,
        }),
      );
    }
    for (const f of found) await emit(f);
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

function rowCount(r: MinuteRows): number {
  return r.probes.length + r.backscatter.length + r.payloads.length + r.ids.length + r.volume.length;
}
