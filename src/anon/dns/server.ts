/**
 * The DNSBL over UDP and TCP (RFC 1035 §4.2; TCP messages with a two-byte length, RFC 7766).
 * Every packet goes through `answerQuery`, guarded: a failure answers SERVFAIL, never stops the
 * server. TCP connections are bounded in number, message size and idle time. The UDP side, on one
 * thread or several, and its recovery when a worker thread dies: udp-side.ts.
 */
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { KobanError } from '../../core/index.js';
import { type DnsblSource, MAX_QUERY_BYTES, safeAnswer } from './answer.js';
import { UdpSide, type UdpSideLog } from './udp-side.js';
import { defaultWorkerScript } from './udp-threads.js';

export interface DnsblServerOptions {
  readonly host: string;
  readonly port: number;
  readonly zone: string;
  readonly maxTcpConnections?: number;
  readonly tcpIdleMs?: number;
  /** Told of a query that could not be answered (a bug, not bad input). */
  readonly onError?: (e: unknown) => void;
  /**
   * Threads answering UDP (udp-threads.ts): the main thread and `threads − 1` workers sharing the
   * socket and the index; default 1. More than one needs a source that shares its index.
   */
  readonly threads?: number;
  /** The compiled udp-worker.js; default: the one beside this module (tests name dist's). */
  readonly workerScript?: URL;
  /** Told of what the UDP side did on its own (udp-side.ts): a worker restarted, the socket lost. */
  readonly log?: UdpSideLog;
  /** Worker restarts allowed in any minute (default 5); past them, the main thread answers alone. */
  readonly maxRestartsPerMinute?: number;
}

export interface DnsblServer {
  /** The UDP and TCP port (the same; chosen by the system when 0 was asked). */
  readonly port: number;
  /**
   * Threads answering UDP now, the main one included: 1 after the workers kept dying (udp-side.ts),
   * 0 while the UDP socket is being bound again or since it could not be.
   */
  readonly threads: number;
  /** Times the UDP side was restarted because a worker thread died. */
  readonly workerRestarts: number;
  /** Why the last worker thread died (null: none has). */
  readonly lastRestartReason: string | null;
  /** The answer each worker thread gives to `query` (none with one thread): a health check. */
  probeWorkers(query: Buffer): Promise<(Buffer | null)[]>;
  /** Resolves once no restart of the UDP side is under way (tests). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

function serveTcp(sock: TcpSocket, zone: string, src: DnsblSource, opts: DnsblServerOptions): void {
  let buf = Buffer.alloc(0);
  sock.setTimeout(opts.tcpIdleMs ?? 10_000, () => sock.destroy());
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      // A message larger than any query: answer nothing more on this connection.
      if (len > MAX_QUERY_BYTES * 2) {
        sock.destroy();
        return;
      }
      if (buf.length < 2 + len) return;
      const msg = buf.subarray(2, 2 + len);
      buf = buf.subarray(2 + len);
      const out = safeAnswer(Buffer.from(msg), zone, src, opts.onError);
      if (out === null) continue;
      const framed = Buffer.alloc(2 + out.length);
      framed.writeUInt16BE(out.length, 0);
      out.copy(framed, 2);
      sock.write(framed);
    }
  });
}

/** Worker threads for `opts.threads`, checked: 0 for one thread. */
function workerCount(src: DnsblSource, opts: DnsblServerOptions): { workers: number; script: URL | null } {
  const workers = (opts.threads ?? 1) - 1;
  if (!Number.isInteger(workers) || workers < 0)
    throw new KobanError('E_USAGE', `threads must be a whole number ≥ 1, not ${opts.threads}`);
  if (workers === 0) return { workers, script: null };
  const script = opts.workerScript ?? defaultWorkerScript();
  if (src.share === undefined || src.onChange === undefined || script === null)
    throw new KobanError(
      'E_USAGE',
      script === null
        ? 'answering on several threads needs the compiled worker (npm run build)'
        : 'answering on several threads needs a source that shares its index',
    );
  return { workers, script };
}

export async function startDnsblServer(src: DnsblSource, opts: DnsblServerOptions): Promise<DnsblServer> {
  const zone = opts.zone.toLowerCase().replace(/\.$/, '');
  const { workers, script } = workerCount(src, opts);
  const open = new Set<TcpSocket>();
  const tcp: Server = createServer((sock) => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    serveTcp(sock, zone, src, opts);
  });
  tcp.maxConnections = opts.maxTcpConnections ?? 256;
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.port, opts.host, () => resolve());
  });
  const addr = tcp.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  const closeTcp = async () => {
    const closed = new Promise<void>((r) => tcp.close(() => r()));
    for (const s of open) s.destroy();
    await closed;
  };
  let udp: UdpSide;
  try {
    udp = await UdpSide.start(src, {
      host: opts.host,
      port,
      zone,
      workers,
      script,
      onError: opts.onError,
      log: opts.log,
      maxRestartsPerMinute: opts.maxRestartsPerMinute,
    });
  } catch (e) {
    await closeTcp();
    throw e;
  }
  return {
    port,
    get threads() {
      return udp.threadCount;
    },
    get workerRestarts() {
      return udp.workerRestarts;
    },
    get lastRestartReason() {
      return udp.lastRestartReason;
    },
    probeWorkers: (query) => udp.probe(query),
    settled: () => udp.settled(),
    async close() {
      await udp.close();
      await closeTcp();
    },
  };
}
