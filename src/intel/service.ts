/**
 * `IntelService`: the intel context's services over one relational store and one evidence
 * directory, wired together — what the CLI, the HTTP API, alerts to members and (later) feeds call.
 * Every method that reads or changes data takes an `Actor`.
 */
import type { KeyObject } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  KobanError,
  loadSecretKey,
  type Notice,
  type Resolver,
  SecretBox,
  stderrNotice,
} from '../core/index.js';
import type { RelationalDb } from '../db/index.js';
import type { EmailLimits } from '../mail/index.js';
import { type AdvisoryConfig, AdvisoryService, sealClearWebhookSecrets } from './advisories/index.js';
import {
  type AuditRecord,
  type AuditVerification,
  CHAIN_KEY_FILE,
  CHECKPOINT_FILE,
  type Checkpoint,
  chainKeyOf,
  chainLastId,
  lastCheckpoint,
  listAudit,
  loadChainKey,
  readCheckpoints,
  verifyAuditChain,
  withChainKey,
  writeCheckpoint,
} from './audit/index.js';
import { CampaignService } from './campaigns/index.js';
import { type Actor, type AuthOptions, AuthService, OrgService, UserService } from './identity/index.js';
import { IndicatorService, IndicatorStore, WarningEntryService, WarningList } from './indicators/index.js';
import { DeclassificationService, requireScope } from './labels/index.js';
import {
  EmailParsePool,
  type EmailPreparer,
  EvidenceStore,
  type IntakeLimitOptions,
  IntakeLimits,
  IntakeService,
  type ParsePoolStats,
  ReportService,
  StatsService,
  secureEvidenceDir,
} from './reports/index.js';
import { SharingService } from './sharing/index.js';
import { SiteEvidenceStore } from './site-evidence/index.js';

export interface IntelOptions {
  /** The data directory; evidence goes to `<dataDir>/evidence` unless `evidenceDir` is given. */
  readonly dataDir?: string;
  readonly evidenceDir?: string;
  /**
   * Where the audit chain key (`audit.key`, created on first use, mode 0600) and the signed
   * checkpoints (`audit-checkpoints.jsonl`) are kept: default the data directory.
   */
  readonly auditDir?: string;
  readonly now?: () => number;
  /** fsync each new evidence file (default true; benchmarks may turn it off and say so). */
  readonly fsyncEvidence?: boolean;
  /**
   * Parse e-mails in this many worker threads (reports/parse-pool.ts), which also write the evidence
   * files; 0 or absent parses in this thread (the CLI; `koban serve` enables them). Needs the
   * compiled build; from sources it falls back to this thread. Call `close()` to stop the workers.
   */
  readonly parseWorkers?: number;
  /** Messages waiting for a parse worker at most (default 16); more are refused with E_LOCKED. */
  readonly parseQueue?: number;
  /** Per-organisation submission rate and evidence quota (reports/intake-limits.ts); none when absent. */
  readonly intakeLimits?: IntakeLimitOptions;
  /** A preparer of one's own (tests, benchmarks); wins over `parseWorkers`. */
  readonly prepare?: EmailPreparer;
  /** Reports read per shared value during correlation (default 25). */
  readonly fanOut?: number;
  /** Bounds for parsing one reported message (size, parts, nesting, time); the extraction's defaults otherwise. */
  readonly emailLimits?: Partial<EmailLimits>;
  readonly auth?: AuthOptions;
  /** Delivery of advisories: SMTP server, webhook limits, retry schedule (advisories/config.ts). */
  readonly advisories?: AdvisoryConfig;
  /**
   * Encrypts secrets kept at rest (webhook signing secrets). Default: under `KOBAN_SECRET_KEY`, else
   * the key file `secret.key` of the data directory (or of the evidence directory's parent).
   */
  readonly secrets?: SecretBox;
  /** Where notes about the data directory go (tightened modes, sealed secrets; default stderr). */
  readonly notice?: Notice;
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
  readonly advisories: AdvisoryService;
  /** Requests to publish a member's report below its label, and their consent or approval. */
  readonly declassifications: DeclassificationService;
  /** What a reader or an audience may see, for exports (feeds/), and partners' campaigns. */
  readonly sharing: SharingService;
  /** Evidence websites under `allow-and-record` post (site-evidence/), for investigators. */
  readonly siteEvidence: SiteEvidenceStore;
  /** The signed checkpoints of the audit and custody heads (`koban audit checkpoint`, `koban serve`). */
  readonly checkpointFile: string;
  private list: WarningList;
  private readonly pool: EmailParsePool | null;
  private readonly now: () => number;
  /** Seals secrets kept at rest (webhook secrets; the feeds context's provider salts). */
  readonly secrets: SecretBox;

  private constructor(
    /**
     * The database with the audit chain key attached (audit/keyed-chain.ts), which every service
     * writes through.
     */
    readonly db: RelationalDb,
    list: WarningList,
    opts: IntelOptions,
    auditDir: string,
  ) {
    const now = opts.now ?? Date.now;
    this.now = now;
    this.checkpointFile = join(auditDir, CHECKPOINT_FILE);
    const evidenceDir = opts.evidenceDir ?? (opts.dataDir ? join(opts.dataDir, 'evidence') : null);
    if (evidenceDir === null)
      throw new KobanError('E_CONFIG', 'the intel services need a data directory or an evidence directory');
    this.list = list;
    secureEvidenceDir(evidenceDir, opts.notice ?? stderrNotice);
    const keyDir = opts.dataDir ?? dirname(evidenceDir);
    this.secrets = opts.secrets ?? new SecretBox(() => loadSecretKey(keyDir, process.env, opts.notice));
    this.orgs = new OrgService(db, now);
    this.users = new UserService(db, now, opts.auth?.passwords);
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
    this.advisories = new AdvisoryService(db, now, opts.advisories ?? {}, this.secrets, opts.resolver);
    this.declassifications = new DeclassificationService(db, now);
    this.sharing = new SharingService(db, now);
    this.siteEvidence = new SiteEvidenceStore(db, now);
  }

  /**
   * Opens the services over a database: loads the audit chain key of `auditDir` (the data
   * directory), creating it on first use — then the first checkpoint pins the chains written
   * before it (audit/chain-key-file.ts).
   */
  static async open(db: RelationalDb, opts: IntelOptions = {}): Promise<IntelService> {
    // Beside the evidence when only its directory is given, as the secret key is.
    const auditDir =
      opts.auditDir ?? opts.dataDir ?? (opts.evidenceDir ? dirname(opts.evidenceDir) : undefined);
    if (auditDir === undefined)
      throw new KobanError('E_CONFIG', 'the intel services need a data directory or an audit directory');
    const now = opts.now ?? Date.now;
    const { key, created } = await loadChainKey(db, join(auditDir, CHAIN_KEY_FILE), now());
    const keyed = withChainKey(db, key);
    const intel = new IntelService(keyed, await WarningList.load(keyed), opts, auditDir);
    try {
      await sealClearWebhookSecrets(keyed, intel.secrets, opts.notice ?? stderrNotice);
      if (created && (key.switchover.audit_log > 0 || key.switchover.custody > 0))
        await intel.checkpointAudit({ force: true });
      // Reports a stopped process stored and had not correlated yet (reports/intake-pipeline.ts).
      await intel.intake.resume();
    } catch (e) {
      await intel.close();
      throw e;
    }
    return intel;
  }

  /** What the e-mail parse workers did, or null when e-mails are parsed in this thread. */
  parseStats(): ParsePoolStats | null {
    return this.pool?.stats() ?? null;
  }

  /** Stops the parse workers and closes the SMTP connection, if any (the database belongs to the caller). */
  async close(): Promise<void> {
    this.advisories.close();
    this.intake.close();
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

  /**
   * Checks the audit and custody chains against the signed checkpoints of `checkpointFile` (default:
   * this data directory's; a file named explicitly must exist). The result names no data.
   */
  async verifyAudit(opts: { expectHead?: string; checkpointFile?: string } = {}): Promise<AuditVerification> {
    const checkpoints = readCheckpoints(
      chainKeyOf(this.db),
      opts.checkpointFile ?? this.checkpointFile,
      opts.checkpointFile !== undefined,
    );
    return verifyAuditChain(this.db, { expectHead: opts.expectHead, checkpoints });
  }

  /**
   * Signs the chain heads into the checkpoint file after checking the chains since the last
   * checkpoint; null when nothing moved since (unless `force`). The system's job: no actor.
   */
  async checkpointAudit(opts: { force?: boolean } = {}): Promise<Checkpoint | null> {
    return writeCheckpoint(this.db, this.checkpointFile, this.now(), opts);
  }

  /**
   * The center's Ed25519 key, the one that signs audit checkpoints: other signers (the recorder
   * heads' countersignatures) reuse it under their own domain prefix, so verifiers need one public
   * key per center. Signing only; the HMAC key of the chains stays inside.
   */
  centerSigningKey(): { readonly publicKey: KeyObject; sign(message: string): string } {
    const key = chainKeyOf(this.db);
    return { publicKey: key.publicKey, sign: (m) => key.sign(m) };
  }

  /** For /metrics: the audit head's row id and the last signed checkpoint. */
  async auditStatus(): Promise<{ headSeq: number; lastCheckpoint: Checkpoint | null }> {
    return {
      headSeq: await chainLastId(this.db, 'audit_log'),
      lastCheckpoint: lastCheckpoint(chainKeyOf(this.db), this.checkpointFile),
    };
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
