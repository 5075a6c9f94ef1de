import { writeFileSync } from 'node:fs';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { it } from 'vitest';
import { migrationProvider } from './migrations.js';
it('dumps', async () => {
  for (const [name, dialect] of [
    ['sqlite', new SqliteDialect({ database: new SQLite(':memory:') })],
    ['pg', new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://koban@127.0.0.1:55432/koban_test?options=-c%20search_path%3Dddl_dump' }) })],
  ] as const) {
    const out: string[] = [];
    const db = new Kysely<unknown>({ dialect, log: (e) => { out.push(e.query.sql); } });
    if (name === 'pg') { await db.executeQuery({ sql: 'drop schema if exists ddl_dump cascade', parameters: [], query: { kind: 'RawNode' } } as never); await db.executeQuery({ sql: 'create schema ddl_dump', parameters: [], query: { kind: 'RawNode' } } as never); out.length = 0; }
    const ms = await migrationProvider.getMigrations();
    for (const m of Object.values(ms)) await m.up(db);
    writeFileSync(`/tmp/rel/ddl-${name}-${process.env.TAG}.sql`, out.join(';\n'));
    if (name === 'pg') await db.executeQuery({ sql: 'drop schema ddl_dump cascade', parameters: [], query: { kind: 'RawNode' } } as never);
    await db.destroy();
  }
});
