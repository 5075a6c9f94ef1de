/**
 * The center's periodic work beside serving requests: sensor-silence alerts (the detectors' own
 * sensor-health check cannot fire when the whole fleet stops), closing the alerts of ended
 * episodes, retention of raw events (and of the scanner list and backscatter statistics derived
 * from them), signed checkpoints of the audit chain heads, advisories' due deliveries, and the
 * federation pulls from peer centers that are due. Each is a task on its own interval; a failing
 * round is logged and the next one runs as usual.
 */
import { HOUR_MS } from '../core/index.js';
import { checkSensorSilence, type Notifier, pruneKeptData } from '../detect/index.js';
import { applyRetention } from '../observe/index.js';
import { deliverAdvisories } from './advisory-delivery.js';
import type { Center } from './wiring.js';

const MINUTE_MS = 60_000;

export interface HousekeepingOptions {
  /** Minutes without a delivery before a sensor-silent alert (default 60). */
  readonly silentAfterMinutes?: number | undefined;
  /** Milliseconds between housekeeping rounds (default 60 s). */
  readonly housekeepingMs?: number | undefined;
  /** Milliseconds between signed audit checkpoints, written when the heads moved (default 1 h). */
  readonly auditCheckpointMs?: number | undefined;
  /** Milliseconds between runs of advisories' due deliveries (default 15 s). */
  readonly deliveryMs?: number | undefined;
  /** Milliseconds between looks for federation pulls that are due (default 10 s; each peer has its interval). */
  readonly federationTickMs?: number | undefined;
}

export interface HousekeepingDeps {
  /** The operators' notifier (null without one). */
  readonly notifier: Notifier | null;
  /** Whether this node runs the detectors: only it closes what they reported. */
  readonly leaseHeld: () => boolean;
  readonly now?: () => number;
  /** When this center began receiving deliveries: a sensor's silence counts from then at the earliest. */
  readonly listeningSinceMs?: number;
}

export interface Task {
  readonly everyMs: number;
  run(): Promise<void>;
}

/**
 * Runs each task on its own interval (not keeping the process alive); `stop` ends them all and
 * resolves once the runs in flight have finished (before the stores they use are closed).
 */
export function schedule(tasks: readonly Task[]): { stop(): Promise<void> } {
  const running = new Set<Promise<void>>();
  const timers = tasks.map((t) => {
    const timer = setInterval(() => {
      const run = t.run().finally(() => running.delete(run));
      running.add(run);
    }, t.everyMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled([...running]);
    },
  };
}

/** A sensor that stopped delivering is told to the operators like any detector alert. */
async function sensorSilence(center: Center, deps: HousekeepingDeps, silentAfterMs: number, nowMs: number) {
  const sensors = await center.registry.list();
  const silence = await checkSensorSilence(
    center.alerts,
    sensors,
    silentAfterMs,
    nowMs,
    deps.listeningSinceMs,
  );
  const notifier = deps.notifier;
  for (const c of silence.raised) if (c.change === 'opened' && notifier) void notifier.notify(c);
}

async function closeEndedAlerts(center: Center, nowMs: number): Promise<void> {
  const closeAfterH = center.observatory.config.detection.closeEndedAfterHours;
  if (closeAfterH <= 0) return;
  try {
    const closed = await center.alerts.closeEnded({
      by: 'koban (episode ended)',
      endedBeforeMs: nowMs - closeAfterH * HOUR_MS,
    });
    if (closed.length > 0)
      center.log.info({ alerts: closed.map((a) => a.id) }, 'closed alerts of ended episodes');
  } catch (err) {
    center.log.error({ err }, 'closing ended alerts failed');
  }
}

async function retention(center: Center, nowMs: number): Promise<void> {
  const r = await applyRetention(center.observatory.store, center.observatory.config, { nowMs });
  if (r.deleted > 0)
    center.log.info(
      { deleted: r.deleted, before: new Date(r.cutoffMs ?? 0).toISOString(), from: r.from },
      'retention removed raw events',
    );
  // The scanner list and backscatter statistics go with the events they came from.
  if (r.cutoffMs === null) return;
  const kept = await pruneKeptData(center.db, r.cutoffMs);
  if (kept.scanners + kept.backscatter > 0)
    center.log.info(
      { ...kept, before: new Date(r.cutoffMs).toISOString() },
      'retention removed detection data',
    );
}

/** One round: silence alerts, ended episodes (on the lease holder), retention. */
export async function housekeepingRound(
  center: Center,
  deps: HousekeepingDeps,
  silentAfterMs: number,
): Promise<void> {
  const nowMs = (deps.now ?? Date.now)();
  try {
    await sensorSilence(center, deps, silentAfterMs, nowMs);
    if (deps.leaseHeld()) await closeEndedAlerts(center, nowMs);
    await retention(center, nowMs);
  } catch (err) {
    center.log.error({ err }, 'housekeeping failed');
  }
}

/** Signs a checkpoint of the audit chain heads when they moved (intel/checkpoints.ts). */
async function checkpointAudit(center: Center): Promise<void> {
  try {
    const c = await center.intel.checkpointAudit();
    if (c) center.log.info({ seq: c.seq, head: c.head }, 'audit checkpoint signed');
  } catch (err) {
    center.log.error({ err }, 'audit checkpoint failed');
  }
}

export function housekeepingTasks(
  center: Center,
  deps: HousekeepingDeps,
  options: HousekeepingOptions,
): Task[] {
  const silentAfterMs = (options.silentAfterMinutes ?? 60) * MINUTE_MS;
  return [
    {
      everyMs: options.housekeepingMs ?? MINUTE_MS,
      run: () => housekeepingRound(center, deps, silentAfterMs),
    },
    { everyMs: options.auditCheckpointMs ?? HOUR_MS, run: () => checkpointAudit(center) },
    { everyMs: options.deliveryMs ?? 15_000, run: () => deliverAdvisories(center.intel, center.log) },
    ...(center.federation.pulls
      ? [{ everyMs: options.federationTickMs ?? 10_000, run: () => center.federation.tick().then(() => {}) }]
      : []),
  ];
}
