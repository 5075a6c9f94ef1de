/** One event into one row of the `events` columns (order as EVENT_COLUMNS in duckdb-schema.ts). */
import { type EnrichedEvent, KobanError, type Protocol, parseIPv4 } from '../../core/index.js';
import type { Column } from './duckdb-chunk-writer.js';
import { countryCode, kindCode, techniqueCode } from './duckdb-schema.js';

const SCOPE_CODES: Record<string, number> = { public: 0, private: 1, reserved: 2, bogon: 3 };
const QUOTED_PROTO: Record<Protocol, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58, other: 255 };

const MAX: Record<string, number> = { u8: 255, u16: 65535, u32: 4294967295 };

/** Typed arrays wrap silently; a value that does not fit its column is refused instead. */
function num(col: Column, row: number, v: number | null | undefined): void {
  if (v === null || v === undefined) col.setNull(row);
  else if (v >= 0 && v <= MAX[col.kind]! && Number.isInteger(v)) (col.values as Uint32Array)[row] = v;
  else throw new KobanError('E_FORMAT', `value ${v} does not fit an ${col.kind} column`);
}

function text(col: Column, row: number, v: string | null): void {
  if (v === null) col.setNull(row);
  else col.texts![row] = v;
}

/** IPv4 text → number, or -1 for IPv6 (stored as text). */
function v4(a: string): number {
  return a.includes(':') ? -1 : parseIPv4(a);
}

export function fillRow(c: Column[], row: number, e: EnrichedEvent, sensorId: number): void {
  const src4 = v4(e.src);
  const dst4 = v4(e.dst);
  (c[0]!.values as BigInt64Array)[row] = BigInt(e.timeMs);
  // c[1] (batch) is filled by the caller.
  (c[2]!.values as Uint16Array)[row] = sensorId;
  (c[3]!.values as Uint8Array)[row] = kindCode(e.kind);
  (c[4]!.values as Uint8Array)[row] = e.protocolNumber;
  if (src4 >= 0) {
    (c[5]!.values as Uint32Array)[row] = src4;
    c[7]!.setNull(row);
  } else {
    c[5]!.setNull(row);
    text(c[7]!, row, e.src);
  }
  if (dst4 >= 0) {
    (c[6]!.values as Uint32Array)[row] = dst4;
    c[8]!.setNull(row);
  } else {
    c[6]!.setNull(row);
    text(c[8]!, row, e.dst);
  }
  num(c[9]!, row, e.srcPort);
  num(c[10]!, row, e.dstPort);
  num(c[11]!, row, e.tcpFlags);
  num(c[12]!, row, e.icmpType);
  num(c[13]!, row, e.icmpCode);
  num(c[14]!, row, e.length);
  num(c[15]!, row, e.ttl);
  (c[16]!.values as Uint16Array)[row] = countryCode(e.srcCountry);
  num(c[17]!, row, e.srcAsn);
  (c[18]!.values as Uint8Array)[row] = SCOPE_CODES[e.srcScope] ?? 3;
  // Neighbour class (docs/background.md#observation): 2 = same first two octets as the address hit, 1 = first only.
  (c[19]!.values as Uint8Array)[row] =
    src4 >= 0 && dst4 >= 0 && src4 >>> 24 === dst4 >>> 24 ? (src4 >>> 16 === dst4 >>> 16 ? 2 : 1) : 0;
  const ids = e.ids;
  num(c[20]!, row, ids ? ids.generatorId : null);
  num(c[21]!, row, ids ? ids.signatureId : null);
  (c[22]!.values as Uint8Array)[row] = techniqueCode(ids?.technique);
  num(c[23]!, row, e.payload ? e.payload.length : null);
  num(c[24]!, row, e.payload ? e.payload.hash : null);
  const q = e.quoted;
  if (q) {
    const qs = v4(q.src);
    const qd = v4(q.dst);
    num(c[25]!, row, qs >= 0 ? qs : null);
    num(c[26]!, row, qd >= 0 ? qd : null);
    text(c[27]!, row, qs >= 0 ? null : q.src);
    text(c[28]!, row, qd >= 0 ? null : q.dst);
    (c[29]!.values as Uint8Array)[row] = QUOTED_PROTO[q.protocol];
    num(c[30]!, row, q.srcPort);
    num(c[31]!, row, q.dstPort);
  } else {
    for (let k = 25; k <= 31; k++) c[k]!.setNull(row);
  }
  if (e.receivedMs === undefined) c[32]!.setNull(row);
  else (c[32]!.values as BigInt64Array)[row] = BigInt(e.receivedMs);
}
