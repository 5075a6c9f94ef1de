/**
 * Sightings back from the service-provider council (feeds/blocklists/sightings.ts): a provider
 * reports that one of its customers — named only by the provider's own hash — connected to a C2
 * destination it was given. The center keeps neither the customer nor the provider's hash: each
 * provider has a random salt (`provider_salts`, sealed with the center's secret key) and the
 * center stores HMAC-SHA256(salt, provider's hash), so its rows cannot be joined with the
 * provider's hash list, nor one provider's customers with another's, without the key. One row per
 * provider, destination and customer: first and last time seen and how often.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0012: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('provider_salts')
      .addColumn('org_id', 'integer', (c) => c.primaryKey())
      .addColumn('salt_sealed', 'text', (c) => c.notNull())
      .addColumn('created_ms', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('provider_sightings')
      .addColumn('provider_org_id', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('customer_key', 'text', (c) => c.notNull())
      .addColumn('first_seen_ms', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_ms', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('received_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('provider_sightings_pk', ['provider_org_id', 'type', 'value', 'customer_key'])
      .execute();
    await db.schema
      .createIndex('provider_sightings_value')
      .on('provider_sightings')
      .columns(['type', 'value'])
      .execute();
    await db.schema
      .createIndex('provider_sightings_customer')
      .on('provider_sightings')
      .columns(['provider_org_id', 'customer_key'])
      .execute();
  },
};
