/**
 * What an organisation's delivery endpoint wants (intel/advisories/endpoint-preferences.ts): paused
 * by its admins (kept, and enabled again later, unlike a removed endpoint's `disabled_ms`), and
 * which labels and events it is sent — JSON arrays of TLP labels and of `sent`/`updated`/
 * `withdrawn`, null for all. Existing endpoints keep receiving everything.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0017: Migration = {
  async up(db: Kysely<unknown>) {
    // One column per statement: SQLite's ALTER TABLE adds one at a time.
    await db.schema.alterTable('org_alert_endpoints').addColumn('paused_ms', 'bigint').execute();
    await db.schema.alterTable('org_alert_endpoints').addColumn('tlps', 'text').execute();
    await db.schema.alterTable('org_alert_endpoints').addColumn('events', 'text').execute();
  },
};
