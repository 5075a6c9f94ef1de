/**
 * Scanners kept as data (detect/scanners.ts; docs/methods.md#what-deserves-an-alert): one row per
 * scanning source over all its scan episodes, and the ports it probed (searchable by port).
 */
import type { Kysely, Migration } from 'kysely';

export const migration0009: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('scanners')
      .addColumn('source', 'text', (c) => c.primaryKey())
      .addColumn('first_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_ms', 'bigint', (c) => c.notNull())
      .addColumn('episodes', 'integer', (c) => c.notNull())
      .addColumn('breadth', 'integer', (c) => c.notNull())
      .addColumn('reach', 'integer', (c) => c.notNull())
      .addColumn('distinct_ports', 'integer', (c) => c.notNull())
      .addColumn('packets', 'bigint', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('ports', 'text', (c) => c.notNull())
      .addColumn('sensors', 'text', (c) => c.notNull())
      .addColumn('country', 'text')
      .addColumn('asn', 'bigint')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('alert_reasons', 'text', (c) => c.notNull())
      .addColumn('episode_key', 'text', (c) => c.notNull())
      .addColumn('episode_packets', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('scanners_rank')
      .on('scanners')
      .columns(['breadth', 'last_ms', 'source'])
      .execute();
    await db.schema.createIndex('scanners_last').on('scanners').column('last_ms').execute();
    await db.schema
      .createTable('scanner_ports')
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('proto', 'text', (c) => c.notNull())
      .addColumn('port', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('scanner_ports_pk', ['source', 'proto', 'port'])
      .execute();
    await db.schema
      .createIndex('scanner_ports_port')
      .on('scanner_ports')
      .columns(['port', 'proto'])
      .execute();
  },
};
