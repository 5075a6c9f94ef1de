/**
 * Loads what access.ts needs to decide on one report or campaign (label, owner, creator,
 * audience), and writes audiences. Kept apart so every service loads labels the same way.
 */
import type { Kysely } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import type { Labelled, LabelledType } from './access.js';
import { storedTlp } from './tlp.js';

export interface LabelledReport extends Labelled {
  readonly id: number;
  readonly consent: boolean;
}

export interface Audience {
  readonly orgIds: readonly number[];
  readonly userIds: readonly number[];
}

export async function audienceOf(db: Kysely<Database>, type: LabelledType, id: number): Promise<Audience> {
  const rows = await db
    .selectFrom('audience')
    .select(['org_id', 'user_id'])
    .where('object_type', '=', type)
    .where('object_id', '=', id)
    .execute();
  return {
    orgIds: rows.filter((r) => r.org_id !== null).map((r) => Number(r.org_id)),
    userIds: rows.filter((r) => r.user_id !== null).map((r) => Number(r.user_id)),
  };
}

export async function loadLabelled(db: Kysely<Database>, reportId: number): Promise<LabelledReport | null> {
  const r = await db
    .selectFrom('reports')
    .select(['id', 'tlp', 'org_id', 'created_by', 'consent'])
    .where('id', '=', reportId)
    .executeTakeFirst();
  if (!r) return null;
  const a = await audienceOf(db, 'report', reportId);
  return {
    id: Number(r.id),
    tlp: storedTlp(r.tlp),
    ownerOrgId: Number(r.org_id),
    createdBy: r.created_by === null ? null : Number(r.created_by),
    audienceOrgIds: a.orgIds,
    audienceUserIds: a.userIds,
    consent: Number(r.consent) === 1,
  };
}

export async function loadLabelledCampaign(
  db: RelationalDb,
  campaignId: number,
): Promise<(Labelled & { id: number }) | null> {
  const c = await db
    .selectFrom('campaigns')
    .select(['id', 'tlp', 'org_id', 'created_by'])
    .where('id', '=', campaignId)
    .executeTakeFirst();
  if (!c) return null;
  const a = await audienceOf(db, 'campaign', campaignId);
  return {
    id: Number(c.id),
    tlp: storedTlp(c.tlp),
    ownerOrgId: c.org_id === null ? null : Number(c.org_id),
    createdBy: c.created_by === null ? null : Number(c.created_by),
    audienceOrgIds: a.orgIds,
    audienceUserIds: a.userIds,
  };
}

/** Replaces an object's audience; org and user ids must exist. */
export async function writeAudience(
  tx: Kysely<Database>,
  type: LabelledType,
  id: number,
  audience: Audience,
): Promise<void> {
  await tx.deleteFrom('audience').where('object_type', '=', type).where('object_id', '=', id).execute();
  for (const orgId of new Set(audience.orgIds)) {
    const o = await tx.selectFrom('organisations').select('id').where('id', '=', orgId).executeTakeFirst();
    if (!o) throw new KobanError('E_NOT_FOUND', `audience: no organisation ${orgId}`);
    await tx
      .insertInto('audience')
      .values({ object_type: type, object_id: id, org_id: orgId, user_id: null })
      .execute();
  }
  for (const userId of new Set(audience.userIds)) {
    const u = await tx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!u) throw new KobanError('E_NOT_FOUND', `audience: no user ${userId}`);
    await tx
      .insertInto('audience')
      .values({ object_type: type, object_id: id, org_id: null, user_id: userId })
      .execute();
  }
}
