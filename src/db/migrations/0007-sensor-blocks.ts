/**
 * The monitored space of sensors the registry has no address blocks for (observe/monitored-space.ts):
 * blocks given by an operator (`koban detect --blocks`) or a simulated set's manifest, and blocks
 * learned from the destinations each sensor has seen, one per IPv4 /24.
 */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from '../_columns.js';

export const migration0007: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sensor_blocks')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('sensor', 'text', (c) => c.notNull())
      .addColumn('origin', 'text', (c) => c.notNull())
      .addColumn('network', 'text', (c) => c.notNull())
      .addColumn('block', 'text', (c) => c.notNull())
      .addColumn('sources', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('events', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('first_ms', 'bigint')
      .addColumn('last_ms', 'bigint')
      .addColumn('updated_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('sensor_blocks_key')
      .on('sensor_blocks')
      .columns(['sensor', 'origin', 'network'])
      .unique()
      .execute();
  },
};
