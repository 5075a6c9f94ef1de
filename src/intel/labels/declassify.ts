/**
 * Declassification: publishing a member's report below the label its reporter gave it. TLP 2.0 lets
 * only the source change a label ("the source may change the label"), and a reason typed by the
 * analyst who publishes is not the source's decision; so an analyst *requests* it — for one report,
 * from its label to a lower one, with a reason — and it is approved either by the reporting
 * organisation's consent (an org admin of that organisation) or by a second center admin (four
 * eyes: never the requester), or refused by either. Every step is audited. Alerts to members quote
 * a report below its label only under an approved request (advisories/drafting.ts asks
 * `uncoveredReports`); a label raised since the request voids it.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { parseInput } from '../input.js';
import { hasScope, isCenter, mayRead, requireCenter } from './access.js';
import { loadLabelled } from './labelled.js';
import { storedTlp, type Tlp, TlpSchema, tlpRank } from './tlp.js';

export const DECLASSIFICATION_STATUSES = ['pending', 'approved', 'refused'] as const;
export type DeclassificationStatus = (typeof DECLASSIFICATION_STATUSES)[number];

export const DeclassifyRequestSchema = z.object({
  reportIds: z.array(z.number().int().positive()).min(1).max(1000),
  /** The label the reports may then be published under. */
  tlp: TlpSchema,
  reason: z.string().trim().min(3).max(2000),
});
export type DeclassifyRequest = z.input<typeof DeclassifyRequestSchema>;

const Note = z.string().trim().min(1).max(2000);
export const DecisionSchema = z.object({ note: Note.optional() });
export const RefusalSchema = z.object({ reason: z.string().trim().min(3).max(2000) });

export interface Declassification {
  readonly id: number;
  readonly reportId: number;
  readonly fromTlp: Tlp;
  readonly toTlp: Tlp;
  readonly reason: string;
  readonly requestedBy: number;
  readonly requestedMs: number;
  readonly status: DeclassificationStatus;
  readonly decidedBy: number | null;
  readonly decidedMs: number | null;
  /** How it was approved: the reporting organisation's consent, or a second center admin. */
  readonly approval: 'consent' | 'second-admin' | null;
  readonly note: string | null;
}

type Row = {
  id: number;
  report_id: number;
  from_tlp: string;
  to_tlp: string;
  reason: string;
  requested_by: number;
  requested_ms: number;
  status: string;
  decided_by: number | null;
  decided_ms: number | null;
  approval: string | null;
  note: string | null;
};

function toView(r: Row): Declassification {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    reportId: Number(r.report_id),
    fromTlp: storedTlp(r.from_tlp),
    toTlp: storedTlp(r.to_tlp),
    reason: r.reason,
    requestedBy: Number(r.requested_by),
    requestedMs: Number(r.requested_ms),
    status: r.status as DeclassificationStatus,
    decidedBy: n(r.decided_by),
    decidedMs: n(r.decided_ms),
    approval: r.approval as Declassification['approval'],
    note: r.note,
  };
}

/**
 * The reports among `reports` labelled above `tlp` that no approved request covers — one whose
 * target is at or below `tlp`, asked from a label at least as strict as the report's now — and the
 * ids of the requests that cover the others.
 */
export async function uncoveredReports(
  db: RelationalDb,
  reports: readonly { readonly id: number; readonly tlp: Tlp }[],
  tlp: Tlp,
): Promise<{ uncovered: { id: number; tlp: Tlp }[]; covering: number[] }> {
  const above = reports.filter((r) => tlpRank(r.tlp) > tlpRank(tlp));
  const approved = new Map<number, Declassification[]>();
  for (let i = 0; i < above.length; i += 500) {
    const rows = await db
      .selectFrom('declassifications')
      .selectAll()
      .where('status', '=', 'approved')
      .where(
        'report_id',
        'in',
        above.slice(i, i + 500).map((r) => r.id),
      )
      .execute();
    for (const r of rows.map((x) => toView(x as Row)))
      approved.set(r.reportId, [...(approved.get(r.reportId) ?? []), r]);
  }
  const uncovered: { id: number; tlp: Tlp }[] = [];
  const covering: number[] = [];
  for (const r of above) {
    const d = (approved.get(r.id) ?? []).find(
      (x) => tlpRank(x.toTlp) <= tlpRank(tlp) && tlpRank(r.tlp) <= tlpRank(x.fromTlp),
    );
    if (d) covering.push(d.id);
    else uncovered.push({ id: r.id, tlp: r.tlp });
  }
  return { uncovered, covering: [...new Set(covering)].sort((a, b) => a - b) };
}

export class DeclassificationService {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
  ) {}

  /** Requests one declassification per report (all or none); by a named analyst or center admin. */
  async request(actor: Actor, input: DeclassifyRequest): Promise<Declassification[]> {
    requireCenter(actor, 'campaigns:write');
    if (actor.kind !== 'user' || actor.userId === null)
      throw new KobanError(
        'E_FORBIDDEN',
        'a declassification is requested by a named analyst or center admin',
      );
    const d = parseInput(DeclassifyRequestSchema, input, 'declassification');
    const nowMs = this.now();
    const ids = await this.db.transaction().execute(async (tx) => {
      const out: number[] = [];
      for (const reportId of [...new Set(d.reportIds)]) {
        const label = await loadLabelled(tx, reportId);
        if (!label || !mayRead(actor, 'report', label))
          throw new KobanError('E_NOT_FOUND', `no report ${reportId}`);
        if (tlpRank(label.tlp) <= tlpRank(d.tlp))
          throw new KobanError(
            'E_USAGE',
            `report ${reportId} is TLP:${label.tlp}: TLP:${d.tlp} is not below it`,
          );
        const pending = await tx
          .selectFrom('declassifications')
          .select('id')
          .where('report_id', '=', reportId)
          .where('to_tlp', '=', d.tlp)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (pending)
          throw new KobanError(
            'E_CONFLICT',
            `declassification ${pending.id} of report ${reportId} to TLP:${d.tlp} is already pending`,
          );
        const r = await tx
          .insertInto('declassifications')
          .values({
            report_id: reportId,
            from_tlp: label.tlp,
            to_tlp: d.tlp,
            reason: d.reason,
            requested_by: actor.userId!,
            requested_ms: nowMs,
            status: 'pending',
            decided_by: null,
            decided_ms: null,
            approval: null,
            note: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await appendAudit(
          tx,
          actor,
          {
            action: 'declassification.request',
            targetType: 'report',
            targetId: reportId,
            tlp: label.tlp,
            details: { declassification: Number(r.id), to: d.tlp, reason: d.reason },
          },
          nowMs,
        );
        out.push(Number(r.id));
      }
      return out;
    });
    return Promise.all(ids.map(async (id) => (await this.load(id))!));
  }

  /** The reporting organisation's consent: an org admin of the organisation that owns the report. */
  async consent(
    actor: Actor,
    id: number,
    input: z.input<typeof DecisionSchema> = {},
  ): Promise<Declassification> {
    const { note } = parseInput(DecisionSchema, input, 'consent');
    const d = await this.pending(id);
    const owner = await this.ownerOf(d.reportId);
    if (!this.mayConsent(actor, owner))
      throw new KobanError(
        'E_FORBIDDEN',
        `${actor.label}: only an org admin of the reporting organisation consents to declassifying report ${d.reportId}`,
      );
    return this.decide(actor, d, { status: 'approved', approval: 'consent', note: note ?? null });
  }

  /** A second center admin's approval (four eyes): never the one who asked. */
  async approve(
    actor: Actor,
    id: number,
    input: z.input<typeof DecisionSchema> = {},
  ): Promise<Declassification> {
    const { note } = parseInput(DecisionSchema, input, 'approval');
    const d = await this.pending(id);
    await this.checkSecondAdmin(actor, d);
    return this.decide(actor, d, { status: 'approved', approval: 'second-admin', note: note ?? null });
  }

  /** Refused by whoever could have approved it. */
  async refuse(actor: Actor, id: number, input: z.input<typeof RefusalSchema>): Promise<Declassification> {
    const { reason } = parseInput(RefusalSchema, input, 'refusal');
    const d = await this.pending(id);
    if (!this.mayConsent(actor, await this.ownerOf(d.reportId))) await this.checkSecondAdmin(actor, d);
    return this.decide(actor, d, { status: 'refused', approval: null, note: reason });
  }

  /** The center sees every request; an org admin those about its organisation's reports. */
  async list(
    actor: Actor,
    filter: { status?: DeclassificationStatus; reportId?: number } = {},
  ): Promise<Declassification[]> {
    let q = this.db.selectFrom('declassifications as d').selectAll('d').orderBy('d.id', 'desc').limit(1000);
    if (!isCenter(actor)) {
      if (actor.role !== 'org-admin' || actor.orgId === null)
        throw new KobanError('E_FORBIDDEN', `${actor.label} may not list declassification requests`);
      const orgId = actor.orgId;
      q = q.where('d.report_id', 'in', (eb) =>
        eb.selectFrom('reports').select('id').where('org_id', '=', orgId),
      );
    }
    if (filter.status) q = q.where('d.status', '=', filter.status);
    if (filter.reportId !== undefined) q = q.where('d.report_id', '=', filter.reportId);
    return (await q.execute()).map((r) => toView(r as Row));
  }

  async get(actor: Actor, id: number): Promise<Declassification> {
    const d = await this.load(id);
    const visible =
      d !== null &&
      (isCenter(actor) || (actor.role === 'org-admin' && (await this.ownerOf(d.reportId)) === actor.orgId));
    if (!visible) throw new KobanError('E_NOT_FOUND', `no declassification ${id}`);
    return d;
  }

  private mayConsent(actor: Actor, ownerOrgId: number): boolean {
    return (
      actor.kind === 'user' &&
      actor.role === 'org-admin' &&
      actor.orgId === ownerOrgId &&
      hasScope(actor, 'reports:write')
    );
  }

  private async checkSecondAdmin(actor: Actor, d: Declassification): Promise<void> {
    if (actor.kind !== 'user' || actor.role !== 'center-admin' || !hasScope(actor, 'campaigns:write'))
      throw new KobanError(
        'E_FORBIDDEN',
        `${actor.label}: a declassification is approved by the reporting organisation's admin or a second center admin`,
      );
    if (actor.userId === d.requestedBy)
      throw new KobanError(
        'E_FORBIDDEN',
        `four eyes: user ${d.requestedBy} requested declassification ${d.id}; a different center admin approves it`,
      );
    const label = await loadLabelled(this.db, d.reportId);
    if (!label || !mayRead(actor, 'report', label))
      throw new KobanError(
        'E_FORBIDDEN',
        `${actor.label} may not read report ${d.reportId}, so cannot judge its declassification (ask the reporting organisation)`,
      );
  }

  private async decide(
    actor: Actor,
    d: Declassification,
    v: { status: 'approved' | 'refused'; approval: 'consent' | 'second-admin' | null; note: string | null },
  ): Promise<Declassification> {
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('declassifications')
        .set({
          status: v.status,
          approval: v.approval,
          note: v.note,
          decided_by: actor.userId,
          decided_ms: nowMs,
        })
        .where('id', '=', d.id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1)
        throw new KobanError('E_CONFLICT', `declassification ${d.id} was decided meanwhile`);
      await appendAudit(
        tx,
        actor,
        {
          action: v.status === 'refused' ? 'declassification.refuse' : `declassification.${v.approval}`,
          targetType: 'report',
          targetId: d.reportId,
          tlp: d.fromTlp,
          details: { declassification: d.id, to: d.toTlp, note: v.note },
        },
        nowMs,
      );
    });
    return (await this.load(d.id))!;
  }

  private async pending(id: number): Promise<Declassification> {
    const d = await this.load(id);
    if (!d) throw new KobanError('E_NOT_FOUND', `no declassification ${id}`);
    if (d.status !== 'pending')
      throw new KobanError('E_CONFLICT', `declassification ${id} is already ${d.status}`);
    return d;
  }

  private async ownerOf(reportId: number): Promise<number> {
    const r = await this.db
      .selectFrom('reports')
      .select('org_id')
      .where('id', '=', reportId)
      .executeTakeFirstOrThrow();
    return Number(r.org_id);
  }

  private async load(id: number): Promise<Declassification | null> {
    const r = await this.db
      .selectFrom('declassifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toView(r as Row) : null;
  }
}
