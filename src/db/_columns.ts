import { type ColumnDefinitionBuilder, type Kysely, SqliteAdapter } from 'kysely';

function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/** An auto-numbered primary key: SQLite's rowid alias, PostgreSQL's identity column. */
export function idColumn(db: Kysely<unknown>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  const sqlite = isSqlite(db);
  return (c) => (sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity());
}

/**
 * A floating-point column as SQLite stores `real` (8 bytes): PostgreSQL's `real` holds 4 (about 7
 * digits), so values read back there would differ from what was written; `double precision` does not.
 */
export function floatType(db: Kysely<unknown>): 'real' | 'double precision' {
  return isSqlite(db) ? 'real' : 'double precision';
}
