/**
 * Operator alerts listed by severity, then recency (detect/alerts.ts): the severity's rank as a
 * number the list orders and pages on (a keyset over rank, last sighting and id), filled in for the
 * alerts stored before, and an index in that order.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export const migration0008: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('operator_alerts')
      .addColumn('severity_rank', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    // The ranks of SEVERITIES (detect/alerts.ts): info 0 … critical 4.
    await sql`update operator_alerts set severity_rank = case severity
      when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'critical' then 4 else 0 end`.execute(
      db,
    );
    await db.schema
      .createIndex('operator_alerts_order')
      .on('operator_alerts')
      .columns(['severity_rank', 'last_ms', 'id'])
      .execute();
  },
};
