/**
 * The packet part of a tcpdump line, `SRC > DST: TEXT`, as OpenBSD's tcpdump and tcpdump.org's
 * print it with -n: addresses and ports (`a.b.c.d.port`; IPv6 `2001:db8::1.443`, where the field
 * after the last dot is the port), then what the transport printer wrote:
 *
 * - TCP: `Flags [S.], seq 1, ack 2, win 512, length 0` (tcpdump.org), `S 1:1(0) win 16384 <mss
 *   1460>` (OpenBSD); the flag letters: _tcpdump-tcp.ts.
 * - UDP: `UDP, length 48` (tcpdump.org), `udp 48` (OpenBSD), or an application decoder's text
 *   (DNS, NTP…) — a line with ports that is not TCP-shaped is UDP, the only other transport with
 *   ports tcpdump decodes that way (SCTP prints `sctp`).
 * - ICMP / ICMPv6: see _tcpdump-icmp.ts.
 * - Others: `ip-proto-N`, `GREv0`, `ESP(spi=…)`, `igmp …`… (print-ip.c's ip_print and its demux).
 *
 * TTL and IP length are taken from tcpdump's -v output: given by the caller from a tcpdump.org
 * header (`(tos 0x0, ttl 64, …, length 60)`, `(hlim 64, next-header TCP (6) payload length: 20)`),
 * or read here from OpenBSD's trailing ` (ttl 64, id 1, len 60)` / ` (len 20, hlim 64)` and its
 * ` [ttl 1]` / ` [hlim 1]` marks for hop limits of 0 and 1 (print-ip.c, print-ip6.c). Without -v
 * tcpdump prints no IP length (its `length N` is the transport payload's), so length stays null.
 */
import {
  canonicalIp,
  ipv4ToString,
  type ObservationEvent,
  parseIPv4,
  protocolFromNumber,
  type RecordOutcome,
  type Rejection,
  reject,
} from '../../core/index.js';
import { IcmpText } from './_tcpdump-icmp.js';
import { modernTcpFlags, openbsdTcpFlags } from './_tcpdump-tcp.js';

const R_MISSING_ADDRESSES = frozenReject('missing addresses');
const R_INVALID_SRC = frozenReject('invalid SRC address');
const R_INVALID_DST = frozenReject('invalid DST address');
const R_INVALID_SPT = frozenReject('invalid SRC port');
const R_INVALID_DPT = frozenReject('invalid DST port');
const R_INVALID_FLAGS = frozenReject('invalid TCP flags');
const R_UNKNOWN_PROTO = frozenReject('unrecognised protocol');
const R_FRAGMENT = frozenReject('fragment without protocol');
const R_TRUNCATED = frozenReject('truncated record');

export function frozenReject(reason: string): Rejection {
  return Object.freeze(reject(reason));
}

const IPV6_HEADER_BYTES = 40;
/** Longest run of OpenBSD ip_print marks after the transport text (see the ttl mark below). */
const TAIL_MARKS = 64;
const EP_OK = 0;
const EP_BAD_ADDR = 1;
const EP_BAD_PORT = 2;

/** Protocols tcpdump names without ports, by the start of their text (print-ip.c demux). */
const NAMED_PROTOCOLS: readonly (readonly [string, number])[] = [
  ['GREv', 47],
  ['gre', 47],
  ['ESP(', 50],
  ['esp', 50],
  ['AH(', 51],
  ['ah ', 51],
  ['igmp', 2],
  ['IGMP', 2],
  ['OSPFv', 89],
  ['OSPF', 89],
  ['ospf', 89],
  ['CARPv', 112],
  ['carp', 112],
  ['VRRPv', 112],
  ['vrrp', 112],
  ['PIMv', 103],
  ['PIM', 103],
  ['pim', 103],
  ['IPComp', 108],
  ['ipcomp', 108],
  ['sctp', 132],
];

/**
 * Where the transport's text starts after the `: ` at `colon`, past the checksum verdicts -v puts
 * first; -1 when nothing a tcpdump packet line holds follows.
 */
function textStart(line: string, colon: number): number {
  let r = colon + 1;
  while (line.charCodeAt(r) === 32) r++;
  // Nothing after the addresses, or a line cut inside `Flags [`: not a packet tcpdump printed.
  if (r >= line.length || (line.length - r < 7 && 'Flags ['.startsWith(line.slice(r)))) return -1;
  // Checksum verdicts (`[udp sum ok] `, `[bad icmp6 cksum …] `), not `[|tcp]`.
  for (let k = 0; k < 2 && line.charCodeAt(r) === 91 && line.charCodeAt(r + 1) !== 124; k++) {
    const b = line.indexOf('] ', r);
    if (b === -1) break;
    r = b + 2;
  }
  return r;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Turns `SRC > DST: TEXT` into an event; one reader per parser (it caches the last addresses). */
export class TcpdumpPacketReader {
  private readonly icmp = new IcmpText();
  // Last address texts and their canonical forms: a log repeats them line after line.
  private srcRaw = '';
  private srcVal = '';
  private dstRaw = '';
  private dstVal = '';
  // Results of endpoint() and uint().
  private epVal = '';
  private epPort = -1;
  private epV6 = false;
  private numEnd = 0;
  // Results of classify().
  private cProto = -1;
  private cFlags = -1;
  private cIcmpAt = -1;
  private cModern = false;
  // Results of readTail().
  private tTtl = -1;
  private tLen = -1;

  /**
   * Reads the packet at `p`. `hintProto`, `hintTtl` and `hintLen` come from a tcpdump.org -v header
   * (-1 when unknown); `hintLen` is already the IP total length.
   */
  read(
    line: string,
    p: number,
    timeMs: number,
    sensor: string,
    hintProto: number,
    hintTtl: number,
    hintLen: number,
  ): RecordOutcome {
    const gt = line.indexOf(' > ', p);
    if (gt === -1 || gt === p) return R_MISSING_ADDRESSES;
    const colon = line.indexOf(': ', gt + 3);
    if (colon === -1) return R_TRUNCATED;
    const sp = line.indexOf(' ', p);
    if (sp < gt) return R_INVALID_SRC;
    const dsp = line.indexOf(' ', gt + 3);
    if (dsp !== -1 && dsp < colon) return R_INVALID_DST;

    let e = this.endpoint(line, p, gt, false);
    if (e !== EP_OK) return e === EP_BAD_ADDR ? R_INVALID_SRC : R_INVALID_SPT;
    const src = this.epVal;
    const v6 = this.epV6;
    const srcPort = this.epPort;
    e = this.endpoint(line, gt + 3, colon, true);
    if (e !== EP_OK) return e === EP_BAD_ADDR ? R_INVALID_DST : R_INVALID_DPT;
    const dst = this.epVal;
    const dstPort = this.epPort;

    const r = textStart(line, colon);
    if (r < 0) return R_TRUNCATED;
    const why = this.classify(line, r, srcPort >= 0 || dstPort >= 0, hintProto);
    if (why !== null) return why;
    const proto = this.cProto;
    const flags = this.cFlags;
    const icmp = this.cIcmpAt >= 0 ? this.icmp : null;
    icmp?.read(line, this.cIcmpAt, proto === 58, dst);
    const ported = proto === 6 || proto === 17 || proto === 132 || proto === 33;

    let ttl = hintTtl;
    let length = hintLen;
    if (!this.cModern && hintProto < 0) {
      this.readTail(line, r, v6, ttl, length);
      ttl = this.tTtl;
      length = this.tLen;
    }

    const event: ObservationEvent = {
      timeMs,
      sensor,
      kind: 'firewall',
      protocol: protocolFromNumber(proto),
      protocolNumber: proto,
      src,
      dst,
      srcPort: ported && srcPort >= 0 ? srcPort : null,
      dstPort: ported && dstPort >= 0 ? dstPort : null,
      tcpFlags: proto === 6 && flags >= 0 ? flags : null,
      icmpType: icmp !== null && icmp.type >= 0 ? icmp.type : null,
      icmpCode: icmp !== null && icmp.code >= 0 ? icmp.code : null,
      length: length >= 0 ? length : null,
      ttl: ttl >= 0 ? ttl : null,
      ipId: null,
      ids: null,
      payload: null,
      quoted: icmp === null ? null : icmp.quoted,
    };
    return event;
  }

  /**
   * OpenBSD -v's hop limit and IP length at the end of the line, over `ttl` and `length` (the
   * header's hints), into tTtl and tLen; `r` is where the text after the addresses starts.
   */
  private readTail(line: string, r: number, v6: boolean, ttl: number, length: number): void {
    // OpenBSD -v: ` (ttl 64, id 1, len 60)` ends the line (v6: ` (len 20, hlim 64)`).
    let tail = line.length;
    if (line.charCodeAt(line.length - 1) === 41) {
      const g = line.lastIndexOf(' (') + 2;
      if (line.startsWith('ttl ', g) || line.startsWith('id ', g) || line.startsWith('len ', g)) {
        tail = g - 2;
        for (let i = g; ; ) {
          if (line.startsWith('ttl ', i)) ttl = this.uint(line, i + 4, 255);
          else if (line.startsWith('hlim ', i)) ttl = this.uint(line, i + 5, 255);
          else if (line.startsWith('len ', i)) length = this.uint(line, i + 4, 65535);
          const c = line.indexOf(', ', i);
          if (c === -1) break;
          i = c + 2;
        }
        if (v6 && length >= 0) length += IPV6_HEADER_BYTES;
      }
    }
    // ` [ttl 1]` / ` [hlim 0]`: printed whatever -v says when the hop limit is 0 or 1, after the
    // transport's text and at most ` (frag 65535:65535@65535+) (DF) [tos 0xff (EC)]` before -v's group.
    if (ttl < 0) {
      const m = line.indexOf(v6 ? ' [hlim ' : ' [ttl ', Math.max(r, tail - TAIL_MARKS));
      if (m !== -1 && m < tail) ttl = this.uint(line, m + (v6 ? 7 : 6), 255);
    }
    this.tTtl = ttl;
    this.tLen = length;
  }

  /**
   * The protocol of the text at `r` into cProto, with cFlags (TCP), cIcmpAt (where the ICMP text
   * starts) and cModern (tcpdump.org wording); a rejection when it cannot be told.
   */
  private classify(line: string, r: number, ported: boolean, hintProto: number): Rejection | null {
    this.cFlags = -1;
    this.cIcmpAt = -1;
    this.cModern = false;
    let proto = -1;
    switch (line.charCodeAt(r)) {
      case 70: // F
        if (line.startsWith('Flags [', r)) {
          proto = 6;
          const flags = modernTcpFlags(line, r + 7);
          if (flags < 0) return flags === -3 ? R_TRUNCATED : R_INVALID_FLAGS;
          this.cFlags = flags;
          this.cModern = true;
        }
        break;
      case 85: // U
        if (line.startsWith('UDP, ', r)) {
          proto = 17;
          this.cModern = true;
        }
        break;
      case 117: // u
        if (line.startsWith('udp ', r)) proto = 17;
        break;
      case 73: // I
        if (line.startsWith('ICMP6, ', r)) {
          proto = 58;
          this.cIcmpAt = r + 7;
          this.cModern = true;
        } else if (line.startsWith('ICMP ', r)) {
          proto = 1;
          this.cIcmpAt = r + 5;
          this.cModern = true;
        }
        break;
      case 105: // i
        if (line.startsWith('icmp6: ', r)) {
          proto = 58;
          this.cIcmpAt = r + 7;
        } else if (line.startsWith('icmp: ', r)) {
          proto = 1;
          this.cIcmpAt = r + 6;
        }
        break;
    }
    if (proto < 0) {
      if (ported) {
        const flags = openbsdTcpFlags(line, r);
        if (flags >= 0) {
          proto = 6;
          this.cFlags = flags;
        } else if (hintProto >= 0) proto = hintProto;
        else if (line.startsWith('[|tcp]', r) || line.startsWith('tcp ', r)) proto = 6;
        else if (line.startsWith('sctp', r)) proto = 132;
        else proto = 17;
      } else if (hintProto >= 0) {
        proto = hintProto;
      } else {
        proto = this.namedProtocol(line, r);
        if (proto < 0) return line.startsWith('(frag ', r) ? R_FRAGMENT : R_UNKNOWN_PROTO;
      }
    }
    this.cProto = proto;
    return null;
  }

  /**
   * Address (and port) in `[s, e)` into epVal / epPort / epV6. IPv4 `a.b.c.d` or `a.b.c.d.port`;
   * IPv6 with the port after the last dot, where an embedded IPv4 tail (`::ffff:1.2.3.4`) has
   * three dots of its own.
   */
  private endpoint(line: string, s: number, e: number, isDst: boolean): number {
    let dots = 0;
    let lastDot = -1;
    let lastColon = -1;
    let dotsAfterColon = 0;
    for (let i = s; i < e; i++) {
      const c = line.charCodeAt(i);
      if (c === 46) {
        dots++;
        dotsAfterColon++;
        lastDot = i;
      } else if (c === 58) {
        lastColon = i;
        dotsAfterColon = 0;
      }
    }
    const v6 = lastColon !== -1;
    let aEnd = e;
    if (v6) {
      if (dotsAfterColon === 1 || dotsAfterColon === 4) aEnd = lastDot;
      else if (dotsAfterColon !== 0 && dotsAfterColon !== 3) return EP_BAD_ADDR;
    } else if (dots === 4) {
      aEnd = lastDot;
    } else if (dots !== 3) {
      return EP_BAD_ADDR;
    }
    let port = -1;
    if (aEnd < e) {
      port = this.uint(line, aEnd + 1, 65535);
      if (port < 0 || this.numEnd !== e) return EP_BAD_PORT;
    }
    const raw = isDst ? this.dstRaw : this.srcRaw;
    let val: string;
    if (raw.length === aEnd - s && line.startsWith(raw, s)) {
      val = isDst ? this.dstVal : this.srcVal;
    } else {
      if (v6) {
        const c = canonicalIp(line.slice(s, aEnd));
        if (c === null) return EP_BAD_ADDR;
        val = c;
      } else {
        const n = parseIPv4(line, s, aEnd);
        if (n < 0) return EP_BAD_ADDR;
        val = ipv4ToString(n);
      }
      if (isDst) {
        this.dstRaw = line.slice(s, aEnd);
        this.dstVal = val;
      } else {
        this.srcRaw = line.slice(s, aEnd);
        this.srcVal = val;
      }
    }
    this.epVal = val;
    this.epPort = port;
    this.epV6 = v6;
    return EP_OK;
  }

  private namedProtocol(line: string, r: number): number {
    if (line.startsWith('ip-proto-', r)) return this.uint(line, r + 9, 255);
    for (const [name, n] of NAMED_PROTOCOLS) if (line.startsWith(name, r)) return n;
    return -1;
  }

  /** Decimal number at `i` up to `max` (end in numEnd), or -1. */
  private uint(line: string, i: number, max: number): number {
    let v = 0;
    let k = i;
    for (; isDigit(line.charCodeAt(k)) && k - i < 6; k++) v = v * 10 + (line.charCodeAt(k) - 48);
    this.numEnd = k;
    return k === i || v > max ? -1 : v;
  }
}
