// The migrations on the run's dialect (test/relational.ts): the names Kysely records are the ones
// existing stores hold, and a store an earlier version left part-way migrates on, keeping its rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FreshRelational, freshRelational } from '../../test/relational.js';
import { postgresDialect } from './dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from './dialects/sqlite/sqlite-dialect.js';
import { type Database, openRelational } from './index.js';
import { migrationProvider } from './migrations.js';

/** As recorded in every store migrated so far: renaming one would run it again on them. */
const NAMES = [
  '0001-sensors-and-operator-alerts',
  '0002-intel-sharing',
  '0003-member-alerts',
  '0004-leases',
  '0005-declassifications',
  '0006-relayed-sensor-owner',
  '0007-sensor-blocks',
  '0008-alert-order',
  '0009-scanners',
  '0010-backscatter-statistics',
  '0011-stix-objects',
  '0012-provider-sightings',
  '0013-taxii-collections',
  '0014-anonymizer',
  '0015-report-triage',
  '0016-recorder-heads',
  '0017-alert-endpoint-preferences',
  '0018-site-evidence',
  '0019-federation-operations',
  '0020-intake-correlation-queue',
  '0021-user-advisory-mail',
  '0022-stix-object-values',
];

describe('migrations', () => {
  let store: FreshRelational;
  let dir: string;
  beforeEach(async () => {
    store = await freshRelational();
    dir = mkdtempSync(join(tmpdir(), 'koban-migrations-'));
  });
  afterEach(async () => {
    await store.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The store without openRelational: migrated only as far as an older version went. */
  async function olderStore(upTo: string): Promise<Kysely<Database>> {
    const { dialect } =
      store.url === undefined ? sqliteDialect(dir, { notice: () => {} }) : postgresDialect(store.url);
    const db = new Kysely<Database>({ dialect });
    const schema =
      store.url === undefined
        ? undefined
        : ((await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s as string);
    const { error } = await new Migrator({
      db,
      provider: migrationProvider,
      ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    }).migrateTo(upTo);
    expect(error).toBeUndefined();
    return db;
  }

  async function recorded(db: Kysely<Database>): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    return rows.map((r) => r.name);
  }

  it('are recorded under the names existing stores hold, in order', async () => {
    const db = await openRelational(dir, { url: store.url, notice: () => {} });
    try {
      expect(await recorded(db)).toEqual(NAMES);
      expect(Object.keys(await migrationProvider.getMigrations())).toEqual(NAMES);
    } finally {
      await db.destroy();
    }
  });

  it('carry a store an earlier version left at 0003 on to the last, keeping its rows', async () => {
    const old = await olderStore('0003-member-alerts');
    await old
      .insertInto('organisations')
      .values({ name: 'X', kind: 'member', domains: '[]', active: 1, created_ms: 1 })
      .execute();
    expect(await recorded(old)).toEqual(NAMES.slice(0, 3));
    await old.destroy();

    const db = await openRelational(dir, { url: store.url, notice: () => {} });
    try {
      expect(await recorded(db)).toEqual(NAMES);
      expect(await db.selectFrom('organisations').select(['id', 'name']).execute()).toEqual([
        { id: 1, name: 'X' },
      ]);
      // What the later migrations added is there and usable.
      await db
        .insertInto('leases')
        .values({ name: 'job', holder: 'a', expires_ms: 2, acquired_ms: 1 })
        .execute();
      expect(await db.selectFrom('leases').select('holder').execute()).toEqual([{ holder: 'a' }]);
    } finally {
      await db.destroy();
    }
  });

  it('give the alerts stored before 0007 the rank of their severity, so old and new list in one order', async () => {
    const old = await olderStore('0006-relayed-sensor-owner');
    for (const [i, severity] of ['low', 'critical', 'medium', 'bogus'].entries()) {
      await old
        .insertInto('operator_alerts')
        .values({
          kind: 'scan',
          dedup_key: `k${i}`,
          severity,
          title: 't',
          status: 'open',
          first_ms: 1,
          last_ms: 1,
          updated_ms: 1,
          evidence: '{}',
          acked_by: null,
          acked_ms: null,
          closed_by: null,
          closed_ms: null,
        } as never)
        .execute();
    }
    await old.destroy();
    const db = await openRelational(dir, { url: store.url, notice: () => {} });
    try {
      const rows = await db
        .selectFrom('operator_alerts')
        .select(['dedup_key', 'severity_rank'])
        .orderBy('id')
        .execute();
      expect(rows).toEqual([
        { dedup_key: 'k0', severity_rank: 1 },
        { dedup_key: 'k1', severity_rank: 4 },
        { dedup_key: 'k2', severity_rank: 2 },
        { dedup_key: 'k3', severity_rank: 0 },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
