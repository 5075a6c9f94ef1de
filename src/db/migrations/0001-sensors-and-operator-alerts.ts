/** Sensor registry and operator alerts (observe, detect). */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from '../_columns.js';

export const migration0001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sensors')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('site', 'text')
      .addColumn('address_blocks', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('relay', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('token_hash', 'text', (c) => c.notNull())
      .addColumn('created_ms', 'bigint', (c) => c.notNull())
      .addColumn('revoked_ms', 'bigint')
      .addColumn('last_seen_ms', 'bigint')
      .addColumn('last_event_ms', 'bigint')
      .addColumn('events_total', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('batches_total', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('dropped_total', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('operator_alerts')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('dedup_key', 'text', (c) => c.notNull())
      .addColumn('severity', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('first_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_ms', 'bigint', (c) => c.notNull())
      .addColumn('updated_ms', 'bigint', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('acked_by', 'text')
      .addColumn('acked_ms', 'bigint')
      .addColumn('closed_by', 'text')
      .addColumn('closed_ms', 'bigint')
      .execute();
    await db.schema
      .createIndex('operator_alerts_dedup')
      .on('operator_alerts')
      .columns(['dedup_key', 'status'])
      .execute();
  },
};
