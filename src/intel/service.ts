/**
 * `IntelService`: the intel context's services over one relational store and one evidence
 * directory, wired together — what the CLI, the HTTP API, alerts to members and (later) feeds call.
 * Every method that reads or changes data takes an `Actor`.
 */
import { join } from 'node:path';
import { KobanError, type Resolver } from '../core/index.js';
import type { RelationalDb } from '../db/index.js';
import { requireScope } from './access.js';
import type { Actor } from './actor.js';
import { type AuditRecord, type AuditVerification, listAudit, verifyAuditChain } from './audit.js';
import { type AuthOptions, AuthService } from './auth.js';
import { CampaignService } from './campaigns.js';
import type { EmailLimits } from './email/index.js';
import { EvidenceStore } from './evidence.js';
import { IndicatorService } from './indicators/queries.js';
import { IndicatorStore } from './indicators/store.js';
import { WarningEntryService } from './indicators/warning-entries.js';
import { WarningList } from './indicators/warning-list.js';
import { IntakeService } from './intake.js';
import { type IntakeLimitOptions, IntakeLimits } from './intake-limits.js';
import { type MemberAlertConfig, MemberAlertService } from './member-alerts/index.js';
import { OrgService } from './orgs.js';
import { EmailParsePool, type ParsePoolStats } from './parse-pool.js';
import type { EmailPreparer } from './prepare-email.js';
import { ReportService } from './reports.js';
import { StatsService } from './stats.js';
import { UserService } from './users.js';

export interface IntelOptions {
  /** The data directory; evidence goes to `<dataDir>/evidence` unless `evidenceDir` is given. */
  readonly dataDir?: string;
  readonly evidenceDir?: string;
  readonly now?: () => number;
  /** fsync each new evidence file (default true; benchmarks may turn it off and say so). */
  readonly fsyncEvidence?: boolean;
  /**
   * Parse e-mails in this many worker threads (parse-pool.ts), which also write the evidence
   * files; 0 or absent parses in this thread (the CLI; `koban serve` enables them). Needs the
   * compiled build; from sources it falls back to this thread. Call `close()` to stop the workers.
   */
  readonly parseWorkers?: number;
  /** Messages waiting for a parse worker at most (default 16); more are refused with E_LOCKED. */
  readonly parseQueue?: number;
  /** Per-organisation submission rate and evidence quota (intake-limits.ts); none when absent. */
  readonly intakeLimits?: IntakeLimitOptions;
  /** A preparer of one's own (tests, benchmarks); wins over `parseWorkers`. */
  readonly prepare?: EmailPreparer;
  /** Reports read per shared value during correlation (default 25). */
  readonly fanOut?: number;
  /** Bounds for parsing one reported message (size, parts, nesting, time); the extraction's defaults otherwise. */
  readonly emailLimits?: Partial<EmailLimits>;
  readonly auth?: AuthOptions;
  /** Delivery of alerts to members: SMTP server, webhook limits, retry schedule (member-alerts/config.ts). */
  readonly alerts?: MemberAlertConfig;
  /** DNS for outbound webhook targets (default the system's; tests give their own). */
  readonly resolver?: Resolver;
}

export class IntelService {
  readonly orgs: OrgService;
  readonly users: UserService;
  readonly auth: AuthService;
  readonly evidence: EvidenceStore;
  readonly intake: IntakeService;
  readonly reports: ReportService;
  readonly campaigns: CampaignService;
  readonly indicators: IndicatorService;
  /** Internal fast path (no actor): the correlation lookup of one canonical value. */
  readonly indicatorStore: IndicatorStore;
  readonly warningEntries: WarningEntryService;
  readonly stats: StatsService;
  /** Alerts to members (注意喚起): drafts, preview, sending, inbox, "received too", delivery. */
  readonly memberAlerts: MemberAlertService;
  private list: WarningList;
  private readonly pool: EmailParsePool | null;

  private constructor(
    readonly db: RelationalDb,
    list: WarningList,
    opts: IntelOptions,
  ) {
    const now = opts.now ?? Date.now;
    const evidenceDir = opts.evidenceDir ?? (opts.dataDir ? join(opts.dataDir, 'evidence') : null);
    if (evidenceDir === null)
      throw new KobanError('E_CONFIG', 'the intel services need a data directory or an evidence directory');
    this.list = list;
    this.orgs = new OrgService(db, now);
    this.users = new UserService(db, now);
    this.auth = new AuthService(db, now, opts.auth);
    this.evidence = new EvidenceStore(db, evidenceDir, now, { fsync: opts.fsyncEvidence ?? true });
    this.pool =
      opts.prepare === undefined && (opts.parseWorkers ?? 0) > 0
        ? EmailParsePool.create({
            workers: opts.parseWorkers,
            ...(opts.parseQueue !== undefined ? { maxQueue: opts.parseQueue } : {}),
            evidence: { dir: evidenceDir, fsync: opts.fsyncEvidence ?? true },
          })
        : null;
    const pool = this.pool;
    this.intake = new IntakeService({
      db,
      evidence: this.evidence,
      warningList: () => this.list,
      now,
      prepare: opts.prepare ?? this.pool?.prepare,
      fanOut: opts.fanOut,
      emailLimits: opts.emailLimits,
      limits: opts.intakeLimits ? new IntakeLimits(db, opts.intakeLimits, now) : undefined,
      checkCapacity: pool ? () => pool.checkCapacity() : undefined,
    });
    this.reports = new ReportService(db, now);
    this.campaigns = new CampaignService(db, this.reports, now);
    this.indicators = new IndicatorService(db, now);
    this.indicatorStore = new IndicatorStore(db);
    this.warningEntries = new WarningEntryService(db, now, () => this.reloadWarningList());
    this.stats = new StatsService(db);
    this.memberAlerts = new MemberAlertService(db, now, opts.alerts, opts.resolver);
  }

  static async open(db: RelationalDb, opts: IntelOptions = {}): Promise<IntelService> {
    return new IntelService(db, await WarningList.load(db), opts);
  }

  /** What the e-mail parse workers did, or null when e-mails are parsed in this thread. */
  parseStats(): ParsePoolStats | null {
    return this.pool?.stats() ?? null;
  }

  /** Stops the parse workers and closes the SMTP connection, if any (the database belongs to the caller). */
  async close(): Promise<void> {
    this.memberAlerts.close();
    await this.pool?.close();
  }

  /**
   * Re-reads the configured warning-list entries and the sensors' address blocks (done after every
   * `warningEntries` change; call it when sensors are registered or their blocks change).
   */
  async reloadWarningList(): Promise<void> {
    this.list = await WarningList.load(this.db);
  }

  get warningList(): WarningList {
    return this.list;
  }

  /** Checks the audit and custody chains (anyone holding the database can; the result names no data). */
  verifyAudit(opts: { expectHead?: string } = {}): Promise<AuditVerification> {
    return verifyAuditChain(this.db, opts);
  }

  /** Audit rows for center admins (and the system) with `audit:read`. */
  async auditLog(actor: Actor, filter: Parameters<typeof listAudit>[1] = {}): Promise<AuditRecord[]> {
    requireScope(actor, 'audit:read');
    if (actor.kind !== 'system' && actor.role !== 'center-admin') {
      throw new KobanError('E_FORBIDDEN', `${actor.label}: only center admins read the audit log`);
    }
    return listAudit(this.db, filter);
  }
}
