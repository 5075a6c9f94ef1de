/**
 * "We received this too" (docs/background.md#sharing-network: an alert surfaced 6 companies that had the same mail; another
 * 2 companies, then 23 local governments and 4 operators). One answer per recipient organisation
 * and alert — asking again changes nothing, except that a first report link may be added later.
 * A linked report is the organisation's own; it joins the alert's campaign (or, if correlation
 * already put it in another campaign, a bridge records the pair for an analyst, as correlate.ts
 * does, instead of moving it silently). Counts are distinct organisations: the original reporters
 * of the quoted reports, those that answered, and both together by sector and prefecture.
 */
import type { Kysely } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import type { Actor } from '../identity/actor.js';
import { readableWhere } from '../labels/access.js';
import type { AdvisoryRow } from './rows.js';
import type { AdvisoryCounts, ReceivedTooResult, SightingView } from './types.js';

type Tx = Kysely<Database>;

/** Follows merges to the live campaign. */
async function liveCampaign(tx: Tx, id: number | null): Promise<number | null> {
  let at = id;
  for (let i = 0; at !== null && i < 20; i++) {
    const c = await tx.selectFrom('campaigns').select('merged_into').where('id', '=', at).executeTakeFirst();
    if (!c || c.merged_into === null) return at;
    at = Number(c.merged_into);
  }
  return at;
}

async function reportCampaign(tx: Tx, reportId: number): Promise<number | null> {
  const r = await tx
    .selectFrom('reports')
    .select('campaign_id')
    .where('id', '=', reportId)
    .executeTakeFirstOrThrow();
  return liveCampaign(tx, r.campaign_id === null ? null : Number(r.campaign_id));
}

/**
 * Puts the member's report into the alert's campaign. An alert drafted from a report outside any
 * campaign gets one now — the member's answer is the link — holding the source report and theirs.
 */
export async function joinCampaign(
  tx: Tx,
  alert: AdvisoryRow,
  reportId: number,
  nowMs: number,
): Promise<ReceivedTooResult['campaign']> {
  const sourceReport = alert.source_type === 'report' ? Number(alert.source_id) : null;
  let target = await liveCampaign(tx, alert.campaign_id === null ? null : Number(alert.campaign_id));
  if (target === null && sourceReport !== null) target = await reportCampaign(tx, sourceReport);
  const theirs = await reportCampaign(tx, reportId);
  if (target === null) {
    target = theirs;
    if (target === null) {
      const c = await tx
        .insertInto('campaigns')
        .values({
          name: 'campaign',
          tlp: 'AMBER',
          org_id: alert.org_id,
          created_by: null,
          created_ms: nowMs,
          updated_ms: nowMs,
          merged_into: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      target = Number(c.id);
      await tx
        .updateTable('campaigns')
        .set({ name: `campaign-${target}` })
        .where('id', '=', target)
        .execute();
    }
    if (sourceReport !== null)
      await tx
        .updateTable('reports')
        .set({ campaign_id: target })
        .where('id', '=', sourceReport)
        .where('campaign_id', 'is', null)
        .execute();
  }
  if (Number(alert.campaign_id) !== target)
    await tx
      .updateTable('member_alerts')
      .set({ campaign_id: target })
      .where('id', '=', Number(alert.id))
      .execute();
  if (theirs !== null && theirs !== target) {
    await tx
      .insertInto('campaign_bridges')
      .values({
        campaign_id: target,
        other_campaign_id: theirs,
        report_id: reportId,
        weight: 1,
        created_ms: nowMs,
        resolved_ms: null,
      })
      .execute();
    return { id: target, joined: false, bridgedFrom: theirs };
  }
  await tx.updateTable('reports').set({ campaign_id: target }).where('id', '=', reportId).execute();
  await tx.updateTable('campaigns').set({ updated_ms: nowMs }).where('id', '=', target).execute();
  return { id: target, joined: true, bridgedFrom: null };
}

function tally(orgs: readonly { sector: string | null; prefecture: string | null }[]) {
  const bySector: Record<string, number> = {};
  const byPrefecture: Record<string, number> = {};
  for (const o of orgs) {
    const s = o.sector ?? 'unknown';
    const p = o.prefecture ?? 'unknown';
    bySector[s] = (bySector[s] ?? 0) + 1;
    byPrefecture[p] = (byPrefecture[p] ?? 0) + 1;
  }
  return { bySector, byPrefecture };
}

async function countsOf(
  db: RelationalDb,
  reporters: Set<number>,
  answered: Set<number>,
): Promise<AdvisoryCounts> {
  const all = [...new Set([...reporters, ...answered])];
  const orgs: { sector: string | null; prefecture: string | null }[] = [];
  for (let i = 0; i < all.length; i += 500) {
    orgs.push(
      ...(await db
        .selectFrom('organisations')
        .select(['sector', 'prefecture'])
        .where('id', 'in', all.slice(i, i + 500))
        .execute()),
    );
  }
  return { reporters: reporters.size, receivedToo: answered.size, organisations: all.length, ...tally(orgs) };
}

export async function advisoryCounts(db: RelationalDb, alertId: number): Promise<AdvisoryCounts> {
  const reporters = await db
    .selectFrom('member_alert_sources')
    .select('org_id')
    .distinct()
    .where('alert_id', '=', alertId)
    .execute();
  const answered = await db
    .selectFrom('member_alert_sightings')
    .select('org_id')
    .where('alert_id', '=', alertId)
    .execute();
  return countsOf(
    db,
    new Set(reporters.map((r) => Number(r.org_id))),
    new Set(answered.map((r) => Number(r.org_id))),
  );
}

/** Over the campaign: reporters of its reports the actor may read, and answers to all its alerts. */
export async function campaignCounts(
  db: RelationalDb,
  actor: Actor,
  campaignId: number,
): Promise<AdvisoryCounts & { alerts: number }> {
  const reporters = await db
    .selectFrom('reports as r')
    .select('r.org_id')
    .distinct()
    .where('r.campaign_id', '=', campaignId)
    .where(readableWhere(actor, 'report', 'r'))
    .execute();
  const answered = await db
    .selectFrom('member_alert_sightings as s')
    .innerJoin('member_alerts as a', 'a.id', 's.alert_id')
    .select('s.org_id')
    .distinct()
    .where('a.campaign_id', '=', campaignId)
    .execute();
  const alerts = await db
    .selectFrom('member_alerts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', '<>', 'draft')
    .executeTakeFirstOrThrow();
  const counts = await countsOf(
    db,
    new Set(reporters.map((r) => Number(r.org_id))),
    new Set(answered.map((r) => Number(r.org_id))),
  );
  return { ...counts, alerts: Number(alerts.n) };
}

export async function sightingsOf(db: RelationalDb, alertId: number): Promise<SightingView[]> {
  const rows = await db
    .selectFrom('member_alert_sightings as s')
    .innerJoin('organisations as o', 'o.id', 's.org_id')
    .select(['s.id', 's.org_id', 'o.name', 's.user_id', 's.report_id', 's.note', 's.created_ms'])
    .where('s.alert_id', '=', alertId)
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    orgId: Number(r.org_id),
    orgName: r.name,
    userId: r.user_id === null ? null : Number(r.user_id),
    reportId: r.report_id === null ? null : Number(r.report_id),
    note: r.note,
    atMs: Number(r.created_ms),
  }));
}

export async function sightingOf(
  db: Kysely<Database>,
  alertId: number,
  orgId: number,
): Promise<{ id: number; reportId: number | null; atMs: number } | null> {
  const r = await db
    .selectFrom('member_alert_sightings')
    .select(['id', 'report_id', 'created_ms'])
    .where('alert_id', '=', alertId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  if (!r) return null;
  return {
    id: Number(r.id),
    reportId: r.report_id === null ? null : Number(r.report_id),
    atMs: Number(r.created_ms),
  };
}

export function requireMemberUser(actor: Actor): { userId: number; orgId: number } {
  if (actor.kind !== 'user' || actor.userId === null || actor.orgId === null)
    throw new KobanError('E_AUTH', 'only a signed-in member answers an alert');
  return { userId: actor.userId, orgId: actor.orgId };
}
