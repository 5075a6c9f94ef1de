import { type ColumnDefinitionBuilder, type Kysely, SqliteAdapter } from 'kysely';

/** An auto-numbered primary key: SQLite's rowid alias, PostgreSQL's identity column. */
export function idColumn(db: Kysely<unknown>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  return (c) => (sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity());
}
