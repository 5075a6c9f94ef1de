/**
 * Carries out an import plan (import-plan.ts): campaigns, reports and the indicators no report
 * holds become Koban objects through intel's intake, attributed to their source and labelled as
 * marked (so the one access check honours the markings: TLP:RED stays with the importing person,
 * AMBER+STRICT with the attributed organisation). Every object, imported or skipped, is recorded
 * by id and version (`stix_objects`): the same object again is one object; a newer version
 * replaces the version held (and its revocation); a different object under an id and version
 * already held is refused — the first one imported wins, whatever the order of files.
 *
 * What a newer version no longer gives is withdrawn (withdrawals.ts), as a revocation is: the
 * values of an indicator whose new pattern lacks them, and those of an indicator a report's new
 * version leaves out of its `object_refs` — unless another indicator the report still holds gives
 * them too. Values a newer version adds are not added to the report it joined (import it as a new
 * report to share them).
 */
import { isKobanError } from '../../core/index.js';
import {
  type Actor,
  type ImportedReport,
  type IntelService,
  SharingService,
  type Tlp,
} from '../../intel/index.js';
import type {
  ImportPlan,
  ObjectKey,
  ObjectRejection,
  PlannedIndicator,
  PlannedValue,
} from './import-plan.js';
import { withdrawRevoked } from './withdrawals.js';

export interface ImportCounts {
  /** STIX reports imported (each a Koban report). */
  readonly reports: number;
  readonly campaigns: number;
  /** Indicators imported: with a report that holds them, or grouped into one report per label and campaign. */
  readonly indicators: number;
  /** Objects already held at this version (or a newer one). */
  readonly unchanged: number;
  /** Objects held at an older version, now at this one. */
  readonly updated: number;
  /** Revoked objects whose values were withdrawn from what this center shares. */
  readonly withdrawn: number;
}

export interface ImportOutcome {
  readonly bundleId: string;
  readonly objects: number;
  readonly counts: ImportCounts;
  readonly skipped: readonly { readonly id: string; readonly type: string; readonly reason: string }[];
  readonly rejected: readonly ObjectRejection[];
  readonly reportIds: readonly number[];
}

export interface ApplyOptions {
  /** The organisation the objects are attributed to (owner of the reports). */
  readonly orgId: number;
  /** Who they came from, as stored with each report. */
  readonly source: string;
}

type Held = { modified: string; content_sha256: string };

export class Applier {
  readonly counts = { reports: 0, campaigns: 0, indicators: 0, unchanged: 0, updated: 0, withdrawn: 0 };
  readonly rejected: ObjectRejection[] = [];
  readonly reportIds: number[] = [];
  /** STIX campaign id → Koban campaign id, as held or created now. */
  readonly campaignIds = new Map<string, number>();

  constructor(
    private readonly intel: IntelService,
    private readonly actor: Actor,
    private readonly opts: ApplyOptions,
    private readonly nowMs: () => number,
  ) {}

  private get db() {
    return this.intel.db;
  }

  /** new: not held; same: nothing to do; or a reason to refuse it. */
  async status(k: ObjectKey): Promise<'new' | 'same' | 'newer' | { conflict: string }> {
    const held = (await this.db
      .selectFrom('stix_objects')
      .select(['modified', 'content_sha256'])
      .where('stix_id', '=', k.id)
      .executeTakeFirst()) as Held | undefined;
    if (!held) return 'new';
    if (held.modified === k.modified)
      return held.content_sha256 === k.sha256
        ? 'same'
        : {
            conflict: `a different object with this id and modified (${k.modified}) was imported before; the first one is kept`,
          };
    if (k.modified < held.modified) return 'same';
    return 'newer';
  }

  async record(
    k: ObjectKey,
    koban: { type: string; id: number } | null,
    values?: readonly PlannedValue[],
  ): Promise<void> {
    await this.db
      .insertInto('stix_objects')
      .values({
        koban_values: values ? valuesJson(values) : null,
        stix_id: k.id,
        stix_type: k.type,
        modified: k.modified,
        content_sha256: k.sha256,
        source: this.opts.source,
        koban_type: koban?.type ?? null,
        koban_id: koban?.id ?? null,
        revoked: k.revoked ? 1 : 0,
        imported_ms: this.nowMs(),
      })
      .execute();
  }

  async update(k: ObjectKey, values?: readonly PlannedValue[]): Promise<void> {
    await this.db
      .updateTable('stix_objects')
      .set({
        modified: k.modified,
        content_sha256: k.sha256,
        revoked: k.revoked ? 1 : 0,
        imported_ms: this.nowMs(),
        ...(values ? { koban_values: valuesJson(values) } : {}),
      })
      .where('stix_id', '=', k.id)
      .execute();
    this.counts.updated++;
  }

  /**
   * Decides what to do with an object; true when it is new and should be imported. A newer
   * version that revokes the object withdraws what it gave (`values`: an indicator's; without,
   * the whole report it made); one that does not withdraws what it no longer gives: an
   * indicator's values its new pattern lacks (`values`), a report's indicators its new `refs`
   * leave out.
   */
  async admit(k: ObjectKey, values?: readonly PlannedValue[], refs?: readonly string[]): Promise<boolean> {
    const s = await this.status(k);
    if (s === 'new') return true;
    if (s === 'same') this.counts.unchanged++;
    else if (s === 'newer') {
      const before = await this.held(k.id);
      await this.update(k, values);
      if (k.revoked) await this.withdraw(k, values);
      else if (values !== undefined && before?.values) await this.withdrawChanged(k, before, values);
      else if (refs !== undefined) await this.withdrawDropped(k, refs);
    } else this.rejected.push({ index: k.index, id: k.id, type: k.type, reason: s.conflict });
    return false;
  }

  private async held(stixId: string) {
    const r = await this.db
      .selectFrom('stix_objects')
      .select(['koban_type', 'koban_id', 'koban_values'])
      .where('stix_id', '=', stixId)
      .executeTakeFirst();
    if (!r) return null;
    return {
      report: r.koban_type === 'report' && r.koban_id !== null ? Number(r.koban_id) : null,
      values: r.koban_values === null ? null : (JSON.parse(r.koban_values) as PlannedValue[]),
    };
  }

  /** The indicators held as giving values to `reportId` (not revoked), with those values. */
  private async givers(reportId: number) {
    const rows = await this.db
      .selectFrom('stix_objects')
      .select(['stix_id', 'koban_values'])
      .where('stix_type', '=', 'indicator')
      .where('koban_type', '=', 'report')
      .where('koban_id', '=', reportId)
      .where('revoked', '=', 0)
      .execute();
    return rows.map((r) => ({
      id: r.stix_id,
      values: r.koban_values === null ? [] : (JSON.parse(r.koban_values) as PlannedValue[]),
    }));
  }

  /** A newer indicator gives other values: what the old version gave and nothing still gives goes. */
  private async withdrawChanged(
    k: ObjectKey,
    before: { report: number | null; values: readonly PlannedValue[] | null },
    now: readonly PlannedValue[],
  ): Promise<void> {
    if (before.report === null || before.values === null) return;
    const still = new Set(now.map(valueKey));
    for (const g of await this.givers(before.report))
      if (g.id !== k.id) for (const v of g.values) still.add(valueKey(v));
    await this.withdrawValues(
      k,
      before.report,
      before.values.filter((v) => !still.has(valueKey(v))),
    );
  }

  /** A newer report leaves indicators out: their values go, unless one it keeps gives them too. */
  private async withdrawDropped(k: ObjectKey, refs: readonly string[]): Promise<void> {
    const reportId = await this.reportOf(k.id);
    if (reportId === null) return;
    const kept = new Set(refs);
    const givers = await this.givers(reportId);
    const still = new Set(givers.filter((g) => kept.has(g.id)).flatMap((g) => g.values.map(valueKey)));
    const gone = givers.filter((g) => !kept.has(g.id)).flatMap((g) => g.values);
    await this.withdrawValues(
      k,
      reportId,
      gone.filter((v) => !still.has(valueKey(v))),
    );
  }

  private async withdrawValues(
    k: ObjectKey,
    reportId: number,
    values: readonly PlannedValue[],
  ): Promise<void> {
    if (values.length === 0) return;
    const n = await withdrawRevoked(
      this.intel,
      this.actor,
      { stixId: k.id, type: k.type, source: this.opts.source, why: 'newer version' },
      reportId,
      values,
      this.nowMs(),
    );
    if (n > 0) this.counts.withdrawn++;
  }

  /** Withdraws what a revoked object gave the Koban report it made or joined (withdrawals.ts). */
  private async withdraw(k: ObjectKey, values: readonly PlannedValue[] | undefined): Promise<void> {
    const held = await this.db
      .selectFrom('stix_objects')
      .select(['koban_type', 'koban_id'])
      .where('stix_id', '=', k.id)
      .executeTakeFirst();
    if (held?.koban_type !== 'report' || held.koban_id === null) return;
    // An indicator gave its values only; a report (or MISP event) was the whole report.
    const given = k.type === 'indicator' ? (values ?? []) : null;
    if (given?.length === 0) return;
    const n = await withdrawRevoked(
      this.intel,
      this.actor,
      { stixId: k.id, type: k.type, source: this.opts.source },
      Number(held.koban_id),
      given,
      this.nowMs(),
    );
    if (n > 0) this.counts.withdrawn++;
  }

  /** The Koban report an object made, if it made one. */
  async reportOf(stixId: string): Promise<number | null> {
    const row = await this.db
      .selectFrom('stix_objects')
      .select('koban_id')
      .where('stix_id', '=', stixId)
      .where('koban_type', '=', 'report')
      .executeTakeFirst();
    return row?.koban_id == null ? null : Number(row.koban_id);
  }

  async campaign(ref: string): Promise<number | null> {
    const known = this.campaignIds.get(ref);
    if (known !== undefined) return known;
    const row = await this.db
      .selectFrom('stix_objects')
      .select('koban_id')
      .where('stix_id', '=', ref)
      .where('koban_type', '=', 'campaign')
      .executeTakeFirst();
    if (row?.koban_id == null) return null;
    this.campaignIds.set(ref, Number(row.koban_id));
    return Number(row.koban_id);
  }

  async firstCampaign(refs: readonly string[]): Promise<number | null> {
    for (const r of refs) {
      const id = await this.campaign(r);
      if (id !== null) return id;
    }
    return null;
  }

  /** Stores a Koban report; `fromReport` counts it as an imported STIX report (not a group of indicators). */
  async report(input: ImportedReport, tlp: Tlp, fromReport: boolean): Promise<number> {
    const r = await this.intel.intake.submitImported(this.actor, input, { tlp, orgId: this.opts.orgId });
    if (fromReport) this.counts.reports++;
    this.reportIds.push(r.reportId);
    return r.reportId;
  }

  fail(k: ObjectKey, e: unknown): void {
    if (!isKobanError(e) || !['E_FORMAT', 'E_USAGE'].includes(e.code)) throw e;
    this.rejected.push({ index: k.index, id: k.id, type: k.type, reason: e.message });
  }
}

const valueKey = (v: { type: string; value: string }) => `${v.type}\u0000${v.value}`;

function valuesJson(values: readonly PlannedValue[]): string {
  return JSON.stringify(values.map((v) => ({ type: v.type, value: v.value })));
}

function asValues(vs: readonly (PlannedValue & { confidence: number })[]) {
  return vs.map((v) => ({
    type: v.type,
    value: v.value,
    role: 'mentioned' as const,
    confidence: v.confidence,
  }));
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
      i.values.map((v) => ({ ...v, role: 'mentioned' as const, confidence: i.confidence })),
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
  return {
    bundleId: plan.bundleId,
    objects: plan.objectCount,
    counts: a.counts,
    skipped,
    rejected: [...plan.rejected, ...a.rejected].sort((x, y) => x.index - y.index),
    reportIds: a.reportIds,
  };
}
