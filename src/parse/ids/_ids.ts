/**
 * Helpers shared by the IDS parsers (eve.ts, fastlog.ts): the event constructor, protocol names as
 * Suricata and Snort print them, strict number and time scanning, and a per-parser technique cache.
 */
import {
  canonicalIp,
  type IdsAlert,
  type ObservationEvent,
  parseIPv4,
  protocolFromNumber,
  type Technique,
} from '../../core/index.js';
import { techniqueOf } from './technique.js';

/**
 * Builds an IDS-sensor event. One constructor so every event gets the same property order (one V8
 * hidden class); payload and quoted packet are never known from IDS logs.
 */
export function idsEvent(
  timeMs: number,
  sensor: string,
  protocolNumber: number,
  src: string,
  dst: string,
  srcPort: number | null,
  dstPort: number | null,
  tcpFlags: number | null,
  icmpType: number | null,
  icmpCode: number | null,
  length: number | null,
  ttl: number | null,
  ids: IdsAlert | null,
): ObservationEvent {
  return {
    timeMs,
    sensor,
    kind: 'ids',
    protocol: protocolFromNumber(protocolNumber),
    protocolNumber,
    src,
    dst,
    srcPort,
    dstPort,
    tcpFlags,
    icmpType,
    icmpCode,
    length,
    ttl,
    ipId: null,
    ids,
    payload: null,
    quoted: null,
  };
}

/**
 * IANA protocol keywords (the names in /etc/protocols, which Suricata's `known_proto` table and Snort
 * print upper-cased) → protocol number. Only the names an IDS realistically logs.
 */
const PROTOCOL_NAMES: ReadonlyMap<string, number> = new Map([
  ['HOPOPT', 0],
  ['ICMP', 1],
  ['IGMP', 2],
  ['IP-ENCAP', 4],
  ['IPV4', 4],
  ['TCP', 6],
  ['EGP', 8],
  ['UDP', 17],
  ['IPV6', 41],
  ['IPV6-ROUTE', 43],
  ['IPV6-FRAG', 44],
  ['RSVP', 46],
  ['GRE', 47],
  ['ESP', 50],
  ['AH', 51],
  ['IPV6-ICMP', 58],
  ['ICMPV6', 58],
  ['IPV6-NONXT', 59],
  ['IPV6-OPTS', 60],
  ['EIGRP', 88],
  ['OSPF', 89],
  ['OSPFIGP', 89],
  ['IPIP', 94],
  ['PIM', 103],
  ['VRRP', 112],
  ['L2TP', 115],
  ['SCTP', 132],
  ['UDPLITE', 136],
]);

/**
 * Protocol number of a protocol field: a name (`TCP`, `IPv6-ICMP`, any case), a decimal number
 * (`47`, `047` as EVE writes unnamed protocols) or Suricata fast.log's `PROTO:047`. -1 if neither.
 */
export function protocolNumberOf(s: string): number {
  const fast = s === 'TCP' ? 6 : s === 'UDP' ? 17 : s === 'ICMP' ? 1 : -1;
  if (fast >= 0) return fast;
  const start = s.startsWith('PROTO:') ? 6 : 0;
  const n = parseUint(s, start, s.length, 3);
  if (n >= 0) return n <= 255 ? n : -1;
  if (s.length > 16) return -1;
  return PROTOCOL_NAMES.get(s.toUpperCase()) ?? -1;
}

/** Decimal digits `s[start, end)` as a number; -1 if empty, not all digits, or more than `maxDigits`. */
export function parseUint(s: string, start: number, end: number, maxDigits: number): number {
  if (end <= start || end - start > maxDigits) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** 400 Gregorian years: 146,097 days. */
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * UTC ms of a civil date-time read in `offsetMinutes` (minutes east of UTC); NaN when a field is out
 * of range (month 13, 30 February, hour 24). Second 60 is accepted for a leap second.
 */
export function civilToUtcMs(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  sec: number,
  ms: number,
  offsetMinutes: number,
): number {
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS_IN_MONTH[mo - 1]! || h > 23 || mi > 59 || sec > 60)
    return Number.NaN;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return Number.NaN;
  // Date.UTC reads years 0–99 as 1900–1999; shift by one 400-year Gregorian cycle instead.
  const utc =
    y < 100
      ? Date.UTC(y + 400, mo - 1, d, h, mi, sec, ms) - GREGORIAN_CYCLE_MS
      : Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  return utc - offsetMinutes * 60_000;
}

/** Milliseconds of a fraction of a second `s[start, end)` (digits only, at least one): truncated. */
export function fractionMs(s: string, start: number, end: number): number {
  if (end <= start) return -1;
  let ms = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    if (i < start + 3) ms = ms * 10 + c;
  }
  for (let i = end - start; i < 3; i++) ms *= 10;
  return ms;
}

/**
 * An ISO 8601 timestamp as Suricata writes it in EVE (`2014-08-02T10:50:25.823699+0200`; also `Z`,
 * `+02:00`, or no offset as in Suricata 1.x/2.x output, which is local time and read in
 * `defaultOffsetMinutes`). NaN when malformed.
 */
export function parseEveTimestamp(s: string, defaultOffsetMinutes: number): number {
  if (s.length < 19 || s.length > 40) return Number.NaN;
  if (
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return Number.NaN;
  }
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 32) return Number.NaN; // 'T' or ' '
  const y = parseUint(s, 0, 4, 4);
  const mo = parseUint(s, 5, 7, 2);
  const d = parseUint(s, 8, 10, 2);
  const h = parseUint(s, 11, 13, 2);
  const mi = parseUint(s, 14, 16, 2);
  const sec = parseUint(s, 17, 19, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return Number.NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    ms = fractionMs(s, i + 1, j);
    if (ms < 0) return Number.NaN;
    i = j;
  }
  let off = defaultOffsetMinutes;
  if (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 90 && i + 1 === s.length) off = 0;
    else if (c === 43 || c === 45) {
      // ±HHMM or ±HH:MM
      const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
      if (s.length !== i + 5 + colon) return Number.NaN;
      const oh = parseUint(s, i + 1, i + 3, 2);
      const om = parseUint(s, i + 3 + colon, i + 5 + colon, 2);
      if (oh < 0 || om < 0 || oh > 23 || om > 59) return Number.NaN;
      off = (c === 45 ? -1 : 1) * (oh * 60 + om);
    } else return Number.NaN;
  }
  return civilToUtcMs(y, mo, d, h, mi, sec, ms, off);
}

interface CachedTechnique {
  readonly signature: string;
  readonly classtype: string | null;
  readonly technique: Technique;
}

const CACHE_LIMIT = 8192;

/**
 * Remembers the technique of each signature id, since a log repeats the same few rules: one Map
 * lookup and two string compares instead of tokenising the message on every alert.
 */
export class TechniqueCache {
  private readonly bySid = new Map<number, CachedTechnique>();

  get(signatureId: number, signature: string, classtype: string | null): Technique {
    const hit = this.bySid.get(signatureId);
    if (hit !== undefined && hit.signature === signature && hit.classtype === classtype) return hit.technique;
    const technique = techniqueOf({ signature, classtype, signatureId });
    if (this.bySid.size >= CACHE_LIMIT) this.bySid.clear();
    this.bySid.set(signatureId, { signature, classtype, technique });
    return technique;
  }
}

const ADDRESS_CACHE_LIMIT = 4096;

/**
 * Canonical address text with a per-parser memo for IPv6: IDS logs repeat the same few hosts, and
 * IPv6 canonicalisation (Suricata writes every address in full) costs far more than a Map lookup.
 */
export class AddressCanon {
  private readonly v6 = new Map<string, string | null>();

  /** Canonical text of `s`, or null; a strict dotted quad is already canonical and returned as is. */
  text(s: string): string | null {
    if (s.indexOf(':') === -1) return parseIPv4(s) >= 0 ? s : null;
    if (s.length > 47) return null; // longer than any IPv6 text, even bracketed
    let c = this.v6.get(s);
    if (c === undefined) {
      c = canonicalIp(s);
      if (this.v6.size >= ADDRESS_CACHE_LIMIT) this.v6.clear();
      this.v6.set(s, c);
    }
    return c;
  }
}
