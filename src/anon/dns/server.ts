/**
 * The DNSBL over UDP and TCP (RFC 1035 §4.2; TCP messages with a two-byte length, RFC 7766).
 * Every packet goes through `answerQuery`, guarded: a failure answers SERVFAIL, never stops the
 * server. TCP connections are bounded in number, message size and idle time.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { isIPv4Text, KobanError } from '../../core/index.js';
import { type DnsblSource, MAX_QUERY_BYTES, safeAnswer } from './answer.js';
import { defaultWorkerScript, startUdpThreads, type UdpThreads } from './udp-threads.js';

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
}

export interface DnsblServer {
  /** The UDP and TCP port (the same; chosen by the system when 0 was asked). */
  readonly port: number;
  /** Threads answering UDP, the main one included. */
  readonly threads: number;
  /** The answer each worker thread gives to `query` (none with one thread): a health check. */
  probeWorkers(query: Buffer): Promise<(Buffer | null)[]>;
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

/** The worker threads for `opts.threads` > 1, each given the index now and after every change. */
async function startWorkers(
  udp: Socket,
  family: 'udp4' | 'udp6',
  zone: string,
  src: DnsblSource,
  opts: DnsblServerOptions,
): Promise<{ threads: UdpThreads; unsubscribe: () => void } | null> {
  const count = (opts.threads ?? 1) - 1;
  if (!Number.isInteger(count) || count < 0)
    throw new KobanError('E_USAGE', `threads must be a whole number ≥ 1, not ${opts.threads}`);
  if (count === 0) return null;
  const script = opts.workerScript ?? defaultWorkerScript();
  if (src.share === undefined || src.onChange === undefined || script === null)
    throw new KobanError(
      'E_USAGE',
      script === null
        ? 'answering on several threads needs the compiled worker (npm run build)'
        : 'answering on several threads needs a source that shares its index',
    );
  const onError = opts.onError ?? (() => undefined);
  const threads = await startUdpThreads({
    socket: udp,
    family,
    zone,
    share: src.share(),
    count,
    script,
    onError,
  });
  const share = src.share.bind(src);
  // A reload reaches every worker as one message: each swaps to the new index between datagrams.
  const unsubscribe = src.onChange(() => void threads.update(share()).catch(onError));
  return { threads, unsubscribe };
}

export async function startDnsblServer(src: DnsblSource, opts: DnsblServerOptions): Promise<DnsblServer> {
  const zone = opts.zone.toLowerCase().replace(/\.$/, '');
  const family = isIPv4Text(opts.host) ? 'udp4' : 'udp6';
  const udp: Socket = createSocket(family);
  udp.on('message', (msg, rinfo) => {
    const out = safeAnswer(msg, zone, src, opts.onError);
    if (out !== null) udp.send(out, rinfo.port, rinfo.address);
  });
  udp.on('error', (e) => opts.onError?.(e));
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
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, opts.host, () => resolve());
  });
  const closeSockets = async () => {
    await new Promise<void>((r) => udp.close(() => r()));
    const closed = new Promise<void>((r) => tcp.close(() => r()));
    for (const s of open) s.destroy();
    await closed;
  };
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  try {
    workers = await startWorkers(udp, family, zone, src, opts);
  } catch (e) {
    await closeSockets();
    throw e;
  }
  return {
    port,
    threads: 1 + (workers?.threads.count ?? 0),
    probeWorkers: async (query) => (workers === null ? [] : workers.threads.probe(query)),
    async close() {
      // The workers first: their sockets share the main one's descriptor (udp-threads.ts), which
      // the first to end closes; the main socket's close then finds it closed already.
      workers?.unsubscribe();
      await workers?.threads.close();
      await closeSockets();
    },
  };
}
