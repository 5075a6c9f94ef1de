/**
 * The relational store of a test world, per dialect (as Kysely runs its tests per dialect): SQLite
 * always, PostgreSQL when `KOBAN_TEST_PG` names a server (`.ci/run` starts a throw-away one:
 * `.ci/pg.sh start DIR`). vitest.config.ts runs the relational suites — the intel services, their
 * API, operator alerts, leases — a second time in the `postgresql` project, which sets
 * `KOBAN_TEST_DIALECT`; the world builders (src/intel/_testkit.ts, test/api-world.ts) open
 * their store through `freshRelational`. Without `KOBAN_TEST_PG` that project's tests are reported
 * skipped, the reason in the project's name — never passed.
 *
 * Each PostgreSQL world gets a schema of its own in that database (the migrations run in it through
 * the connection's `search_path`), dropped when the world closes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, SqliteAdapter, sql } from 'kysely';
import pg from 'pg';
import { type Database, openRelational, type RelationalDb } from '../src/db/index.js';

export type TestDialect = 'sqlite' | 'postgres';

/** The server the PostgreSQL variants use, e.g. postgres://koban@127.0.0.1:55432/koban_test. */
export const TEST_PG_URL = process.env.KOBAN_TEST_PG?.trim() || undefined;

/** Why the PostgreSQL variants do not run here (undefined when they do). */
export const PG_SKIP_REASON =
  TEST_PG_URL === undefined
    ? 'KOBAN_TEST_PG is not set (a PostgreSQL URL; .ci/run starts a server and sets it)'
    : undefined;

/** The dialect this run of a relational suite is for (the vitest project's). */
export function testDialect(): TestDialect {
  return process.env.KOBAN_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
}

export interface FreshRelational {
  readonly dialect: TestDialect;
  /** For `openRelational`'s `url` (a center's `relationalUrl`): undefined → SQLite. */
  readonly url: string | undefined;
  /** Removes what the world left (the PostgreSQL schema; nothing for SQLite, whose store is the world's). */
  drop(): Promise<void>;
}

let worlds = 0;

/** An empty store for one test world, in the run's dialect (or the one given). */
export async function freshRelational(dialect: TestDialect = testDialect()): Promise<FreshRelational> {
  if (dialect === 'sqlite') return { dialect, url: undefined, drop: async () => {} };
  if (TEST_PG_URL === undefined) throw new Error(`PostgreSQL test world: ${PG_SKIP_REASON}`);
  const schema = `koban_t${process.pid}_${++worlds}_${randomBytes(3).toString('hex')}`;
  await admin(`create schema ${schema}`);
  return {
    dialect,
    url: withSearchPath(TEST_PG_URL, schema),
    drop: () => admin(`drop schema if exists ${schema} cascade`),
  };
}

/** The URL with the schema as the connections' search path (libpq's `options` parameter). */
function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface TestRelational {
  readonly dialect: TestDialect;
  readonly db: RelationalDb;
  /** Another handle on the same store, as a second center opens it (`shared` stores only). */
  another(): Promise<RelationalDb>;
  /** Destroys every handle and drops what the store left. */
  close(): Promise<void>;
}

/**
 * A fresh store of the run's dialect, opened. `shared`: one that several handles can open (SQLite
 * in a temporary data directory rather than in memory), as centers sharing a store do.
 */
export async function openTestRelational(opts: { shared?: boolean } = {}): Promise<TestRelational> {
  const store = await freshRelational();
  const dir = opts.shared && store.dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), 'koban-rel-')) : null;
  const handles: RelationalDb[] = [];
  const open = async () => {
    const h = await openRelational(dir ?? ':memory:', { url: store.url, notice: () => {} });
    handles.push(h);
    return h;
  };
  const db = await open();
  return {
    dialect: store.dialect,
    db,
    another() {
      if (!opts.shared) throw new Error('openTestRelational: another handle needs { shared: true }');
      return open();
    },
    async close() {
      for (const h of handles) await h.destroy();
      await store.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * What an attacker with write access to the database does first (the audit tests): drops the
 * triggers that keep a chained table append-only (src/db/migrations/0002-intel-sharing.ts makes
 * two per table on SQLite, one on PostgreSQL).
 */
export async function dropAppendOnlyGuards(
  db: Kysely<Database>,
  table: 'audit_log' | 'custody',
): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql.raw(`drop trigger ${table}_no_update`).execute(db);
    await sql.raw(`drop trigger ${table}_no_delete`).execute(db);
  } else {
    await sql.raw(`drop trigger ${table}_append_only on ${table}`).execute(db);
  }
}
