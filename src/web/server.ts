/**
 * Runs the center: HTTP or HTTPS listener, live detection (port surges, backscatter, scans, worms,
 * sensor health → operator alerts, notified by webhook and e-mail), periodic housekeeping
 * (sensor-silence alerts, retention), a
 * `server.json` beside the data so CLI commands can find the running center, and graceful
 * shutdown — on SIGTERM/SIGINT stop accepting, finish in-flight batches, flush, close.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { KobanError } from '../core/index.js';
import { Lease } from '../db/index.js';
import {
  addressCounts,
  checkSensorSilence,
  createNotifier,
  LeasedDetection,
  type LiveDetection,
  type Notifier,
  NotifyConfigSchema,
  startLiveDetection,
} from '../detect/index.js';
import { applyRetention } from '../observe/index.js';
import { buildApp } from './app.js';
import { type Center, type CenterOptions, LOCAL_OPERATOR_FILE, openCenter } from './center.js';
import { deliverAlerts } from './intel/alerts.js';

export const SERVER_FILE = 'server.json';

export interface ServeOptions extends CenterOptions {
  readonly host: string;
  readonly port: number;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  /** Minutes without a delivery before a sensor-silent alert (default 60). */
  readonly silentAfterMinutes?: number | undefined;
  /** Milliseconds between housekeeping rounds (default 60 s). */
  readonly housekeepingMs?: number | undefined;
  /** Milliseconds between signed audit checkpoints, written when the heads moved (default 1 h). */
  readonly auditCheckpointMs?: number | undefined;
  /** Run the traffic detectors live over arriving data (default true). */
  readonly detect?: boolean | undefined;
  /** Milliseconds between live-detection polls (default 10 s). */
  readonly detectEveryMs?: number | undefined;
  /**
   * Term of the live-detection lease (default 30 s, renewed every third of it): of several centers
   * on one relational store, the holder runs the detectors; another takes over within a term of
   * the holder stopping.
   */
  readonly detectLeaseMs?: number | undefined;
}

export interface RunningCenter {
  readonly center: Center;
  readonly url: string;
  /** The live detectors (null with `detect: false`, or while another node holds the lease). */
  readonly detection: LiveDetection | null;
  /** Stops accepting, drains, closes the stores. Idempotent. */
  stop(): Promise<void>;
}

export async function startCenter(options: ServeOptions): Promise<RunningCenter> {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new KobanError('E_USAGE', '--tls-cert and --tls-key go together');
  }
  const center = await openCenter(options);
  const app = buildApp(center);
  let server: ServerType;
  const tls = options.tlsCert !== undefined;
  try {
    const serverOptions = tls
      ? { cert: readFileSync(options.tlsCert!), key: readFileSync(options.tlsKey!) }
      : undefined;
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve(
        tls
          ? {
              fetch: app.fetch,
              hostname: options.host,
              port: options.port,
              createServer: createHttpsServer,
              serverOptions,
            }
          : { fetch: app.fetch, hostname: options.host, port: options.port },
        () => resolve(s),
      );
      s.once('error', reject);
    });
  } catch (e) {
    await center.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE')
      throw new KobanError('E_USAGE', `${options.host}:${options.port} is already in use`);
    if (err.code === 'ENOENT') throw new KobanError('E_CONFIG', `TLS file not found: ${err.path ?? ''}`);
    throw new KobanError('E_CONFIG', `cannot listen on ${options.host}:${options.port}: ${err.message}`);
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  const serverFile = join(center.dataDir, SERVER_FILE);
  writeFileSync(serverFile, JSON.stringify({ pid: process.pid, url, started: new Date().toISOString() }));
  const localTokenFile = join(center.dataDir, LOCAL_OPERATOR_FILE);
  rmSync(localTokenFile, { force: true });
  writeFileSync(localTokenFile, center.localOperatorToken, { mode: 0o600 });

  // The detectors' coverage reads this map at every minute: refreshed in place before each poll.
  const addresses = new Map<string, number>();
  const refreshAddresses = async () => {
    const blocks: Record<string, readonly string[]> = Object.fromEntries(center.extraAddressBlocks);
    for (const s of await center.registry.list())
      if (s.addressBlocks.length > 0) blocks[s.name] = s.addressBlocks;
    const counts = addressCounts(blocks);
    for (const k of addresses.keys()) if (!counts.has(k)) addresses.delete(k);
    for (const [k, v] of counts) addresses.set(k, v);
  };
  let leased: LeasedDetection | null = null;
  let notifier: Notifier | null = null;
  const startDetection = () =>
    startLiveDetection({
      source: center.observatory.store,
      alerts: center.alerts,
      detectors: { addresses, domesticCountry: center.observatory.config.domesticCountry },
      ...(notifier ? { notifier } : {}),
      intervalMs: options.detectEveryMs ?? center.observatory.config.detection.pollSeconds * 1000,
      graceMs: center.observatory.config.detection.graceSeconds * 1000,
      waitForStreams: center.observatory.config.detection.waitForStreams,
      settleMs: center.observatory.config.detection.settleSeconds * 1000,
      warmupMs: center.observatory.config.detection.warmupHours * 3_600_000,
      maxFutureMs: center.observatory.config.maxClockAheadSeconds * 1000,
      beforePoll: refreshAddresses,
      onError: (err) => center.log.error({ err }, 'live detection failed'),
    });
  if (options.detect !== false) {
    try {
      const notify = center.observatory.config.notify;
      if (notify) {
        const parsed = NotifyConfigSchema.safeParse(notify);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new KobanError(
            'E_CONFIG',
            `koban.json: notify.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
          );
        }
        notifier = createNotifier(parsed.data, (r) =>
          center.log.warn(
            { channel: r.channel, target: r.target, error: r.error },
            'alert notification failed',
          ),
        );
      }
      await refreshAddresses();
      const lease = new Lease(
        center.db,
        'live-detection',
        `${hostname()}:${process.pid}:${randomUUID()}`,
        options.detectLeaseMs ?? 30_000,
      );
      leased = new LeasedDetection(lease, startDetection, center.log);
      const l = leased;
      center.metrics.watchDetection(
        () => l.stats(),
        () => l.held(),
      );
      await leased.begin();
    } catch (e) {
      await leased?.stop();
      server.close();
      notifier?.close();
      await center.close();
      rmSync(serverFile, { force: true });
      rmSync(localTokenFile, { force: true });
      throw e;
    }
  }

  const silentAfterMs = (options.silentAfterMinutes ?? 60) * 60_000;
  const housekeeping = async () => {
    try {
      const sensors = await center.registry.list();
      const silence = await checkSensorSilence(center.alerts, sensors, silentAfterMs, Date.now());
      // A sensor that stopped delivering is told to the operators like any detector alert (the
      // detectors' own sensor-health check cannot fire when the whole fleet stops).
      for (const c of silence.raised) {
        if (c.change === 'opened' && notifier) void notifier.notify(c);
      }
      const closeAfterH = center.observatory.config.detection.closeEndedAfterHours;
      // Only the node running the detectors closes what they reported.
      if (closeAfterH > 0 && leased?.held()) {
        await center.alerts
          .closeEnded({ by: 'koban (episode ended)', endedBeforeMs: Date.now() - closeAfterH * 3_600_000 })
          .then((closed) => {
            if (closed.length > 0) {
              center.log.info({ alerts: closed.map((a) => a.id) }, 'closed alerts of ended episodes');
            }
          })
          .catch((err: unknown) => center.log.error({ err }, 'closing ended alerts failed'));
      }
      const retention = await applyRetention(center.observatory.store, center.observatory.config);
      if (retention.deleted > 0)
        center.log.info(
          {
            deleted: retention.deleted,
            before: new Date(retention.cutoffMs ?? 0).toISOString(),
            from: retention.from,
          },
          'retention removed raw events',
        );
    } catch (err) {
      center.log.error({ err }, 'housekeeping failed');
    }
  };
  const timer = setInterval(() => void housekeeping(), options.housekeepingMs ?? 60_000);
  timer.unref();
  // Signed checkpoints of the audit chain heads, when they moved (intel/checkpoints.ts).
  const checkpoints = setInterval(() => {
    center.intel
      .checkpointAudit()
      .then((c) => {
        if (c) center.log.info({ seq: c.seq, head: c.head }, 'audit checkpoint signed');
      })
      .catch((err: unknown) => center.log.error({ err }, 'audit checkpoint failed'));
  }, options.auditCheckpointMs ?? 3_600_000);
  checkpoints.unref();
  // Alerts to members: due e-mail and webhook deliveries, retried with back-off by the service.
  const deliveries = setInterval(() => {
    deliverAlerts(center.intel).catch((err: unknown) => center.log.error({ err }, 'alert delivery failed'));
  }, 15_000);
  deliveries.unref();

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      center.draining = true;
      clearInterval(timer);
      clearInterval(checkpoints);
      clearInterval(deliveries);
      await leased?.stop();
      notifier?.close();
      // Stop accepting connections; requests already in progress run to completion.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await closed;
      await center.close();
      rmSync(serverFile, { force: true });
      rmSync(localTokenFile, { force: true });
    })();
    return stopping;
  };
  return {
    center,
    url,
    get detection() {
      return leased?.detection ?? null;
    },
    stop,
  };
}
