/**
 * Relational storage: one Kysely instance over SQLite (embedded default, `<data>/koban.sqlite`)
 * or PostgreSQL (several centers on one database), chosen by a URL (`openRelational`, open.ts),
 * with the migrations in code. Contexts get typed queries from the `Database` interface and never
 * branch on the dialect; what is dialect-specific stays here, one folder per dialect
 * (`dialects/sqlite/`: the private, checked file; `dialects/postgres/`: the `pg` pool, its types
 * and its transaction lock). Failures of the store itself are reported as `E_STORE` and show in
 * its health. `Lease` gives a named job to one process at a time.
 */
export type { OpenRelationalOptions } from './dialects/open-options.js';
export { SQLITE_FILE } from './dialects/sqlite/sqlite-file.js';
export { Lease, type LeaseState } from './lease.js';
export { type OpenRelationalAt, openRelational, type RelationalDb, relationalHealth } from './open.js';
export { describeRelationalUrl } from './relational-url.js';
export type {
  Database,
  LeaseTable,
  OperatorAlertTable,
  ScannerPortTable,
  ScannerTable,
  SensorTable,
} from './schema.js';
