/**
 * ClickHouse schema of the event store, in SQL that Debian's 18.16 and current servers both run
 * (no IP column types, codecs, TTL, skip indexes or LowCardinality; docs/scale.md lists what a newer
 * server would improve).
 *
 * On every node (each shard of a cluster):
 * - `events`: raw events in a MergeTree partitioned by UTC day (`intDiv(ts_ms, 86400000)`), so that
 *   retention drops whole days as partitions; sorted by sensor and time.
 * - `rollup_hourly`: hourly counts by every dimension, a SummingMergeTree filled by a materialized
 *   view on every insert into `events` — views read it, never raw rows, and it outlives retention.
 * - `sensor_minute`: events per minute × batch × sensor × kind, the detectors' sensor-volume family
 *   (by time or by batches after a cursor), a SummingMergeTree filled the same way.
 * With a cluster, `events_all`, `rollup_hourly_all` and `sensor_minute_all` are Distributed tables
 * over the shards' tables, sharded by source address: appends go through `events_all` with
 * `insert_distributed_sync`, reads through the `_all` tables.
 *
 * On the entry node only: the small tables — sensors (first-seen order), signatures, batches (the
 * append marks), the ledger and the identities of stored events (event-identity.ts). Ledger and
 * signatures are ReplacingMergeTrees read with FINAL: an update is a new row with a higher `rev`.
 */
import { KobanError } from '../../core/index.js';
import type { ClickHouseNode } from './clickhouse-connection.js';

export const SCHEMA_VERSION = 1;

/** Reads by column name; the DDL below and clickhouse-rows.ts list them in this order. */
export const EVENT_COLUMNS = `ts_ms Int64, batch UInt64, sensor String, kind UInt8, proto UInt8,
  src4 Nullable(UInt32), dst4 Nullable(UInt32), src6 Nullable(String), dst6 Nullable(String),
  sport Nullable(UInt16), dport Nullable(UInt16),
  tcp_flags Nullable(UInt8), icmp_type Nullable(UInt8), icmp_code Nullable(UInt8),
  len Nullable(UInt32), ttl Nullable(UInt8),
  country UInt16, asn Nullable(UInt32), scope UInt8, neighbour UInt8,
  gid Nullable(UInt32), sid Nullable(UInt32), technique UInt8,
  payload_len Nullable(UInt32), payload_hash Nullable(UInt32),
  q_src4 Nullable(UInt32), q_dst4 Nullable(UInt32), q_src6 Nullable(String), q_dst6 Nullable(String),
  q_proto Nullable(UInt8), q_sport Nullable(UInt16), q_dport Nullable(UInt16),
  recv_ms Nullable(Int64)`;

const ROLLUP_KEY = 'hour_ms, sensor, kind, proto, port, country, technique, neighbour, scope';

/** Tables every node holds (`db` is a checked identifier). */
export function shardDdl(db: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE TABLE IF NOT EXISTS ${db}.events (${EVENT_COLUMNS})
      ENGINE = MergeTree PARTITION BY intDiv(ts_ms, 86400000) ORDER BY (sensor, ts_ms)`,
    `CREATE TABLE IF NOT EXISTS ${db}.rollup_hourly (hour_ms Int64, sensor String, kind UInt8, proto UInt8,
      port Int32, country UInt16, technique UInt8, neighbour UInt8, scope UInt8, events UInt64)
      ENGINE = SummingMergeTree(events) PARTITION BY intDiv(hour_ms, 2592000000) ORDER BY (${ROLLUP_KEY})`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.rollup_hourly_mv TO ${db}.rollup_hourly AS
      SELECT intDiv(ts_ms, 3600000) * 3600000 AS hour_ms, sensor, kind, proto,
        toInt32(ifNull(dport, -1)) AS port, country, technique, neighbour, scope, count() AS events
      FROM ${db}.events GROUP BY ${ROLLUP_KEY}`,
    `CREATE TABLE IF NOT EXISTS ${db}.sensor_minute (minute_ms Int64, batch UInt64, sensor String, kind UInt8,
      packets UInt64)
      ENGINE = SummingMergeTree(packets) PARTITION BY intDiv(minute_ms, 86400000) ORDER BY (minute_ms, batch, sensor, kind)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.sensor_minute_mv TO ${db}.sensor_minute AS
      SELECT intDiv(ts_ms, 60000) * 60000 AS minute_ms, batch, sensor, kind, count() AS packets
      FROM ${db}.events GROUP BY minute_ms, batch, sensor, kind`,
  ];
}

/** The shards' tables as one, on the entry node of a cluster. */
export function distributedDdl(db: string, cluster: string): string[] {
  const source = `cityHash64(ifNull(toString(src4), ifNull(src6, '')))`;
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.events_all AS ${db}.events
      ENGINE = Distributed(${cluster}, ${db}, events, ${source})`,
    `CREATE TABLE IF NOT EXISTS ${db}.rollup_hourly_all AS ${db}.rollup_hourly
      ENGINE = Distributed(${cluster}, ${db}, rollup_hourly)`,
    `CREATE TABLE IF NOT EXISTS ${db}.sensor_minute_all AS ${db}.sensor_minute
      ENGINE = Distributed(${cluster}, ${db}, sensor_minute)`,
  ];
}

/** The small tables, on the entry node. */
export function entryDdl(db: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.meta (key String, value String) ENGINE = TinyLog`,
    `CREATE TABLE IF NOT EXISTS ${db}.sensors (name String, first_batch UInt64)
      ENGINE = MergeTree ORDER BY name`,
    `CREATE TABLE IF NOT EXISTS ${db}.signatures (gid UInt32, sid UInt32, rev UInt32, signature Nullable(String),
      classtype Nullable(String), technique UInt8, version UInt64)
      ENGINE = ReplacingMergeTree(version) ORDER BY (gid, sid)`,
    `CREATE TABLE IF NOT EXISTS ${db}.batches (id UInt64, stored_ms Int64, events UInt64)
      ENGINE = MergeTree ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS ${db}.ledger (key String, sensor String, position UInt64, complete UInt8,
      events UInt64, bytes UInt64, head_hash Nullable(String), content_hash Nullable(String),
      updated_ms Int64, rev UInt64)
      ENGINE = ReplacingMergeTree(rev) ORDER BY key`,
    `CREATE TABLE IF NOT EXISTS ${db}.event_identities (sensor String, ts_ms Int64, h1 UInt32, h2 UInt32,
      batch UInt64)
      ENGINE = MergeTree PARTITION BY intDiv(ts_ms, 86400000) ORDER BY (sensor, ts_ms, h1)`,
  ];
}

/** Table names for reads and appends: the Distributed ones with a cluster. */
export interface Tables {
  readonly events: string;
  readonly rollup: string;
  readonly sensorMinute: string;
  /** Entry-node tables. */
  readonly sensors: string;
  readonly signatures: string;
  readonly batches: string;
  readonly ledger: string;
  readonly identities: string;
  readonly meta: string;
}

export function tablesOf(db: string, cluster: string | null): Tables {
  const all = cluster === null ? '' : '_all';
  return {
    events: `${db}.events${all}`,
    rollup: `${db}.rollup_hourly${all}`,
    sensorMinute: `${db}.sensor_minute${all}`,
    sensors: `${db}.sensors`,
    signatures: `${db}.signatures`,
    batches: `${db}.batches`,
    ledger: `${db}.ledger`,
    identities: `${db}.event_identities`,
    meta: `${db}.meta`,
  };
}

/** Creates what is missing on every node and checks the schema version (E_CONFIG on another). */
export async function initSchema(
  nodes: readonly ClickHouseNode[],
  db: string,
  cluster: string | null,
): Promise<void> {
  for (const node of nodes) for (const sql of shardDdl(db)) await node.run(sql);
  const entry = nodes[0]!;
  if (cluster !== null) for (const sql of distributedDdl(db, cluster)) await entry.run(sql);
  for (const sql of entryDdl(db)) await entry.run(sql);
  const version = await entry.scalar(`SELECT any(value) FROM ${db}.meta WHERE key = 'schema_version'`);
  if (version === null || version === '') {
    await entry.run(`INSERT INTO ${db}.meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
  } else if (Number(version) !== SCHEMA_VERSION) {
    throw new KobanError(
      'E_CONFIG',
      `event store schema ${String(version)} is not the supported ${SCHEMA_VERSION}`,
    );
  }
}
