/**
 * Small reads around campaigns that the API needs beside the service views: how many linked
 * reports the caller may not read (the center only), the campaign of a report if the caller may read it, and
 * the readable campaigns holding an indicator. They filter with the one access rule
 * (`readableWhere`) and write the same audit rows as the campaign list.
 */

import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { asLabelReader, isCenter, readableWhere } from '../labels/access.js';
import { isAuditedRead, type Tlp, TlpSchema } from '../labels/tlp.js';
import type { IntelService } from '../service.js';

/** A campaign as a reference inside another answer. */
export interface CampaignRef {
  readonly id: number;
  readonly name: string;
  readonly tlp: Tlp;
}

/**
 * How many reports linked to this one the actor may not read — for the center's staff (the RED
 * reports not addressed to them). Anyone else gets 0: counting what a member may not read would
 * tell it that RED or AMBER+STRICT reports sharing its values exist (indicators/visible.ts).
 */
export async function hiddenLinkedReports(
  intel: IntelService,
  actor: Actor,
  reportId: number,
  visible: number,
): Promise<number> {
  if (!isCenter(actor)) return 0;
  const r = await intel.db
    .selectFrom('report_links')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.or([eb('report_id', '=', reportId), eb('linked_report_id', '=', reportId)]))
    .executeTakeFirst();
  return Math.max(0, Number(r?.n ?? 0) - visible);
}

async function audited(intel: IntelService, actor: Actor, refs: CampaignRef[], nowMs: number) {
  const ids = refs.filter((r) => isAuditedRead(r.tlp)).map((r) => r.id);
  if (ids.length > 0)
    await appendAudit(
      intel.db,
      actor,
      { action: 'campaign.list', targetType: 'campaign', details: { ids } },
      nowMs,
    );
  return refs;
}

/** The campaign, if it is live and the actor may read it. */
export async function readableCampaign(
  intel: IntelService,
  actor: Actor,
  campaignId: number,
  nowMs: number,
): Promise<CampaignRef | null> {
  const rows = await intel.db
    .selectFrom('campaigns as c')
    .select(['c.id', 'c.name', 'c.tlp'])
    .where('c.id', '=', campaignId)
    .where('c.merged_into', 'is', null)
    .where(readableWhere(actor, 'campaign', 'c'))
    .execute();
  const refs = rows.map((r) => ({ id: Number(r.id), name: r.name, tlp: TlpSchema.parse(r.tlp) }));
  return (await audited(intel, actor, refs, nowMs))[0] ?? null;
}

/** Campaigns the actor may read that hold a report the actor may read (for the value) with the indicator. */
export async function campaignsOfIndicator(
  intel: IntelService,
  actor: Actor,
  indicatorId: number,
  nowMs: number,
): Promise<CampaignRef[]> {
  const reader = asLabelReader(actor, 'indicators:read');
  const rows = await intel.db
    .selectFrom('campaigns as c')
    .select(['c.id', 'c.name', 'c.tlp'])
    .where('c.merged_into', 'is', null)
    .where(readableWhere(actor, 'campaign', 'c'))
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('report_indicators as ri')
          .innerJoin('reports as r', 'r.id', 'ri.report_id')
          .select('ri.report_id')
          .whereRef('r.campaign_id', '=', 'c.id')
          .where('ri.indicator_id', '=', indicatorId)
          .where(readableWhere(reader, 'report', 'r')),
      ),
    )
    .orderBy('c.id')
    .limit(100)
    .execute();
  const refs = rows.map((r) => ({ id: Number(r.id), name: r.name, tlp: TlpSchema.parse(r.tlp) }));
  return audited(intel, actor, refs, nowMs);
}
