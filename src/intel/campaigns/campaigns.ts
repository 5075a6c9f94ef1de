/**
 * Campaigns: groups of linked reports, created by correlation (correlate.ts) and curated by center
 * analysts — renamed, relabelled, merged (including the pairs correlation only recorded as a
 * bridge) and split. A campaign has its own TLP label (AMBER, owned by the center, when created):
 * members see a campaign only if its label lets them, and within it only the reports they may
 * read; the counts they get are counts of what they can see.
 */

import type { Kysely } from 'kysely';
import { KobanError } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import type { IndicatorType } from '../indicators/types.js';
import { seesStoredAggregates, visibleAggregates } from '../indicators/visible.js';
import { parseInput } from '../input.js';
import { isCenter, mayRead, readableWhere, requireCenter } from '../labels/access.js';
import { type Audience, loadLabelled, loadLabelledCampaign, writeAudience } from '../labels/labelled.js';
import { isAuditedRead, storedTlp, type Tlp, TlpSchema } from '../labels/tlp.js';
import type { ReportService, ReportSummary } from '../reports/reports.js';
import { AudienceSchema } from '../reports/submissions.js';

export interface CampaignSummary {
  readonly id: number;
  readonly name: string;
  readonly tlp: Tlp;
  /** Reports of the campaign the actor may read. */
  readonly reportCount: number;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface CampaignView extends CampaignSummary {
  readonly reports: readonly ReportSummary[];
  /** Values shared by most of the campaign's (readable) reports, warning-listed ones left out. */
  readonly indicators: readonly { type: IndicatorType; value: string; reports: number; orgCount: number }[];
  /** Other campaigns a report linked this one to (center only). */
  readonly bridges: readonly { otherCampaignId: number; reportId: number; weight: number }[];
}

/** One page of {@link CampaignService.list}: newest change first, the id breaking ties (keyset paging). */
export interface CampaignPage {
  /** Only campaigns after this one in that order (the last of the previous page). */
  readonly after?: { readonly updatedMs: number; readonly id: number } | undefined;
  /** At most this many (1–1,000; default 1,000). */
  readonly limit?: number | undefined;
}

export const MAX_CAMPAIGN_PAGE = 1000;

export class CampaignService {
  constructor(
    private readonly db: RelationalDb,
    private readonly reports: ReportService,
    private readonly now: () => number = Date.now,
  ) {}

  /** Campaigns the actor may read, most recently changed first, a page at a time. */
  async list(actor: Actor, page: CampaignPage = {}): Promise<CampaignSummary[]> {
    const limit = Math.min(MAX_CAMPAIGN_PAGE, Math.max(1, Math.trunc(page.limit ?? MAX_CAMPAIGN_PAGE)));
    const after = page.after;
    let q = this.db
      .selectFrom('campaigns as c')
      .select(['c.id', 'c.name', 'c.tlp', 'c.created_ms', 'c.updated_ms'])
      .where('c.merged_into', 'is', null)
      .where(readableWhere(actor, 'campaign', 'c'));
    if (after)
      q = q.where((eb) =>
        eb.or([
          eb('c.updated_ms', '<', after.updatedMs),
          eb.and([eb('c.updated_ms', '=', after.updatedMs), eb('c.id', '<', after.id)]),
        ]),
      );
    const rows = await q.orderBy('c.updated_ms', 'desc').orderBy('c.id', 'desc').limit(limit).execute();
    const counts = await this.visibleCounts(
      actor,
      rows.map((r) => Number(r.id)),
    );
    const out = rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      tlp: storedTlp(r.tlp),
      reportCount: counts.get(Number(r.id)) ?? 0,
      createdMs: Number(r.created_ms),
      updatedMs: Number(r.updated_ms),
    }));
    const audited = out.filter((c) => isAuditedRead(c.tlp)).map((c) => c.id);
    if (audited.length > 0)
      await appendAudit(
        this.db,
        actor,
        { action: 'campaign.list', targetType: 'campaign', details: { ids: audited } },
        this.now(),
      );
    return out;
  }

  async get(actor: Actor, id: number): Promise<CampaignView> {
    const label = await this.readable(actor, id);
    const c = await this.db
      .selectFrom('campaigns')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    if (c.merged_into !== null)
      throw new KobanError('E_NOT_FOUND', `campaign ${id} was merged into ${c.merged_into}`);
    const reports = await this.reports.list(actor, { campaignId: id, limit: 1000 });
    const indicators = await this.db
      .selectFrom('report_indicators as ri')
      .innerJoin('reports as r', 'r.id', 'ri.report_id')
      .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
      .select(['i.id', 'i.type', 'i.value', 'i.org_count', (eb) => eb.fn.countAll<number>().as('n')])
      .where('r.campaign_id', '=', id)
      .where('i.warning', 'is', null)
      .where('i.type', 'not in', ['md5', 'sha1'])
      .where(readableWhere(actor, 'report', 'r'))
      .groupBy(['i.id', 'i.type', 'i.value', 'i.org_count'])
      .orderBy('n', 'desc')
      .orderBy('i.id')
      .limit(50)
      .execute();
    // A value's organisations over the reports this reader may read (the center: all of them).
    const own = seesStoredAggregates(actor)
      ? null
      : await visibleAggregates(
          this.db,
          actor,
          indicators.map((i) => ({ id: Number(i.id), type: i.type as IndicatorType })),
        );
    const bridges = isCenter(actor)
      ? await this.db
          .selectFrom('campaign_bridges')
          .select(['campaign_id', 'other_campaign_id', 'report_id', 'weight'])
          .where((eb) => eb.or([eb('campaign_id', '=', id), eb('other_campaign_id', '=', id)]))
          .where('resolved_ms', 'is', null)
          .execute()
      : [];
    if (isAuditedRead(label.tlp))
      await appendAudit(
        this.db,
        actor,
        { action: 'campaign.read', targetType: 'campaign', targetId: id, tlp: label.tlp },
        this.now(),
      );
    return {
      id,
      name: c.name,
      tlp: label.tlp,
      reportCount: reports.length,
      createdMs: Number(c.created_ms),
      updatedMs: Number(c.updated_ms),
      reports,
      indicators: indicators.map((i) => ({
        type: i.type as IndicatorType,
        value: i.value,
        reports: Number(i.n),
        orgCount: own ? (own.get(Number(i.id))?.orgCount ?? 0) : Number(i.org_count),
      })),
      bridges: bridges.map((b) => ({
        otherCampaignId: Number(b.campaign_id) === id ? Number(b.other_campaign_id) : Number(b.campaign_id),
        reportId: Number(b.report_id),
        weight: Number(b.weight),
      })),
    };
  }

  async rename(actor: Actor, id: number, name: string): Promise<void> {
    requireCenter(actor, 'campaigns:write');
    const n = name.trim();
    if (n.length === 0 || n.length > 200)
      throw new KobanError('E_USAGE', 'a campaign name has 1 to 200 characters');
    await this.live(id);
    await this.change(actor, 'campaign.rename', id, { name: n }, async (tx, nowMs) => {
      await tx.updateTable('campaigns').set({ name: n, updated_ms: nowMs }).where('id', '=', id).execute();
    });
  }

  /** Sets the label (and, for AMBER or RED, the audience) under which members may see the campaign. */
  async setLabel(actor: Actor, id: number, tlp: Tlp, audience: Partial<Audience> = {}): Promise<void> {
    requireCenter(actor, 'campaigns:write');
    const t = TlpSchema.parse(tlp);
    const a = parseInput(AudienceSchema, audience, 'audience');
    await this.live(id);
    await this.change(actor, 'campaign.label', id, { tlp: t, ...a }, async (tx, nowMs) => {
      await tx.updateTable('campaigns').set({ tlp: t, updated_ms: nowMs }).where('id', '=', id).execute();
      await writeAudience(tx, 'campaign', id, a);
    });
  }

  /** Moves every report of the sources into the target; the sources remain as pointers (`merged_into`). */
  async merge(actor: Actor, targetId: number, sourceIds: readonly number[]): Promise<void> {
    requireCenter(actor, 'campaigns:write');
    const sources = [...new Set(sourceIds)].filter((s) => s !== targetId);
    if (sources.length === 0) throw new KobanError('E_USAGE', 'name at least one other campaign to merge');
    await this.live(targetId);
    for (const s of sources) await this.live(s);
    await this.change(actor, 'campaign.merge', targetId, { sources }, async (tx, nowMs) => {
      await tx
        .updateTable('reports')
        .set({ campaign_id: targetId })
        .where('campaign_id', 'in', sources)
        .execute();
      await tx
        .updateTable('campaigns')
        .set({ merged_into: targetId, updated_ms: nowMs })
        .where('id', 'in', sources)
        .execute();
      await tx.updateTable('campaigns').set({ updated_ms: nowMs }).where('id', '=', targetId).execute();
      await tx
        .updateTable('campaign_bridges')
        .set({ resolved_ms: nowMs })
        .where('resolved_ms', 'is', null)
        .where((eb) =>
          eb.or([
            eb('campaign_id', 'in', [targetId, ...sources]),
            eb('other_campaign_id', 'in', [targetId, ...sources]),
          ]),
        )
        .execute();
    });
  }

  /** Moves some reports of a campaign into a new campaign (same label); returns its id. */
  async split(actor: Actor, id: number, reportIds: readonly number[], name?: string): Promise<number> {
    requireCenter(actor, 'campaigns:write');
    const c = await this.live(id);
    const ids = [...new Set(reportIds)];
    const members = await this.db
      .selectFrom('reports')
      .select('id')
      .where('campaign_id', '=', id)
      .where('id', 'in', ids.length ? ids : [-1])
      .execute();
    if (members.length !== ids.length || ids.length === 0)
      throw new KobanError('E_USAGE', `every report to split off must belong to campaign ${id}`);
    let created = 0;
    await this.change(actor, 'campaign.split', id, { reports: ids }, async (tx, nowMs) => {
      const r = await tx
        .insertInto('campaigns')
        .values({
          name: name?.trim() || 'campaign',
          tlp: c.tlp,
          org_id: c.org_id,
          created_by: actor.userId,
          created_ms: nowMs,
          updated_ms: nowMs,
          merged_into: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      created = Number(r.id);
      if (!name?.trim())
        await tx
          .updateTable('campaigns')
          .set({ name: `campaign-${created}` })
          .where('id', '=', created)
          .execute();
      await tx.updateTable('reports').set({ campaign_id: created }).where('id', 'in', ids).execute();
      await tx.updateTable('campaigns').set({ updated_ms: nowMs }).where('id', '=', id).execute();
    });
    return created;
  }

  /**
   * Links a report to a campaign by an analyst's judgement (correlation found no shared value, or
   * put it elsewhere): the report moves there, out of any campaign it was in. The analyst must be
   * able to read the report; both campaigns count as changed. Returns the campaign it left, if any.
   */
  async link(actor: Actor, id: number, reportId: number): Promise<number | null> {
    requireCenter(actor, 'campaigns:write');
    await this.live(id);
    const label = await loadLabelled(this.db, reportId);
    if (!label || !mayRead(actor, 'report', label))
      throw new KobanError('E_NOT_FOUND', `no report ${reportId}`);
    const row = await this.db
      .selectFrom('reports')
      .select('campaign_id')
      .where('id', '=', reportId)
      .executeTakeFirstOrThrow();
    const from = row.campaign_id === null ? null : Number(row.campaign_id);
    if (from === id) throw new KobanError('E_CONFLICT', `report ${reportId} is already in campaign ${id}`);
    await this.change(actor, 'campaign.link', id, { report: reportId, from }, async (tx, nowMs) => {
      await tx.updateTable('reports').set({ campaign_id: id }).where('id', '=', reportId).execute();
      const touched = from === null ? [id] : [id, from];
      await tx.updateTable('campaigns').set({ updated_ms: nowMs }).where('id', 'in', touched).execute();
    });
    return from;
  }

  private async change(
    actor: Actor,
    action: string,
    id: number,
    details: Record<string, unknown>,
    fn: (tx: Kysely<Database>, nowMs: number) => Promise<void>,
  ): Promise<void> {
    const nowMs = this.now();
    const label = await loadLabelledCampaign(this.db, id);
    await this.db.transaction().execute(async (tx) => {
      await fn(tx, nowMs);
      await appendAudit(
        tx,
        actor,
        { action, targetType: 'campaign', targetId: id, tlp: label?.tlp ?? null, details },
        nowMs,
      );
    });
  }

  private async live(id: number) {
    const c = await this.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!c) throw new KobanError('E_NOT_FOUND', `no campaign ${id}`);
    if (c.merged_into !== null)
      throw new KobanError('E_CONFLICT', `campaign ${id} was merged into ${c.merged_into}`);
    return c;
  }

  private async readable(actor: Actor, id: number) {
    const label = await loadLabelledCampaign(this.db, id);
    if (!label || !mayRead(actor, 'campaign', label))
      throw new KobanError('E_NOT_FOUND', `no campaign ${id}`);
    return label;
  }

  private async visibleCounts(actor: Actor, ids: readonly number[]): Promise<Map<number, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('reports as r')
      .select(['r.campaign_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('r.campaign_id', 'in', [...ids])
      .where(readableWhere(actor, 'report', 'r'))
      .groupBy('r.campaign_id')
      .execute();
    return new Map(rows.map((r) => [Number(r.campaign_id), Number(r.n)]));
  }
}
