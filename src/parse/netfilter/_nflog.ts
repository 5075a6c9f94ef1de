/**
 * The text the kernel's netfilter logger writes for one packet (Linux
 * net/netfilter/nf_log_syslog.c), read into an event: the iptables/ip6tables `LOG` target, ufw
 * and the nftables `log` statement all produce it.
 *
 *   <prefix>IN=eth0 OUT= MAC=… SRC=198.51.100.7 DST=192.0.2.1 LEN=60 TOS=0x00 PREC=0x00 TTL=51
 *   ID=4321 DF PROTO=TCP SPT=51234 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0
 *
 * The kernel writes the log prefix glued to `IN=` (nf_log_dump_packet_common), then the fields
 * in a fixed order (dump_ipv4_packet, dump_ipv6_packet), so the reader moves forward from one
 * `KEY=` anchor to the next with indexOf/startsWith and reads only the values it needs; no
 * regular expression runs over the line.
 */
import {
  canonicalIp,
  ipv4ToString,
  type ObservationEvent,
  protocolFromNumber,
  type QuotedPacket,
  type RecordOutcome,
  type Rejection,
  reject,
  type Skip,
  skip,
} from '../../core/index.js';
import {
  hasPorts,
  isIcmpError,
  isUfwAudit,
  protocolNumber,
  scanTcpFlags,
  skipSpaces,
  wordEnd,
} from './_nftokens.js';

export function frozenReject(reason: string): Rejection {
  return Object.freeze(reject(reason));
}

// Outcomes are shared frozen objects: a rejected or skipped line allocates nothing.
export const SKIP_NOT_FIREWALL: Skip = Object.freeze(skip('not a firewall log line'));
const SKIP_UFW_AUDIT: Skip = Object.freeze(skip('ufw audit line'));
const SKIP_NOT_IP: Skip = Object.freeze(skip('not an ip packet'));
const R_TRUNCATED = frozenReject('truncated packet');
const R_MISSING_SRC = frozenReject('missing SRC');
const R_INVALID_SRC = frozenReject('invalid SRC address');
const R_MISSING_DST = frozenReject('missing DST');
const R_INVALID_DST = frozenReject('invalid DST address');
const R_INVALID_LEN = frozenReject('invalid LEN');
const R_INVALID_TTL = frozenReject('invalid TTL');
const R_INVALID_ID = frozenReject('invalid ID');
const R_MISSING_PROTO = frozenReject('missing PROTO');
const R_UNKNOWN_PROTO = frozenReject('unknown PROTO');
const R_MISSING_SPT = frozenReject('missing SPT');
const R_INVALID_SPT = frozenReject('invalid SPT');
const R_MISSING_DPT = frozenReject('missing DPT');
const R_INVALID_DPT = frozenReject('invalid DPT');
const R_MISSING_TYPE = frozenReject('missing TYPE');
const R_INVALID_TYPE = frozenReject('invalid TYPE');
const R_MISSING_CODE = frozenReject('missing CODE');
const R_INVALID_CODE = frozenReject('invalid CODE');
const R_Q_INVALID_SRC = frozenReject('invalid quoted SRC address');
const R_Q_MISSING_DST = frozenReject('missing quoted DST');
const R_Q_INVALID_DST = frozenReject('invalid quoted DST address');
const R_Q_UNKNOWN_PROTO = frozenReject('unknown quoted PROTO');
const R_Q_INVALID_SPT = frozenReject('invalid quoted SPT');
const R_Q_MISSING_DPT = frozenReject('missing quoted DPT');
const R_Q_INVALID_DPT = frozenReject('invalid quoted DPT');

/** What an address is read as: SRC (which decides TTL vs HOPLIMIT), DST, or a quoted packet's. */
const SLOT_SRC = 0;
const SLOT_DST = 1;
const SLOT_NONE = 2;
/** Entries of the IPv4 text cache (a power of two). */
const V4_CACHE_SIZE = 1024;

/**
 * Reads the netfilter part of a line, from the log prefix on. One per input file: it caches the
 * texts of recent addresses. Intermediate results go to fields, not objects, so a line costs one
 * allocation (the event) plus the address texts not seen recently.
 */
export class NetfilterLogReader {
  // Texts of recent IPv4 addresses, direct-mapped by value: sources and destinations recur across
  // lines, and a hit costs no allocation. The last IPv6 SRC and DST are kept as written and canonical.
  private readonly v4Keys = new Int32Array(V4_CACHE_SIZE);
  private readonly v4Texts: string[] = new Array<string>(V4_CACHE_SIZE).fill('');
  private srcRaw = '';
  private srcVal = '';
  private dstRaw = '';
  private dstVal = '';
  /** Whether the SRC just read is IPv6 (ip6tables: HOPLIMIT, not TTL). */
  private v6 = false;
  /** End of the token just read by `uint` or `address`. */
  private end = 0;
  /** End of the `OUT=` value found by findIn. */
  private outEnd = 0;
  // Results of scanHeader.
  private hLen = -1;
  private hTtl = -1;
  private hId = -1;
  private hProtoKey = -1;
  private hProtoEnd = -1;
  // Results of scanPorts.
  private pSpt = 0;
  private pDpt = 0;
  // Results of readTransport (null: not in the line).
  private tSpt: number | null = null;
  private tDpt: number | null = null;
  private tFlags: number | null = null;
  private tType: number | null = null;
  private tCode: number | null = null;
  private tQuoted: QuotedPacket | null = null;

  /**
   * Index of the `IN=` that nf_log_dump_packet_common writes (`%sIN=%s OUT=%s `): the first one
   * whose interface name is followed by ` OUT=`. The prefix may be glued to it (`IN-Ziggo:IN=eth4`).
   */
  findIn(line: string, from: number): number {
    let i = line.indexOf('IN=', from);
    while (i !== -1) {
      const sp = line.indexOf(' ', i + 3);
      if (sp === -1) return -1;
      if (
        line.charCodeAt(sp + 1) === 79 && // O
        line.charCodeAt(sp + 2) === 85 && // U
        line.charCodeAt(sp + 3) === 84 && // T
        line.charCodeAt(sp + 4) === 61 // =
      ) {
        // OUT= is empty unless the packet is forwarded or locally sent.
        this.outEnd = line.charCodeAt(sp + 5) === 32 ? sp + 5 : wordEnd(line, sp + 5);
        return i;
      }
      // Any `IN=` before `sp` would meet the same space: resume after it (keeps this linear).
      i = line.indexOf('IN=', sp + 1);
    }
    return -1;
  }

  /** The event of the netfilter text after `from` in `line`, or why there is none. */
  read(line: string, from: number, timeMs: number, sensor: string): RecordOutcome {
    const inIdx = this.findIn(line, from);
    if (inIdx === -1) return SKIP_NOT_FIREWALL;
    if (isUfwAudit(line, inIdx)) return SKIP_UFW_AUDIT;
    const out = this.outEnd;
    // MAC= (or MACSRC=…) and PHYSIN= come between OUT= and SRC=; the space keeps MACSRC= from matching.
    const srcKey = line.indexOf(' SRC=', out);
    if (srcKey === -1) {
      if (line.indexOf(' ARP ', out) !== -1) return SKIP_NOT_IP;
      return line.indexOf('TRUNCATED', out) !== -1 ? R_TRUNCATED : R_MISSING_SRC;
    }
    const src = this.address(line, srcKey + 5, SLOT_SRC);
    if (src === null) return R_INVALID_SRC;
    // `SRC=%pI4 DST=%pI4 ` / `SRC=%pI6 DST=%pI6 `: DST always follows SRC.
    const i = skipSpaces(line, this.end);
    if (!isKey3(line, i, 68, 83, 84)) return R_MISSING_DST; // DST=
    const dst = this.address(line, i + 4, SLOT_DST);
    if (dst === null) return R_INVALID_DST;
    const dstEnd = this.end;
    const bad = this.scanHeader(line, dstEnd, this.v6);
    if (bad !== null) return bad;
    const protoKey = this.hProtoKey;
    if (protoKey === -1) return R_MISSING_PROTO;
    const length = this.hLen === -1 ? null : this.hLen;
    const ttl = this.hTtl === -1 ? null : this.hTtl;
    const ipId = this.hId === -1 ? null : this.hId;
    const protoEnd = this.hProtoEnd;
    const pn = protocolNumber(line, protoKey + 7, protoEnd);
    if (pn < 0) return R_UNKNOWN_PROTO;
    const badTransport = this.readTransport(line, skipSpaces(line, protoEnd), pn, dstEnd, protoKey);
    if (badTransport !== null) return badTransport;
    const event: ObservationEvent = {
      timeMs,
      sensor,
      kind: 'firewall',
      protocol: protocolFromNumber(pn),
      protocolNumber: pn,
      src,
      dst,
      srcPort: this.tSpt,
      dstPort: this.tDpt,
      tcpFlags: this.tFlags,
      icmpType: this.tType,
      icmpCode: this.tCode,
      length,
      ttl,
      ipId,
      ids: null,
      payload: null,
      quoted: this.tQuoted,
    };
    return event;
  }

  /**
   * The transport header at `i`, after PROTO: the ports (and TCP flags), or the ICMP type and code
   * (and the packet an error quotes), into the `t…` fields. `dstEnd` and `protoKey` bound the IP
   * header, whose `FRAG:` excuses a missing transport header.
   */
  private readTransport(
    line: string,
    i: number,
    pn: number,
    dstEnd: number,
    protoKey: number,
  ): Rejection | null {
    this.tSpt = null;
    this.tDpt = null;
    this.tFlags = null;
    this.tType = null;
    this.tCode = null;
    this.tQuoted = null;
    if (hasPorts(pn)) {
      const r = this.scanPorts(line, i, false);
      if (r === 1) {
        this.tSpt = this.pSpt;
        this.tDpt = this.pDpt;
        if (pn === 6) {
          const f = scanTcpFlags(line, this.end);
          this.tFlags = f === -1 ? null : f;
        }
        return null;
      }
      if (r !== 0) return r;
      // Ports are left out only for non-first fragments and headers cut short (nf_log_dump_tcp_header).
      return isFragment(line, dstEnd, protoKey) || line.startsWith('INCOMPLETE', i) ? null : R_MISSING_SPT;
    }
    if (pn !== 1 && pn !== 58) return null;
    if (line.startsWith('TYPE=', i)) return this.readIcmp(line, i, pn);
    return isFragment(line, dstEnd, protoKey) || line.startsWith('INCOMPLETE', i) ? null : R_MISSING_TYPE;
  }

  /** `TYPE=%u CODE=%u` at `i`, and for an error the packet it quotes, into the `t…` fields. */
  private readIcmp(line: string, i: number, pn: number): Rejection | null {
    const type = this.uint(line, i + 5, 255);
    if (type < 0) return R_INVALID_TYPE;
    const c = skipSpaces(line, this.end);
    if (!line.startsWith('CODE=', c)) return R_MISSING_CODE;
    const code = this.uint(line, c + 5, 255);
    if (code < 0) return R_INVALID_CODE;
    this.tType = type;
    this.tCode = code;
    if (!isIcmpError(pn, type)) return null;
    // `[SRC=… DST=… … PROTO=… SPT=… DPT=… …] `: the packet the error quotes, one level deep.
    const b = line.indexOf('[SRC=', this.end);
    if (b === -1) return null;
    const r = this.readQuoted(line, b + 1);
    if (r !== null && 'outcome' in r) return r;
    this.tQuoted = r;
    return null;
  }

  /**
   * The IP header fields after DST up to `PROTO=` (`LEN= TOS= PREC= TTL= ID= [CE DF MF FRAG:…]`,
   * or `LEN= TC= HOPLIMIT= FLOWLBL=` and extension headers for IPv6): locates PROTO and reads
   * LEN, TTL/HOPLIMIT and the IPv4 ID when they lie before it. The first `PROTO=` after DST is
   * the packet's own: a quoted packet only ever comes after it.
   */
  private scanHeader(line: string, from: number, v6: boolean): Rejection | null {
    this.hLen = -1;
    this.hTtl = -1;
    this.hId = -1;
    // Fast path, the exact IPv4 layout of dump_ipv4_packet:
    // ` LEN=%u TOS=0x%02X PREC=0x%02X TTL=%u ID=%u `.
    if (!v6 && line.charCodeAt(from) === 32 && isKey3(line, from + 1, 76, 69, 78)) {
      const len = this.uint(line, from + 5, 65535);
      if (len < 0) return R_INVALID_LEN;
      const t = this.end + 19;
      if (line.charCodeAt(t) === 32 && isKey3(line, t + 1, 84, 84, 76) && line.charCodeAt(t - 10) === 32) {
        const ttl = this.uint(line, t + 5, 255);
        if (ttl < 0) return R_INVALID_TTL;
        const i = this.end;
        if (
          line.charCodeAt(i) === 32 &&
          line.charCodeAt(i + 1) === 73 && // I
          line.charCodeAt(i + 2) === 68 && // D
          line.charCodeAt(i + 3) === 61 // =
        ) {
          const id = this.uint(line, i + 4, 65535);
          if (id < 0) return R_INVALID_ID;
          this.hId = id;
        }
        const protoKey = line.indexOf(' PROTO=', this.end);
        this.hProtoKey = protoKey;
        if (protoKey === -1) return null;
        this.hProtoEnd = wordEnd(line, protoKey + 7);
        this.hLen = len;
        this.hTtl = ttl;
        return null;
      }
    }
    const protoKey = line.indexOf(' PROTO=', from);
    this.hProtoKey = protoKey;
    if (protoKey === -1) return null;
    this.hProtoEnd = wordEnd(line, protoKey + 7);
    const lenKey = line.indexOf(' LEN=', from);
    if (lenKey !== -1 && lenKey < protoKey) {
      // IPv4 total length; for IPv6 the payload length + 40 (dump_ipv6_packet), which a
      // jumbogram (RFC 2675) takes past 65535.
      const v = this.uint(line, lenKey + 5, v6 ? 0xffffffff : 65535);
      if (v < 0) return R_INVALID_LEN;
      this.hLen = v;
      from = this.end;
    }
    const ttlKey = v6 ? line.indexOf(' HOPLIMIT=', from) : line.indexOf(' TTL=', from);
    if (ttlKey !== -1 && ttlKey < protoKey) {
      const v = this.uint(line, ttlKey + (v6 ? 10 : 5), 255);
      if (v < 0) return R_INVALID_TTL;
      this.hTtl = v;
      from = this.end;
    }
    // IPv6 has no ID field; its fragment header's identification is printed `ID:%08x`.
    const idKey = v6 ? -1 : line.indexOf(' ID=', from);
    if (idKey !== -1 && idKey < protoKey) {
      const v = this.uint(line, idKey + 4, 65535);
      if (v < 0) return R_INVALID_ID;
      this.hId = v;
    }
    return null;
  }

  /** `SPT=%u DPT=%u` at `i`: 1 when read (into pSpt/pDpt, `end` after DPT), 0 when absent. */
  private scanPorts(line: string, i: number, inner: boolean): 0 | 1 | Rejection {
    if (!isKey3(line, i, 83, 80, 84)) return 0; // SPT=
    const spt = this.uint(line, i + 4, 65535);
    if (spt < 0) return inner ? R_Q_INVALID_SPT : R_INVALID_SPT;
    i = skipSpaces(line, this.end);
    if (!isKey3(line, i, 68, 80, 84)) return inner ? R_Q_MISSING_DPT : R_MISSING_DPT; // DPT=
    const dpt = this.uint(line, i + 4, 65535);
    if (dpt < 0) return inner ? R_Q_INVALID_DPT : R_INVALID_DPT;
    this.pSpt = spt;
    this.pDpt = dpt;
    return 1;
  }

  /** The quoted packet whose `SRC=` starts at `s`; null when the kernel printed no PROTO for it. */
  private readQuoted(line: string, s: number): QuotedPacket | Rejection | null {
    const src = this.address(line, s + 4, SLOT_NONE);
    if (src === null) return R_Q_INVALID_SRC;
    const i = skipSpaces(line, this.end);
    if (!line.startsWith('DST=', i)) return R_Q_MISSING_DST;
    const dst = this.address(line, i + 4, SLOT_NONE);
    if (dst === null) return R_Q_INVALID_DST;
    // Only PROTO matters here; the kernel omits it when the quoted header was cut short.
    const protoKey = line.indexOf(' PROTO=', this.end);
    if (protoKey === -1) return null;
    const protoEnd = wordEnd(line, protoKey + 7);
    const pn = protocolNumber(line, protoKey + 7, protoEnd);
    if (pn < 0) return R_Q_UNKNOWN_PROTO;
    let srcPort: number | null = null;
    let dstPort: number | null = null;
    if (hasPorts(pn)) {
      // An error often quotes only 8 transport bytes: TCP is then `INCOMPLETE [8 bytes]`, no ports.
      const r = this.scanPorts(line, skipSpaces(line, protoEnd), true);
      if (r === 1) {
        srcPort = this.pSpt;
        dstPort = this.pDpt;
      } else if (r !== 0) {
        return r;
      }
    }
    return { src, dst, protocol: protocolFromNumber(pn), srcPort, dstPort };
  }

  /** Decimal digits from `s` to the next space or end of line, at most `max`; -1 if not. Sets `end`. */
  private uint(line: string, s: number, max: number): number {
    const n = line.length;
    let v = 0;
    let i = s;
    for (; i < n; i++) {
      const d = line.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      if (v > max) return -1;
    }
    this.end = i;
    return i === s || (i < n && line.charCodeAt(i) !== 32) ? -1 : v;
  }

  /**
   * Canonical text of the address from `s` to the next space, or null; sets `end`. IPv4 must be
   * a strict dotted quad (which is then already canonical); ip6tables prints `%pI6`, eight
   * zero-padded groups, which is compressed per RFC 5952. IPv4 texts come from a small cache;
   * slots SRC and DST remember the last IPv6 text and its canonical form.
   */
  private address(line: string, s: number, slot: number): string | null {
    const n = line.length;
    let value = 0;
    let octet = 0;
    let digits = 0;
    let dots = 0;
    let i = s;
    for (; i < n; i++) {
      const c = line.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        if (digits > 0 && octet === 0) break; // a leading zero is not a strict dotted quad
        octet = octet * 10 + (c - 48);
        if (++digits > 3 || octet > 255) break;
      } else if (c === 46) {
        if (digits === 0 || ++dots > 3) break;
        value = value * 256 + octet;
        octet = 0;
        digits = 0;
      } else {
        break;
      }
    }
    if ((i === n || line.charCodeAt(i) === 32) && dots === 3 && digits > 0) {
      this.end = i;
      if (slot === SLOT_SRC) this.v6 = false;
      return this.v4Text(value * 256 + octet);
    }
    return this.addressV6(line, s, slot);
  }

  /** Dotted-quad text of an IPv4 value, from the cache when it was seen recently. */
  private v4Text(v4: number): string {
    const key = v4 | 0;
    const h = Math.imul(key, 0x9e3779b1) >>> 22; // Fibonacci hashing: top 10 bits
    if (this.v4Keys[h] === key) {
      const t = this.v4Texts[h]!;
      if (t !== '') return t;
    }
    const t = ipv4ToString(v4);
    this.v4Keys[h] = key;
    this.v4Texts[h] = t;
    return t;
  }

  /** The IPv6 address (or invalid text) in `[s, next space)`. */
  private addressV6(line: string, s: number, slot: number): string | null {
    const e = wordEnd(line, s);
    this.end = e;
    if (e - s < 2 || e - s > 45) return null;
    const raw = line.slice(s, e);
    if (slot === SLOT_SRC) this.v6 = true;
    if (slot === SLOT_SRC && raw === this.srcRaw) return this.srcVal;
    if (slot === SLOT_DST && raw === this.dstRaw) return this.dstVal;
    // Only IPv6 gets here validly; refuse `[…]` and zone ids, which the kernel never prints.
    if (raw.indexOf(':') === -1 || raw.charCodeAt(0) === 91) return null;
    const val = canonicalIp(raw);
    if (val === null) return null;
    if (slot === SLOT_SRC) {
      this.srcRaw = raw;
      this.srcVal = val;
    } else if (slot === SLOT_DST) {
      this.dstRaw = raw;
      this.dstVal = val;
    }
    return val;
  }
}

/** True when `KEY=` with the three-letter key `a b c` (character codes) is at `i`. */
function isKey3(line: string, i: number, a: number, b: number, c: number): boolean {
  return (
    line.charCodeAt(i) === a &&
    line.charCodeAt(i + 1) === b &&
    line.charCodeAt(i + 2) === c &&
    line.charCodeAt(i + 3) === 61
  );
}

/** True when the header before PROTO says `FRAG:` (a later fragment may carry no transport header). */
function isFragment(line: string, from: number, protoKey: number): boolean {
  const f = line.indexOf(' FRAG:', from);
  return f !== -1 && f < protoKey;
}
