/**
 * DDoS victims below the alerting rate, kept as statistics (detect/backscatter-statistics.ts;
 * docs/methods.md#what-deserves-an-alert): one row per backscatter episode, listed newest first and
 * pruned by the raw-event retention.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0010: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('backscatter_statistics')
      .addColumn('episode_key', 'text', (c) => c.primaryKey())
      .addColumn('victim', 'text', (c) => c.notNull())
      .addColumn('attack_type', 'text', (c) => c.notNull())
      .addColumn('ports', 'text', (c) => c.notNull())
      .addColumn('first_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_ms', 'bigint', (c) => c.notNull())
      .addColumn('packets', 'bigint', (c) => c.notNull())
      .addColumn('addresses_hit', 'integer', (c) => c.notNull())
      .addColumn('rate_pps', 'double precision')
      .addColumn('title', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('backscatter_statistics_last')
      .on('backscatter_statistics')
      .columns(['last_ms', 'episode_key'])
      .execute();
    await db.schema
      .createIndex('backscatter_statistics_victim')
      .on('backscatter_statistics')
      .column('victim')
      .execute();
  },
};
