/**
 * Byte builders for pcap/pcapng tests, written from the specifications (draft-ietf-opsawg-pcap,
 * draft-ietf-opsawg-pcapng, RFC 791/8200/9293/768/792): small captures made in the test itself.
 * Checksums are left zero: the parser never verifies them.
 */

export function cat(...parts: (Uint8Array | readonly number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

export function u16(v: number, le = false): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
}

export function u32(v: number, le = false): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, le);
  return b;
}

export function i64(v: bigint, le = false): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v, le);
  return b;
}

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

export function v4(s: string): number[] {
  return s.split('.').map(Number);
}

/** Full (uncompressed or `::`) IPv6 text to 16 bytes. */
export function v6(s: string): Uint8Array {
  const [head = '', tail = ''] = s.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = s.includes('::') ? [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return cat(...words.map((w) => u16(Number.parseInt(w, 16))));
}

export interface Ip4Options {
  src?: string;
  dst?: string;
  proto: number;
  ttl?: number;
  /** Flags (3 bits: reserved, DF, MF) and fragment offset in 8-byte units. */
  mf?: boolean;
  fragOffset?: number;
  options?: readonly number[];
  /** Override the total length field. */
  totalLength?: number;
}

export function ipv4(o: Ip4Options, payload: Uint8Array): Uint8Array {
  const opts = o.options ?? [];
  const hl = 20 + opts.length;
  return cat(
    [0x40 | (hl >> 2), 0],
    u16(o.totalLength ?? hl + payload.length),
    [0, 1],
    u16(((o.mf ? 1 : 0) << 13) | (o.fragOffset ?? 0)),
    [o.ttl ?? 64, o.proto, 0, 0],
    v4(o.src ?? '198.51.100.1'),
    v4(o.dst ?? '192.0.2.1'),
    opts,
    payload,
  );
}

export function ipv6(
  o: { src?: string; dst?: string; next: number; hlim?: number; payloadLength?: number },
  payload: Uint8Array,
): Uint8Array {
  return cat(
    [0x60, 0, 0, 0],
    u16(o.payloadLength ?? payload.length),
    [o.next, o.hlim ?? 64],
    v6(o.src ?? '2001:db8::1'),
    v6(o.dst ?? '2001:db8::2'),
    payload,
  );
}

export function tcp(
  sport: number,
  dport: number,
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
  dataOffset = 5,
): Uint8Array {
  return cat(
    u16(sport),
    u16(dport),
    u32(1),
    u32(0),
    [dataOffset << 4, flags],
    u16(1024),
    [0, 0, 0, 0],
    new Uint8Array((dataOffset - 5) * 4),
    payload,
  );
}

export function udp(sport: number, dport: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  return cat(u16(sport), u16(dport), u16(8 + payload.length), [0, 0], payload);
}

export function icmp(type: number, code: number, body: Uint8Array = new Uint8Array(0)): Uint8Array {
  return cat([type, code, 0, 0, 0, 0, 0, 0], body);
}

export function ether(type: number, payload: Uint8Array, tags: readonly number[] = []): Uint8Array {
  return cat(
    [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1],
    ...tags.map((tpid, i) => cat(u16(tpid), u16(100 + i))),
    u16(type),
    payload,
  );
}

export interface PcapHeader {
  le?: boolean;
  nanos?: boolean;
  snaplen?: number;
  linkType?: number;
}

export function pcapHeader(h: PcapHeader = {}): Uint8Array {
  const le = h.le ?? true;
  return cat(
    u32(h.nanos ? 0xa1b23c4d : 0xa1b2c3d4, le),
    u16(2, le),
    u16(4, le),
    u32(0, le),
    u32(0, le),
    u32(h.snaplen ?? 65535, le),
    u32(h.linkType ?? 1, le),
  );
}

export function pcapRecord(
  data: Uint8Array,
  r: { le?: boolean; sec?: number; frac?: number; caplen?: number; origLen?: number } = {},
): Uint8Array {
  const le = r.le ?? true;
  return cat(
    u32(r.sec ?? 1_700_000_000, le),
    u32(r.frac ?? 0, le),
    u32(r.caplen ?? data.length, le),
    u32(r.origLen ?? data.length, le),
    data,
  );
}

/** A classic little-endian µs Ethernet capture of the given frames. */
export function pcapOf(frames: readonly Uint8Array[], h: PcapHeader = {}): Uint8Array {
  return cat(
    pcapHeader(h),
    ...frames.map((f, i) => pcapRecord(f, { le: h.le ?? true, sec: 1_700_000_000 + i })),
  );
}

function pad4(b: Uint8Array): Uint8Array {
  return b.length % 4 === 0 ? b : cat(b, new Uint8Array(4 - (b.length % 4)));
}

/** pcapng §3.1 block; `len`/`trailer` override the length fields for hostile tests. */
export function block(type: number, body: Uint8Array, le = true, len?: number, trailer?: number): Uint8Array {
  const b = pad4(body);
  const total = b.length + 12;
  return cat(u32(type, le), u32(len ?? total, le), b, u32(trailer ?? len ?? total, le));
}

export function options(list: readonly (readonly [number, Uint8Array])[], le = true): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  return cat(
    ...list.map(([code, value]) => cat(u16(code, le), u16(value.length, le), pad4(value))),
    u32(0, le),
  );
}

export function shb(le = true, major = 1): Uint8Array {
  return block(0x0a0d0d0a, cat(u32(0x1a2b3c4d, le), u16(major, le), u16(0, le), i64(-1n, le)), le);
}

export function idb(
  linkType: number,
  o: { le?: boolean; snaplen?: number; tsresol?: number; tsoffset?: bigint } = {},
): Uint8Array {
  const le = o.le ?? true;
  const opts: [number, Uint8Array][] = [];
  if (o.tsresol !== undefined) opts.push([9, Uint8Array.of(o.tsresol)]);
  if (o.tsoffset !== undefined) opts.push([14, i64(o.tsoffset, le)]);
  return block(1, cat(u16(linkType, le), u16(0, le), u32(o.snaplen ?? 65535, le), options(opts, le)), le);
}

/** EPB with a timestamp in the interface's units. */
export function epb(
  data: Uint8Array,
  o: { le?: boolean; ifId?: number; ts?: bigint; caplen?: number } = {},
): Uint8Array {
  const le = o.le ?? true;
  const ts = o.ts ?? 1_700_000_000_000_000n;
  return block(
    6,
    cat(
      u32(o.ifId ?? 0, le),
      u32(Number(ts >> 32n), le),
      u32(Number(ts & 0xffffffffn), le),
      u32(o.caplen ?? data.length, le),
      u32(data.length, le),
      pad4(data),
    ),
    le,
  );
}

export function spb(data: Uint8Array, le = true): Uint8Array {
  return block(3, cat(u32(data.length, le), pad4(data)), le);
}

export function opb(data: Uint8Array, o: { le?: boolean; ifId?: number; ts?: bigint } = {}): Uint8Array {
  const le = o.le ?? true;
  const ts = o.ts ?? 1_700_000_000_000_000n;
  return block(
    2,
    cat(
      u16(o.ifId ?? 0, le),
      u16(0, le),
      u32(Number(ts >> 32n), le),
      u32(Number(ts & 0xffffffffn), le),
      u32(data.length, le),
      u32(data.length, le),
      pad4(data),
    ),
    le,
  );
}

/** The bytes as an async stream of `size`-byte chunks (the last may be shorter). */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, Math.min(bytes.length, i + size));
}
