/**
 * The embedded DuckDB adapter of the `EventStore` port (../ports/event-store.ts): one file,
 * `events.duckdb`, in the data directory. Only `openEventStore` (../open-event-store.ts) and the
 * adapter's own tests import this door; everything else works on the port. Importing it loads
 * DuckDB's native module.
 */
export { DuckDbEventStore, type DuckDbStoreOptions, EVENTS_DB_FILE } from './duckdb-store.js';
