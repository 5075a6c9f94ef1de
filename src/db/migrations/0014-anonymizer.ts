/**
 * The anonymizer database (anon/): every list imported (`anon_imports`: which list, its format,
 * its publication time, what was kept and rejected) and the history built from them
 * (`anon_intervals`: [from_ms, to_ms) per list, address and relay; `to_ms` null while open); and
 * what each website operator wants done with visitors found there (`anon_site_policies`).
 * docs/anonymizer.md#history.
 */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from '../_columns.js';

export const migration0014: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('anon_imports')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('list', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('content_sha256', 'text', (c) => c.notNull())
      .addColumn('published_ms', 'bigint', (c) => c.notNull())
      .addColumn('imported_ms', 'bigint', (c) => c.notNull())
      .addColumn('entries', 'integer', (c) => c.notNull())
      .addColumn('rejected', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('anon_imports_list')
      .on('anon_imports')
      .columns(['list', 'published_ms'])
      .execute();
    await db.schema
      .createTable('anon_intervals')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('list', 'text', (c) => c.notNull())
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('fingerprint', 'text', (c) => c.notNull())
      .addColumn('policy', 'text')
      .addColumn('reason', 'text')
      .addColumn('from_ms', 'bigint', (c) => c.notNull())
      .addColumn('to_ms', 'bigint')
      .addColumn('first_import', 'integer', (c) => c.notNull())
      .addColumn('last_import', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('anon_intervals_address')
      .on('anon_intervals')
      .columns(['address', 'from_ms'])
      .execute();
    await db.schema
      .createIndex('anon_intervals_open')
      .on('anon_intervals')
      .columns(['list', 'to_ms'])
      .execute();
    await db.schema
      .createTable('anon_site_policies')
      .addColumn('org_id', 'integer', (c) => c.primaryKey())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('updated_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
  },
};
