/**
 * DuckDB schema of the event store. Events are stored column-wise with small integer codes
 * (sensor id, protocol number, packed country code, technique code) so that appends move typed
 * arrays rather than strings; IPv4 addresses are UINTEGER, IPv6 addresses text.
 *
 * `rollup_hourly` holds partial hourly counts: every append adds its own aggregate rows, and
 * readers always `sum(events)`, so duplicates of a key are harmless; `compact()` merges them.
 * `source_hourly` holds the hourly source sets beside them (duckdb-source-sets.ts).
 * `initSchema` creates the tables, checks the schema version (upgrading an older store) and loads
 * the small tables' caches.
 */
import { BIGINT, UINTEGER, USMALLINT, UTINYINT, VARCHAR } from '@duckdb/node-api';
import { type EventKind, KobanError, TECHNIQUES, type Technique } from '../../core/index.js';
import type { ColumnSpec } from './duckdb-chunk-writer.js';
import { readCheckStatements } from './duckdb-file.js';
import { IDENTITY_DDL } from './duckdb-identity.js';
import { BACKFILL_SOURCES_SQL, SOURCE_SETS_DDL } from './duckdb-source-sets.js';
import { type DuckDbState, inTransaction, rows, scalar } from './duckdb-state.js';

/** 2 added the hourly source sets (`source_hourly`); a version-1 store is upgraded at open. */
export const SCHEMA_VERSION = 2;

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

/** Columns of `events`, in table order: DuckDB type and the typed array that fills it. */
export const EVENT_COLUMNS: readonly ColumnSpec[] = [
  { kind: 'i64', type: BIGINT }, // ts_ms
  { kind: 'u32', type: UINTEGER }, // batch
  { kind: 'u16', type: USMALLINT }, // sensor
  { kind: 'u8', type: UTINYINT }, // kind
  { kind: 'u8', type: UTINYINT }, // proto
  { kind: 'u32', type: UINTEGER }, // src4
  { kind: 'u32', type: UINTEGER }, // dst4
  { kind: 'text', type: VARCHAR }, // src6
  { kind: 'text', type: VARCHAR }, // dst6
  { kind: 'u16', type: USMALLINT }, // sport
  { kind: 'u16', type: USMALLINT }, // dport
  { kind: 'u8', type: UTINYINT }, // tcp_flags
  { kind: 'u8', type: UTINYINT }, // icmp_type
  { kind: 'u8', type: UTINYINT }, // icmp_code
  { kind: 'u32', type: UINTEGER }, // len
  { kind: 'u8', type: UTINYINT }, // ttl
  { kind: 'u16', type: USMALLINT }, // country
  { kind: 'u32', type: UINTEGER }, // asn
  { kind: 'u8', type: UTINYINT }, // scope
  { kind: 'u8', type: UTINYINT }, // neighbour
  { kind: 'u32', type: UINTEGER }, // gid
  { kind: 'u32', type: UINTEGER }, // sid
  { kind: 'u8', type: UTINYINT }, // technique
  { kind: 'u32', type: UINTEGER }, // payload_len
  { kind: 'u32', type: UINTEGER }, // payload_hash
  { kind: 'u32', type: UINTEGER }, // q_src4
  { kind: 'u32', type: UINTEGER }, // q_dst4
  { kind: 'text', type: VARCHAR }, // q_src6
  { kind: 'text', type: VARCHAR }, // q_dst6
  { kind: 'u8', type: UTINYINT }, // q_proto
  { kind: 'u16', type: USMALLINT }, // q_sport
  { kind: 'u16', type: USMALLINT }, // q_dport
  { kind: 'i64', type: BIGINT }, // recv_ms
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

/**
 * Creates the tables of a new store, refuses another schema version (E_CONFIG), loads the caches
 * of `state` and, with `check`, reads the blocks the read check covers (duckdb-file.ts).
 */
export async function initSchema(state: DuckDbState, check: boolean): Promise<void> {
  const { con } = state;
  await con.run(DDL);
  await con.run(IDENTITY_DDL);
  const version = await scalar(con, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (version === null) {
    await con.run(SOURCE_SETS_DDL);
    await con.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
  } else if (Number(version) === 1) {
    await upgradeFrom1(state);
  } else if (Number(version) !== SCHEMA_VERSION) {
    throw new KobanError('E_CONFIG', `event store schema ${version} is not the supported ${SCHEMA_VERSION}`);
  }
  for (const row of await rows(con, 'SELECT id, name FROM sensors ORDER BY id')) {
    const id = Number(row[0]);
    state.sensorIds.set(String(row[1]), id);
    state.sensorNames[id] = String(row[1]);
  }
  for (const row of await rows(con, 'SELECT gid, sid FROM signatures')) {
    state.knownSignatures.add(`${row[0]}:${row[1]}`);
  }
  state.lastBatch = Number((await scalar(con, 'SELECT coalesce(max(id), 0) FROM batches')) ?? 0);
  if (!check) return;
  const newest = await scalar(con, 'SELECT max(ts_ms) FROM events');
  for (const sql of readCheckStatements(newest === null ? null : Number(newest))) await con.run(sql);
}

/**
 * Version 1 → 2: the hourly source sets, filled from the raw events the store holds, with the new
 * version in one transaction (an interrupted upgrade is redone at the next open). Hours whose raw
 * events had already expired get no sets: their distinct sources stay unknown, as they were.
 */
async function upgradeFrom1(state: DuckDbState): Promise<void> {
  const { con } = state;
  await inTransaction(con, async () => {
    await con.run(SOURCE_SETS_DDL);
    await con.run(BACKFILL_SOURCES_SQL);
    await con.run(`UPDATE meta SET value = '${SCHEMA_VERSION}' WHERE key = 'schema_version'`);
  });
}
