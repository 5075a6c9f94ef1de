/**
 * Writes a darknet sensor's packets as a classic pcap file (draft-ietf-opsawg-pcap): little-endian,
 * microsecond timestamps, snaplen 65535, link type Ethernet (1). Each frame is complete: Ethernet II
 * (the router's MAC to the sensor's), an IPv4 header with its checksum (RFC 791, RFC 1071), and TCP
 * (RFC 9293, with the SYN options of the sending stack), UDP (RFC 768) or ICMP (RFC 792) with correct
 * checksums. ICMP errors quote the offending datagram's IPv4 header and first 8 bytes. Classic pcap has
 * no comment field: the file name and the manifest say the capture is simulated.
 */
import { type EventBuffer, PROTO, TCP_OPT } from '../event-buffer.js';
import type { PayloadTable } from '../payloads.js';
import { hash3, mix32 } from '../prng.js';
import type { SimSensor } from '../sensors.js';
import type { ByteSink } from './sink.js';

/** LINKTYPE_ETHERNET (tcpdump.org link-layer header types). */
export const LINKTYPE_ETHERNET = 1;

function sum16(b: Uint8Array, start: number, end: number): number {
  let s = 0;
  let i = start;
  for (; i + 1 < end; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  if (i < end) s += b[i]! << 8;
  return s;
}

function fold(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return s;
}

function put16(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 8) & 255;
  b[p + 1] = v & 255;
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 24) & 255;
  b[p + 1] = (v >>> 16) & 255;
  b[p + 2] = (v >>> 8) & 255;
  b[p + 3] = v & 255;
}

function put32le(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 255;
  b[p + 1] = (v >>> 8) & 255;
  b[p + 2] = (v >>> 16) & 255;
  b[p + 3] = (v >>> 24) & 255;
}

/** Writes a 20-byte IPv4 header at `p` with its checksum; returns p + 20. */
function ipv4Header(
  b: Uint8Array,
  p: number,
  totalLen: number,
  id: number,
  df: boolean,
  ttl: number,
  proto: number,
  src: number,
  dst: number,
): number {
  b[p] = 0x45;
  b[p + 1] = 0;
  put16(b, p + 2, totalLen);
  put16(b, p + 4, id);
  b[p + 6] = df ? 0x40 : 0;
  b[p + 7] = 0;
  b[p + 8] = ttl;
  b[p + 9] = proto;
  b[p + 10] = 0;
  b[p + 11] = 0;
  put32(b, p + 12, src);
  put32(b, p + 16, dst);
  put16(b, p + 10, ~fold(sum16(b, p, p + 20)) & 0xffff);
  return p + 20;
}

/** Ones'-complement sum of the TCP/UDP pseudo-header (RFC 9293 §3.1, RFC 768). */
function pseudoSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

export class PcapWriter {
  records = 0;
  private readonly ethHead: Uint8Array;

  constructor(
    readonly sink: ByteSink,
    readonly sensor: SimSensor,
    private readonly payloads: PayloadTable,
  ) {
    this.ethHead = Uint8Array.from([...sensor.mac, ...sensor.gatewayMac, 0x08, 0x00]);
  }

  /** The 24-byte global header. */
  header(): void {
    const s = this.sink;
    const b = s.buf;
    const p = s.pos;
    put32le(b, p, 0xa1b2c3d4);
    b[p + 4] = 2; // version 2.4
    b[p + 5] = 0;
    b[p + 6] = 4;
    b[p + 7] = 0;
    put32le(b, p + 8, 0); // thiszone
    put32le(b, p + 12, 0); // sigfigs
    put32le(b, p + 16, 65535); // snaplen
    put32le(b, p + 20, LINKTYPE_ETHERNET);
    s.pos = p + 24;
  }

  /** Writes packets `order[from, to)`. */
  write(buf: EventBuffer, order: Uint32Array, from: number, to: number): void {
    const s = this.sink;
    const b = s.buf;
    for (let j = from; j < to; j++) {
      if (s.pos > s.limit) s.flush();
      this.packet(buf, order[j]!, b);
    }
    this.records += to - from;
  }

  private packet(buf: EventBuffer, i: number, b: Uint8Array): void {
    const s = this.sink;
    const rec = s.pos;
    let p = rec + 16;
    for (let k = 0; k < 14; k++) b[p + k] = this.ethHead[k]!;
    p += 14;
    const ip = p;
    const src = buf.src[i]!;
    const dst = buf.dst[i]!;
    const proto = buf.proto[i]!;
    const payload = this.payloads.get(buf.payload[i]!);
    const pl = payload.bytes;
    p += 20;
    const tp = p;
    let total: number;
    if (proto === PROTO.TCP) {
      const opt = buf.tcpOpt[i]!;
      const optLen = writeTcpOptions(b, tp + 20, opt, src);
      const hl = 20 + optLen;
      const sport = buf.sport[i]!;
      const dport = buf.dport[i]!;
      const flags = buf.flags[i]!;
      const seq = hash3(src, dst, (sport << 16) | dport);
      put16(b, tp, sport);
      put16(b, tp + 2, dport);
      put32(b, tp + 4, seq);
      put32(b, tp + 8, flags & 0x10 ? mix32(seq ^ 0xac4) : 0);
      b[tp + 12] = (hl / 4) << 4;
      b[tp + 13] = flags;
      put16(b, tp + 14, buf.window[i]!);
      b[tp + 16] = 0;
      b[tp + 17] = 0;
      put16(b, tp + 18, flags & 0x20 ? 1 : 0);
      p = tp + hl;
      b.set(pl, p);
      p += pl.length;
      const tlen = hl + pl.length;
      const sum = pseudoSum(src, dst, 6, tlen) + sum16(b, tp, tp + hl) + payload.wordSum;
      put16(b, tp + 16, ~fold(sum) & 0xffff);
      total = 20 + tlen;
    } else if (proto === PROTO.UDP) {
      const ulen = 8 + pl.length;
      put16(b, tp, buf.sport[i]!);
      put16(b, tp + 2, buf.dport[i]!);
      put16(b, tp + 4, ulen);
      b[tp + 6] = 0;
      b[tp + 7] = 0;
      b.set(pl, tp + 8);
      p = tp + ulen;
      const c = ~fold(pseudoSum(src, dst, 17, ulen) + sum16(b, tp, tp + 8) + payload.wordSum) & 0xffff;
      put16(b, tp + 6, c === 0 ? 0xffff : c);
      total = 20 + ulen;
    } else {
      b[tp] = buf.flags[i]!;
      b[tp + 1] = buf.code[i]!;
      b[tp + 2] = 0;
      b[tp + 3] = 0;
      const q = buf.quoted[i]!;
      let dataSum: number;
      if (q >= 0) {
        put32(b, tp + 4, 0); // unused (RFC 792)
        const qp = tp + 8;
        quotedDatagram(buf, q, b, qp);
        p = qp + 28;
        dataSum = sum16(b, qp, p);
      } else {
        put16(b, tp + 4, buf.sport[i]!); // identifier
        put16(b, tp + 6, buf.dport[i]!); // sequence number
        b.set(pl, tp + 8);
        p = tp + 8 + pl.length;
        dataSum = payload.wordSum;
      }
      put16(b, tp + 2, ~fold(sum16(b, tp, tp + 8) + dataSum) & 0xffff);
      total = p - ip;
    }
    ipv4Header(b, ip, total, buf.ipId[i]!, buf.df[i] === 1, buf.ttl[i]!, proto, src, dst);
    const frame = p - (rec + 16);
    const tUs = buf.t[i]!;
    const sec = Math.floor(tUs / 1_000_000);
    put32le(b, rec, sec);
    put32le(b, rec + 4, tUs - sec * 1_000_000);
    put32le(b, rec + 8, frame);
    put32le(b, rec + 12, frame);
    s.pos = p;
  }
}

/** TCP options of a layout at `p`; returns their length. */
function writeTcpOptions(b: Uint8Array, p: number, opt: number, src: number): number {
  switch (opt) {
    case TCP_OPT.WINDOWS:
      // MSS 1460, NOP, NOP, SACK permitted.
      b[p] = 2;
      b[p + 1] = 4;
      b[p + 2] = 0x05;
      b[p + 3] = 0xb4;
      b[p + 4] = 1;
      b[p + 5] = 1;
      b[p + 6] = 4;
      b[p + 7] = 2;
      return 8;
    case TCP_OPT.LINUX:
      // MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
      b[p] = 2;
      b[p + 1] = 4;
      b[p + 2] = 0x05;
      b[p + 3] = 0xb4;
      b[p + 4] = 4;
      b[p + 5] = 2;
      b[p + 6] = 8;
      b[p + 7] = 10;
      put32(b, p + 8, mix32(src ^ 0x75));
      put32(b, p + 12, 0);
      b[p + 16] = 1;
      b[p + 17] = 3;
      b[p + 18] = 3;
      b[p + 19] = 7;
      return 20;
    case TCP_OPT.MSS:
      b[p] = 2;
      b[p + 1] = 4;
      b[p + 2] = 0x05;
      b[p + 3] = 0xb4;
      return 4;
    default:
      return 0;
  }
}

/** The quoted datagram of an ICMP error: a 20-byte IPv4 header and 8 transport bytes. */
function quotedDatagram(buf: EventBuffer, q: number, b: Uint8Array, p: number): void {
  const proto = buf.qProto[q]!;
  const src = buf.qSrc[q]!;
  const dst = buf.qDst[q]!;
  ipv4Header(b, p, buf.qLen[q]!, buf.qId[q]!, false, buf.qTtl[q]!, proto, src, dst);
  const t = p + 20;
  const sport = buf.qSport[q]!;
  const dport = buf.qDport[q]!;
  if (proto === PROTO.ICMP) {
    b[t] = 8;
    b[t + 1] = 0;
    put16(b, t + 2, 0);
    put16(b, t + 4, sport);
    put16(b, t + 6, dport);
    return;
  }
  put16(b, t, sport);
  put16(b, t + 2, dport);
  if (proto === PROTO.UDP) {
    put16(b, t + 4, buf.qLen[q]! - 20);
    put16(b, t + 6, 0); // checksum of the whole datagram is unknown to the quoter: 0 = not computed
  } else put32(b, t + 4, hash3(src, dst, (sport << 16) | dport));
}
