/**
 * DuckDB schema of the event store. Events are stored column-wise with small integer codes
 * (sensor id, protocol number, packed country code, technique code) so that appends move typed
 * arrays rather than strings; IPv4 addresses are UINTEGER, IPv6 addresses text.
 *
 * `rollup_hourly` holds partial hourly counts: every append adds its own aggregate rows, and
 * readers always `sum(events)`, so duplicates of a key are harmless; `compact()` merges them.
 */
import { BIGINT, type DuckDBType, UINTEGER, USMALLINT, UTINYINT, VARCHAR } from '@duckdb/node-api';
import { type EventKind, TECHNIQUES, type Technique } from '../core/index.js';

export const SCHEMA_VERSION = 1;

export const DDL = `
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS sensors (id USMALLINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS signatures (
  gid UINTEGER, sid UINTEGER, rev UINTEGER, signature VARCHAR, classtype VARCHAR, technique UTINYINT,
  PRIMARY KEY (gid, sid));
CREATE TABLE IF NOT EXISTS batches (id UINTEGER PRIMARY KEY, stored_ms BIGINT NOT NULL, events UBIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ledger (
  key VARCHAR PRIMARY KEY, sensor VARCHAR NOT NULL, position UBIGINT NOT NULL, complete BOOLEAN NOT NULL,
  events UBIGINT NOT NULL, bytes UBIGINT NOT NULL, head_hash VARCHAR, content_hash VARCHAR,
  updated_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  ts_ms BIGINT NOT NULL,
  batch UINTEGER NOT NULL,
  sensor USMALLINT NOT NULL,
  kind UTINYINT NOT NULL,
  proto UTINYINT NOT NULL,
  src4 UINTEGER, dst4 UINTEGER, src6 VARCHAR, dst6 VARCHAR,
  sport USMALLINT, dport USMALLINT,
  tcp_flags UTINYINT, icmp_type UTINYINT, icmp_code UTINYINT,
  len UINTEGER, ttl UTINYINT,
  country USMALLINT NOT NULL, asn UINTEGER, scope UTINYINT NOT NULL, neighbour UTINYINT NOT NULL,
  gid UINTEGER, sid UINTEGER, technique UTINYINT NOT NULL,
  payload_len UINTEGER, payload_hash UINTEGER,
  q_src4 UINTEGER, q_dst4 UINTEGER, q_src6 VARCHAR, q_dst6 VARCHAR, q_proto UTINYINT,
  q_sport USMALLINT, q_dport USMALLINT,
  recv_ms BIGINT);
CREATE TABLE IF NOT EXISTS rollup_hourly (
  hour TIMESTAMP NOT NULL, sensor USMALLINT NOT NULL, kind UTINYINT NOT NULL, proto UTINYINT NOT NULL,
  port INTEGER NOT NULL, country USMALLINT NOT NULL, technique UTINYINT NOT NULL,
  neighbour UTINYINT NOT NULL, scope UTINYINT NOT NULL, events UBIGINT NOT NULL);
`;

/** Column types of `events`, in table order, for the appender's data chunks. */
export const EVENT_COLUMN_TYPES: readonly DuckDBType[] = [
  BIGINT, // ts_ms
  UINTEGER, // batch
  USMALLINT, // sensor
  UTINYINT, // kind
  UTINYINT, // proto
  UINTEGER, // src4
  UINTEGER, // dst4
  VARCHAR, // src6
  VARCHAR, // dst6
  USMALLINT, // sport
  USMALLINT, // dport
  UTINYINT, // tcp_flags
  UTINYINT, // icmp_type
  UTINYINT, // icmp_code
  UINTEGER, // len
  UTINYINT, // ttl
  USMALLINT, // country
  UINTEGER, // asn
  UTINYINT, // scope
  UTINYINT, // neighbour
  UINTEGER, // gid
  UINTEGER, // sid
  UTINYINT, // technique
  UINTEGER, // payload_len
  UINTEGER, // payload_hash
  UINTEGER, // q_src4
  UINTEGER, // q_dst4
  VARCHAR, // q_src6
  VARCHAR, // q_dst6
  UTINYINT, // q_proto
  USMALLINT, // q_sport
  USMALLINT, // q_dport
  BIGINT, // recv_ms
];

const KIND_CODES: Record<EventKind, number> = { firewall: 1, ids: 2, darknet: 3 };
const KINDS_BY_CODE: readonly (EventKind | undefined)[] = [undefined, 'firewall', 'ids', 'darknet'];

export function kindCode(k: EventKind): number {
  return KIND_CODES[k];
}

export function kindFromCode(c: number): EventKind {
  const k = KINDS_BY_CODE[c];
  if (!k) throw new Error(`unknown kind code ${c}`);
  return k;
}

/** Technique code: 0 = none, else 1 + index in TECHNIQUES. */
export function techniqueCode(t: Technique | null | undefined): number {
  return t ? TECHNIQUES.indexOf(t) + 1 : 0;
}

export function techniqueFromCode(c: number): Technique | null {
  return c === 0 ? null : (TECHNIQUES[c - 1] ?? null);
}

export const SCOPES = ['public', 'private', 'reserved', 'bogon'] as const;

/** Two ASCII letters packed into 16 bits; 0 = no country. */
export function countryCode(cc: string | null | undefined): number {
  if (cc?.length !== 2) return 0;
  return (cc.charCodeAt(0) << 8) | cc.charCodeAt(1);
}

export function countryFromCode(c: number): string | null {
  return c === 0 ? null : String.fromCharCode(c >> 8, c & 255);
}
