/**
 * Live detection in the center process: the operators' notifier from koban.json `notify`, the
 * detectors' coverage (address counts per sensor — registered, given or learned from the stored
 * destinations — refreshed in place before each poll), and the
 * lease that lets one center of several on a relational store run the detectors
 * (docs/methods.md#coverage; detect/leased.ts). `startLiveDetection` does the detecting.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { HOUR_MS, KobanError } from '../core/index.js';
import { Lease } from '../db/index.js';
import {
  addressCounts,
  createNotifier,
  LeasedDetection,
  type LiveDetection,
  type Notifier,
  NotifyConfigSchema,
  readScanPolicy,
  startLiveDetection,
} from '../detect/index.js';
import { blocksBySensor, type EventStore, MonitoredSpace } from '../observe/index.js';
import type { Center } from './wiring.js';

export interface DetectionOptions {
  /** Milliseconds between live-detection polls (default: koban.json detection.pollSeconds). */
  readonly detectEveryMs?: number | undefined;
  /**
   * Term of the live-detection lease (default 30 s, renewed every third of it): of several centers
   * on one relational store, the holder runs the detectors; another takes over within a term of
   * the holder stopping.
   */
  readonly detectLeaseMs?: number | undefined;
}

export interface CenterDetection {
  /** The live detectors (null while another node holds the lease, or still warming up). */
  readonly detection: LiveDetection | null;
  /** Whether this node holds the lease. */
  held(): boolean;
  stop(): Promise<void>;
}

/** The operators' notifier of koban.json `notify` (null without one); a bad section is E_CONFIG. */
export function notifierOf(center: Center): Notifier | null {
  const notify = center.observatory.config.notify;
  if (!notify) return null;
  const parsed = NotifyConfigSchema.safeParse(notify);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KobanError(
      'E_CONFIG',
      `koban.json: notify.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return createNotifier(parsed.data, (r) =>
    center.log.warn({ channel: r.channel, target: r.target, error: r.error }, 'alert notification failed'),
  );
}

/** Wall-clock time between two passes that learn the monitored space from newly stored events. */
const LEARN_EVERY_MS = 5 * 60_000;

/**
 * The monitored addresses per sensor the detectors' coverage reads at every minute (observe's
 * monitored-space.ts): registered sensors' address blocks, those of relayed or simulated ones
 * (`extraAddressBlocks`), then the blocks given or learned. Each refresh first learns, at most every
 * `learnEveryMs`, from the destinations of the batches stored since the last pass — the first pass
 * from everything stored — so that sensors nobody gave blocks for are scaled by what they watch.
 */
export function coverageAddresses(
  center: Pick<Center, 'db' | 'extraAddressBlocks'> & {
    readonly observatory: { readonly store: EventStore };
  },
  options: { readonly learnEveryMs?: number; readonly nowMs?: () => number } = {},
): {
  addresses: Map<string, number>;
  refresh(): Promise<void>;
} {
  const addresses = new Map<string, number>();
  const space = new MonitoredSpace(center.db);
  const store = center.observatory.store;
  const now = options.nowMs ?? Date.now;
  let learnedUpTo = 0;
  let learnedAt = Number.NEGATIVE_INFINITY;
  return {
    addresses,
    async refresh() {
      if (now() - learnedAt >= (options.learnEveryMs ?? LEARN_EVERY_MS)) {
        const upTo = await store.latestBatch();
        if (upTo > learnedUpTo)
          await space.learnFrom(store, { afterBatch: learnedUpTo, upToBatch: upTo }, now());
        learnedUpTo = upTo;
        learnedAt = now();
      }
      const counts = addressCounts(blocksBySensor(await space.inEffect(center.extraAddressBlocks)));
      for (const k of addresses.keys()) if (!counts.has(k)) addresses.delete(k);
      for (const [k, v] of counts) addresses.set(k, v);
    },
  };
}

/** Starts the detectors under the lease (resolves once they run here, or another node holds it). */
export async function startCenterDetection(
  center: Center,
  notifier: Notifier | null,
  options: DetectionOptions,
): Promise<CenterDetection> {
  const cfg = center.observatory.config;
  const coverage = coverageAddresses(center);
  await coverage.refresh();
  // Read once, at start: a changed known-scanner file takes effect at the next start.
  const policy = readScanPolicy(cfg.scans, center.dataDir, (m) => center.log.warn(m));
  const start = () =>
    startLiveDetection({
      source: center.observatory.store,
      alerts: center.alerts,
      scanners: center.scanners,
      backscatter: center.backscatter,
      detectors: {
        addresses: coverage.addresses,
        domesticCountry: cfg.domesticCountry,
        scan: { policy },
        backscatter: { minVictimRatePps: cfg.detection.backscatter.minVictimRatePps },
      },
      ...(notifier ? { notifier } : {}),
      intervalMs: options.detectEveryMs ?? cfg.detection.pollSeconds * 1000,
      graceMs: cfg.detection.graceSeconds * 1000,
      waitForStreams: cfg.detection.waitForStreams,
      settleMs: cfg.detection.settleSeconds * 1000,
      warmupMs: cfg.detection.warmupHours * HOUR_MS,
      maxFutureMs: cfg.maxClockAheadSeconds * 1000,
      beforePoll: coverage.refresh,
      onError: (err) => center.log.error({ err }, 'live detection failed'),
    });
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  const lease = new Lease(center.db, 'live-detection', holder, options.detectLeaseMs ?? 30_000);
  const leased = new LeasedDetection(lease, start, center.log);
  center.metrics.watchDetection(
    () => leased.stats(),
    () => leased.held(),
  );
  try {
    await leased.begin();
  } catch (e) {
    await leased.stop();
    throw e;
  }
  return {
    get detection() {
      return leased.detection;
    },
    held: () => leased.held(),
    stop: () => leased.stop(),
  };
}
