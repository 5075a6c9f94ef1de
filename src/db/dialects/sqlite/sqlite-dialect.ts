/**
 * The embedded dialect: Kysely's SQLite dialect over the data directory's file (sqlite-file.ts),
 * its queries guarded so that a failure of the file is one `E_STORE` error and shows in its health.
 * SQLite runs one transaction at a time on its one connection, which the stores rely on (read the
 * chain head, then append; check, then insert); the PostgreSQL dialect gives the same guarantee
 * with a lock (postgres-dialect.ts).
 */
import type SQLite from 'better-sqlite3';
import { type Driver, SqliteDialect } from 'kysely';
import type { StoreHealth } from '../../../core/index.js';
import { GuardedDriver } from '../guarded-driver.js';
import type { OpenRelationalOptions } from '../open-options.js';
import { openSqliteFile, sqliteFault } from './sqlite-file.js';

/** Kysely's SQLite dialect whose queries report failures of the file to `health`. */
export class GuardedSqliteDialect extends SqliteDialect {
  constructor(
    sqlite: SQLite.Database,
    private readonly health: StoreHealth,
  ) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    const health = this.health;
    return new GuardedDriver(super.createDriver(), {
      fail(e) {
        const fault = sqliteFault(e);
        return fault ? health.fail(fault, (e as Error).message, e) : e;
      },
      succeeded(wrote) {
        if (wrote) health.wrote();
      },
    });
  }
}

/** The dialect over the SQLite file of `dataDir` (or `file`), and the health its queries report to. */
export function sqliteDialect(
  dataDir: string,
  opts: OpenRelationalOptions,
  file?: string,
): { dialect: GuardedSqliteDialect; health: StoreHealth } {
  const { sqlite, health } = openSqliteFile(dataDir, opts, file);
  return { dialect: new GuardedSqliteDialect(sqlite, health), health };
}
