/**
 * The DNSBL's UDP side: the main thread's socket and, with several threads, the worker threads
 * answering on it (udp-threads.ts) — and its recovery when a worker dies.
 *
 * A worker that ends unexpectedly (an exception, `process.exit`, its heap exhausted) has closed
 * the descriptor every thread shares, so the UDP side has stopped answering. Its exit starts a
 * recovery: the main thread's socket is closed at once (its descriptor's number is free then, and
 * must not be closed again once reused), the other workers are ended, a new socket is bound on the
 * same address and port in the main thread — answering as soon as it is bound — and new workers
 * are started on it with the index as it is now. The new socket is bound only after every holder
 * of the old descriptor has let it go, so none of them can close it. A bind that fails (the port
 * taken meanwhile) is tried again a few times; then the UDP side stays down, said in the log, and
 * TCP keeps answering. Restarts are bounded: past `maxRestartsPerMinute` in the last minute (a
 * worker that dies on every start) the main thread answers alone from then on.
 */
import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { isIPv4Text } from '../../core/index.js';
import { type DnsblSource, safeAnswer } from './answer.js';
import { startUdpThreads, type UdpThreads } from './udp-threads.js';

/** Where the UDP side says what it did on its own: a restart (warn), the UDP side lost (error). */
export interface UdpSideLog {
  warn(message: string): void;
  error(message: string): void;
}

export interface UdpSideOptions {
  readonly host: string;
  readonly port: number;
  readonly zone: string;
  /** Worker threads beside the main thread (0: the main thread alone). */
  readonly workers: number;
  /** The compiled udp-worker.js (needed when `workers` > 0). */
  readonly script: URL | null;
  readonly onError?: (e: unknown) => void;
  readonly log?: UdpSideLog;
  /** Worker restarts allowed in any minute (default 5); past them, the main thread alone. */
  readonly maxRestartsPerMinute?: number;
  /** Binds tried when the new socket's bind fails, and the wait between them (default 5, 100 ms). */
  readonly rebindAttempts?: number;
  readonly rebindDelayMs?: number;
  /** The clock the restart bound is counted by (tests). */
  readonly now?: () => number;
}

const MINUTE_MS = 60_000;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class UdpSide {
  private socket: Socket | null = null;
  private threads: UdpThreads | null = null;
  private workers: number;
  private restarts = 0;
  private lastReason: string | null = null;
  /** When each restart of the last minute happened. */
  private restartTimes: number[] = [];
  private recovery: Promise<void> | null = null;
  private closing = false;
  /** Reloads seen: a worker started from an older index is given the new one. */
  private changes = 0;
  private unsubscribe: () => void = () => undefined;
  private readonly family: 'udp4' | 'udp6';
  /** The port bound first (the system's choice when 0 was asked): every socket after binds it. */
  private port: number;

  private constructor(
    private readonly src: DnsblSource,
    private readonly opts: UdpSideOptions,
  ) {
    this.workers = opts.workers;
    this.family = isIPv4Text(opts.host) ? 'udp4' : 'udp6';
    this.port = opts.port;
  }

  /** Binds the socket and starts the workers; throws (nothing left open) when either fails. */
  static async start(src: DnsblSource, opts: UdpSideOptions): Promise<UdpSide> {
    const side = new UdpSide(src, opts);
    side.socket = await side.bind();
    side.port = side.socket.address().port;
    if (side.workers > 0) {
      try {
        side.threads = await side.startThreads(side.socket);
      } catch (e) {
        await side.close();
        throw e;
      }
      const share = src.share?.bind(src);
      // A reload reaches every worker as one message: each swaps to the new index between datagrams.
      side.unsubscribe =
        src.onChange?.(() => {
          side.changes++;
          if (share !== undefined) void side.threads?.update(share()).catch((e) => opts.onError?.(e));
        }) ?? side.unsubscribe;
    }
    return side;
  }

  /** Threads answering UDP now, the main one included; 0 while (or since) no socket is bound. */
  get threadCount(): number {
    return this.socket === null ? 0 : 1 + (this.threads?.count ?? 0);
  }

  get workerRestarts(): number {
    return this.restarts;
  }

  get lastRestartReason(): string | null {
    return this.lastReason;
  }

  /** Resolves once no recovery is under way (tests). */
  async settled(): Promise<void> {
    while (this.recovery !== null) await this.recovery;
  }

  async probe(query: Buffer): Promise<(Buffer | null)[]> {
    return this.threads === null ? [] : this.threads.probe(query);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe();
    await this.settled();
    // The workers first: their sockets share the main one's descriptor (udp-threads.ts), which the
    // first to end closes; the main socket's close then finds it closed already.
    const threads = this.threads;
    this.threads = null;
    await threads?.close();
    const sock = this.socket;
    this.socket = null;
    if (sock !== null) await new Promise<void>((r) => sock.close(() => r()));
  }

  /** A socket bound on the address and port, answering from the main thread. */
  private async bind(): Promise<Socket> {
    const { zone, onError } = this.opts;
    const udp = createSocket(this.family);
    udp.on('message', (msg, rinfo) => {
      const out = safeAnswer(msg, zone, this.src, onError);
      if (out !== null) udp.send(out, rinfo.port, rinfo.address);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.port, this.opts.host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      udp.close();
      throw e;
    }
    udp.on('error', (e) => onError?.(e));
    return udp;
  }

  private async startThreads(sock: Socket): Promise<UdpThreads> {
    const share = this.src.share?.bind(this.src);
    if (share === undefined || this.opts.script === null)
      throw new Error('worker threads need a source that shares its index and the compiled worker');
    const seen = this.changes;
    // A worker that dies while its siblings start: known only once all are, then a failed start.
    let starting = true;
    let died: string | null = null;
    const threads: UdpThreads = await startUdpThreads({
      socket: sock,
      family: this.family,
      zone: this.opts.zone,
      share: share(),
      count: this.workers,
      script: this.opts.script,
      onError: (e) => this.opts.onError?.(e),
      onExit: (reason) => {
        if (starting) died ??= reason;
        else this.workerDied(reason, threads);
      },
    });
    starting = false;
    try {
      if (died !== null) throw new Error(died);
      if (this.changes !== seen) await threads.update(share());
    } catch (e) {
      await threads.close();
      throw e;
    }
    return threads;
  }

  /** A worker of `from` ended unexpectedly: the shared descriptor is closed (udp-threads.ts). */
  private workerDied(reason: string, from: UdpThreads): void {
    if (this.closing || this.recovery !== null || from !== this.threads) return;
    this.dropSocket();
    this.recovery = this.recover(reason)
      .catch((e) => this.opts.log?.error(`dnsbl: the UDP side could not recover: ${message(e)}`))
      .finally(() => {
        this.recovery = null;
      });
  }

  /** Closes the main thread's socket now, whose descriptor a dead worker closed. */
  private dropSocket(): void {
    const sock = this.socket;
    this.socket = null;
    if (sock === null) return;
    sock.removeAllListeners('message');
    try {
      sock.close();
    } catch {
      // Closed already.
    }
  }

  private async recover(firstReason: string): Promise<void> {
    let reason = firstReason;
    const log = this.opts.log;
    for (;;) {
      this.lastReason = reason;
      const old = this.threads;
      this.threads = null;
      await old?.close();
      if (this.closing) return;
      const now = (this.opts.now ?? Date.now)();
      this.restartTimes = this.restartTimes.filter((t) => now - t < MINUTE_MS);
      const max = this.opts.maxRestartsPerMinute ?? 5;
      if (this.restartTimes.length >= max) {
        this.workers = 0;
        log?.warn(
          `dnsbl: ${reason}; the UDP worker threads were restarted ${max} times in the last minute: ` +
            'UDP is answered by the main thread alone from now on',
        );
      } else {
        this.restartTimes.push(now);
        this.restarts++;
        log?.warn(`dnsbl: ${reason}; restarting the UDP side (restart ${this.restarts})`);
      }
      const sock = await this.rebind();
      if (sock === null) return;
      if (this.closing) {
        sock.close();
        return;
      }
      this.socket = sock;
      if (this.workers === 0) return;
      try {
        this.threads = await this.startThreads(sock);
        return;
      } catch (e) {
        // Its siblings, ended, closed the new descriptor too: start again from a new socket.
        reason = message(e);
        if (this.closing) return;
        this.dropSocket();
      }
    }
  }

  /** A new socket on the same address and port; null (said in the log) when none could be bound. */
  private async rebind(): Promise<Socket | null> {
    const attempts = Math.max(1, this.opts.rebindAttempts ?? 5);
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(this.opts.rebindDelayMs ?? 100);
      if (this.closing) return null;
      try {
        return await this.bind();
      } catch (e) {
        last = e;
      }
    }
    this.opts.log?.error(
      `dnsbl: cannot bind UDP ${this.opts.host.includes(':') ? `[${this.opts.host}]` : this.opts.host}:${this.port} again (${message(last)}): ` +
        'UDP is not answered any more, TCP still is — restart the command',
    );
    return null;
  }
}
