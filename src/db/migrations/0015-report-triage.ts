/**
 * The analysts' triage of incoming member reports (intel/reports/triage.ts): each report is `new`
 * until an analyst takes it `in-review`, then `done`; who changed it last and when. Reports stored
 * before start as `new`. An index in the triage queue's order (status, then newest id first).
 */
import type { Kysely, Migration } from 'kysely';

export const migration0015: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('reports')
      .addColumn('triage', 'text', (c) => c.notNull().defaultTo('new'))
      .execute();
    await db.schema.alterTable('reports').addColumn('triage_ms', 'bigint').execute();
    await db.schema.alterTable('reports').addColumn('triage_by', 'integer').execute();
    await db.schema.createIndex('reports_triage').on('reports').columns(['triage', 'id']).execute();
  },
};
