/**
 * Intake: a member's report becomes a stored report — in one transaction the shareable content,
 * the private part apart from it, the audience, the evidence file and its custody entry, the
 * indicators with their aggregates and a durable "to correlate" mark; in the next, the links and
 * campaign it correlates into and its audit row. Both run in batches (intake-pipeline.ts):
 * concurrent intakes share both commits, and each caller still returns only once its report is
 * stored and correlated.
 *
 * E-mails (.eml) are prepared first (prepare-email.ts: `parseEml` with the organisation's own
 * domains as privacy hints, the shareable view, indicator candidates), in this thread or in
 * worker threads (parse-pool.ts); other kinds (incident, C2 destinations, malware hashes, free
 * text) go through the text extractor. Hostile input gets the extraction's bounds (size, parts,
 * nesting, archives, time; in workers also a heap limit and a hard deadline): it fails with
 * `E_LIMIT` or `E_FORMAT`, recorded in the audit log as a rejected submission, and nothing else is
 * stored. Before any of that, a submission passes the organisation's limits (intake-limits.ts:
 * rate and evidence quota) and, for an e-mail, the parse workers' free capacity; these refusals
 * are not audited (a flood would otherwise write the audit log at the flood's rate).
 */
import { isKobanError, KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { DEFAULT_EMAIL_LIMITS, type EmailLimits } from '../../mail/index.js';
import { appendAudit } from '../audit/audit.js';
import { type CorrelationResult, correlate, DEFAULT_FAN_OUT } from '../campaigns/correlate.js';
import type { Actor } from '../identity/actor.js';
import { type Organisation, OrgService } from '../identity/orgs.js';
import { canonicalIndicator, guessIndicator } from '../indicators/canonical.js';
import { dedupe, IndicatorStore, type Sighted } from '../indicators/store.js';
import type { Candidate } from '../indicators/types.js';
import type { WarningList } from '../indicators/warning-list.js';
import { parseInput } from '../input.js';
import { canAnalyse, requireScope } from '../labels/access.js';
import { loadLabelled } from '../labels/labelled.js';
import type { Tlp } from '../labels/tlp.js';
import { correlationSummary } from './batch-correlate.js';
import type { EvidenceStore } from './evidence.js';
import { type ImportedReport, ImportedReportSchema, importedNewReport } from './imported.js';
import { type IntakeLimits, orgEvidenceBytes } from './intake-limits.js';
import { IntakePipeline } from './intake-pipeline.js';
import { type NewReport, plausibleDate } from './new-report.js';
import { type EmailPreparer, type PreparedEmail, prepareInThread } from './prepare-email.js';
import { emailPreview, reportPreview, type SubmissionPreview } from './preview.js';
import { buildOtherReport } from './report-kinds.js';
import {
  type AddedIndicator,
  AddedIndicatorSchema,
  type ReportInput,
  ReportInputSchema,
  type SharingOptions,
  SharingSchema,
} from './submissions.js';

export interface IntakeResult {
  readonly reportId: number;
  readonly kind: string;
  readonly tlp: Tlp;
  readonly evidenceSha256: string | null;
  readonly indicators: readonly Sighted[];
  /**
   * Null when the report is stored but its correlation failed: it is queued and linked later
   * (intake-pipeline.ts); a warning says so. Submitting again would store it twice.
   */
  readonly correlation: CorrelationResult | null;
  /** The extraction's warnings (limits hit, malformed parts), for the reporter. */
  readonly warnings: readonly string[];
}

export interface IntakeDeps {
  readonly db: RelationalDb;
  readonly evidence: EvidenceStore;
  readonly warningList: () => WarningList;
  readonly now: () => number;
  /** Where e-mails are parsed and prepared (default: in this thread; parse-pool.ts: in workers). */
  readonly prepare?: EmailPreparer;
  readonly fanOut?: number;
  /** Bounds for parsing one message (defaults: the extraction's own). */
  readonly emailLimits?: Partial<EmailLimits>;
  /** Per-organisation submission rate and evidence quota (none when absent). */
  readonly limits?: IntakeLimits | undefined;
  /** Throws (E_LOCKED with a retry delay) when the e-mail parsers can take no more work now. */
  readonly checkCapacity?: (() => void) | undefined;
}

export class IntakeService {
  private readonly orgs: OrgService;
  private readonly indicators: IndicatorStore;
  private readonly prepare: EmailPreparer;
  private readonly pipeline: IntakePipeline;
  private center: number | null = null;

  constructor(private readonly deps: IntakeDeps) {
    this.orgs = new OrgService(deps.db, deps.now);
    this.indicators = new IndicatorStore(deps.db);
    this.prepare = deps.prepare ?? prepareInThread;
    this.pipeline = new IntakePipeline(deps.db, {
      fanOut: deps.fanOut ?? DEFAULT_FAN_OUT,
      centerOrgId: () => this.centerOrgId(),
      warningList: deps.warningList,
    });
  }

  /**
   * Whether the actor's organisation may submit now (rate, quota for `declaredBytes` of evidence,
   * and for an e-mail the parsers' capacity), checked without taking anything: the HTTP layer
   * calls it before it reads an upload. Throws E_LIMIT or E_LOCKED (with a retry delay).
   */
  async admit(actor: Actor, what: { email: boolean; declaredBytes: number }): Promise<void> {
    requireScope(actor, 'reports:write');
    if (what.email) this.deps.checkCapacity?.();
    const orgId = actor.kind === 'user' ? actor.orgId : null;
    if (orgId !== null) await this.deps.limits?.admit(orgId, what.email ? what.declaredBytes : 0);
  }

  /** Bytes of reported files the organisation keeps (what its evidence quota counts). */
  evidenceBytes(orgId: number): Promise<number> {
    return orgEvidenceBytes(this.deps.db, orgId);
  }

  /** A reported e-mail (.eml bytes). */
  async submitEmail(actor: Actor, raw: Buffer, sharing: SharingOptions = {}): Promise<IntakeResult> {
    requireScope(actor, 'reports:write');
    const s = parseInput(SharingSchema, sharing, 'sharing options');
    const org = await this.reportingOrg(actor, s.orgId);
    const receivedMs = this.deps.now();
    if (!Buffer.isBuffer(raw)) throw new KobanError('E_USAGE', 'the message must be given as bytes');
    this.deps.checkCapacity?.();
    await this.deps.limits?.charge(org.id, raw.length);
    let prepared: PreparedEmail;
    try {
      const maxRawBytes = this.deps.emailLimits?.maxRawBytes ?? DEFAULT_EMAIL_LIMITS.maxRawBytes;
      // Refused before hashing or parsing: an oversized upload costs nothing but this comparison.
      if (raw.length > maxRawBytes) {
        throw new KobanError(
          'E_LIMIT',
          `the message is ${raw.length} bytes; the limit is ${maxRawBytes} bytes`,
        );
      }
      prepared = await this.prepare(raw, await this.emailOptions(actor, org), this.deps.warningList());
    } catch (e) {
      const err = isKobanError(e)
        ? e
        : new KobanError('E_FORMAT', `the message could not be read: ${(e as Error).message}`, { cause: e });
      await appendAudit(
        this.deps.db,
        actor,
        {
          action: 'report.reject',
          targetType: 'report',
          details: {
            kind: 'email',
            orgId: org.id,
            sizeBytes: raw.length,
            code: err.code,
            reason: err.message,
          },
        },
        receivedMs,
      );
      throw err;
    }
    const sha256 = prepared.evidenceStored
      ? prepared.sha256
      : await this.deps.evidence.writeFile(raw, prepared.sha256);
    return this.store(
      actor,
      {
        kind: 'email',
        org,
        tlp: s.tlp,
        consent: s.consent,
        audience: s.audience,
        title: prepared.title,
        receivedMs,
        observedMs: plausibleDate(prepared.date ?? undefined, receivedMs),
        sharedJson: prepared.sharedJson,
        privateJson: prepared.privateJson,
        evidence: { sha256, sizeBytes: raw.length, mediaType: 'message/rfc822' },
        candidates: prepared.candidates,
      },
      prepared.warnings,
    );
  }

  /**
   * What `submitEmail` would share and keep private (preview.ts), storing nothing: parsed by the
   * same preparer under the same limits (the parse pool when there is one, so a large message does
   * not hold the event loop), told not to write the evidence file.
   */
  async previewEmail(actor: Actor, raw: Buffer): Promise<SubmissionPreview> {
    requireScope(actor, 'reports:write');
    const org = await this.reportingOrg(actor, undefined);
    if (!Buffer.isBuffer(raw)) throw new KobanError('E_USAGE', 'the message must be given as bytes');
    const maxRawBytes = this.deps.emailLimits?.maxRawBytes ?? DEFAULT_EMAIL_LIMITS.maxRawBytes;
    if (raw.length > maxRawBytes)
      throw new KobanError(
        'E_LIMIT',
        `the message is ${raw.length} bytes; the limit is ${maxRawBytes} bytes`,
      );
    this.deps.checkCapacity?.();
    const options = await this.emailOptions(actor, org);
    return emailPreview(await this.prepare(raw, options, this.deps.warningList(), false));
  }

  /** What `submitReport` would share and keep private, storing nothing. */
  async previewReport(actor: Actor, input: ReportInput): Promise<SubmissionPreview> {
    requireScope(actor, 'reports:write');
    const r = parseInput(ReportInputSchema, input, 'report');
    const org = await this.reportingOrg(actor, undefined);
    return reportPreview(r.kind, buildOtherReport(r, org.domains, this.deps.now()));
  }

  /** An incident, C2 destinations, malware sample hashes or free text. */
  async submitReport(actor: Actor, input: ReportInput, sharing: SharingOptions = {}): Promise<IntakeResult> {
    requireScope(actor, 'reports:write');
    const s = parseInput(SharingSchema, sharing, 'sharing options');
    const r = parseInput(ReportInputSchema, input, 'report');
    const org = await this.reportingOrg(actor, s.orgId);
    await this.deps.limits?.charge(org.id, null);
    const receivedMs = this.deps.now();
    const built = buildOtherReport(r, org.domains, receivedMs);
    return this.store(
      actor,
      {
        kind: r.kind,
        org,
        tlp: s.tlp,
        consent: s.consent,
        audience: s.audience,
        title: built.title,
        receivedMs,
        observedMs: built.observedMs,
        sharedJson: JSON.stringify(built.shared),
        privateJson: JSON.stringify(built.privatePart),
        evidence: null,
        candidates: built.candidates,
      },
      built.warnings,
    );
  }

  /** A report another system shared (feeds/: a STIX report), attributed to its source. */
  async submitImported(
    actor: Actor,
    input: ImportedReport,
    sharing: SharingOptions = {},
  ): Promise<IntakeResult> {
    requireScope(actor, 'reports:write');
    const s = parseInput(SharingSchema, sharing, 'sharing options');
    const r = parseInput(ImportedReportSchema, input, 'imported report');
    const org = await this.reportingOrg(actor, s.orgId);
    return this.store(actor, importedNewReport(r, org, s, this.deps.now()), []);
  }

  /**
   * Indicators found by analysing a report (its attachment run in a sandbox, say), recorded on the
   * report — they count for the reporting organisation, `added_by` names the analyst — and
   * correlated at once. `imported`: not an analysis but a newer version of the object the report
   * was imported from (feeds/: a STIX indicator or report, a MISP event), which gives them.
   */
  async addIndicators(
    actor: Actor,
    reportId: number,
    items: readonly AddedIndicator[],
    imported?: { readonly from: string },
  ): Promise<IntakeResult> {
    const report = await loadLabelled(this.deps.db, reportId);
    if (!report || !canAnalyse(actor, report))
      throw new KobanError('E_NOT_FOUND', `no report ${reportId} that ${actor.label} may analyse`);
    const candidates: Candidate[] = items.map((raw, i) => {
      const it = parseInput(AddedIndicatorSchema, raw, `indicator ${i + 1}`);
      const c = it.type ? canonicalIndicator(it.type, it.value) : guessIndicator(it.value);
      if (!c)
        throw new KobanError(
          'E_USAGE',
          `indicator ${i + 1}: "${it.value}" is not a valid ${it.type ?? 'indicator'}`,
        );
      const port = it.port ?? ('port' in c ? c.port : undefined);
      return {
        type: c.type,
        value: c.value,
        role: it.role,
        confidence: it.confidence,
        context: {
          ...(imported ? { imported: imported.from } : { analysis: true }),
          ...(port ? { port } : {}),
          ...(it.note ? { note: it.note } : {}),
        },
      };
    });
    const row = await this.deps.db
      .selectFrom('reports')
      .select(['org_id', 'kind', 'evidence_sha256'])
      .where('id', '=', reportId)
      .executeTakeFirstOrThrow();
    const org = (await this.orgs.get(Number(row.org_id)))!;
    const nowMs = this.deps.now();
    const list = this.deps.warningList();
    // Outside the transaction: on SQLite, Kysely holds one connection for it.
    const centerOrgId = await this.centerOrgId();
    // After every stored report is correlated, and before the next is: the links this adds to
    // are then the ones correlating reports one at a time would have made.
    return this.pipeline.exclusive(() =>
      this.deps.db.transaction().execute(async (tx) => {
        const have = await this.indicators.keysOf(tx, reportId);
        const fresh = dedupe(candidates).filter((c) => !have.has(`${c.type}\u0000${c.value}`));
        const sighted = await this.indicators.record(
          tx,
          {
            id: reportId,
            orgId: org.id,
            sector: org.sector,
            prefecture: org.prefecture,
            tlp: report.tlp,
            observedMs: nowMs,
            addedBy: actor.userId,
            addedMs: nowMs,
          },
          fresh,
          list,
        );
        const correlation = await correlate(tx, reportId, sighted, {
          nowMs,
          fanOut: this.deps.fanOut ?? DEFAULT_FAN_OUT,
          centerOrgId,
          isNew: false,
        });
        await appendAudit(
          tx,
          actor,
          {
            action: 'report.indicators-add',
            targetType: 'report',
            targetId: reportId,
            tlp: report.tlp,
            details: {
              ...(imported ? { from: imported.from } : {}),
              added: sighted.map((s) => `${s.type}:${s.value}`),
              ...correlationSummary(correlation),
            },
          },
          nowMs,
        );
        return {
          reportId,
          kind: row.kind,
          tlp: report.tlp,
          evidenceSha256: row.evidence_sha256,
          indicators: sighted,
          correlation,
          warnings: [],
        };
      }),
    );
  }

  private async store(actor: Actor, r: NewReport, warnings: readonly string[]): Promise<IntakeResult> {
    const { stored, correlation, pendingReason } = await this.pipeline.submit({
      actor,
      report: r,
      candidates: dedupe(r.candidates),
    });
    return {
      reportId: stored.reportId,
      kind: r.kind,
      tlp: r.tlp,
      evidenceSha256: r.evidence?.sha256 ?? null,
      indicators: stored.sighted,
      correlation,
      warnings: correlation
        ? warnings
        : [
            ...warnings,
            `report ${stored.reportId} is stored, but linking it to other reports failed (${pendingReason ?? 'unknown error'}); ` +
              'it will be linked when the center retries — do not submit it again',
          ],
    };
  }

  /** Stops the pipeline's retry timer (IntelService.close). */
  close(): void {
    this.pipeline.close();
  }

  /**
   * Correlates the reports stored and left uncorrelated by a process that stopped between the two
   * commits (intake-pipeline.ts); IntelService.open calls it.
   */
  resume(): Promise<void> {
    return this.pipeline.drain();
  }

  /** The center organisation, looked up until one exists (it never changes once registered). */
  private async centerOrgId(): Promise<number | null> {
    this.center ??= await this.orgs.centerOrgId();
    return this.center;
  }

  /** Users report for their own organisation; the system names one. */
  private async reportingOrg(actor: Actor, orgId: number | undefined): Promise<Organisation> {
    const id = actor.kind === 'system' ? orgId : (actor.orgId ?? undefined);
    if (actor.kind === 'user' && orgId !== undefined && orgId !== actor.orgId) {
      throw new KobanError('E_FORBIDDEN', `${actor.label} reports for its own organisation only`);
    }
    if (id === undefined) throw new KobanError('E_USAGE', 'the reporting organisation is required');
    const org = await this.orgs.get(id);
    if (!org?.active) throw new KobanError('E_NOT_FOUND', `no active organisation ${id}`);
    return org;
  }

  /** The parse options of a reporter's e-mail: what identifies the reporter goes to the private part. */
  private async emailOptions(actor: Actor, org: Organisation) {
    const reporterAddresses = actor.userId === null ? [] : await this.userEmail(actor.userId);
    return {
      ...this.deps.emailLimits,
      reporterDomains: org.domains.length > 0 ? org.domains : undefined,
      reporterAddresses,
    };
  }

  private async userEmail(userId: number): Promise<string[]> {
    const u = await this.deps.db
      .selectFrom('users')
      .select('email')
      .where('id', '=', userId)
      .executeTakeFirst();
    return u ? [u.email] : [];
  }
}
