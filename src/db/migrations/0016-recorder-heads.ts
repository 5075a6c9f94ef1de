/**
 * Recorder heads the center countersigned (recorder/heads.ts, docs/recorder-format.md#center):
 * which organisation a machine key belongs to (`recorder_machines`, bound by the first head a member
 * submits for it), each head kept write-once with the countersignature returned for it
 * (`recorder_heads`, one row per key and sequence number), and every refused attempt to make the
 * center countersign another hash at a sequence number it already holds (`recorder_head_conflicts`).
 */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from '../_columns.js';

export const migration0016: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('recorder_machines')
      .addColumn('key_fingerprint', 'text', (c) => c.primaryKey())
      .addColumn('org_id', 'integer', (c) => c.notNull())
      .addColumn('public_key', 'text')
      .addColumn('first_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('recorder_heads')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('key_fingerprint', 'text', (c) => c.notNull())
      .addColumn('head_seq', 'bigint', (c) => c.notNull())
      .addColumn('head', 'text', (c) => c.notNull())
      .addColumn('center_key_id', 'text', (c) => c.notNull())
      .addColumn('center_time', 'text', (c) => c.notNull())
      .addColumn('sig', 'text', (c) => c.notNull())
      .addColumn('received_ms', 'bigint', (c) => c.notNull())
      .addColumn('submitted_by', 'text', (c) => c.notNull())
      .execute();
    // Write-once: a second row for the same head position cannot exist, whoever races.
    await db.schema
      .createIndex('recorder_heads_position')
      .on('recorder_heads')
      .columns(['key_fingerprint', 'head_seq'])
      .unique()
      .execute();
    await db.schema
      .createTable('recorder_head_conflicts')
      .addColumn('id', 'integer', idColumn(db))
      .addColumn('org_id', 'integer', (c) => c.notNull())
      .addColumn('key_fingerprint', 'text', (c) => c.notNull())
      .addColumn('head_seq', 'bigint', (c) => c.notNull())
      .addColumn('held_head', 'text', (c) => c.notNull())
      .addColumn('offered_head', 'text', (c) => c.notNull())
      .addColumn('at_ms', 'bigint', (c) => c.notNull())
      .addColumn('submitted_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('recorder_head_conflicts_key')
      .on('recorder_head_conflicts')
      .columns(['key_fingerprint', 'head_seq'])
      .execute();
  },
};
