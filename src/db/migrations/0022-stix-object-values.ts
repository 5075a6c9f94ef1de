/**
 * The values an imported STIX indicator gave the Koban report that holds them
 * (feeds/stix/import-apply.ts): JSON `[{ "type", "value" }]`, null for other objects and for those
 * imported before. A newer version of the indicator (another pattern) or of the report that
 * referenced it (the indicator left out of `object_refs`) withdraws what is no longer given.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0022: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('stix_objects').addColumn('koban_values', 'text').execute();
  },
};
