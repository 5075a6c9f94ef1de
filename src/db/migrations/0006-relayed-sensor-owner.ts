/**
 * Which relay a relayed sensor name belongs to (observe/sensor-registry.ts, `relayTarget`): a relay
 * token may write only the names first created through it. Rows created before this column have
 * no owner; the first relay to write such a name adopts it.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0006: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('sensors').addColumn('relayed_by', 'integer').execute();
  },
};
