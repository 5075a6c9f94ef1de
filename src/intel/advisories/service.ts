/**
 * `AdvisoryService` (`IntelService.advisories`): alerts to members (注意喚起) — drafting from
 * a report or a campaign with a sanitisation preview, sending to an audience under a TLP 2.0
 * label, updates and withdrawal, the inbox, "received too" answers and their counts, delivery by
 * e-mail and webhook with a visible log, and each organisation's delivery endpoints. Every method
 * takes an `Actor`; inputs are the zod schemas of inputs.ts.
 */

import { KobanError, type Resolver, type SecretBox } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { parseInput } from '../input.js';
import { mayRead, requireCenter } from '../labels/access.js';
import { loadLabelledCampaign } from '../labels/labelled.js';
import { storedTlp } from '../labels/tlp.js';
import { type AdvisoryConfig, AdvisoryConfigSchema, type ParsedAdvisoryConfig } from './config.js';
import { DeliveryLog } from './delivery.js';
import { draftAdvisory, editAdvisory, previewAdvisory } from './drafting.js';
import { type EndpointTestResult, testEndpoint } from './endpoint-activity.js';
import { AdvisoryEndpointService } from './endpoints.js';
import {
  type AdvisoryListFilter,
  type DeliveryFilter,
  DeliveryFilterSchema,
  type DraftAdvisoryInput,
  type EditAdvisoryInput,
  type InboxFilter,
  type ReceivedTooInput,
  type SendAdvisoryInput,
  type UpdateAdvisoryInput,
  type WithdrawAdvisoryInput,
} from './inputs.js';
import { getAdvisory, inboxOf, listAdvisories, markRead, readableAdvisory } from './reading.js';
import { receivedToo } from './received-too.js';
import {
  type AudienceReach,
  audienceReach,
  type SendContext,
  sendAdvisory,
  updateAdvisory,
  withdrawAdvisory,
} from './sending.js';
import { advisoryCounts, campaignCounts } from './sightings.js';
import { type TalliedAdvisory, tallied } from './tallies.js';
import { type AdvisoryMailer, smtpMailer } from './transports.js';
import type {
  AdvisoryCounts,
  AdvisoryPreview,
  AdvisorySummary,
  AdvisoryView,
  CampaignAdvisoryCounts,
  DeliveryRecord,
  DeliveryRun,
  InboxItem,
  ReceivedTooResult,
  SendResult,
} from './types.js';
import { nextDigestMs, UserMailService } from './user-mail.js';

export class AdvisoryService {
  /** Each organisation's contact addresses and webhooks. */
  readonly endpoints: AdvisoryEndpointService;
  /** Each user's own choice of advisory e-mail: each, a daily digest, or none. */
  readonly userMail: UserMailService;
  private readonly config: ParsedAdvisoryConfig;
  private readonly log: DeliveryLog;
  private readonly ctx: SendContext & { log: DeliveryLog };
  private mailer: AdvisoryMailer | null = null;
  private readonly secrets: SecretBox;
  private readonly resolver: Resolver | undefined;

  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
    config: AdvisoryConfig,
    /** Keeps webhook signing secrets encrypted at rest (secret-sealing.ts). */
    secrets: SecretBox,
    /** DNS for webhook targets (tests give their own). */
    resolver?: Resolver,
  ) {
    this.config = AdvisoryConfigSchema.parse(config);
    this.secrets = secrets;
    this.resolver = resolver;
    this.log = new DeliveryLog(db, now, this.config, secrets, resolver);
    this.ctx = { db, now, log: this.log, nextDigestMs: (ms) => nextDigestMs(ms, this.config.digest) };
    this.userMail = new UserMailService(db, now, this.config.digest);
    this.endpoints = new AdvisoryEndpointService(db, now, this.config.webhook, secrets);
  }

  /** The configured SMTP server's mailer, opened on first use (null: none configured). */
  private configuredMailer(): AdvisoryMailer | null {
    if (this.mailer === null && this.config.smtp) this.mailer = smtpMailer(this.config.smtp);
    return this.mailer;
  }

  /**
   * A draft from a report or a campaign, or from nothing the center holds (`source: { type:
   * 'none' }`, a warning written from scratch); returns its preview.
   */
  draft(actor: Actor, input: DraftAdvisoryInput): Promise<AdvisoryPreview> {
    return draftAdvisory(this.ctx, actor, input);
  }

  edit(actor: Actor, id: number, input: EditAdvisoryInput): Promise<AdvisoryPreview> {
    return editAdvisory(this.ctx, actor, id, input);
  }

  /** Exactly what recipients will see, with what was left out and why. */
  preview(actor: Actor, id: number): Promise<AdvisoryPreview> {
    return previewAdvisory(this.ctx, actor, id);
  }

  /** Sends a draft: resolves the audience, records the recipients, queues deliveries (see `deliverDue`). */
  send(actor: Actor, id: number, input: SendAdvisoryInput): Promise<SendResult> {
    return sendAdvisory(this.ctx, actor, id, input);
  }

  /** Whom `send` with this audience would reach, or why it would refuse (nothing is sent). */
  reach(actor: Actor, id: number, input: SendAdvisoryInput): Promise<AudienceReach> {
    return audienceReach(this.ctx, actor, id, input);
  }

  /** A new version of a sent alert, delivered again to every recipient (and any the update adds). */
  update(actor: Actor, id: number, input: UpdateAdvisoryInput): Promise<SendResult> {
    return updateAdvisory(this.ctx, actor, id, input);
  }

  withdraw(actor: Actor, id: number, input: WithdrawAdvisoryInput): Promise<AdvisorySummary> {
    return withdrawAdvisory(this.ctx, actor, id, input);
  }

  get(actor: Actor, id: number): Promise<AdvisoryView> {
    return getAdvisory(this.ctx, actor, id);
  }

  /** Alerts the actor may read, newest first (center staff: drafts too; the public: sent CLEAR ones). */
  list(actor: Actor, filter: AdvisoryListFilter = {}): Promise<AdvisorySummary[]> {
    return listAdvisories(this.ctx, actor, filter);
  }

  /** `list` for center staff, each alert with its recipient organisations and "received too" answers. */
  async listTallied(actor: Actor, filter: AdvisoryListFilter = {}): Promise<TalliedAdvisory[]> {
    requireCenter(actor, 'campaigns:read');
    return tallied(this.db, await this.list(actor, filter));
  }

  inbox(actor: Actor, filter: InboxFilter = {}): Promise<InboxItem[]> {
    return inboxOf(this.ctx, actor, filter);
  }

  markRead(actor: Actor, id: number): Promise<void> {
    return markRead(this.ctx, actor, id);
  }

  /** "We received this too" from a member of a recipient organisation; idempotent per organisation. */
  receivedToo(actor: Actor, id: number, input: ReceivedTooInput = {}): Promise<ReceivedTooResult> {
    return receivedToo(this.ctx, actor, id, input);
  }

  /** Organisations known to have received the alert (center staff). */
  async counts(actor: Actor, id: number): Promise<AdvisoryCounts> {
    requireCenter(actor, 'campaigns:read');
    await readableAdvisory(this.ctx, actor, id);
    return advisoryCounts(this.db, id);
  }

  /** The same over a campaign: the reporters of its reports and the answers to all its alerts. */
  async campaignCounts(actor: Actor, campaignId: number): Promise<CampaignAdvisoryCounts> {
    requireCenter(actor, 'campaigns:read');
    const label = await loadLabelledCampaign(this.db, campaignId);
    if (!label || !mayRead(actor, 'campaign', label))
      throw new KobanError('E_NOT_FOUND', `no campaign ${campaignId}`);
    return { campaignId, ...(await campaignCounts(this.db, actor, campaignId)) };
  }

  /** The delivery log of one alert (center staff): every channel and recipient, with errors. */
  async deliveries(actor: Actor, id: number, filter: DeliveryFilter = {}): Promise<DeliveryRecord[]> {
    requireCenter(actor, 'campaigns:read');
    const f = parseInput(DeliveryFilterSchema, filter, 'delivery filter');
    await readableAdvisory(this.ctx, actor, id);
    return this.log.list(id, f);
  }

  /** Puts the alert's failed deliveries back in the queue; returns how many. */
  async retryFailed(actor: Actor, id: number): Promise<number> {
    requireCenter(actor, 'campaigns:write');
    const row = await readableAdvisory(this.ctx, actor, id);
    const nowMs = this.now();
    return this.db.transaction().execute(async (tx) => {
      const n = await this.log.requeueFailed(tx, id, nowMs);
      await appendAudit(
        tx,
        actor,
        {
          action: 'alert.deliveries-retry',
          targetType: 'alert',
          targetId: id,
          tlp: storedTlp(row.tlp),
          details: { requeued: n },
        },
        nowMs,
      );
      return n;
    });
  }

  /**
   * Attempts every due delivery (call after `send`, `update` and `withdraw`, and periodically for
   * retries). E-mail waits in the queue until an SMTP server is configured or `mailer` is given.
   */
  async deliverDue(
    actor: Actor,
    opts: { limit?: number; mailer?: AdvisoryMailer } = {},
  ): Promise<DeliveryRun> {
    requireCenter(actor, 'campaigns:write');
    return this.log.run(opts.mailer ?? this.configuredMailer(), opts);
  }

  /**
   * Sends a test to one of an organisation's endpoints now, through the alerts' transports, and
   * says whether it arrived (its admins and center admins only; another organisation's is E_FORBIDDEN).
   */
  async testEndpoint(
    actor: Actor,
    endpointId: number,
    opts: { mailer?: AdvisoryMailer } = {},
  ): Promise<EndpointTestResult> {
    const e = await this.endpoints.get(actor, endpointId);
    const deps = {
      db: this.db,
      now: this.now,
      config: this.config,
      secrets: this.secrets,
      resolver: this.resolver,
    };
    return testEndpoint(
      deps,
      actor,
      e,
      e.channel === 'email' ? (opts.mailer ?? this.configuredMailer()) : null,
    );
  }

  /** Closes the SMTP connection, if one was opened. */
  close(): void {
    this.mailer?.close();
    this.mailer = null;
  }
}
