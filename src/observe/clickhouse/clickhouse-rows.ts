/**
 * Events as rows of the ClickHouse `events` table (clickhouse-schema.ts), and the small codes they
 * are stored under — the same codes as the embedded store (kind, technique, packed country, scope),
 * so that figures read the same from either. Every value is checked against its column before
 * anything is sent: an append with a value its column cannot hold fails as a whole, nothing stored.
 */
import {
  type EnrichedEvent,
  type EventKind,
  KobanError,
  type Protocol,
  parseIPv4,
  TECHNIQUES,
  type Technique,
} from '../../core/index.js';

const KIND_CODES: Record<EventKind, number> = { firewall: 1, ids: 2, darknet: 3 };
const KINDS_BY_CODE: readonly (EventKind | undefined)[] = [undefined, 'firewall', 'ids', 'darknet'];
export const SCOPES = ['public', 'private', 'reserved', 'bogon'] as const;
const SCOPE_CODES: Record<string, number> = { public: 0, private: 1, reserved: 2, bogon: 3 };
const QUOTED_PROTO: Record<Protocol, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, other: 255 };

export function kindCode(k: EventKind): number | undefined {
  return KIND_CODES[k];
}

export function kindFromCode(c: number): EventKind {
  const k = KINDS_BY_CODE[c];
  if (!k) throw new KobanError('E_STORE', `unknown kind code ${c} in the event store`);
  return k;
}

/** 0 = none, else 1 + index in TECHNIQUES. */
export function techniqueCode(t: Technique | null | undefined): number {
  return t ? TECHNIQUES.indexOf(t) + 1 : 0;
}

export function techniqueFromCode(c: number): Technique | null {
  return c === 0 ? null : (TECHNIQUES[c - 1] ?? null);
}

/** Two ASCII letters packed into 16 bits; 0 = no country. */
export function countryCode(cc: string | null | undefined): number {
  if (cc?.length !== 2) return 0;
  return (cc.charCodeAt(0) << 8) | cc.charCodeAt(1);
}

export function countryFromCode(c: number): string | null {
  return c === 0 ? null : String.fromCharCode(c >> 8, c & 255);
}

const MAX = { u8: 255, u16: 65535, u32: 4294967295 } as const;

/** A value for a nullable unsigned column, refused (E_FORMAT) when it does not fit. */
function u(kind: keyof typeof MAX, v: number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (Number.isInteger(v) && v >= 0 && v <= MAX[kind]) return v;
  throw new KobanError('E_FORMAT', `value ${v} does not fit a ${kind} column`);
}

function time(v: number): number {
  if (Number.isInteger(v) && Math.abs(v) <= 8.64e15) return v;
  throw new KobanError('E_FORMAT', `time ${v} is not a time in ms`);
}

/** IPv4 text → number, or -1 for IPv6 (stored as text). */
function v4(a: string): number {
  return a.includes(':') ? -1 : parseIPv4(a);
}

/** One event as an `events` row (keys as the columns). */
export function eventRow(e: EnrichedEvent, batch: number): Record<string, unknown> {
  const src4 = v4(e.src);
  const dst4 = v4(e.dst);
  const q = e.quoted;
  const qs = q ? v4(q.src) : -1;
  const qd = q ? v4(q.dst) : -1;
  const ids = e.ids;
  return {
    ts_ms: time(e.timeMs),
    batch,
    sensor: e.sensor,
    kind: KIND_CODES[e.kind] ?? fail('event kind', e.kind),
    proto: u('u8', e.protocolNumber),
    src4: src4 >= 0 ? src4 : null,
    dst4: dst4 >= 0 ? dst4 : null,
    src6: src4 >= 0 ? null : e.src,
    dst6: dst4 >= 0 ? null : e.dst,
    sport: u('u16', e.srcPort),
    dport: u('u16', e.dstPort),
    tcp_flags: u('u8', e.tcpFlags),
    icmp_type: u('u8', e.icmpType),
    icmp_code: u('u8', e.icmpCode),
    len: u('u32', e.length),
    ttl: u('u8', e.ttl),
    country: countryCode(e.srcCountry),
    asn: u('u32', e.srcAsn),
    scope: SCOPE_CODES[e.srcScope] ?? 3,
    // Neighbour class (docs/background.md#observation): 2 = same first two octets as the address hit, 1 = first only.
    neighbour:
      src4 >= 0 && dst4 >= 0 && src4 >>> 24 === dst4 >>> 24 ? (src4 >>> 16 === dst4 >>> 16 ? 2 : 1) : 0,
    gid: u('u32', ids ? ids.generatorId : null),
    sid: u('u32', ids ? ids.signatureId : null),
    technique: techniqueCode(ids?.technique),
    payload_len: u('u32', e.payload ? e.payload.length : null),
    payload_hash: u('u32', e.payload ? e.payload.hash : null),
    q_src4: q && qs >= 0 ? qs : null,
    q_dst4: q && qd >= 0 ? qd : null,
    q_src6: q && qs < 0 ? q.src : null,
    q_dst6: q && qd < 0 ? q.dst : null,
    q_proto: q ? QUOTED_PROTO[q.protocol] : null,
    q_sport: u('u16', q ? q.srcPort : null),
    q_dport: u('u16', q ? q.dstPort : null),
    recv_ms: e.receivedMs === undefined ? null : time(e.receivedMs),
  };
}

function fail(what: string, v: unknown): never {
  throw new KobanError('E_FORMAT', `invalid ${what}: ${String(v)}`);
}
