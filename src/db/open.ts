/**
 * Opens the relational store a URL names (relational-url.ts) with its dialect (dialects/), runs the
 * migrations on it and keeps its health for `/healthz`. The one place a dialect is chosen: callers
 * get a `Kysely<Database>` and never branch on which one is live.
 */
import { Kysely, Migrator, sql } from 'kysely';
import { KobanError, type StoreStatus } from '../core/index.js';
import type { OpenRelationalOptions } from './dialects/open-options.js';
import { postgresDialect } from './dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from './dialects/sqlite/sqlite-dialect.js';
import { migrationProvider } from './migrations.js';
import { describeRelationalUrl, parseRelationalUrl } from './relational-url.js';
import type { Database } from './schema.js';

export type RelationalDb = Kysely<Database>;

export interface OpenRelationalAt extends OpenRelationalOptions {
  /**
   * Which store (`--db`, `KOBAN_DB`, koban.json `db`): absent or `sqlite:` → the data directory's
   * `koban.sqlite`; `sqlite:PATH`; `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?…]`.
   */
  readonly url?: string | undefined;
}

const healthOf = new WeakMap<RelationalDb, { status(): StoreStatus }>();

/**
 * Opens (creating and migrating as needed, unless `create: false`) the relational store of a data
 * directory, or the one `url` names. A PostgreSQL database must exist; its tables are created here.
 */
export async function openRelational(dataDir: string, opts: OpenRelationalAt = {}): Promise<RelationalDb> {
  const where = parseRelationalUrl(opts.url, dataDir);
  const { dialect, health } =
    where.dialect === 'sqlite' ? sqliteDialect(dataDir, opts, where.file) : postgresDialect(where.url);
  const db = new Kysely<Database>({ dialect });
  healthOf.set(db, health);
  try {
    let schema: string | undefined;
    if (where.dialect === 'postgres') {
      schema = await currentSchema(db, where.url);
      if (opts.create === false) await requireMigrated(db, where.url, schema);
    }
    await migrate(db, schema);
    return db;
  } catch (e) {
    await db.destroy();
    throw e;
  }
}

/**
 * `schema`: on PostgreSQL, where Kysely keeps its migration tables. Named, because unnamed it looks
 * for them in every schema of the database and takes another store's for ours.
 */
async function migrate(db: RelationalDb, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (!error) return;
  if (error instanceof KobanError) throw error;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  throw new KobanError('E_IO', `database migration ${failed ?? ''} failed: ${(error as Error).message}`, {
    cause: error,
  });
}

/** The schema the tables go in: the first of the connection's `search_path` that exists. */
async function currentSchema(db: RelationalDb, url: string): Promise<string> {
  const { rows } = await sql<{ s: string | null }>`select current_schema() as s`.execute(db);
  const schema = rows[0]?.s;
  if (schema == null)
    throw new KobanError(
      'E_CONFIG',
      `${describeRelationalUrl(url)}: no schema of the search_path exists (create it, or fix the URL's options)`,
    );
  return schema;
}

/** A reader on PostgreSQL refuses a database no center has set up yet, as one on SQLite a missing file. */
async function requireMigrated(db: RelationalDb, url: string, schema: string): Promise<void> {
  const { rows } = await sql<{
    t: string | null;
  }>`select to_regclass(${`${quoteIdent(schema)}.kysely_migration`})::text as t`.execute(db);
  if (rows[0]?.t == null)
    throw new KobanError(
      'E_NOT_FOUND',
      `${describeRelationalUrl(url)} holds no Koban tables yet (koban serve --db URL, or a command that adds something, creates them)`,
    );
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Whether the store has failed since it was opened (for `/healthz`). */
export function relationalHealth(db: RelationalDb): StoreStatus {
  return healthOf.get(db)?.status() ?? { store: 'relational', ok: true };
}
