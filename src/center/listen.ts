/**
 * The center's listener: HTTP, or HTTPS with a PEM certificate and key. A busy port, a missing
 * TLS file or another failure to listen is a KobanError saying which.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { KobanError } from '../core/index.js';

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
}

export interface Listener {
  /** `http(s)://host:port`, with 127.0.0.1 for a wildcard address. */
  readonly url: string;
  /** Stops accepting connections; requests already in progress run to completion. */
  close(): Promise<void>;
}

function start(app: Hono, o: ListenOptions): Promise<ServerType> {
  const tls = o.tlsCert !== undefined;
  const base = { fetch: app.fetch, hostname: o.host, port: o.port };
  const options = tls
    ? {
        ...base,
        createServer: createHttpsServer,
        serverOptions: { cert: readFileSync(o.tlsCert!), key: readFileSync(o.tlsKey!) },
      }
    : base;
  return new Promise<ServerType>((resolve, reject) => {
    const s = serve(options, () => resolve(s));
    s.once('error', reject);
  });
}

function urlOf(server: ServerType, tls: boolean): string {
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `${tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
}

/** Refuses options that cannot work, before anything is opened. */
export function checkListenOptions(o: ListenOptions): void {
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined))
    throw new KobanError('E_USAGE', '--tls-cert and --tls-key go together');
}

export async function listen(app: Hono, o: ListenOptions): Promise<Listener> {
  checkListenOptions(o);
  let server: ServerType;
  try {
    server = await start(app, o);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new KobanError('E_USAGE', `${o.host}:${o.port} is already in use`);
    if (err.code === 'ENOENT') throw new KobanError('E_CONFIG', `TLS file not found: ${err.path ?? ''}`);
    throw new KobanError('E_CONFIG', `cannot listen on ${o.host}:${o.port}: ${err.message}`);
  }
  return {
    url: urlOf(server, o.tlsCert !== undefined),
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      return closed;
    },
  };
}
