/**
 * One sensor-hour of simulated packets as columns of typed arrays (no object per packet): the
 * background model and every scenario append to it, it is sorted by time once, and each writer
 * renders the same packets in its format. Reused hour after hour, so memory stays at one hour's
 * worth of packets whatever `--days` and `--rate` are.
 */

/** TCP option layouts the simulator writes (RFC 9293 §3.2; RFC 2018 for SACK-permitted). */
export const TCP_OPT = {
  /** No options: 20-byte header (RST, ACK). */
  NONE: 0,
  /** Windows XP SYN: MSS 1460, NOP, NOP, SACK permitted — 28-byte header, IP length 48. */
  WINDOWS: 1,
  /** Linux SYN: MSS, SACK permitted, timestamps, NOP, window scale — 40-byte header, IP length 60. */
  LINUX: 2,
  /** MSS only (nmap/zmap SYN, SYN-ACK replies) — 24-byte header, IP length 44. */
  MSS: 3,
} as const;

/** Bytes of TCP options per layout. */
export const TCP_OPT_BYTES: readonly number[] = [0, 8, 20, 4];

const IP_TCP = 6;
const IP_UDP = 17;
const IP_ICMP = 1;

export const PROTO = { TCP: IP_TCP, UDP: IP_UDP, ICMP: IP_ICMP } as const;

/** Bytes an ICMP error quotes of the offending datagram: its IPv4 header and 8 data bytes (RFC 792). */
export const QUOTED_BYTES = 28;

export class EventBuffer {
  length = 0;
  private cap = 0;
  /** Time, microseconds since the epoch. */
  t = new Float64Array(0);
  src = new Uint32Array(0);
  dst = new Uint32Array(0);
  proto = new Uint8Array(0);
  /** TCP/UDP ports; for ICMP echo the identifier and sequence number. */
  sport = new Uint16Array(0);
  dport = new Uint16Array(0);
  /** TCP flags octet, or the ICMP type. */
  flags = new Uint8Array(0);
  /** ICMP code. */
  code = new Uint8Array(0);
  ttl = new Uint8Array(0);
  ipId = new Uint16Array(0);
  /** 1 when the don't-fragment bit is set. */
  df = new Uint8Array(0);
  window = new Uint16Array(0);
  tcpOpt = new Uint8Array(0);
  /** Payload table index (0: no payload). */
  payload = new Uint16Array(0);
  /** IDS signature index raised by this packet at an IDS site, or -1. */
  alert = new Int16Array(0);
  /** Episode index this packet belongs to, or -1 for background. */
  episode = new Int16Array(0);
  /** Index into the quoted-packet columns for ICMP errors, or -1. */
  quoted = new Int32Array(0);

  // Quoted datagram of an ICMP error: IPv4 header fields and the first 8 transport bytes' ports.
  qLength = 0;
  private qCap = 0;
  qSrc = new Uint32Array(0);
  qDst = new Uint32Array(0);
  qProto = new Uint8Array(0);
  qSport = new Uint16Array(0);
  qDport = new Uint16Array(0);
  qTtl = new Uint8Array(0);
  qId = new Uint16Array(0);
  qLen = new Uint16Array(0);

  constructor(capacity = 4096) {
    this.grow(capacity);
    this.growQuoted(256);
  }

  clear(): void {
    this.length = 0;
    this.qLength = 0;
  }

  /**
   * Appends a packet with the common fields set and the rest at their defaults (no flags, no
   * options, no payload, no alert, background); returns its index.
   */
  add(
    tUs: number,
    src: number,
    dst: number,
    proto: number,
    sport: number,
    dport: number,
    ttl: number,
  ): number {
    if (this.length === this.cap) this.grow(this.cap * 2);
    const i = this.length++;
    this.t[i] = tUs;
    this.src[i] = src;
    this.dst[i] = dst;
    this.proto[i] = proto;
    this.sport[i] = sport;
    this.dport[i] = dport;
    this.ttl[i] = ttl;
    this.flags[i] = 0;
    this.code[i] = 0;
    this.ipId[i] = 0;
    this.df[i] = 0;
    this.window[i] = 0;
    this.tcpOpt[i] = 0;
    this.payload[i] = 0;
    this.alert[i] = -1;
    this.episode[i] = -1;
    this.quoted[i] = -1;
    return i;
  }

  /** Appends a copy of packet `i` of `from` (with its quoted datagram); returns its index. */
  append(from: EventBuffer, i: number): number {
    const j = this.add(
      from.t[i]!,
      from.src[i]!,
      from.dst[i]!,
      from.proto[i]!,
      from.sport[i]!,
      from.dport[i]!,
      from.ttl[i]!,
    );
    this.flags[j] = from.flags[i]!;
    this.code[j] = from.code[i]!;
    this.ipId[j] = from.ipId[i]!;
    this.df[j] = from.df[i]!;
    this.window[j] = from.window[i]!;
    this.tcpOpt[j] = from.tcpOpt[i]!;
    this.payload[j] = from.payload[i]!;
    this.alert[j] = from.alert[i]!;
    this.episode[j] = from.episode[i]!;
    const q = from.quoted[i]!;
    if (q >= 0) {
      this.quote(
        j,
        from.qSrc[q]!,
        from.qDst[q]!,
        from.qProto[q]!,
        from.qSport[q]!,
        from.qDport[q]!,
        from.qTtl[q]!,
        from.qId[q]!,
        from.qLen[q]!,
      );
    }
    return j;
  }

  /** Appends a copy of packet `i` at time `tUs` (a retransmission); returns its index. */
  duplicate(i: number, tUs: number): number {
    const j = this.add(
      tUs,
      this.src[i]!,
      this.dst[i]!,
      this.proto[i]!,
      this.sport[i]!,
      this.dport[i]!,
      this.ttl[i]!,
    );
    this.flags[j] = this.flags[i]!;
    this.code[j] = this.code[i]!;
    this.ipId[j] = (this.ipId[i]! + 1) & 0xffff;
    this.df[j] = this.df[i]!;
    this.window[j] = this.window[i]!;
    this.tcpOpt[j] = this.tcpOpt[i]!;
    this.payload[j] = this.payload[i]!;
    this.alert[j] = this.alert[i]!;
    this.episode[j] = this.episode[i]!;
    this.quoted[j] = this.quoted[i]!;
    return j;
  }

  /** Attaches a quoted datagram (for ICMP errors) to packet `i`. */
  quote(
    i: number,
    src: number,
    dst: number,
    proto: number,
    sport: number,
    dport: number,
    ttl: number,
    id: number,
    len: number,
  ): void {
    if (this.qLength === this.qCap) this.growQuoted(this.qCap * 2);
    const q = this.qLength++;
    this.qSrc[q] = src;
    this.qDst[q] = dst;
    this.qProto[q] = proto;
    this.qSport[q] = sport;
    this.qDport[q] = dport;
    this.qTtl[q] = ttl;
    this.qId[q] = id;
    this.qLen[q] = len;
    this.quoted[i] = q;
  }

  private grow(n: number): void {
    const copy = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int16Array | Int32Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(n);
      b.set(a.subarray(0, this.length) as never);
      return b;
    };
    this.t = copy(this.t, (k) => new Float64Array(k));
    this.src = copy(this.src, (k) => new Uint32Array(k));
    this.dst = copy(this.dst, (k) => new Uint32Array(k));
    this.proto = copy(this.proto, (k) => new Uint8Array(k));
    this.sport = copy(this.sport, (k) => new Uint16Array(k));
    this.dport = copy(this.dport, (k) => new Uint16Array(k));
    this.flags = copy(this.flags, (k) => new Uint8Array(k));
    this.code = copy(this.code, (k) => new Uint8Array(k));
    this.ttl = copy(this.ttl, (k) => new Uint8Array(k));
    this.ipId = copy(this.ipId, (k) => new Uint16Array(k));
    this.df = copy(this.df, (k) => new Uint8Array(k));
    this.window = copy(this.window, (k) => new Uint16Array(k));
    this.tcpOpt = copy(this.tcpOpt, (k) => new Uint8Array(k));
    this.payload = copy(this.payload, (k) => new Uint16Array(k));
    this.alert = copy(this.alert, (k) => new Int16Array(k));
    this.episode = copy(this.episode, (k) => new Int16Array(k));
    this.quoted = copy(this.quoted, (k) => new Int32Array(k));
    this.cap = n;
  }

  private growQuoted(n: number): void {
    const grow = <T extends Uint32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a.subarray(0, this.qLength) as never);
      return b;
    };
    this.qSrc = grow(this.qSrc, (k) => new Uint32Array(k));
    this.qDst = grow(this.qDst, (k) => new Uint32Array(k));
    this.qProto = grow(this.qProto, (k) => new Uint8Array(k));
    this.qSport = grow(this.qSport, (k) => new Uint16Array(k));
    this.qDport = grow(this.qDport, (k) => new Uint16Array(k));
    this.qTtl = grow(this.qTtl, (k) => new Uint8Array(k));
    this.qId = grow(this.qId, (k) => new Uint16Array(k));
    this.qLen = grow(this.qLen, (k) => new Uint16Array(k));
    this.qCap = n;
  }
}

/** Largest packet count of one sensor-hour the time sort supports (2^21). */
export const MAX_EVENTS_PER_SENSOR_HOUR = 2_097_152;
const KEY_SCALE = MAX_EVENTS_PER_SENSOR_HOUR;

/** Where the time order stands: the last time written (each file is strictly time-ordered). */
export interface TimeOrder {
  lastUs: number;
}

/**
 * Orders the buffer's packets before `endUs` by time (ties in insertion order) into `order`, making
 * times strictly increasing by nudging equal microseconds forward, so each output file is strictly
 * time-ordered across hours. Packets must lie at or after `hourStartUs` and less than an hour after
 * it; packets at or after `endUs` are left out (the caller carries them into the next hour). Returns
 * the number of packets ordered.
 */
export function sortByTime(
  buf: EventBuffer,
  hourStartUs: number,
  endUs: number,
  order: Uint32Array,
  keys: Float64Array,
  state: TimeOrder,
): number {
  const total = buf.length;
  if (total > MAX_EVENTS_PER_SENSOR_HOUR) {
    throw new RangeError(`more than ${MAX_EVENTS_PER_SENSOR_HOUR} packets in one sensor-hour; lower --rate`);
  }
  const t = buf.t;
  let n = 0;
  for (let i = 0; i < total; i++) if (t[i]! < endUs) keys[n++] = (t[i]! - hourStartUs) * KEY_SCALE + i;
  const k = keys.subarray(0, n);
  k.sort();
  let prev = state.lastUs;
  for (let j = 0; j < n; j++) {
    const key = k[j]!;
    const rel = Math.floor(key / KEY_SCALE);
    const i = key - rel * KEY_SCALE;
    order[j] = i;
    let tt = hourStartUs + rel;
    if (tt <= prev) tt = prev + 1;
    t[i] = tt;
    prev = tt;
  }
  state.lastUs = prev;
  return n;
}
