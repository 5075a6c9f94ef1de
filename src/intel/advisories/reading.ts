/**
 * Reading alerts. Every read goes through access.ts: one alert by `mayRead` on its label (an
 * unreadable one is "not found", as for reports), lists by `readableWhere`. The inbox is the part
 * of that addressed to the reader's organisation or to the reader, with read marks per user (an
 * update makes an alert unread again) and whether the organisation has answered "received too".
 * Reads of AMBER and stricter alerts are audited, one row per call. Center staff also get the
 * analysis: the source, the label floor and any downgrade, the audience, counts, answers and the
 * delivery state.
 */
import { sql } from 'kysely';
import { KobanError } from '../../core/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { parseInput } from '../input.js';
import { isCenter, mayRead, readableWhere } from '../labels/access.js';
import { isAuditedRead, storedTlp } from '../labels/tlp.js';
import { recipientsOf } from './audience.js';
import type { DeliveryLog } from './delivery.js';
import { type AdvisoryContext, build, fieldsOf } from './drafting.js';
import {
  type AdvisoryListFilter,
  AdvisoryListFilterSchema,
  type InboxFilter,
  InboxFilterSchema,
} from './inputs.js';
import {
  type AdvisoryRow,
  advisoryLabel,
  audienceSpecOf,
  loadAdvisoryRow,
  sourceOf,
  statusOf,
  summaryOf,
} from './rows.js';
import { advisoryCounts, sightingOf, sightingsOf } from './sightings.js';
import type { AdvisoryContent, AdvisorySummary, AdvisoryView, InboxItem } from './types.js';

export interface ReadContext extends AdvisoryContext {
  readonly log: DeliveryLog;
}

/** The alert row, if the actor may read it; E_NOT_FOUND otherwise (absent and forbidden look alike). */
export async function readableAdvisory(ctx: AdvisoryContext, actor: Actor, id: number): Promise<AdvisoryRow> {
  const row = await loadAdvisoryRow(ctx.db, id);
  if (!row || !mayRead(actor, 'alert', await advisoryLabel(ctx.db, row, actor)))
    throw new KobanError('E_NOT_FOUND', `no alert ${id}`);
  return row;
}

async function sentContent(ctx: AdvisoryContext, row: AdvisoryRow): Promise<AdvisoryContent> {
  const v = await ctx.db
    .selectFrom('member_alert_versions')
    .select('content')
    .where('alert_id', '=', Number(row.id))
    .where('version', '=', Number(row.version))
    .executeTakeFirstOrThrow();
  return JSON.parse(v.content) as AdvisoryContent;
}

async function auditRead(
  ctx: AdvisoryContext,
  actor: Actor,
  rows: readonly AdvisorySummary[],
  single: boolean,
) {
  const ids = rows.filter((r) => isAuditedRead(r.tlp)).map((r) => r.id);
  if (ids.length === 0) return;
  await appendAudit(
    ctx.db,
    actor,
    single
      ? { action: 'alert.read', targetType: 'alert', targetId: ids[0], tlp: rows[0]!.tlp }
      : { action: 'alert.list', targetType: 'alert', details: { ids } },
    ctx.now(),
  );
}

export async function getAdvisory(ctx: ReadContext, actor: Actor, id: number): Promise<AdvisoryView> {
  const row = await readableAdvisory(ctx, actor, id);
  const status = statusOf(row);
  const content =
    status === 'draft'
      ? (await build(ctx, actor, fieldsOf(row), { checkFloor: false })).content
      : await sentContent(ctx, row);
  let unread = false;
  if (actor.kind === 'user' && actor.userId !== null && status !== 'draft') {
    const r = await ctx.db
      .selectFrom('member_alert_reads')
      .select('version')
      .where('alert_id', '=', id)
      .where('user_id', '=', actor.userId)
      .executeTakeFirst();
    unread = !r || Number(r.version) < Number(row.version);
  }
  const own = actor.orgId === null ? null : await sightingOf(ctx.db, id, actor.orgId);
  const view: AdvisoryView = {
    id,
    status,
    version: Number(row.version),
    tlp: storedTlp(row.tlp),
    title: content.title,
    content,
    sentMs: row.sent_ms === null ? null : Number(row.sent_ms),
    updatedMs: Number(row.updated_ms),
    withdrawn:
      row.withdrawn_ms === null
        ? null
        : { atMs: Number(row.withdrawn_ms), reason: row.withdrawn_reason ?? '' },
    unread,
    receivedToo: own ? { atMs: own.atMs, reportId: own.reportId } : null,
    analysis: isCenter(actor) ? await analysisOf(ctx, row) : null,
  };
  await auditRead(ctx, actor, [summaryOf(row)], true);
  return view;
}

async function analysisOf(ctx: ReadContext, row: AdvisoryRow): Promise<AdvisoryView['analysis']> {
  const id = Number(row.id);
  const r = await recipientsOf(ctx.db, id);
  return {
    source: sourceOf(row),
    campaignId: row.campaign_id === null ? null : Number(row.campaign_id),
    tlpFloor: storedTlp(row.tlp_floor),
    downgradeReason: row.downgrade_reason,
    audience: audienceSpecOf(row),
    recipients: { organisations: r.orgIds.length, users: r.userIds.length },
    counts: await advisoryCounts(ctx.db, id),
    sightings: await sightingsOf(ctx.db, id),
    deliveries: await ctx.log.summary(id, Number(row.version)),
    createdBy: row.created_by === null ? null : Number(row.created_by),
    createdMs: Number(row.created_ms),
  };
}

/** Alerts the actor may read, newest first: center staff see drafts too; the public, sent CLEAR alerts. */
export async function listAdvisories(
  ctx: AdvisoryContext,
  actor: Actor,
  filter: AdvisoryListFilter = {},
): Promise<AdvisorySummary[]> {
  const f = parseInput(AdvisoryListFilterSchema, filter, 'alert filter');
  let q = ctx.db
    .selectFrom('member_alerts as ma')
    .selectAll('ma')
    .where(readableWhere(actor, 'alert', 'ma'))
    .orderBy('ma.id', 'desc');
  if (f.status !== undefined) q = q.where('ma.status', '=', f.status);
  if (f.campaignId !== undefined) q = q.where('ma.campaign_id', '=', f.campaignId);
  if (f.beforeId !== undefined) q = q.where('ma.id', '<', f.beforeId);
  const rows = await q.limit(f.limit).execute();
  const out = rows.map(summaryOf);
  await auditRead(ctx, actor, out, false);
  return out;
}

/** Alerts addressed to the reader's organisation or to the reader, that it may read; newest first. */
export async function inboxOf(
  ctx: AdvisoryContext,
  actor: Actor,
  filter: InboxFilter = {},
): Promise<InboxItem[]> {
  const f = parseInput(InboxFilterSchema, filter, 'inbox filter');
  if (actor.kind !== 'user' || actor.userId === null) return [];
  const uid = actor.userId;
  const orgId = actor.orgId ?? -1;
  let q = ctx.db
    .selectFrom('member_alerts as ma')
    .leftJoin('member_alert_reads as r', (j) => j.onRef('r.alert_id', '=', 'ma.id').on('r.user_id', '=', uid))
    .leftJoin('member_alert_sightings as s', (j) =>
      j.onRef('s.alert_id', '=', 'ma.id').on('s.org_id', '=', orgId),
    )
    .selectAll('ma')
    .select(['r.version as read_version', 's.id as sighting_id'])
    .where('ma.status', '<>', 'draft')
    .where(
      sql<boolean>`ma.id in (select au.object_id from audience au where au.object_type = 'alert' and (au.org_id = ${orgId} or au.user_id = ${uid}))`,
    )
    .where(readableWhere(actor, 'alert', 'ma'))
    .orderBy('ma.id', 'desc');
  if (f.beforeId !== undefined) q = q.where('ma.id', '<', f.beforeId);
  if (f.unreadOnly)
    q = q.where((eb) => eb.or([eb('r.version', 'is', null), eb('r.version', '<', eb.ref('ma.version'))]));
  const rows = await q.limit(f.limit).execute();
  const out = rows.map((r) => ({
    ...summaryOf(r),
    unread: r.read_version === null || Number(r.read_version) < Number(r.version),
    receivedToo: r.sighting_id !== null,
  }));
  await auditRead(ctx, actor, out, false);
  return out;
}

/** Marks the current version read for the user (an update makes it unread again). */
export async function markRead(ctx: AdvisoryContext, actor: Actor, id: number): Promise<void> {
  if (actor.kind !== 'user' || actor.userId === null)
    throw new KobanError('E_AUTH', 'only a signed-in user has read marks');
  const row = await readableAdvisory(ctx, actor, id);
  if (statusOf(row) === 'draft') return;
  const values = { alert_id: id, user_id: actor.userId, version: Number(row.version), read_ms: ctx.now() };
  await ctx.db
    .insertInto('member_alert_reads')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['alert_id', 'user_id']).doUpdateSet({ version: values.version, read_ms: values.read_ms }),
    )
    .execute();
}
