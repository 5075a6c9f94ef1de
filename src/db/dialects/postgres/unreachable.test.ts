// A PostgreSQL server that cannot be reached: one E_STORE line without the password, and no hang —
// a server that accepts the connection and never answers fails it after the connection timeout
// (driven by fake timers, so nothing here waits in real time). Needs no PostgreSQL server.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KobanError } from '../../../core/index.js';
import { openRelational } from '../../index.js';
import { connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS } from './postgres-dialect.js';

const ADVICE = 'check that the PostgreSQL server is running and reachable from here, then retry';

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on: one just given back by the system. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listening(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Settles `p` into a state the test can look at without awaiting it. */
function watch(p: Promise<unknown>): { readonly error: unknown; readonly settled: boolean } {
  const state = { error: undefined as unknown, settled: false };
  p.then(
    () => {
      state.settled = true;
    },
    (e: unknown) => {
      state.error = e;
      state.settled = true;
    },
  );
  return state;
}

/** Lets real I/O (the TCP connection being made) run until pg has armed its timeout. */
async function untilTimerArmed(): Promise<void> {
  for (let i = 0; i < 10_000 && vi.getTimerCount() === 0; i++) await new Promise((r) => setImmediate(r));
  expect(vi.getTimerCount()).toBeGreaterThan(0);
}

describe('an unreachable PostgreSQL server', () => {
  it('refusing connections fails the open with E_STORE naming the database, the password hidden', async () => {
    const port = await closedPort();
    const e = await openRelational('/nonexistent', {
      url: `postgres://koban:hunter2@127.0.0.1:${port}/koban`,
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(KobanError);
    expect((e as KobanError).code).toBe('E_STORE');
    expect((e as KobanError).message).toBe(
      `postgres://koban:***@127.0.0.1:${port}/koban: cannot reach the server (ECONNREFUSED); ${ADVICE}`,
    );
  });

  describe('that accepts the connection and never answers', () => {
    let server: Server;
    let port: number;
    const sockets: Socket[] = [];
    beforeEach(async () => {
      server = createServer((s) => sockets.push(s));
      port = await listening(server);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    });
    afterEach(async () => {
      vi.useRealTimers();
      for (const s of sockets.splice(0)) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    });

    it('fails the open after the default connection timeout, not never', async () => {
      const open = watch(
        openRelational('/nonexistent', { url: `postgres://koban:hunter2@127.0.0.1:${port}/koban` }),
      );
      await untilTimerArmed();
      await vi.advanceTimersByTimeAsync(DEFAULT_CONNECT_TIMEOUT_MS - 1);
      expect(open.settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitUntil(() => open.settled);
      expect(open.error).toBeInstanceOf(KobanError);
      expect((open.error as KobanError).code).toBe('E_STORE');
      expect((open.error as KobanError).message).toBe(
        `postgres://koban:***@127.0.0.1:${port}/koban: no answer from the server (connection timeout); ${ADVICE}`,
      );
    });

    it('fails it after the URL’s connect_timeout when one is given', async () => {
      const url = `postgres://koban@127.0.0.1:${port}/koban?connect_timeout=3`;
      const open = watch(openRelational('/nonexistent', { url }));
      await untilTimerArmed();
      await vi.advanceTimersByTimeAsync(2_999);
      expect(open.settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitUntil(() => open.settled);
      expect((open.error as KobanError).code).toBe('E_STORE');
    });
  });
});

describe('connectTimeoutMs', () => {
  it('reads libpq’s connect_timeout in seconds, and keeps the default for none, zero or nonsense', () => {
    expect(connectTimeoutMs('postgres://h/db?connect_timeout=3')).toBe(3_000);
    for (const url of [
      'postgres://h/db',
      'postgres://h/db?connect_timeout=0',
      'postgres://h/db?connect_timeout=-5',
      'postgres://h/db?connect_timeout=soon',
      'postgres://h/db?connect_timeout=1.5',
    ])
      expect(connectTimeoutMs(url)).toBe(DEFAULT_CONNECT_TIMEOUT_MS);
  });
});
