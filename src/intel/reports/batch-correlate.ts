/**
 * Correlation of a batch of stored reports (the `report_correlation_queue`, oldest first) in one
 * transaction, deciding exactly what campaigns/correlate.ts decides for each report alone in id
 * order — the same links, weights, campaigns, assignments and bridges — with a handful of
 * statements for the whole batch instead of about eight per report:
 *
 * - partners: one bounded read per distinct shared value of the batch (the newest `fanOut + n`
 *   holders, n the batch's reports holding it), from which each report takes its newest `fanOut`
 *   holders older than itself (the reports that existed when it would have been correlated alone);
 *   a read cut short by holders outside the batch is repeated for that report alone;
 * - links: multi-row upserts;
 * - campaigns: the union rules run in memory over the campaign of every report involved, in id
 *   order, so a report sees the assignments of the reports before it; then one update per target
 *   campaign, new campaigns and bridges written as they arise;
 * - the `report.create` audit rows (the entry queued with the report plus the correlation's
 *   summary), and the queue rows deleted — all in the same commit, so a batch is correlated
 *   entirely or not at all and correlating it again after a crash is the same operation.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/index.js';
import { type AuditActor, appendAuditRows } from '../audit/audit.js';
import {
  type Bridge,
  type CorrelationResult,
  type Link,
  MAX_LINK_IDS,
  newCampaign,
} from '../campaigns/correlate.js';
import type { Sighted } from '../indicators/store.js';
import { linkWeight } from '../indicators/types.js';
import type { Tlp } from '../labels/tlp.js';
import { chunked, rowsPer } from './batch-indicators.js';

/** A stored report waiting for correlation. */
export interface PendingReport {
  readonly reportId: number;
  /** When it was received: the time of its links, campaign changes and audit row. */
  readonly nowMs: number;
  readonly tlp: Tlp;
  readonly sighted: readonly Sighted[];
  readonly actor: AuditActor;
  /** The `report.create` entry's details before the correlation summary. */
  readonly details: Record<string, unknown>;
}

export interface BatchContext {
  readonly fanOut: number;
  readonly centerOrgId: number | null;
}

type Partners = Map<number, { weight: number; ids: number[] }>;

/** The values a report links through, as correlate.ts filters them. */
function linking(p: PendingReport): Sighted[] {
  return p.sighted.filter((s) => s.warning === null && s.reportCount > 1 && linkWeight(s.type) > 0);
}

/** Newest holders of each value at or below `upTo`, `limit` at most, newest first. */
async function holders(
  tx: Kysely<Database>,
  reads: readonly { indicatorId: number; upTo: number; limit: number }[],
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const part of chunked(reads, 50)) {
    const selects = part.map(
      (r) =>
        sql`select * from (select indicator_id, report_id from report_indicators where indicator_id = ${r.indicatorId} and report_id <= ${r.upTo} order by report_id desc limit ${r.limit}) as t${sql.raw(String(r.indicatorId))}`,
    );
    const rows = await sql<{
      indicator_id: number;
      report_id: number;
    }>`${sql.join(selects, sql` union all `)}`.execute(tx);
    for (const r of rows.rows) {
      const id = Number(r.indicator_id);
      const list = out.get(id) ?? [];
      list.push(Number(r.report_id));
      out.set(id, list);
    }
  }
  for (const list of out.values()) list.sort((a, b) => b - a);
  return out;
}

/** Each report's partners: the newest `fanOut` older holders of each of its linking values. */
async function partnersOf(
  tx: Kysely<Database>,
  batch: readonly PendingReport[],
  fanOut: number,
): Promise<Partners[]> {
  const needs = new Map<number, { upTo: number; n: number }>();
  const links = batch.map(linking);
  for (const [i, p] of batch.entries()) {
    for (const s of links[i]!) {
      const need = needs.get(s.indicatorId) ?? { upTo: 0, n: 0 };
      needs.set(s.indicatorId, { upTo: Math.max(need.upTo, p.reportId), n: need.n + 1 });
    }
  }
  const reads = [...needs].map(([indicatorId, n]) => ({ indicatorId, upTo: n.upTo, limit: fanOut + n.n }));
  const limitOf = new Map(reads.map((r) => [r.indicatorId, r.limit]));
  const read = await holders(tx, reads);
  const out: Partners[] = [];
  for (const [i, p] of batch.entries()) {
    const partners: Partners = new Map();
    for (const s of links[i]!) {
      const all = read.get(s.indicatorId) ?? [];
      let older = all.filter((r) => r < p.reportId).slice(0, fanOut);
      // Holders between this report and the batch's newest that are not in the batch took rows
      // of the read: read this report's own newest older holders.
      if (older.length < fanOut && all.length >= limitOf.get(s.indicatorId)!) {
        const own = await holders(tx, [{ indicatorId: s.indicatorId, upTo: p.reportId - 1, limit: fanOut }]);
        older = own.get(s.indicatorId) ?? [];
      }
      const w = linkWeight(s.type);
      for (const other of older) {
        const q = partners.get(other) ?? { weight: 0, ids: [] };
        q.weight += w;
        if (q.ids.length < MAX_LINK_IDS) q.ids.push(s.indicatorId);
        partners.set(other, q);
      }
    }
    out.push(partners);
  }
  return out;
}

async function writeLinks(tx: Kysely<Database>, batch: readonly PendingReport[], links: readonly Link[][]) {
  const rows = batch.flatMap((p, i) =>
    links[i]!.map((l) => ({
      report_id: Math.max(p.reportId, l.reportId),
      linked_report_id: Math.min(p.reportId, l.reportId),
      weight: l.weight,
      indicator_ids: JSON.stringify(l.indicatorIds),
      created_ms: p.nowMs,
    })),
  );
  for (const part of chunked(rows, rowsPer(5))) {
    await tx
      .insertInto('report_links')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['report_id', 'linked_report_id']).doUpdateSet({
          weight: sql`excluded.weight`,
          indicator_ids: sql`excluded.indicator_ids`,
        }),
      )
      .execute();
  }
}

/** The campaign of each report (null: none yet). */
async function campaignsOf(
  tx: Kysely<Database>,
  ids: readonly number[],
): Promise<Map<number, number | null>> {
  const out = new Map<number, number | null>();
  for (const part of chunked([...new Set(ids)], rowsPer(1))) {
    const rows = await tx
      .selectFrom('reports')
      .select(['id', 'campaign_id'])
      .where('id', 'in', part)
      .execute();
    for (const r of rows) out.set(Number(r.id), r.campaign_id === null ? null : Number(r.campaign_id));
  }
  return out;
}

/** correlate.ts's campaign rules for each report in order, over the campaigns held in memory. */
async function assignCampaigns(
  tx: Kysely<Database>,
  batch: readonly PendingReport[],
  links: readonly Link[][],
  ctx: BatchContext,
): Promise<CorrelationResult[]> {
  const strongOf = links.map((ls) => ls.filter((l) => l.weight >= 1));
  const state = await campaignsOf(tx, [
    ...batch.map((p) => p.reportId),
    ...strongOf.flatMap((ls) => ls.map((l) => l.reportId)),
  ]);
  const assignedTo = new Map<number, number[]>();
  const touched = new Map<number, number>();
  const bridgeRows: { report: PendingReport; bridge: Bridge }[] = [];
  const results: CorrelationResult[] = [];
  for (const [i, p] of batch.entries()) {
    const strong = strongOf[i]!;
    const own = state.get(p.reportId) ?? null;
    if (strong.length === 0) {
      results.push({ links: links[i]!, campaignId: own, createdCampaign: false, assigned: [], bridges: [] });
      continue;
    }
    const weightByCampaign = new Map<number, number>();
    for (const l of strong) {
      const c = state.get(l.reportId);
      if (c !== null && c !== undefined) weightByCampaign.set(c, (weightByCampaign.get(c) ?? 0) + l.weight);
    }
    const ranked = [...weightByCampaign].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const existing = own ?? ranked[0]?.[0] ?? null;
    const target = existing ?? (await newCampaign(tx, { nowMs: p.nowMs, centerOrgId: ctx.centerOrgId }));
    const created = existing === null;
    const assigned = [
      ...(own === null ? [p.reportId] : []),
      ...strong.filter((l) => state.get(l.reportId) === null).map((l) => l.reportId),
    ];
    for (const id of assigned) state.set(id, target);
    if (assigned.length > 0) assignedTo.set(target, [...(assignedTo.get(target) ?? []), ...assigned]);
    if (assigned.length > 0 && !created) touched.set(target, p.nowMs);
    const bridges: Bridge[] = [...weightByCampaign]
      .filter(([c]) => c !== target)
      .map(([c, w]) => ({ campaignId: target, otherCampaignId: c, weight: w }));
    for (const bridge of bridges) bridgeRows.push({ report: p, bridge });
    results.push({ links: links[i]!, campaignId: target, createdCampaign: created, assigned, bridges });
  }
  for (const [target, ids] of assignedTo) {
    for (const part of chunked(ids, rowsPer(1))) {
      await tx
        .updateTable('reports')
        .set({ campaign_id: target })
        .where('id', 'in', part)
        .where('campaign_id', 'is', null)
        .execute();
    }
  }
  for (const [target, at] of touched)
    await tx.updateTable('campaigns').set({ updated_ms: at }).where('id', '=', target).execute();
  for (const part of chunked(bridgeRows, rowsPer(6))) {
    await tx
      .insertInto('campaign_bridges')
      .values(
        part.map(({ report, bridge: b }) => ({
          campaign_id: b.campaignId,
          other_campaign_id: b.otherCampaignId,
          report_id: report.reportId,
          weight: b.weight,
          created_ms: report.nowMs,
          resolved_ms: null,
        })),
      )
      .execute();
  }
  return results;
}

/** What the audit row says of a correlation. */
export function correlationSummary(c: CorrelationResult): Record<string, unknown> {
  return {
    links: c.links.length,
    campaign: c.campaignId,
    createdCampaign: c.createdCampaign,
    assigned: c.assigned.slice(0, 50),
    bridges: c.bridges.map((b) => b.otherCampaignId),
  };
}

/** Correlates the batch (in report id order) inside `tx` and takes it off the queue. */
export async function correlateBatch(
  tx: Kysely<Database>,
  batch: readonly PendingReport[],
  ctx: BatchContext,
): Promise<CorrelationResult[]> {
  if (batch.length === 0) return [];
  const partners = await partnersOf(tx, batch, ctx.fanOut);
  const links: Link[][] = partners.map((ps) =>
    [...ps].map(([other, q]) => ({ reportId: other, weight: q.weight, indicatorIds: q.ids })),
  );
  await writeLinks(tx, batch, links);
  const results = await assignCampaigns(tx, batch, links, ctx);
  await appendAuditRows(
    tx,
    batch.map((p, i) => ({
      actor: p.actor,
      entry: {
        action: 'report.create',
        targetType: 'report',
        targetId: p.reportId,
        tlp: p.tlp,
        details: { ...p.details, ...correlationSummary(results[i]!) },
      },
      atMs: p.nowMs,
    })),
  );
  for (const part of chunked(
    batch.map((p) => p.reportId),
    rowsPer(1),
  )) {
    await tx.deleteFrom('report_correlation_queue').where('report_id', 'in', part).execute();
  }
  return results;
}
