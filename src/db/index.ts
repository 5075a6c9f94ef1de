/**
 * Relational storage: one Kysely instance over SQLite (embedded default, `<data>/koban.sqlite`)
 * or PostgreSQL (at scale), with the migrations in code. Contexts get typed queries from the
 * `Database` interface; dialect-specific SQL stays here. The SQLite file is private to its owner,
 * checked when opened, and its failures are reported as `E_STORE` (sqlite-file.ts).
 */
import { Kysely, Migrator } from 'kysely';
import { KobanError, type StoreHealth, type StoreStatus } from '../core/index.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';
import { GuardedSqliteDialect, type OpenRelationalOptions, openSqliteFile } from './sqlite-file.js';

export { Lease, type LeaseState } from './lease.js';
export type { Database, LeaseTable, OperatorAlertTable, SensorTable } from './schema.js';
export { type OpenRelationalOptions, SQLITE_FILE } from './sqlite-file.js';
export type RelationalDb = Kysely<Database>;

const healthOf = new WeakMap<RelationalDb, StoreHealth>();

/**
 * Opens (creating and migrating as needed, unless `create: false`) the relational store of a data
 * directory. `url` names a PostgreSQL store instead (`--db`, `KOBAN_DB`, koban.json `db`); it is
 * read once the PostgreSQL dialect is in, until then the SQLite file is opened.
 */
export async function openRelational(
  dataDir: string,
  opts: OpenRelationalOptions & { readonly url?: string | undefined } = {},
): Promise<RelationalDb> {
  const { sqlite, health } = openSqliteFile(dataDir, opts);
  const db = new Kysely<Database>({ dialect: new GuardedSqliteDialect(sqlite, health) });
  healthOf.set(db, health);
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    if (error instanceof KobanError) throw error;
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new KobanError('E_IO', `database migration ${failed ?? ''} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return db;
}

/** Whether the store's file has failed since it was opened (for `/healthz`). */
export function relationalHealth(db: RelationalDb): StoreStatus {
  return healthOf.get(db)?.status() ?? { store: 'relational', ok: true };
}
