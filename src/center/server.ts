/**
 * Runs the center: the stores and services (wiring.ts), the HTTP or HTTPS listener (listen.ts),
 * live detection under the lease (live-detection.ts), periodic housekeeping (housekeeping.ts), a
 * `server.json` beside the data so CLI commands can find the running center, and graceful
 * shutdown — on SIGTERM/SIGINT stop accepting, finish in-flight batches, flush, close.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LiveDetection, Notifier } from '../detect/index.js';
import { startCenterDnsbl } from './anonymizer-dns.js';
import { type HousekeepingOptions, housekeepingTasks, schedule } from './housekeeping.js';
import { checkListenOptions, type Listener, type ListenOptions, listen } from './listen.js';
import {
  type CenterDetection,
  type DetectionOptions,
  notifierOf,
  startCenterDetection,
} from './live-detection.js';
import { LOCAL_OPERATOR_FILE } from './operator-token.js';
import { centerApp } from './web-context.js';
import { type Center, type CenterOptions, openCenter } from './wiring.js';

export const SERVER_FILE = 'server.json';

export interface ServeOptions
  extends CenterOptions,
    ListenOptions,
    DetectionOptions,
    Omit<HousekeepingOptions, 'deliveryMs'> {
  /** Run the traffic detectors live over arriving data (default true). */
  readonly detect?: boolean | undefined;
}

export interface RunningCenter {
  readonly center: Center;
  readonly url: string;
  /** The live detectors (null with `detect: false`, or while another node holds the lease). */
  readonly detection: LiveDetection | null;
  /** Stops accepting, drains, closes the stores. Idempotent. */
  stop(): Promise<void>;
}

/**
 * `server.json` (where the center listens) and the local operator token, beside the data while the
 * center runs; `remove` takes both away.
 */
function writeServerFiles(center: Center, url: string): { remove(): void } {
  const serverFile = join(center.dataDir, SERVER_FILE);
  writeFileSync(serverFile, JSON.stringify({ pid: process.pid, url, started: new Date().toISOString() }));
  const localTokenFile = join(center.dataDir, LOCAL_OPERATOR_FILE);
  rmSync(localTokenFile, { force: true });
  writeFileSync(localTokenFile, center.localOperatorToken, { mode: 0o600 });
  return {
    remove() {
      rmSync(serverFile, { force: true });
      rmSync(localTokenFile, { force: true });
    },
  };
}

/** What runs once the center listens: the notifier, live detection (unless turned off). */
async function startDetection(
  center: Center,
  options: ServeOptions,
): Promise<{ notifier: Notifier | null; detection: CenterDetection | null }> {
  if (options.detect === false) return { notifier: null, detection: null };
  const notifier = notifierOf(center);
  try {
    return { notifier, detection: await startCenterDetection(center, notifier, options) };
  } catch (e) {
    notifier?.close();
    throw e;
  }
}

export async function startCenter(options: ServeOptions): Promise<RunningCenter> {
  checkListenOptions(options);
  const center = await openCenter(options);
  let listener: Listener;
  try {
    listener = await listen(centerApp(center), options);
  } catch (e) {
    await center.close();
    throw e;
  }
  const files = writeServerFiles(center, listener.url);
  let started: Awaited<ReturnType<typeof startDetection>>;
  try {
    started = await startDetection(center, options);
  } catch (e) {
    await listener.close();
    await center.close();
    files.remove();
    throw e;
  }
  const { notifier, detection } = started;
  let dnsbl: Awaited<ReturnType<typeof startCenterDnsbl>>;
  try {
    dnsbl = await startCenterDnsbl(center);
  } catch (e) {
    await detection?.stop();
    notifier?.close();
    await listener.close();
    await center.close();
    files.remove();
    throw e;
  }
  // Sensors could not deliver while this center was down: their silence counts from now at the earliest.
  const listeningSinceMs = Date.now();
  const housekeeping = schedule(
    housekeepingTasks(
      center,
      { notifier, leaseHeld: () => detection?.held() ?? false, listeningSinceMs },
      options,
    ),
  );
  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      center.draining = true;
      await housekeeping.stop();
      await detection?.stop();
      notifier?.close();
      await dnsbl?.close();
      await listener.close();
      await center.close();
      files.remove();
    })();
    return stopping;
  };
  return {
    center,
    url: listener.url,
    get detection() {
      return detection?.detection ?? null;
    },
    stop,
  };
}
