/**
 * Applies a STIX bundle's import plan (import-plan.ts) object by object through the Applier
 * (import-apply.ts): campaigns first, then reports with the indicators they carry, then the
 * indicators no report holds — grouped into one Koban report per label and campaign — and last
 * what is skipped, each recorded so the same object again is one object.
 */
import {
  type Actor,
  type IndicatorRole,
  type IntelService,
  SharingService,
  type Tlp,
} from '../../intel/index.js';
import { Applier, type ApplyOptions, type ImportCounts } from './import-apply.js';
import type { ImportPlan, ObjectRejection, PlannedIndicator, PlannedValue } from './import-plan.js';

export interface ImportOutcome {
  readonly bundleId: string;
  readonly objects: number;
  readonly counts: ImportCounts;
  readonly skipped: readonly { readonly id: string; readonly type: string; readonly reason: string }[];
  readonly rejected: readonly ObjectRejection[];
  readonly reportIds: readonly number[];
}

function asValues(vs: readonly (PlannedValue & { confidence: number; role: IndicatorRole })[]) {
  return vs.map((v) => ({ type: v.type, value: v.value, role: v.role, confidence: v.confidence }));
}

/** The indicators no report holds, one Koban report per label and campaign. */
async function standalone(a: Applier, plan: ImportPlan, fresh: readonly PlannedIndicator[], source: string) {
  const groups = new Map<string, { tlp: Tlp; campaign: number | null; items: PlannedIndicator[] }>();
  for (const i of fresh) {
    const campaign = await a.firstCampaign(i.campaigns);
    const key = `${i.tlp}|${campaign ?? ''}`;
    const g = groups.get(key) ?? { tlp: i.tlp, campaign, items: [] };
    g.items.push(i);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const values = g.items.flatMap((i) =>
      i.values.map((v) => ({ ...v, role: i.role, confidence: i.confidence })),
    );
    try {
      const id = await a.report(
        {
          title: `Indicators from ${source} (${plan.bundleId})`,
          format: 'stix-2.1',
          source,
          labels: ['indicator'],
          observedMs: Math.min(...g.items.map((i) => i.observedMs)),
          campaignId: g.campaign,
          values,
        },
        g.tlp,
        false,
      );
      for (const i of g.items) await a.record(i, { type: 'report', id }, i.values);
      a.counts.indicators += g.items.length;
    } catch (e) {
      for (const i of g.items) a.fail(i, e);
    }
  }
}

/**
 * The plan's reports; answers the indicators a held or imported report carries, each with the
 * Koban report that holds its values (null: none, the report was revoked or not imported).
 */
async function importReports(
  a: Applier,
  plan: ImportPlan,
  source: string,
  skipped: { id: string; type: string; reason: string }[],
): Promise<Map<string, number | null>> {
  const carried = new Map<string, number | null>();
  for (const r of plan.reports) {
    if (!(await a.admit(r, undefined, r.refs))) {
      const holder = await a.reportOf(r.id);
      for (const i of r.indicators) carried.set(i, holder);
      continue;
    }
    if (r.revoked) {
      skipped.push({ id: r.id, type: r.type, reason: 'revoked by its producer' });
      await a.record(r, null);
      continue;
    }
    try {
      const id = await a.report(
        {
          title: r.title,
          description: r.description,
          format: 'stix-2.1',
          source,
          externalId: r.id,
          labels: [...r.labels],
          observedMs: r.observedMs,
          campaignId: await a.firstCampaign(r.campaigns),
          values: asValues(r.values),
        },
        r.tlp,
        true,
      );
      await a.record(r, { type: 'report', id });
      for (const i of r.indicators) carried.set(i, id);
    } catch (e) {
      a.fail(r, e);
    }
  }
  return carried;
}

export async function applyImport(
  intel: IntelService,
  actor: Actor,
  plan: ImportPlan,
  opts: ApplyOptions,
  nowMs: () => number,
): Promise<ImportOutcome> {
  const a = new Applier(intel, actor, opts, nowMs);
  const skipped: { id: string; type: string; reason: string }[] = [];
  for (const c of plan.campaigns) {
    if (!(await a.admit(c))) continue;
    if (c.revoked || !SharingService.mayCreateCampaigns(actor)) {
      skipped.push({
        id: c.id,
        type: c.type,
        reason: c.revoked
          ? 'revoked by its producer'
          : 'campaigns are the center’s: import as center staff to keep them',
      });
      await a.record(c, null);
      continue;
    }
    const id = await intel.sharing.createCampaign(actor, c.name, c.tlp, c.createdMs);
    a.campaignIds.set(c.id, id);
    a.counts.campaigns++;
    await a.record(c, { type: 'campaign', id });
  }
  const carried = await importReports(a, plan, opts.source, skipped);
  for (const i of plan.heldIndicators.filter((x) => carried.has(x.id))) {
    if (!(await a.admit(i, i.values))) continue;
    a.counts.indicators++;
    // Linked to the report holding its values: revoking the indicator later withdraws them there.
    const holder = carried.get(i.id) ?? null;
    await a.record(i, holder === null ? null : { type: 'report', id: holder }, i.values);
    // A report held before, whose newer version references it: its values join that report.
    if (holder !== null && !a.reportIds.includes(holder))
      await a.give(
        i,
        holder,
        i.values.map((v) => ({ ...v, role: i.role })),
        i.confidence,
      );
  }
  // Indicators whose report was not imported (refused, revoked) stand on their own.
  const loose = [...plan.heldIndicators.filter((x) => !carried.has(x.id)), ...plan.indicators];
  const fresh: PlannedIndicator[] = [];
  for (const i of loose) {
    if (!(await a.admit(i, i.values))) continue;
    if (i.revoked) {
      skipped.push({ id: i.id, type: i.type, reason: 'revoked by its producer' });
      await a.record(i, null);
    } else fresh.push(i);
  }
  await standalone(a, plan, fresh, opts.source);
  for (const s of plan.skipped) {
    if (!(await a.admit(s))) continue;
    skipped.push({ id: s.id, type: s.type, reason: s.reason });
    await a.record(s, null);
  }
  skipped.push(...a.skipped);
  return {
    bundleId: plan.bundleId,
    objects: plan.objectCount,
    counts: a.counts,
    skipped,
    rejected: [...plan.rejected, ...a.rejected].sort((x, y) => x.index - y.index),
    reportIds: a.reportIds,
  };
}
