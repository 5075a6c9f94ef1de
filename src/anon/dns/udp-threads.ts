/**
 * The DNSBL's UDP side on several cores: worker threads (udp-worker.ts) answering on the server's
 * one UDP socket beside the main thread, from the index in shared memory.
 *
 * Why one socket shared by file descriptor: SO_REUSEPORT (one socket per thread, the kernel
 * spreading datagrams) needs libuv's UV_UDP_REUSEPORT, which Node 20's libuv (1.46) lacks — its
 * `dgram` ignores a `reusePort` option and a second bind fails with EADDRINUSE; `cluster` shares
 * one socket too, but between processes, each of which would load its own copy of the index. Every
 * thread's event loop polls the same descriptor and whichever reads first answers a datagram. The
 * cost: a datagram wakes every thread and the others read nothing (EAGAIN) — with two threads,
 * twice the empty reads and nearly twice the epoll wake-ups per query (BENCHMARKS.md), so a
 * second thread adds throughput only on a core that would otherwise be idle.
 *
 * The descriptor is owned by the main thread's socket; a worker's socket closes it when the worker
 * ends (Node closes a thread's handles as it stops, and has no dup() to give each its own copy), so
 * the workers end only when the whole server closes. A worker that dies unexpectedly — an uncaught
 * exception, `process.exit`, its heap exhausted — has closed it for every thread: `onExit` tells
 * the caller, which binds a new socket on the same port and starts new workers on it (udp-side.ts).
 * Every other holder of the old descriptor closes it again as it ends, by number: the caller ends
 * them all before binding the new socket (which may get the same number), and closes the main
 * thread's at once — a descriptor the process opens in between (a TCP connection accepted in those
 * few milliseconds) could still take the freed number and be closed by them.
 */
import type { Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KobanError } from '../../core/index.js';
import type { FromUdpWorker, ToUdpWorker, UdpWorkerData } from './udp-worker.js';
import type { DnsblShare } from './verdict.js';

export interface UdpThreads {
  /** Worker threads answering (besides the main thread). */
  readonly count: number;
  /** Hands every worker a new index; resolves once each answers from it. */
  update(share: DnsblShare): Promise<void>;
  /** The answer each worker gives to `query`, in worker order (a health check; tests use it). */
  probe(query: Buffer): Promise<(Buffer | null)[]>;
  close(): Promise<void>;
}

/** The compiled worker beside this file; null when running from the TypeScript sources. */
export function defaultWorkerScript(): URL | null {
  const url = new URL('./udp-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * The socket's file descriptor. `dgram` has no public accessor (`_handle` is deprecated, DEP0112):
 * read the handle from the socket's state, stored under a symbol since Node 12.
 */
export function socketFd(sock: Socket): number {
  const sym = Object.getOwnPropertySymbols(sock).find((s) => s.description === 'state symbol');
  const state = sym === undefined ? undefined : (sock as unknown as Record<symbol, unknown>)[sym];
  const fd = (state as { handle?: { fd?: unknown } } | undefined)?.handle?.fd;
  if (typeof fd !== 'number' || fd < 0)
    throw new KobanError('E_INTERNAL', 'cannot read the UDP socket’s descriptor in this Node version');
  return fd;
}

interface Pending<T> {
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
}

/** One worker: its messages in order, replies matched by sequence number. */
class UdpWorker {
  private seq = 0;
  private readonly waiting = new Map<number, Pending<Buffer | null | undefined>>();
  /** Set before the server ends the worker itself: its exit is then no news. */
  stopping = false;

  constructor(
    readonly worker: Worker,
    onError: (e: unknown) => void,
    onExit: (reason: string) => void,
  ) {
    let crash: unknown = null;
    worker.on('message', (m: FromUdpWorker) => {
      if (m.type === 'error') onError(new KobanError('E_INTERNAL', `dnsbl worker: ${m.message}`));
      else if (m.type === 'ack' || m.type === 'probe') {
        const p = this.waiting.get(m.seq);
        this.waiting.delete(m.seq);
        p?.resolve(m.type === 'probe' ? (m.answer === null ? null : Buffer.from(m.answer)) : undefined);
      }
    });
    const fail = (e: unknown) => {
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    // An uncaught exception: 'error', then 'exit' — the reason given is the exception's.
    worker.on('error', (e) => {
      crash = e;
      fail(e);
    });
    worker.on('exit', (code) => {
      const reason =
        crash === null
          ? `a UDP worker thread stopped (exit ${code})`
          : `a UDP worker thread crashed: ${(crash as Error).message ?? String(crash)}`;
      fail(new KobanError('E_INTERNAL', reason));
      if (!this.stopping) onExit(reason);
    });
  }

  ask(m: Omit<ToUdpWorker & { type: 'index' }, 'seq'> | Omit<ToUdpWorker & { type: 'probe' }, 'seq'>) {
    const seq = ++this.seq;
    return new Promise<Buffer | null | undefined>((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.worker.postMessage({ ...m, seq });
    });
  }
}

async function startOne(
  script: URL,
  data: UdpWorkerData,
  onError: (e: unknown) => void,
  onExit: (reason: string) => void,
): Promise<UdpWorker> {
  const worker = new Worker(script, { workerData: data });
  const ready = new Promise<void>((resolve, reject) => {
    const onEarlyExit = (code: number) =>
      reject(new KobanError('E_INTERNAL', `a UDP worker thread stopped while starting (exit ${code})`));
    const onMessage = (m: FromUdpWorker) => {
      if (m.type === 'error') reject(new KobanError('E_INTERNAL', `dnsbl worker: ${m.message}`));
      if (m.type !== 'ready') return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      worker.off('exit', onEarlyExit);
      resolve();
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', onEarlyExit);
  });
  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return new UdpWorker(worker, onError, onExit);
}

export async function startUdpThreads(opts: {
  readonly socket: Socket;
  readonly family: 'udp4' | 'udp6';
  readonly zone: string;
  readonly share: DnsblShare;
  readonly count: number;
  readonly script: URL;
  /** Told of a query a worker could not answer. */
  readonly onError: (e: unknown) => void;
  /**
   * Told when a started worker ends other than by `close()` — the shared descriptor is closed then
   * (above): the caller recovers (udp-side.ts).
   */
  readonly onExit: (reason: string) => void;
}): Promise<UdpThreads> {
  const data: UdpWorkerData = {
    kind: 'dnsbl-udp',
    fd: socketFd(opts.socket),
    family: opts.family,
    zone: opts.zone,
    share: opts.share,
  };
  const workers: UdpWorker[] = [];
  const started = await Promise.allSettled(
    Array.from({ length: opts.count }, () => startOne(opts.script, data, opts.onError, opts.onExit)),
  );
  for (const r of started) if (r.status === 'fulfilled') workers.push(r.value);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    for (const w of workers) w.stopping = true;
    await Promise.all(workers.map((w) => w.worker.terminate()));
    throw failed.reason;
  }
  return {
    count: workers.length,
    async update(share) {
      await Promise.all(workers.map((w) => w.ask({ type: 'index', share })));
    },
    async probe(query) {
      const answers = await Promise.all(workers.map((w) => w.ask({ type: 'probe', query })));
      return answers.map((a) => a ?? null);
    },
    async close() {
      for (const w of workers) w.stopping = true;
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
