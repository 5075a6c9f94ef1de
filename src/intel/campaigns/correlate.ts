/**
 * Correlation on intake. For each value a report shares with earlier reports — not warning-listed,
 * not an MD5/SHA-1 twin of a SHA-256 — the newest `fanOut` reports holding it are read through the
 * (indicator, report) index: the aggregates of a value seen thousands of times keep counting
 * (indicators/store.ts), but one more sighting costs a bounded read. Shared values add up per pair
 * of reports into a link weight (1 per atomic indicator, 0.5 per fuzzy key); a pair at weight ≥ 1
 * is "linked" for campaigns: one shared sender, URL, C2 address or attachment, or two fuzzy keys
 * (same subject template and same attachment-name pattern).
 *
 * Campaigns grow by union of linked reports:
 * - no linked report has a campaign → a new campaign holds the report and its linked reports;
 * - they share one campaign → the report (and any linked report without one) joins it;
 * - they span several → the report joins its own campaign if it has one, else the one it is most
 *   strongly linked to (ties: the oldest), and a `campaign_bridges` row records the other
 *   campaigns for an analyst. Campaigns are never merged automatically: a single bridging report is
 *   exactly what shared infrastructure (one bulletproof host, one compromised relay used by two
 *   groups) produces, and a merge rewrites what every alert about both campaigns said.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/index.js';
import type { Sighted } from '../indicators/store.js';
import { linkWeight } from '../indicators/types.js';

export const DEFAULT_FAN_OUT = 25;
/** Indicator ids kept on a link (the first shared ones). */
export const MAX_LINK_IDS = 10;
const IN_CHUNK = 500;

export interface Link {
  readonly reportId: number;
  readonly weight: number;
  readonly indicatorIds: readonly number[];
}

export interface Bridge {
  readonly campaignId: number;
  readonly otherCampaignId: number;
  readonly weight: number;
}

export interface CorrelationResult {
  readonly links: readonly Link[];
  readonly campaignId: number | null;
  readonly createdCampaign: boolean;
  /** Reports that got this campaign now (the report itself and linked reports that had none). */
  readonly assigned: readonly number[];
  readonly bridges: readonly Bridge[];
}

export interface CorrelationContext {
  readonly nowMs: number;
  readonly fanOut: number;
  readonly centerOrgId: number | null;
  /** True for a report created in this transaction: it can have no links yet. */
  readonly isNew: boolean;
}

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Other reports holding each value, newest first, at most `fanOut` per value. */
async function partnersOf(
  tx: Kysely<Database>,
  reportId: number,
  sighted: readonly Sighted[],
  fanOut: number,
) {
  const partners = new Map<number, { weight: number; ids: number[] }>();
  const linking = sighted.filter((s) => s.warning === null && s.reportCount > 1 && linkWeight(s.type) > 0);
  const weightOf = new Map(linking.map((s) => [s.indicatorId, linkWeight(s.type)]));
  for (const part of chunks(linking, 50)) {
    const selects = part.map(
      (s) =>
        sql`select * from (select indicator_id, report_id from report_indicators where indicator_id = ${s.indicatorId} and report_id <> ${reportId} order by report_id desc limit ${fanOut}) as t${sql.raw(String(s.indicatorId))}`,
    );
    const rows = await sql<{
      indicator_id: number;
      report_id: number;
    }>`${sql.join(selects, sql` union all `)}`.execute(tx);
    for (const r of rows.rows) {
      const other = Number(r.report_id);
      const id = Number(r.indicator_id);
      const p = partners.get(other) ?? { weight: 0, ids: [] };
      p.weight += weightOf.get(id) ?? 0;
      if (p.ids.length < MAX_LINK_IDS) p.ids.push(id);
      partners.set(other, p);
    }
  }
  return partners;
}

export async function correlate(
  tx: Kysely<Database>,
  reportId: number,
  sighted: readonly Sighted[],
  ctx: CorrelationContext,
): Promise<CorrelationResult> {
  const partners = await partnersOf(tx, reportId, sighted, ctx.fanOut);
  const others = [...partners.keys()];
  if (!ctx.isNew && others.length > 0) {
    // Re-correlation after an analyst added values: add to the links the report already has.
    for (const part of chunks(others, IN_CHUNK)) {
      const existing = await tx
        .selectFrom('report_links')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb('report_id', '=', reportId), eb('linked_report_id', 'in', part)]),
            eb.and([eb('linked_report_id', '=', reportId), eb('report_id', 'in', part)]),
          ]),
        )
        .execute();
      for (const e of existing) {
        const other = Number(e.report_id) === reportId ? Number(e.linked_report_id) : Number(e.report_id);
        const p = partners.get(other)!;
        const before = JSON.parse(e.indicator_ids) as number[];
        p.weight += Number(e.weight);
        p.ids = [...new Set([...before, ...p.ids])].slice(0, MAX_LINK_IDS);
      }
    }
  }
  const links: Link[] = [...partners].map(([other, p]) => ({
    reportId: other,
    weight: p.weight,
    indicatorIds: p.ids,
  }));
  for (const part of chunks(links, IN_CHUNK)) {
    await tx
      .insertInto('report_links')
      .values(
        part.map((l) => ({
          report_id: Math.max(reportId, l.reportId),
          linked_report_id: Math.min(reportId, l.reportId),
          weight: l.weight,
          indicator_ids: JSON.stringify(l.indicatorIds),
          created_ms: ctx.nowMs,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['report_id', 'linked_report_id']).doUpdateSet({
          weight: sql`excluded.weight`,
          indicator_ids: sql`excluded.indicator_ids`,
        }),
      )
      .execute();
  }
  return assignCampaign(tx, reportId, links, ctx);
}

async function assignCampaign(
  tx: Kysely<Database>,
  reportId: number,
  links: readonly Link[],
  ctx: CorrelationContext,
): Promise<CorrelationResult> {
  const strong = links.filter((l) => l.weight >= 1);
  const own = await tx
    .selectFrom('reports')
    .select('campaign_id')
    .where('id', '=', reportId)
    .executeTakeFirstOrThrow();
  const ownCampaign = own.campaign_id === null ? null : Number(own.campaign_id);
  if (strong.length === 0) {
    return { links, campaignId: ownCampaign, createdCampaign: false, assigned: [], bridges: [] };
  }
  const campaignOf = await campaignsOf(
    tx,
    strong.map((l) => l.reportId),
  );
  const weightByCampaign = new Map<number, number>();
  for (const l of strong) {
    const c = campaignOf.get(l.reportId);
    if (c !== null && c !== undefined) weightByCampaign.set(c, (weightByCampaign.get(c) ?? 0) + l.weight);
  }
  // The report's own campaign, else the one its strong links weigh most in, else a new one.
  const ranked = [...weightByCampaign].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const existing = ownCampaign ?? ranked[0]?.[0] ?? null;
  const target = existing ?? (await newCampaign(tx, ctx));
  const created = existing === null;
  const assigned = [
    ...(ownCampaign === null ? [reportId] : []),
    ...strong.filter((l) => campaignOf.get(l.reportId) === null).map((l) => l.reportId),
  ];
  for (const part of chunks(assigned, IN_CHUNK)) {
    await tx
      .updateTable('reports')
      .set({ campaign_id: target })
      .where('id', 'in', part)
      .where('campaign_id', 'is', null)
      .execute();
  }
  if (assigned.length > 0 && !created) {
    await tx.updateTable('campaigns').set({ updated_ms: ctx.nowMs }).where('id', '=', target).execute();
  }
  const bridges: Bridge[] = [...weightByCampaign]
    .filter(([c]) => c !== target)
    .map(([c, w]) => ({ campaignId: target, otherCampaignId: c, weight: w }));
  await recordBridges(tx, reportId, bridges, ctx.nowMs);
  return { links, campaignId: target, createdCampaign: created, assigned, bridges };
}

/** The campaign of each report (null: none yet), `IN_CHUNK` reports a query. */
async function campaignsOf(
  tx: Kysely<Database>,
  reportIds: readonly number[],
): Promise<Map<number, number | null>> {
  const campaignOf = new Map<number, number | null>();
  for (const part of chunks(reportIds, IN_CHUNK)) {
    const rows = await tx
      .selectFrom('reports')
      .select(['id', 'campaign_id'])
      .where('id', 'in', part)
      .execute();
    for (const r of rows) campaignOf.set(Number(r.id), r.campaign_id === null ? null : Number(r.campaign_id));
  }
  return campaignOf;
}

/** A new campaign owned by the center, named after its id. */
export async function newCampaign(
  tx: Kysely<Database>,
  ctx: Pick<CorrelationContext, 'nowMs' | 'centerOrgId'>,
): Promise<number> {
  const c = await tx
    .insertInto('campaigns')
    .values({
      name: 'campaign',
      tlp: 'AMBER',
      org_id: ctx.centerOrgId,
      created_by: null,
      created_ms: ctx.nowMs,
      updated_ms: ctx.nowMs,
      merged_into: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(c.id);
  await tx
    .updateTable('campaigns')
    .set({ name: `campaign-${id}` })
    .where('id', '=', id)
    .execute();
  return id;
}

/** Campaigns the report also links into strongly, recorded for an analyst to merge or not. */
async function recordBridges(
  tx: Kysely<Database>,
  reportId: number,
  bridges: readonly Bridge[],
  nowMs: number,
): Promise<void> {
  if (bridges.length === 0) return;
  await tx
    .insertInto('campaign_bridges')
    .values(
      bridges.map((b) => ({
        campaign_id: b.campaignId,
        other_campaign_id: b.otherCampaignId,
        report_id: reportId,
        weight: b.weight,
        created_ms: nowMs,
        resolved_ms: null,
      })),
    )
    .execute();
}
