/**
 * The DNSBL over UDP and TCP (RFC 1035 §4.2; TCP messages with a two-byte length, RFC 7766).
 * Every packet goes through `answerQuery`, guarded: a failure answers SERVFAIL, never stops the
 * server. TCP connections are bounded in number, message size and idle time.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { isIPv4Text } from '../../core/index.js';
import { answerQuery, type DnsblSource, MAX_QUERY_BYTES, RCODE } from './answer.js';

export interface DnsblServerOptions {
  readonly host: string;
  readonly port: number;
  readonly zone: string;
  readonly maxTcpConnections?: number;
  readonly tcpIdleMs?: number;
  /** Told of a query that could not be answered (a bug, not bad input). */
  readonly onError?: (e: unknown) => void;
}

export interface DnsblServer {
  /** The UDP and TCP port (the same; chosen by the system when 0 was asked). */
  readonly port: number;
  close(): Promise<void>;
}

function safeAnswer(
  msg: Buffer,
  zone: string,
  src: DnsblSource,
  onError?: (e: unknown) => void,
): Buffer | null {
  try {
    return answerQuery(msg, zone, src);
  } catch (e) {
    onError?.(e);
    if (msg.length < 12) return null;
    const out = Buffer.alloc(12);
    msg.copy(out, 0, 0, 2);
    out.writeUInt16BE(0x8000 | RCODE.SERVFAIL, 2);
    return out;
  }
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

export async function startDnsblServer(src: DnsblSource, opts: DnsblServerOptions): Promise<DnsblServer> {
  const zone = opts.zone.toLowerCase().replace(/\.$/, '');
  const udp: Socket = createSocket(isIPv4Text(opts.host) ? 'udp4' : 'udp6');
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
  return {
    port,
    async close() {
      await new Promise<void>((r) => udp.close(() => r()));
      const closed = new Promise<void>((r) => tcp.close(() => r()));
      for (const s of open) s.destroy();
      await closed;
    },
  };
}
