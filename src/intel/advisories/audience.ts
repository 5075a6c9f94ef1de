/**
 * An alert's audience as chosen (all members, sectors, prefectures, named organisations and users,
 * the public) resolved to the concrete recipients when it is sent: active organisations other than
 * the center, and enabled users. The list is written to the `audience` table (object type `alert`),
 * which access.ts reads, and named in the audit row of the send.
 */
import type { Kysely } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database } from '../../db/index.js';
import type { AdvisoryAudience } from './inputs.js';

export interface Recipients {
  readonly orgIds: readonly number[];
  readonly userIds: readonly number[];
}

export async function resolveAudience(db: Kysely<Database>, a: AdvisoryAudience): Promise<Recipients> {
  for (const id of a.orgIds) {
    const o = await db
      .selectFrom('organisations')
      .select(['kind', 'active'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!o || Number(o.active) !== 1)
      throw new KobanError('E_NOT_FOUND', `audience: no active organisation ${id}`);
    if (o.kind === 'center')
      throw new KobanError('E_USAGE', 'audience: the center does not receive its own alerts');
  }
  const everyone = a.public || a.allMembers;
  const some = a.sectors.length + a.prefectures.length + a.orgIds.length > 0;
  let q = db
    .selectFrom('organisations')
    .select('id')
    .where('active', '=', 1)
    .where('kind', '<>', 'center')
    .orderBy('id');
  if (!everyone)
    q = q.where((eb) =>
      eb.or([
        ...(a.sectors.length ? [eb('sector', 'in', a.sectors)] : []),
        ...(a.prefectures.length ? [eb('prefecture', 'in', a.prefectures)] : []),
        ...(a.orgIds.length ? [eb('id', 'in', a.orgIds)] : []),
      ]),
    );
  const orgs = everyone || some ? await q.execute() : [];
  const userIds = [...new Set(a.userIds)].sort((x, y) => x - y);
  for (const id of userIds) {
    const u = await db.selectFrom('users').select('disabled_ms').where('id', '=', id).executeTakeFirst();
    if (!u) throw new KobanError('E_NOT_FOUND', `audience: no user ${id}`);
    if (u.disabled_ms !== null) throw new KobanError('E_USAGE', `audience: user ${id} is disabled`);
  }
  const orgIds = orgs.map((o) => Number(o.id));
  if (orgIds.length + userIds.length === 0)
    throw new KobanError(
      'E_USAGE',
      'the audience reaches no organisation: nothing matches the sectors or prefectures given',
    );
  return { orgIds, userIds };
}

/** Both audiences at once (an update that reaches further keeps everyone who had the alert). */
export function mergeAudience(a: AdvisoryAudience, b: AdvisoryAudience): AdvisoryAudience {
  const union = <T>(x: readonly T[], y: readonly T[]) => [...new Set([...x, ...y])];
  return {
    public: a.public || b.public,
    allMembers: a.allMembers || b.allMembers,
    sectors: union(a.sectors, b.sectors),
    prefectures: union(a.prefectures, b.prefectures),
    orgIds: union(a.orgIds, b.orgIds),
    userIds: union(a.userIds, b.userIds),
  };
}

/** Writes the recipients as audience rows, replacing the alert's previous ones. */
export async function writeRecipients(tx: Kysely<Database>, alertId: number, r: Recipients): Promise<void> {
  await tx
    .deleteFrom('audience')
    .where('object_type', '=', 'alert')
    .where('object_id', '=', alertId)
    .execute();
  const rows = [
    ...r.orgIds.map((orgId) => ({ object_type: 'alert', object_id: alertId, org_id: orgId, user_id: null })),
    ...r.userIds.map((userId) => ({
      object_type: 'alert',
      object_id: alertId,
      org_id: null,
      user_id: userId,
    })),
  ];
  for (let i = 0; i < rows.length; i += 500)
    await tx
      .insertInto('audience')
      .values(rows.slice(i, i + 500))
      .execute();
}

export async function recipientsOf(db: Kysely<Database>, alertId: number): Promise<Recipients> {
  const rows = await db
    .selectFrom('audience')
    .select(['org_id', 'user_id'])
    .where('object_type', '=', 'alert')
    .where('object_id', '=', alertId)
    .execute();
  return {
    orgIds: rows.filter((r) => r.org_id !== null).map((r) => Number(r.org_id)),
    userIds: rows.filter((r) => r.user_id !== null).map((r) => Number(r.user_id)),
  };
}
