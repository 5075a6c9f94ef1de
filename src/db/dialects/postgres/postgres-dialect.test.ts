// The PostgreSQL dialect on a real server (KOBAN_TEST_PG; the postgresql project only): values read
// back as the stores expect them from SQLite, transactions one at a time across centers, and the
// server's failures as one clear error, recorded for /healthz and cleared once it answers again.
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  freshRelational,
  openTestRelational,
  TEST_PG_URL,
  type TestRelational,
} from '../../../../test/relational.js';
import { KobanError } from '../../../core/index.js';
import { openRelational, type RelationalDb, relationalHealth } from '../../index.js';

const REFUSED_ADVICE =
  'check the URL (user, password, database name) and that the database exists (README, "PostgreSQL")';

/** The test server's URL with another database or user (the server trusts loopback logins). */
function variant(change: (u: URL) => void): string {
  const u = new URL(TEST_PG_URL ?? 'postgres://unset');
  change(u);
  return u.toString();
}

async function failure(p: Promise<unknown>): Promise<KobanError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KobanError);
  return e as KobanError;
}

describe('the PostgreSQL dialect', () => {
  let store: TestRelational;
  let db: RelationalDb;
  beforeEach(async () => {
    store = await openTestRelational({ shared: true });
    db = store.db;
  });
  afterEach(async () => {
    await store.close();
  });

  it('reads bigint and numeric results back as numbers, and an integer beyond 2^53 as its digits', async () => {
    await db
      .insertInto('sensors')
      .values({
        name: 'fw',
        address_blocks: '[]',
        relay: 0,
        token_hash: 'x',
        created_ms: 1_764_000_000_123,
        events_total: 2 ** 40,
        batches_total: 1,
        dropped_total: 0,
      })
      .execute();
    const row = await db
      .selectFrom('sensors')
      .select(['created_ms', 'events_total', 'last_seen_ms'])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ created_ms: 1_764_000_000_123, events_total: 2 ** 40, last_seen_ms: null });
    const { rows } = await sql<{ n: unknown; total: unknown; big: unknown }>`
      select count(*) as n, sum(events_total) as total, 9007199254740993::bigint as big from sensors`.execute(
      db,
    );
    expect(rows).toEqual([{ n: 1, total: 2 ** 40, big: '9007199254740993' }]);
  });

  it('stores weights in double precision, as SQLite’s real (8 bytes), not PostgreSQL’s 4-byte real', async () => {
    const { rows } = await sql<{ table_name: string; data_type: string }>`
      select table_name, data_type from information_schema.columns
      where table_schema = current_schema() and column_name = 'weight' order by table_name`.execute(db);
    expect(rows).toEqual([
      { table_name: 'campaign_bridges', data_type: 'double precision' },
      { table_name: 'report_links', data_type: 'double precision' },
    ]);
  });

  it('runs transactions one at a time, also across two handles (two centers): a read then a write is not interleaved', async () => {
    const other = await store.another();
    // Each transaction names the organisation after how many it saw: interleaved, two would see
    // the same count and the second insert would break the unique name.
    const addNext = (h: RelationalDb) =>
      h.transaction().execute(async (tx) => {
        const { n } = await tx
          .selectFrom('organisations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('organisations')
          .values({ name: `org-${n}`, kind: 'isp', domains: '[]', active: 1, created_ms: 0 })
          .execute();
      });
    await Promise.all([db, other, db, other, db, other].map(addNext));
    const names = await db.selectFrom('organisations').select('name').orderBy('name').execute();
    expect(names.map((r) => r.name)).toEqual(['org-0', 'org-1', 'org-2', 'org-3', 'org-4', 'org-5']);
  });

  it('fails a statement whose connection the server ends with E_STORE, shows it in its health, and recovers', async () => {
    const e = await failure(sql`select pg_terminate_backend(pg_backend_pid())`.execute(db));
    expect(e.code).toBe('E_STORE');
    expect(e.message).toMatch(
      /^postgres:\/\/koban@.+: terminating connection due to administrator command; check that the PostgreSQL server is running and reachable from here, then retry$/,
    );
    expect(relationalHealth(db)).toEqual({
      store: 'relational',
      ok: false,
      error: 'postgresql: terminating connection due to administrator command',
    });
    // The pool opens a new connection: the server answers again, and the health says so.
    expect(await db.selectFrom('sensors').select('name').execute()).toEqual([]);
    expect(relationalHealth(db)).toEqual({ store: 'relational', ok: true });
  });
});

describe('opening a PostgreSQL store', () => {
  it('that does not exist is E_CONFIG naming the database and what to check', async () => {
    const url = variant((u) => {
      u.pathname = '/koban_nope';
    });
    const e = await failure(openRelational('/nonexistent', { url }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toBe(`${url}: database "koban_nope" does not exist; ${REFUSED_ADVICE}`);
  });

  it('as a user the server does not know is E_CONFIG, the password hidden', async () => {
    const url = variant((u) => {
      u.username = 'nobody';
      u.password = 'hunter2';
    });
    const e = await failure(openRelational('/nonexistent', { url }));
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toBe(
      `${url.replace(':hunter2@', ':***@')}: role "nobody" does not exist; ${REFUSED_ADVICE}`,
    );
  });

  it('for reading only refuses a database no center has set up, and creates nothing', async () => {
    const fresh = await freshRelational('postgres');
    try {
      const e = await failure(openRelational('/nonexistent', { url: fresh.url, create: false }));
      expect(e.code).toBe('E_NOT_FOUND');
      expect(e.message).toMatch(
        /^postgres:\/\/koban@.+ holds no Koban tables yet \(koban serve --db URL, or a command that adds something, creates them\)$/,
      );
      const db = await openRelational('/nonexistent', { url: fresh.url });
      expect(await db.selectFrom('sensors').select('name').execute()).toEqual([]);
      await db.destroy();
      const reader = await openRelational('/nonexistent', { url: fresh.url, create: false });
      expect(await reader.selectFrom('sensors').select('name').execute()).toEqual([]);
      await reader.destroy();
    } finally {
      await fresh.drop();
    }
  });
});
