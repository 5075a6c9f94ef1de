/**
 * The ClickHouse adapter of the `EventStore` port (../ports/event-store.ts): raw events in a
 * MergeTree partitioned by day, hourly rollups and minute aggregates as materialized views, on one
 * server or the shards of a cluster (docs/scale.md). Only `openEventStore`
 * (../open-event-store.ts) and the adapter's own tests import this door.
 */
export { ClickHouseEventStore, type ClickHouseStoreOptions } from './clickhouse-store.js';
export { type ClickHouseTarget, parseClickHouseUrl } from './clickhouse-url.js';
