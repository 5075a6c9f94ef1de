/**
 * Relational storage: one Kysely instance over SQLite (embedded default, `<data>/koban.sqlite`)
 * or PostgreSQL (at scale), with the migrations in code. Contexts get typed queries from the
 * `Database` interface; dialect-specific SQL stays here.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { KobanError } from '../core/index.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export { Lease, type LeaseState } from './lease.js';
export type { Database, LeaseTable, OperatorAlertTable, SensorTable } from './schema.js';
export type RelationalDb = Kysely<Database>;

export const SQLITE_FILE = 'koban.sqlite';

/** Opens (creating and migrating as needed) the relational store of a data directory. */
export async function openRelational(dataDir: string): Promise<RelationalDb> {
  let sqlite: SQLite.Database;
  if (dataDir === ':memory:') sqlite = new SQLite(':memory:');
  else {
    mkdirSync(dataDir, { recursive: true });
    sqlite = new SQLite(join(dataDir, SQLITE_FILE));
  }
  // WAL: the server writes while CLI commands read; a busy timeout instead of SQLITE_BUSY errors.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 64 MiB page cache (the default is 2 MB): indicator and link tables reach gigabytes.
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new KobanError('E_IO', `database migration ${failed ?? ''} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return db;
}
