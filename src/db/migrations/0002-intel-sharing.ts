/**
 * The information-sharing network (intel): organisations, users, sessions, API tokens, reports
 * with their private parts and audiences, evidence and its custody chain, indicators with
 * per-value aggregates, report links, campaigns, warning lists and the hash-chained audit log.
 */
import { type Kysely, type Migration, SqliteAdapter, sql } from 'kysely';
import { floatType, idColumn } from '../_columns.js';

export const migration0002: Migration = {
  async up(db: Kysely<unknown>) {
    const id = idColumn(db);
    await identityTables(db, id);
    await reportTables(db, id);
    await reportParts(db);
    await indicatorTables(db, id);
    await linkTables(db, id);
    await chained(db, 'audit_log', (t) =>
      t
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target_type', 'text', (c) => c.notNull())
        .addColumn('target_id', 'text')
        .addColumn('tlp', 'text'),
    );
    await appendOnly(db, 'audit_log');
    await appendOnly(db, 'custody');
  },
};

type Id = ReturnType<typeof idColumn>;

/** Organisations, their users, and the users' sessions and API tokens. */
async function identityTables(db: Kysely<unknown>, id: Id): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sector', 'text')
    .addColumn('prefecture', 'text')
    .addColumn('domains', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text')
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('disabled_ms', 'bigint')
    .execute();
  await db.schema.createIndex('users_org').on('users').column('org_id').execute();
  for (const table of ['sessions', 'api_tokens'] as const) {
    let t = db.schema
      .createTable(table)
      .addColumn('id', 'integer', id)
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_ms', 'bigint', (c) => c.notNull())
      .addColumn('revoked_ms', 'bigint');
    t =
      table === 'sessions'
        ? t
            .addColumn('expires_ms', 'bigint', (c) => c.notNull())
            .addColumn('last_used_ms', 'bigint', (c) => c.notNull())
        : t
            .addColumn('name', 'text', (c) => c.notNull())
            .addColumn('scopes', 'text', (c) => c.notNull())
            .addColumn('expires_ms', 'bigint')
            .addColumn('last_used_ms', 'bigint');
    await t.execute();
    await db.schema.createIndex(`${table}_user`).on(table).column('user_id').execute();
  }
}

/** Campaigns, evidence files and the reports that point at them. */
async function reportTables(db: Kysely<unknown>, id: Id): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'integer', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('org_id', 'integer', (c) => c.references('organisations.id'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('updated_ms', 'bigint', (c) => c.notNull())
    .addColumn('merged_into', 'integer', (c) => c.references('campaigns.id'))
    .execute();
  await db.schema
    .createTable('evidence')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('first_received_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('reports')
    .addColumn('id', 'integer', id)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('org_id', 'integer', (c) => c.notNull().references('organisations.id'))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('consent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_ms', 'bigint', (c) => c.notNull())
    .addColumn('observed_ms', 'bigint', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('evidence_sha256', 'text', (c) => c.references('evidence.sha256'))
    .addColumn('shared', 'text', (c) => c.notNull())
    .addColumn('campaign_id', 'integer', (c) => c.references('campaigns.id'))
    .execute();
  await db.schema.createIndex('reports_org').on('reports').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('reports_tlp').on('reports').columns(['tlp', 'id']).execute();
  await db.schema.createIndex('reports_received').on('reports').column('received_ms').execute();
  await db.schema.createIndex('reports_campaign').on('reports').column('campaign_id').execute();
  await db.schema.createIndex('reports_evidence').on('reports').column('evidence_sha256').execute();
}

/** What hangs off a report: its private part, its audience, the custody chain of its evidence. */
async function reportParts(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('report_private')
    .addColumn('report_id', 'integer', (c) => c.primaryKey().references('reports.id'))
    .addColumn('content', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('audience')
    .addColumn('object_type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'integer', (c) => c.notNull())
    .addColumn('org_id', 'integer', (c) => c.references('organisations.id'))
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .createIndex('audience_object')
    .on('audience')
    .columns(['object_type', 'object_id'])
    .execute();
  await chained(db, 'custody', (t) =>
    t
      .addColumn('evidence_sha256', 'text', (c) => c.notNull().references('evidence.sha256'))
      .addColumn('report_id', 'integer', (c) => c.references('reports.id'))
      .addColumn('action', 'text', (c) => c.notNull()),
  );
  await db.schema.createIndex('custody_evidence').on('custody').column('evidence_sha256').execute();
}

/** Indicators with their per-value aggregates, and which reports hold them. */
async function indicatorTables(db: Kysely<unknown>, id: Id): Promise<void> {
  await db.schema
    .createTable('indicators')
    .addColumn('id', 'integer', id)
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('first_seen_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_ms', 'bigint', (c) => c.notNull())
    .addColumn('report_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('org_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sector_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('prefecture_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('confidence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tlp', 'text', (c) => c.notNull())
    .addColumn('expires_ms', 'bigint')
    .addColumn('warning', 'text')
    .execute();
  // The correlation lookup: one B-tree probe per (type, value), whatever the table's size.
  await db.schema
    .createIndex('indicators_type_value')
    .on('indicators')
    .columns(['type', 'value'])
    .unique()
    .execute();
  await db.schema
    .createTable('indicator_facets')
    .addColumn('indicator_id', 'integer', (c) => c.notNull().references('indicators.id'))
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('indicator_facets_pk', ['indicator_id', 'facet', 'value'])
    .execute();
  await db.schema
    .createTable('report_indicators')
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
    .addColumn('indicator_id', 'integer', (c) => c.notNull().references('indicators.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('confidence', 'integer', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('added_by', 'integer', (c) => c.references('users.id'))
    .addColumn('added_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_indicators_pk', ['report_id', 'indicator_id'])
    .execute();
  // Newest reports of one value first: the bounded fan-out of correlation reads this index.
  await db.schema
    .createIndex('report_indicators_by_indicator')
    .on('report_indicators')
    .columns(['indicator_id', 'report_id'])
    .execute();
}

/** Links between reports, bridges between campaigns, and the warning lists. */
async function linkTables(db: Kysely<unknown>, id: Id): Promise<void> {
  await db.schema
    .createTable('report_links')
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
    .addColumn('linked_report_id', 'integer', (c) => c.notNull().references('reports.id'))
    .addColumn('weight', floatType(db), (c) => c.notNull())
    .addColumn('indicator_ids', 'text', (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_links_pk', ['report_id', 'linked_report_id'])
    .execute();
  await db.schema.createIndex('report_links_linked').on('report_links').column('linked_report_id').execute();
  await db.schema
    .createTable('campaign_bridges')
    .addColumn('id', 'integer', id)
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('campaigns.id'))
    .addColumn('other_campaign_id', 'integer', (c) => c.notNull().references('campaigns.id'))
    .addColumn('report_id', 'integer', (c) => c.notNull().references('reports.id'))
    .addColumn('weight', floatType(db), (c) => c.notNull())
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addColumn('resolved_ms', 'bigint')
    .execute();
  await db.schema
    .createTable('warning_list_entries')
    .addColumn('id', 'integer', id)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_ms', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('warning_list_entries_kind_value', ['kind', 'value'])
    .execute();
}

type TableBuilder = ReturnType<Kysely<unknown>['schema']['createTable']>;

/** A hash-chained, append-only table: who, when, details, and the chain columns. */
async function chained(db: Kysely<unknown>, table: string, extra: (t: TableBuilder) => TableBuilder) {
  const t = db.schema
    .createTable(table)
    .addColumn('id', 'integer', idColumn(db))
    .addColumn('at_ms', 'bigint', (c) => c.notNull())
    .addColumn('actor_user_id', 'integer')
    .addColumn('actor_org_id', 'integer')
    .addColumn('actor_label', 'text', (c) => c.notNull());
  await extra(t)
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
}

/**
 * Refuses UPDATE and DELETE in the database itself, so a bug or a careless query cannot rewrite
 * history; someone with write access to the file can still drop the trigger, which is what the
 * hash chain is for. Dialect-specific by necessity (SQLite triggers, PostgreSQL plpgsql).
 */
export async function appendOnly(db: Kysely<unknown>, table: string): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    for (const op of ['UPDATE', 'DELETE']) {
      await sql
        .raw(
          `CREATE TRIGGER ${table}_no_${op.toLowerCase()} BEFORE ${op} ON ${table} ` +
            `BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`,
        )
        .execute(db);
    }
    return;
  }
  await sql
    .raw(
      `CREATE OR REPLACE FUNCTION koban_append_only() RETURNS trigger AS $$ BEGIN ` +
        `RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql`,
    )
    .execute(db);
  await sql
    .raw(
      `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} ` +
        `FOR EACH ROW EXECUTE FUNCTION koban_append_only()`,
    )
    .execute(db);
}
