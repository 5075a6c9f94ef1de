/**
 * IP address helpers: strict parsing, canonical text (dotted quad; RFC 5952 for IPv6), CIDR
 * blocks and the address-scope classification used by enrichment (private, reserved and bogon
 * sources are never counted as a country).
 *
 * Hand-written on purpose: these run once or more per log line, packet and enriched event — the
 * parsers read an address in place within a line (`parseIPv4(s, start, end)`), and nothing here
 * allocates beyond the result. Text that people type (configuration, CLI flags, registrations) is
 * read with ipaddr.js instead (address-blocks.ts).
 */
import type { AddressScope } from './event.js';

/** Parses a dotted-quad IPv4 address strictly (no leading zeros, no shorthand); -1 if invalid. */
export function parseIPv4(s: string, start = 0, end = s.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

export function ipv4ToString(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Parses IPv6 text (RFC 4291 §2.2, with an optional embedded IPv4 tail) into 16 bytes; null if invalid. */
export function parseIPv6(s: string): Uint8Array | null {
  if (s.length < 2 || s.length > 45) return null;
  const out = new Uint8Array(16);
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) return null;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    const words: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (v4 < 0) return null;
        words.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (g.length === 0 || g.length > 4 || !/^[0-9a-fA-F]+$/.test(g)) return null;
        words.push(Number.parseInt(g, 16));
      }
    }
    return words;
  };
  let words: number[];
  if (dbl === -1) {
    const w = parseGroups(s, true);
    if (w?.length !== 8) return null;
    words = w;
  } else {
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  for (let i = 0; i < 8; i++) {
    out[i * 2] = words[i]! >>> 8;
    out[i * 2 + 1] = words[i]! & 255;
  }
  return out;
}

/** RFC 5952 text of 16 address bytes at `offset`: lower case, longest zero run (≥ 2 words) as `::`. */
export function ipv6ToString(bytes: Uint8Array, offset = 0): string {
  const w = new Array<number>(8);
  for (let i = 0; i < 8; i++) w[i] = (bytes[offset + i * 2]! << 8) | bytes[offset + i * 2 + 1]!;
  // IPv4-mapped addresses keep their dotted tail (RFC 5952 §5).
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${w[6]! >>> 8}.${w[6]! & 255}.${w[7]! >>> 8}.${w[7]! & 255}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += w[i]!.toString(16);
  }
  return out;
}

/**
 * Canonical text of any address: IPv4 dotted quad, IPv6 per RFC 5952; IPv4-mapped IPv6
 * (`::ffff:a.b.c.d`) becomes plain IPv4. Returns null for anything that is not an address.
 */
export function canonicalIp(s: string): string | null {
  if (s.includes(':')) {
    const b = parseIPv6(s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s);
    if (!b) return null;
    if (isV4Mapped(b)) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return ipv6ToString(b);
  }
  // parseIPv4 accepts only the canonical dotted quad, so valid input is returned as it is.
  return parseIPv4(s) < 0 ? null : s;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

export function isIPv4Text(s: string): boolean {
  return parseIPv4(s) >= 0;
}

/** A CIDR block of either family. */
export interface Cidr {
  readonly family: 4 | 6;
  /** Network address bytes (4 or 16), host bits cleared. */
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  const bytes = addrBytes(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  let prefix = max;
  if (slash !== -1) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  const net = bytes.slice();
  for (let bit = prefix; bit < max; bit++) net[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { family: bytes.length === 4 ? 4 : 6, bytes: net, prefix };
}

export function cidrToString(c: Cidr): string {
  const a = c.family === 4 ? ipv4ToString(bytesToUint32(c.bytes, 0)) : ipv6ToString(c.bytes);
  return `${a}/${c.prefix}`;
}

/** Address text → bytes (4 or 16), or null. */
export function addrBytes(s: string): Uint8Array | null {
  if (s.includes(':')) return parseIPv6(s);
  const v4 = parseIPv4(s);
  if (v4 < 0) return null;
  return new Uint8Array([v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255]);
}

export function bytesToUint32(b: Uint8Array, offset: number): number {
  return ((b[offset]! << 24) | (b[offset + 1]! << 16) | (b[offset + 2]! << 8) | b[offset + 3]!) >>> 0;
}

export function cidrContains(c: Cidr, addr: Uint8Array): boolean {
  if (addr.length !== c.bytes.length) return false;
  const full = c.prefix >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== c.bytes[i]) return false;
  const rem = c.prefix & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (addr[full]! & mask) === c.bytes[full];
}

/** Number of IPv4 addresses in a block (IPv6 blocks count as 0 toward IPv4 coverage). */
export function cidrIPv4Size(c: Cidr): number {
  return c.family === 4 ? 2 ** (32 - c.prefix) : 0;
}

interface V4Range {
  readonly net: number;
  readonly bits: number;
  readonly scope: Exclude<AddressScope, 'public'>;
}

const v4 = (cidr: string, scope: Exclude<AddressScope, 'public'>): V4Range => {
  const [a, b] = cidr.split('/') as [string, string];
  return { net: parseIPv4(a), bits: Number(b), scope };
};

/**
 * IANA IPv4 special-purpose registry (RFC 6890 and successors), sorted into three scopes:
 * - private: RFC 1918 and shared address space (RFC 6598) — internal hosts, NAT;
 * - bogon: "martians" that can never be a genuine internet source (this network, loopback,
 *   class E, limited broadcast);
 * - reserved: the other special-purpose blocks (link-local, documentation, benchmarking,
 *   IETF protocol assignments, multicast).
 */
const V4_SPECIAL: readonly V4Range[] = [
  v4('0.0.0.0/8', 'bogon'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'private'),
  v4('127.0.0.0/8', 'bogon'),
  v4('169.254.0.0/16', 'reserved'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'reserved'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('198.51.100.0/24', 'reserved'),
  v4('203.0.113.0/24', 'reserved'),
  v4('224.0.0.0/4', 'reserved'),
  v4('240.0.0.0/4', 'bogon'),
];

export function ipv4Scope(n: number): AddressScope {
  for (const r of V4_SPECIAL) {
    if (r.bits === 0 || n >>> (32 - r.bits) === r.net >>> (32 - r.bits)) return r.scope;
  }
  return 'public';
}

/**
 * IPv6 scopes: ULA fc00::/7 is private; link-local, multicast, documentation (2001:db8::/32),
 * ORCHID and other IETF blocks are reserved; the unspecified and loopback addresses and
 * anything outside global unicast 2000::/3 are bogons.
 */
export function ipv6Scope(b: Uint8Array): AddressScope {
  const b0 = b[0]!;
  if ((b0 & 0xfe) === 0xfc) return 'private';
  if (b0 === 0xff) return 'reserved';
  if (b0 === 0xfe && (b[1]! & 0xc0) === 0x80) return 'reserved';
  if ((b0 & 0xe0) !== 0x20) return 'bogon';
  if (b0 === 0x20 && b[1] === 0x01) {
    if (b[2] === 0x0d && b[3] === 0xb8) return 'reserved'; // RFC 3849 documentation
    if (b[2]! < 0x02) return 'reserved'; // 2001::/23 IETF protocol assignments
  }
  return 'public';
}

export function addressScope(s: string): AddressScope {
  if (s.includes(':')) {
    const b = parseIPv6(s);
    return b ? ipv6Scope(b) : 'bogon';
  }
  const n = parseIPv4(s);
  return n < 0 ? 'bogon' : ipv4Scope(n);
}
