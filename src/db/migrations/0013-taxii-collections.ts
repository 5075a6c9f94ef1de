/**
 * TAXII 2.1 collections (feeds/taxii/, docs/sharing.md#taxii-21): `taxii_objects` holds each
 * version of each STIX object in each collection with the date it was added there (TAXII 2.1
 * §3.4 "date_added", per object per collection) — strictly increasing within a collection, so it
 * is also the keyset that `next` pages on. `is_first`/`is_last` mark the oldest and newest version
 * of an id in its collection (`match[version]` first/last without a subquery per row).
 * `taxii_status` keeps the status resource of each POST (§4.3). `taxii_subscriptions` is the
 * client side: what `koban feeds subscribe` polls and the last date added it has seen.
 */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from '../_columns.js';

export const migration0013: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('taxii_objects')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('collection', 'text', (c) => c.notNull())
      .addColumn('stix_id', 'text', (c) => c.notNull())
      .addColumn('stix_type', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('version_key', 'text', (c) => c.notNull())
      .addColumn('spec_version', 'text', (c) => c.notNull())
      .addColumn('date_added_us', 'bigint', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('org_id', 'integer')
      .addColumn('is_first', 'integer', (c) => c.notNull())
      .addColumn('is_last', 'integer', (c) => c.notNull())
      .addColumn('content_sha256', 'text', (c) => c.notNull())
      .addColumn('object', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('taxii_objects_added')
      .unique()
      .on('taxii_objects')
      .columns(['collection', 'date_added_us'])
      .execute();
    await db.schema
      .createIndex('taxii_objects_version')
      .unique()
      .on('taxii_objects')
      .columns(['collection', 'stix_id', 'version_key'])
      .execute();
    // The collection's own export rows, compared at each refresh without reading its posted ones.
    await db.schema
      .createIndex('taxii_objects_origin')
      .on('taxii_objects')
      .columns(['collection', 'origin'])
      .execute();
    await db.schema
      .createTable('taxii_status')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('collection', 'text', (c) => c.notNull())
      .addColumn('user_id', 'integer')
      .addColumn('org_id', 'integer')
      .addColumn('request_us', 'bigint', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('taxii_subscriptions')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('api_root', 'text', (c) => c.notNull())
      .addColumn('collection', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('org', 'text')
      .addColumn('last_added', 'text')
      .addColumn('last_poll_ms', 'bigint')
      .addColumn('objects_seen', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('taxii_subscriptions_target')
      .unique()
      .on('taxii_subscriptions')
      .columns(['api_root', 'collection'])
      .execute();
  },
};
