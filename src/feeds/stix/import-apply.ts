/**
 * The bookkeeping of an import (import-bundle.ts walks a STIX plan, misp/service.ts a MISP one):
 * campaigns, reports and the indicators no report holds become Koban objects through intel's
 * intake, attributed to their source and labelled as marked (so the one access check honours the markings: TLP:RED stays with the importing person,
 * AMBER+STRICT with the attributed organisation). Every object, imported or skipped, is recorded
 * by id and version (`stix_objects`): the same object again is one object; a newer version
 * replaces the version held (and its revocation); a different object under an id and version
 * already held is refused — the first one imported wins, whatever the order of files.
 *
 * What a newer version no longer gives is withdrawn (withdrawals.ts), as a revocation is: the
 * values of an indicator whose new pattern lacks them, and those of an indicator a report's new
 * version leaves out of its `object_refs` — unless another indicator the report still holds gives
 * them too. What a newer version gives that the older did not is added to the report (intel's
 * `addIndicators`, correlated at once): an indicator's new values, a report's newly referenced
 * indicators; a value withdrawn before and given again is shared again (`restoreGiven`).
 */
import { isKobanError } from '../../core/index.js';
import type {
  Actor,
  ImportedReport,
  IndicatorRole,
  IndicatorType,
  IntelService,
  Tlp,
} from '../../intel/index.js';
import type { ObjectKey, ObjectRejection } from './import-plan.js';
import { restoreGiven, withdrawRevoked } from './withdrawals.js';

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
  /** Values newer versions gave that their report did not share before (added, or given again). */
  readonly added: number;
}

export interface ApplyOptions {
  /** The organisation the objects are attributed to (owner of the reports). */
  readonly orgId: number;
  /** Who they came from, as stored with each report. */
  readonly source: string;
}

type Held = { modified: string; content_sha256: string };

/**
 * A value an imported object gives: a STIX indicator's (atomic, no role of its own) or a MISP
 * attribute's (any Koban type, with its role and confidence).
 */
export interface GivenValue {
  readonly type: IndicatorType;
  readonly value: string;
  readonly role?: IndicatorRole;
  readonly confidence?: number;
}

export class Applier {
  readonly counts = {
    reports: 0,
    campaigns: 0,
    indicators: 0,
    unchanged: 0,
    updated: 0,
    withdrawn: 0,
    added: 0,
  };
  readonly rejected: ObjectRejection[] = [];
  /** Objects taken in part, with why (a newer version's values the importer may not add). */
  readonly skipped: { id: string; type: string; reason: string }[] = [];
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
    values?: readonly GivenValue[],
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

  async update(k: ObjectKey, values?: readonly GivenValue[]): Promise<void> {
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
  async admit(
    k: ObjectKey & { readonly confidence?: number; readonly role?: IndicatorRole },
    values?: readonly GivenValue[],
    refs?: readonly string[],
  ): Promise<boolean> {
    const s = await this.status(k);
    if (s === 'new') return true;
    if (s === 'same') this.counts.unchanged++;
    else if (s === 'newer') {
      const before = await this.held(k.id);
      await this.update(k, values);
      if (k.revoked) await this.withdraw(k, values);
      else if (values !== undefined) {
        // Held before 0022 without its values: nothing is known to have been dropped.
        if (before?.values) await this.withdrawChanged(k, before, values);
        if (before?.report != null)
          await this.give(
            k,
            before.report,
            k.role ? values.map((v) => ({ role: k.role, ...v })) : values,
            k.confidence,
          );
      } else if (refs !== undefined) await this.withdrawDropped(k, refs);
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
      values: r.koban_values === null ? null : (JSON.parse(r.koban_values) as GivenValue[]),
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
      values: r.koban_values === null ? [] : (JSON.parse(r.koban_values) as GivenValue[]),
    }));
  }

  /** A newer indicator gives other values: what the old version gave and nothing still gives goes. */
  private async withdrawChanged(
    k: ObjectKey,
    before: { report: number | null; values: readonly GivenValue[] | null },
    now: readonly GivenValue[],
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

  /**
   * A newer report leaves indicators out: their values go, unless one it keeps gives them too; the
   * values of those it still (or again) references are shared again if they had been withdrawn.
   */
  private async withdrawDropped(k: ObjectKey, refs: readonly string[]): Promise<void> {
    const reportId = await this.reportOf(k.id);
    if (reportId === null) return;
    const kept = new Set(refs);
    const givers = await this.givers(reportId);
    const keeps = givers.filter((g) => kept.has(g.id)).flatMap((g) => g.values);
    const still = new Set(keeps.map(valueKey));
    const gone = givers.filter((g) => !kept.has(g.id)).flatMap((g) => g.values);
    await this.withdrawValues(
      k,
      reportId,
      gone.filter((v) => !still.has(valueKey(v))),
    );
    await this.restore(k, reportId, keeps);
  }

  /**
   * A newer version gives `values` to the report `reportId`: those it does not hold yet are added
   * (correlated at once; with their own role and confidence where they carry them — a MISP
   * attribute's — else "mentioned", as a STIX indicator's are, at `confidence`), those withdrawn
   * before are shared again. Only who may analyse the report adds to it; for anyone else the object is
   * updated and what it adds is skipped, with why.
   */
  async give(
    k: ObjectKey,
    reportId: number,
    values: readonly GivenValue[],
    confidence = DEFAULT_CONFIDENCE,
  ): Promise<void> {
    if (values.length === 0) return;
    try {
      const r = await this.intel.intake.addIndicators(
        this.actor,
        reportId,
        values.map((v) => ({
          type: v.type,
          value: v.value,
          role: v.role ?? 'mentioned',
          confidence: v.confidence ?? confidence,
        })),
        { from: k.id },
      );
      this.counts.added += r.indicators.length;
    } catch (e) {
      if (!isKobanError(e) || e.code !== 'E_NOT_FOUND') throw e;
      this.skipped.push({
        id: k.id,
        type: k.type,
        reason: 'a newer version gives values; only who may analyse the report they join adds them',
      });
      return;
    }
    await this.restore(k, reportId, values);
  }

  private async restore(k: ObjectKey, reportId: number, values: readonly GivenValue[]): Promise<void> {
    this.counts.added += await restoreGiven(
      this.intel,
      this.actor,
      { stixId: k.id, type: k.type, source: this.opts.source },
      reportId,
      values,
      this.nowMs(),
    );
  }

  private async withdrawValues(k: ObjectKey, reportId: number, values: readonly GivenValue[]): Promise<void> {
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
  private async withdraw(k: ObjectKey, values: readonly GivenValue[] | undefined): Promise<void> {
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
/** An indicator without `confidence` (STIX 2.1 §3.2 leaves it optional). */
const DEFAULT_CONFIDENCE = 50;

function valuesJson(values: readonly GivenValue[]): string {
  return JSON.stringify(values.map((v) => ({ type: v.type, value: v.value })));
}
