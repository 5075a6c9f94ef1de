/**
 * Each user's choice of advisory e-mail (intel/advisories/user-mail.ts): `each`, `daily` (the
 * digest) or `off`; null until the user chooses, which keeps what existing users got before.
 */
import type { Kysely, Migration } from 'kysely';

export const migration0021: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('users').addColumn('advisory_mail', 'text').execute();
  },
};
