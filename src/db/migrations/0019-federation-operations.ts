/**
 * The state of each federation peer's pull (feeds/federation/peer-state.ts), kept in the store so
 * that `koban feeds peers` and `koban feeds pull` (another process) see and share what
 * `koban serve` does: when the peer was last pulled, what came, the last error, failures in a row
 * (the back-off) and when the next pull is due. One pull of a peer at a time across processes is
 * the `leases` table's job (`federation-pull:NAME`).
 *
 * `taxii_reads`: who read which TAXII collection, how many objects, when — one row per reader,
 * collection and hour (feeds/taxii/read-audit.ts), counted at each read and sealed into the audit
 * chain as one `taxii.read` row when the hour is over, so walking a million objects is a handful
 * of rows, not one per page.
 *
 * `stix_withdrawals`: the values of imported reports that their source has since revoked
 * (feeds/stix/withdrawals.ts) — one row per report and value, with when — so every way this center
 * shares (blocklists, STIX and TAXII, MISP, peers) leaves them out from then on.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0019: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('federation_peers')
      .addColumn('peer', 'text', (c) => c.primaryKey())
      .addColumn('last_pull_ms', 'bigint')
      .addColumn('last_ok_ms', 'bigint')
      .addColumn('last_objects', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('objects_total', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('next_due_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('taxii_reads')
      .addColumn('collection', 'text', (c) => c.notNull())
      .addColumn('reader', 'text', (c) => c.notNull())
      .addColumn('hour_ms', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'integer')
      .addColumn('org_id', 'integer')
      .addColumn('requests', 'bigint', (c) => c.notNull())
      .addColumn('objects', 'bigint', (c) => c.notNull())
      .addColumn('first_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_ms', 'bigint', (c) => c.notNull())
      .addColumn('sealed', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('taxii_reads_pk', ['collection', 'reader', 'hour_ms'])
      .execute();
    // The hours still to seal into the audit chain, found without reading the sealed ones.
    await db.schema
      .createTable('stix_withdrawals')
      .addColumn('report_id', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('stix_id', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('withdrawn_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('stix_withdrawals_pk', ['report_id', 'type', 'value'])
      .execute();
    await db.schema
      .createIndex('taxii_reads_open')
      .on('taxii_reads')
      .columns(['sealed', 'hour_ms'])
      .execute();
  },
};
