/**
 * STIX 2.1 objects imported from partners (feeds/stix/): one row per STIX id, with the version
 * (`modified`) and a hash of the content last accepted, so that importing the same object twice
 * stores it once, a newer version replaces an older one, and a different object claiming an id and
 * version already held is refused rather than stored beside it. `koban_type`/`koban_id` name the
 * Koban object it became (a report or a campaign), whose exports then keep the partner's id.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0011: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('stix_objects')
      .addColumn('stix_id', 'text', (c) => c.primaryKey())
      .addColumn('stix_type', 'text', (c) => c.notNull())
      .addColumn('modified', 'text', (c) => c.notNull())
      .addColumn('content_sha256', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('koban_type', 'text')
      .addColumn('koban_id', 'integer')
      .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('imported_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('stix_objects_koban')
      .on('stix_objects')
      .columns(['koban_type', 'koban_id'])
      .execute();
  },
};
