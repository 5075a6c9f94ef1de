/**
 * Declassification requests (intel/declassify.ts): an analyst asks to publish a member's report
 * below the label its reporter gave it; the reporting organisation consents, or a second center
 * admin approves (four eyes), or either refuses. Alerts to members quote a report below its label
 * only under an approved request.
 */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from '../_columns.js';

export const migration0005: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('declassifications')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
      .addColumn('from_tlp', 'text', (c) => c.notNull())
      .addColumn('to_tlp', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('requested_by', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('requested_ms', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'integer', (c) => c.references('users.id'))
      .addColumn('decided_ms', 'bigint')
      .addColumn('approval', 'text')
      .addColumn('note', 'text')
      .execute();
    await db.schema
      .createIndex('declassifications_report')
      .on('declassifications')
      .columns(['report_id', 'status'])
      .execute();
  },
};
