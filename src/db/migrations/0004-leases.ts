/**
 * Leases: which process does a job only one should do at a time (live detection, docs/scale.md:
 * several `koban serve` nodes ingest, one runs the detectors). One row per job.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_ms', 'bigint', (c) => c.notNull())
      .addColumn('acquired_ms', 'bigint', (c) => c.notNull())
      .execute();
  },
};
