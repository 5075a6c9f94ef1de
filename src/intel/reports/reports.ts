/**
 * Reading reports, and the reporter's decisions about them (consent, audience). Every read goes
 * through access.ts: single reads check `mayRead`, lists filter in SQL with `readableWhere`, so
 * nothing the actor may not read is ever loaded. Reads of AMBER, AMBER+STRICT and RED reports are
 * audited (one row per list call naming the ids). The reporting organisation is named, and the
 * private part and the evidence are reachable, only under the private-part rule.
 */
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import type { IndicatorRole, IndicatorType } from '../indicators/types.js';
import { seesStoredAggregates, visibleAggregates } from '../indicators/visible.js';
import { parseInput } from '../input.js';
import {
  canDecideForReport,
  canReadPrivate,
  isCenter,
  mayRead,
  privateOpenTo,
  readableWhere,
} from '../labels/access.js';
import { type Audience, type LabelledReport, loadLabelled, writeAudience } from '../labels/labelled.js';
import { isAuditedRead, storedTlp, type Tlp } from '../labels/tlp.js';
import { AudienceSchema } from './submissions.js';
import { setTriage, storedTriage, type TriageStatus } from './triage.js';

export interface ReporterView {
  readonly orgId: number;
  readonly orgName: string;
  readonly orgKind: string;
  readonly sector: string | null;
  readonly prefecture: string | null;
  readonly userId: number | null;
}

export interface ReportSummary {
  readonly id: number;
  readonly kind: string;
  readonly tlp: Tlp;
  readonly title: string;
  readonly receivedMs: number;
  readonly observedMs: number;
  readonly campaignId: number | null;
  /** Null unless the actor may see who reported (own organisation, center, or consent). */
  readonly reporter: ReporterView | null;
  /** The center's triage (triage.ts); null for readers outside the center. */
  readonly triage: TriageStatus | null;
}

export interface ReportIndicatorView {
  readonly type: IndicatorType;
  readonly value: string;
  readonly role: IndicatorRole;
  readonly confidence: number;
  readonly context: Record<string, unknown>;
  readonly warning: string | null;
  readonly reportCount: number;
  readonly orgCount: number;
}

export interface ReportView extends ReportSummary {
  readonly consent: boolean;
  readonly shared: unknown;
  readonly evidenceSha256: string | null;
  readonly indicators: readonly ReportIndicatorView[];
  /** Linked reports the actor may read, strongest first. */
  readonly links: readonly { readonly reportId: number; readonly weight: number }[];
}

export interface ReportFilter {
  readonly campaignId?: number;
  readonly kind?: string;
  /**
   * Only reports of the actor's own organisation (a member's "our reports"). A flag, not an org id:
   * filtering by any organisation would tell who reported a report whose reporter is not shown.
   */
  readonly ownOrganisation?: boolean;
  readonly sinceMs?: number;
  readonly untilMs?: number;
  /** Reports with a smaller id (paging, newest first). */
  readonly beforeId?: number;
  /** The center's filters of its triage queue (E_FORBIDDEN for anyone else). */
  readonly triage?: TriageStatus;
  readonly orgId?: number;
  readonly tlp?: Tlp;
  /** Reports holding this indicator (by id). */
  readonly indicatorId?: number;
  readonly limit?: number;
}

type SummaryRow = {
  id: number;
  kind: string;
  tlp: string;
  title: string;
  received_ms: number;
  observed_ms: number;
  campaign_id: number | null;
  org_id: number;
  created_by: number | null;
  consent: number;
  org_name: string;
  org_kind: string;
  sector: string | null;
  prefecture: string | null;
  triage: string;
};

function toSummary(actor: Actor, r: SummaryRow): ReportSummary {
  const reveal = privateOpenTo(actor, Number(r.org_id), Number(r.consent) === 1);
  return {
    id: Number(r.id),
    kind: r.kind,
    tlp: storedTlp(r.tlp),
    title: r.title,
    receivedMs: Number(r.received_ms),
    observedMs: Number(r.observed_ms),
    campaignId: r.campaign_id === null ? null : Number(r.campaign_id),
    reporter: reveal
      ? {
          orgId: Number(r.org_id),
          orgName: r.org_name,
          orgKind: r.org_kind,
          sector: r.sector,
          prefecture: r.prefecture,
          userId: r.created_by === null ? null : Number(r.created_by),
        }
      : null,
    triage: isCenter(actor) ? storedTriage(r.triage) : null,
  };
}

export class ReportService {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
  ) {}

  private summaries() {
    return this.db
      .selectFrom('reports as r')
      .innerJoin('organisations as o', 'o.id', 'r.org_id')
      .select([
        'r.id',
        'r.kind',
        'r.tlp',
        'r.title',
        'r.received_ms',
        'r.observed_ms',
        'r.campaign_id',
        'r.org_id',
        'r.created_by',
        'r.consent',
        'o.name as org_name',
        'o.kind as org_kind',
        'o.sector',
        'o.prefecture',
        'r.triage',
      ]);
  }

  /** Reports the actor may read, newest first. */
  async list(actor: Actor, filter: ReportFilter = {}): Promise<ReportSummary[]> {
    let q = this.summaries()
      .where(readableWhere(actor, 'report', 'r'))
      .orderBy('r.id', 'desc');
    if (filter.campaignId !== undefined) q = q.where('r.campaign_id', '=', filter.campaignId);
    if (filter.kind !== undefined) q = q.where('r.kind', '=', filter.kind);
    // An actor without an organisation (the public, the system) has no reports of its own.
    if (filter.ownOrganisation) q = q.where('r.org_id', '=', actor.orgId ?? -1);
    if (filter.sinceMs !== undefined) q = q.where('r.received_ms', '>=', filter.sinceMs);
    if (filter.untilMs !== undefined) q = q.where('r.received_ms', '<', filter.untilMs);
    if (filter.beforeId !== undefined) q = q.where('r.id', '<', filter.beforeId);
    // Filtering by organisation or triage would tell a member who reported what: the center only.
    if ((filter.triage ?? filter.orgId) !== undefined && !isCenter(actor))
      throw new KobanError(
        'E_FORBIDDEN',
        `${actor.label}: only center staff filter by organisation or triage`,
      );
    if (filter.triage !== undefined) q = q.where('r.triage', '=', filter.triage);
    if (filter.orgId !== undefined) q = q.where('r.org_id', '=', filter.orgId);
    if (filter.tlp !== undefined) q = q.where('r.tlp', '=', filter.tlp);
    const indicatorId = filter.indicatorId;
    if (indicatorId !== undefined)
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('report_indicators as ri')
            .select('ri.report_id')
            .whereRef('ri.report_id', '=', 'r.id')
            .where('ri.indicator_id', '=', indicatorId),
        ),
      );
    const rows = await q.limit(Math.min(filter.limit ?? 100, 1000)).execute();
    const out = rows.map((r) => toSummary(actor, r as SummaryRow));
    const audited = out.filter((r) => isAuditedRead(r.tlp)).map((r) => r.id);
    if (audited.length > 0) {
      await appendAudit(
        this.db,
        actor,
        { action: 'report.list', targetType: 'report', details: { ids: audited } },
        this.now(),
      );
    }
    return out;
  }

  /** One report with its indicators and visible links; E_NOT_FOUND when absent or not readable. */
  async get(actor: Actor, id: number): Promise<ReportView> {
    const label = await this.readable(actor, id);
    const r = (await this.summaries().where('r.id', '=', id).executeTakeFirstOrThrow()) as SummaryRow;
    const extra = await this.db
      .selectFrom('reports')
      .select(['shared', 'evidence_sha256'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const indicators = await this.db
      .selectFrom('report_indicators as ri')
      .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
      .select([
        'i.id',
        'i.type',
        'i.value',
        'ri.role',
        'ri.confidence',
        'ri.context',
        'i.warning',
        'i.report_count',
        'i.org_count',
      ])
      .where('ri.report_id', '=', id)
      .orderBy('i.type')
      .orderBy('i.value')
      .execute();
    // Counts over the reports this reader may read (indicators/visible.ts), the center's aside.
    const own = seesStoredAggregates(actor)
      ? null
      : await visibleAggregates(
          this.db,
          actor,
          indicators.map((i) => ({ id: Number(i.id), type: i.type as IndicatorType })),
        );
    const links = await this.visibleLinks(actor, id);
    if (isAuditedRead(label.tlp)) {
      await appendAudit(
        this.db,
        actor,
        { action: 'report.read', targetType: 'report', targetId: id, tlp: label.tlp },
        this.now(),
      );
    }
    return {
      ...toSummary(actor, r),
      consent: label.consent,
      shared: withoutEvidence(JSON.parse(extra.shared) as unknown),
      evidenceSha256: canReadPrivate(actor, label) ? extra.evidence_sha256 : null,
      indicators: indicators.map((i) => ({
        type: i.type as IndicatorType,
        value: i.value,
        role: i.role as IndicatorRole,
        confidence: Number(i.confidence),
        context: JSON.parse(i.context) as Record<string, unknown>,
        warning: i.warning,
        reportCount: own ? (own.get(Number(i.id))?.reportCount ?? 0) : Number(i.report_count),
        orgCount: own ? (own.get(Number(i.id))?.orgCount ?? 0) : Number(i.org_count),
      })),
      links,
    };
  }

  /** The reporter's private part (recipients, reporter addresses, internal hosts, signatures). */
  async privatePart(actor: Actor, id: number): Promise<unknown> {
    const label = await this.readable(actor, id);
    if (!canReadPrivate(actor, label)) {
      throw new KobanError(
        'E_FORBIDDEN',
        `${actor.label} may not read the private part of report ${id} (no consent)`,
      );
    }
    const p = await this.db
      .selectFrom('report_private')
      .select('content')
      .where('report_id', '=', id)
      .executeTakeFirstOrThrow();
    await appendAudit(
      this.db,
      actor,
      { action: 'report.read-private', targetType: 'report', targetId: id, tlp: label.tlp },
      this.now(),
    );
    return JSON.parse(p.content) as unknown;
  }

  /** The center's triage of a report (triage.ts); returns the status it had. */
  async setTriage(actor: Actor, id: number, status: TriageStatus): Promise<TriageStatus> {
    return setTriage(this.db, actor, id, status, this.now());
  }

  async setConsent(actor: Actor, id: number, consent: boolean): Promise<void> {
    const label = await this.readable(actor, id);
    if (!canDecideForReport(actor, label))
      throw new KobanError('E_FORBIDDEN', `${actor.label} may not decide consent for report ${id}`);
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('reports')
        .set({ consent: consent ? 1 : 0 })
        .where('id', '=', id)
        .execute();
      await appendAudit(
        tx,
        actor,
        {
          action: 'report.consent',
          targetType: 'report',
          targetId: id,
          tlp: label.tlp,
          details: { consent },
        },
        nowMs,
      );
    });
  }

  async setAudience(actor: Actor, id: number, audience: Partial<Audience>): Promise<void> {
    const label = await this.readable(actor, id);
    if (!canDecideForReport(actor, label))
      throw new KobanError('E_FORBIDDEN', `${actor.label} may not change the audience of report ${id}`);
    const a = parseInput(AudienceSchema, audience, 'audience');
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await writeAudience(tx, 'report', id, a);
      await appendAudit(
        tx,
        actor,
        { action: 'report.audience', targetType: 'report', targetId: id, tlp: label.tlp, details: a },
        nowMs,
      );
    });
  }

  private async readable(actor: Actor, id: number): Promise<LabelledReport> {
    const label = await loadLabelled(this.db, id);
    // Absent and forbidden look the same: no probing for report ids.
    if (!label || !mayRead(actor, 'report', label)) throw new KobanError('E_NOT_FOUND', `no report ${id}`);
    return label;
  }

  private async visibleLinks(actor: Actor, id: number): Promise<{ reportId: number; weight: number }[]> {
    const rows = await this.db
      .selectFrom('report_links')
      .select(['report_id', 'linked_report_id', 'weight'])
      .where((eb) => eb.or([eb('report_id', '=', id), eb('linked_report_id', '=', id)]))
      .orderBy('weight', 'desc')
      .limit(1000)
      .execute();
    const weight = new Map(
      rows.map((r) => [
        Number(r.report_id) === id ? Number(r.linked_report_id) : Number(r.report_id),
        Number(r.weight),
      ]),
    );
    if (weight.size === 0) return [];
    const visible = await this.db
      .selectFrom('reports as r')
      .select('r.id')
      .where('r.id', 'in', [...weight.keys()])
      .where(readableWhere(actor, 'report', 'r'))
      .execute();
    return visible
      .map((v) => ({ reportId: Number(v.id), weight: weight.get(Number(v.id))! }))
      .sort((a, b) => b.weight - a.weight || a.reportId - b.reportId);
  }
}

/**
 * The shareable view of an e-mail as stored carries the raw file's digest (`evidence.sha256`):
 * that file is the reporter's copy, recipients and all, so its hash lets anyone confirm a guess of
 * its content. It is the evidence's handle, given only as `evidenceSha256` under the private-part
 * rule; the shared content never carries it. (An attached message's digest stays: it is also the
 * attachment's, an indicator.)
 */
function withoutEvidence(shared: unknown): unknown {
  if (shared === null || typeof shared !== 'object' || Array.isArray(shared) || !('evidence' in shared))
    return shared;
  const { evidence: _evidence, ...rest } = shared as Record<string, unknown>;
  return rest;
}
