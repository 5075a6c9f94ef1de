/**
 * Runs the center: HTTP or HTTPS listener, periodic housekeeping (sensor-silence alerts), a
 * `server.json` beside the data so CLI commands can find the running center, and graceful
 * shutdown — on SIGTERM/SIGINT stop accepting, finish in-flight batches, flush, close.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { KobanError } from '../core/index.js';
import { checkSensorSilence } from '../detect/index.js';
import { applyRetention } from '../observe/index.js';
import { buildApp } from './app.js';
import { type Center, type CenterOptions, openCenter } from './center.js';
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
}

export interface RunningCenter {
  readonly center: Center;
  readonly url: string;
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

  const silentAfterMs = (options.silentAfterMinutes ?? 60) * 60_000;
  const housekeeping = async () => {
    try {
      const sensors = await center.registry.list();
      await checkSensorSilence(center.alerts, sensors, silentAfterMs, Date.now());
      await applyRetention(center.observatory.store, center.observatory.config);
    } catch (err) {
      center.log.error({ err }, 'housekeeping failed');
    }
  };
  const timer = setInterval(() => void housekeeping(), options.housekeepingMs ?? 60_000);
  timer.unref();
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
      clearInterval(deliveries);
      // Stop accepting connections; requests already in progress run to completion.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await closed;
      await center.close();
      rmSync(serverFile, { force: true });
    })();
    return stopping;
  };
  return { center, url, stop };
}
