/** Reading alert rows, and the label access.ts decides on for one alert and one reader. */
import type { Kysely, Selectable } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database } from '../../db/index.js';
import type { Actor } from '../identity/actor.js';
import type { Labelled } from '../labels/access.js';
import { storedTlp } from '../labels/tlp.js';
import { type AdvisoryAudience, AdvisoryAudienceSchema, type AdvisorySource } from './inputs.js';
import type { AdvisoryStatus, AdvisorySummary } from './types.js';

export type AdvisoryRow = Selectable<Database['member_alerts']>;

export async function loadAdvisoryRow(db: Kysely<Database>, id: number): Promise<AdvisoryRow | null> {
  return (await db.selectFrom('member_alerts').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export function statusOf(row: AdvisoryRow): AdvisoryStatus {
  if (row.status === 'draft' || row.status === 'sent' || row.status === 'withdrawn') return row.status;
  throw new KobanError('E_INTERNAL', `alert ${row.id} has an unknown status "${row.status}"`);
}

export function sourceOf(row: AdvisoryRow): AdvisorySource {
  if (row.source_type === 'none') return { type: 'none' };
  return { type: row.source_type === 'campaign' ? 'campaign' : 'report', id: Number(row.source_id) };
}

/**
 * The stored form of a source: `source_id` is NOT NULL (migration 0003), so a draft of source
 * `none` stores 0, never an id, and `sourceOf` does not read it back.
 */
export function sourceColumns(s: AdvisorySource): { source_type: string; source_id: number } {
  return s.type === 'none' ? { source_type: 'none', source_id: 0 } : { source_type: s.type, source_id: s.id };
}

export function audienceSpecOf(row: AdvisoryRow): AdvisoryAudience | null {
  return row.audience === null ? null : AdvisoryAudienceSchema.parse(JSON.parse(row.audience));
}

export function summaryOf(row: AdvisoryRow): AdvisorySummary {
  return {
    id: Number(row.id),
    status: statusOf(row),
    version: Number(row.version),
    tlp: storedTlp(row.tlp),
    title: row.title,
    createdMs: Number(row.created_ms),
    sentMs: row.sent_ms === null ? null : Number(row.sent_ms),
    updatedMs: Number(row.updated_ms),
  };
}

/**
 * The alert's label for this reader. Only the reader's own audience rows are loaded — whether its
 * organisation or itself is a recipient is all the decision needs, and an alert to every member
 * has thousands of rows.
 */
export async function advisoryLabel(db: Kysely<Database>, row: AdvisoryRow, actor: Actor): Promise<Labelled> {
  const orgIds: number[] = [];
  const userIds: number[] = [];
  if (actor.kind === 'user') {
    const rows = await db
      .selectFrom('audience')
      .select(['org_id', 'user_id'])
      .where('object_type', '=', 'alert')
      .where('object_id', '=', Number(row.id))
      .where((eb) => eb.or([eb('org_id', '=', actor.orgId ?? -1), eb('user_id', '=', actor.userId ?? -1)]))
      .execute();
    for (const r of rows) {
      if (r.org_id !== null) orgIds.push(Number(r.org_id));
      if (r.user_id !== null) userIds.push(Number(r.user_id));
    }
  }
  return {
    tlp: storedTlp(row.tlp),
    ownerOrgId: row.org_id === null ? null : Number(row.org_id),
    createdBy: row.created_by === null ? null : Number(row.created_by),
    audienceOrgIds: orgIds,
    audienceUserIds: userIds,
    addressed: { draft: row.status === 'draft' },
  };
}
