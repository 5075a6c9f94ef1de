/**
 * Evidence from websites under the `allow-and-record` policy (intel/site-evidence/,
 * docs/anonymizer.md#site-evidence): one write-once row per recorded request, keyed by the hash of
 * the record so a retried post is the same row, with the center's own anonymizer answer then. Its
 * custody (received, viewed) is in the hash-chained `custody` table, through an `evidence` row.
 */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from '../_columns.js';
import { appendOnly } from './0002-intel-sharing.js';

export const migration0018: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('site_evidence')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('record_sha256', 'text', (c) => c.notNull().unique().references('evidence.sha256'))
      .addColumn('org_id', 'integer', (c) => c.notNull().references('organisations.id'))
      .addColumn('received_ms', 'bigint', (c) => c.notNull())
      .addColumn('request_ms', 'bigint', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull())
      .addColumn('port', 'integer')
      .addColumn('account', 'text')
      .addColumn('content_sha256', 'text', (c) => c.notNull())
      .addColumn('headers', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('listing', 'text', (c) => c.notNull())
      .addColumn('actor_label', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('site_evidence_ip')
      .on('site_evidence')
      .columns(['ip', 'request_ms'])
      .execute();
    await db.schema.createIndex('site_evidence_org').on('site_evidence').column('org_id').execute();
    // Write-once: the same triggers as the custody chain (no UPDATE, no DELETE).
    await appendOnly(db, 'site_evidence');
  },
};
