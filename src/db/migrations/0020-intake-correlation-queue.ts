/**
 * The reports intake stored but has not correlated yet (intel/reports/intake-pipeline.ts): a row is
 * written in the transaction that stores the report and deleted in the one that writes its links,
 * campaign and `report.create` audit row. It carries what that audit row needs (the submitting
 * actor, the entry's details), so a process that dies between the two commits loses nothing: the
 * next start correlates what is left, in report order.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0020: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('report_correlation_queue')
      .addColumn('report_id', 'integer', (c) => c.primaryKey().references('reports.id'))
      .addColumn('actor_user_id', 'integer')
      .addColumn('actor_org_id', 'integer')
      .addColumn('actor_label', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
  },
};
