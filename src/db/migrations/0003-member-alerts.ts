/**
 * Alerts to members (注意喚起, intel/member-alerts): the alert and its versions, the reports it
 * quotes, per-user read marks, "received too" sightings, the delivery log, and per-organisation
 * delivery endpoints (contact addresses, webhooks). Recipients are rows of the existing `audience`
 * table (object type `alert`); two indexes let an inbox find them from the organisation's side.
 */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from '../_columns.js';

export const migration0003: Migration = {
  async up(db: Kysely<unknown>) {
    const id = idColumn(db);
    await alertTable(db, id);
    await alertRecords(db, id);
    await deliveryTables(db, id);
    await inboxIndexes(db);
  },
};

type Id = ReturnType<typeof idColumn>;

/** The alert itself, found by status and by campaign. */
async function alertTable(db: Kysely<unknown>, id: Id): Promise<void> {
  await db.schema
    .createTable('member_alerts')
    .addColumn('id', 'integer', id)
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_ja', 'text')
    .addColumn('body_en', 'text')
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('tlp_floor', 'text', (c) => c.notNull())
    .addColumn('downgrade_reason', 'text')
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('source_id', 'integer', (c) => c.notNull())
    .addColumn('campaign_id', 'integer', (c) => c.references('campaigns.id'))
    .addColumn('indicators', 'text')
    .addColumn('org_id', 'integer', (c) => c.references('organisations.id'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('audience', 'text')
    .addColumn('sent_ms', 'bigint')
    .addColumn('sent_by', 'integer', (c) => c.references('users.id'))
    .addColumn('withdrawn_ms', 'bigint')
    .addColumn('withdrawn_reason', 'text')
    .execute();
  await db.schema.createIndex('member_alerts_status').on('member_alerts').columns(['status', 'id']).execute();
  await db.schema.createIndex('member_alerts_campaign').on('member_alerts').column('campaign_id').execute();
}

/** Its versions, the reports it quotes, read marks and "received too" sightings. */
async function alertRecords(db: Kysely<unknown>, id: Id): Promise<void> {
  await db.schema
    .createTable('member_alert_versions')
    .addColumn('alert_id', 'integer', (c) => c.notNull().references('member_alerts.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_alert_versions_pk', ['alert_id', 'version'])
    .execute();
  await db.schema
    .createTable('member_alert_sources')
    .addColumn('alert_id', 'integer', (c) => c.notNull().references('member_alerts.id'))
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addPrimaryKeyConstraint('member_alert_sources_pk', ['alert_id', 'report_id'])
    .execute();
  await db.schema
    .createTable('member_alert_reads')
    .addColumn('alert_id', 'integer', (c) => c.notNull().references('member_alerts.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('read_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_alert_reads_pk', ['alert_id', 'user_id'])
    .execute();
  await db.schema
    .createTable('member_alert_sightings')
    .addColumn('id', 'integer', id)
    .addColumn('alert_id', 'integer', (c) => c.notNull().references('member_alerts.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('report_id', 'integer', (c) => c.references('reports.id'))
    .addColumn('note', 'text')
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('member_alert_sightings_alert_org', ['alert_id', 'org_id'])
    .execute();
}

/** Where alerts go (per-organisation endpoints) and the log of each delivery. */
async function deliveryTables(db: Kysely<unknown>, id: Id): Promise<void> {
  await db.schema
    .createTable('org_alert_endpoints')
    .addColumn('id', 'integer', id)
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('secret', 'text')
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('disabled_ms', 'bigint')
    .execute();
  await db.schema.createIndex('org_alert_endpoints_org').on('org_alert_endpoints').column('org_id').execute();
  await db.schema
    .createTable('member_alert_deliveries')
    .addColumn('id', 'integer', id)
    .addColumn('alert_id', 'integer', (c) => c.notNull().references('member_alerts.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('org_id', 'integer', (c) => c.references('organisations.id'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('endpoint_id', 'integer', (c) => c.references('org_alert_endpoints.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_ms', 'bigint')
    .addColumn('last_attempt_ms', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('delivered_ms', 'bigint')
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  // The delivery job's scan: due rows only, oldest first.
  await db.schema
    .createIndex('member_alert_deliveries_due')
    .on('member_alert_deliveries')
    .columns(['status', 'next_attempt_ms'])
    .execute();
  await db.schema
    .createIndex('member_alert_deliveries_alert')
    .on('member_alert_deliveries')
    .columns(['alert_id', 'id'])
    .execute();
}

/** The recipients' side of `audience`. */
async function inboxIndexes(db: Kysely<unknown>): Promise<void> {
  // An inbox starts from the reader's organisation (or user): one probe per alert, not a scan of
  // every recipient row of every alert.
  await db.schema
    .createIndex('audience_by_org')
    .on('audience')
    .columns(['object_type', 'org_id', 'object_id'])
    .execute();
  await db.schema
    .createIndex('audience_by_user')
    .on('audience')
    .columns(['object_type', 'user_id', 'object_id'])
    .execute();
}
