/**
 * Where an organisation receives alerts besides its inbox: contact addresses (e-mail) and webhooks
 * (an https URL and the HMAC secret that signs each delivery, signature.ts). An organisation's own
 * admins manage them, and center admins for any organisation. Webhook targets are checked when
 * added by the center's one outbound guard (core `outboundUrlProblem`): https only, and no internal
 * name or address literal (the center's server must not be pointed at its own network) unless the
 * configuration allows it for tests or a closed network. A name that resolves inside is caught at
 * each delivery, where the guard resolves it and connects only to the address it checked.
 * Admins also pause an endpoint (kept, nothing queued to it) and enable it again, and narrow what
 * it is sent by label and event (endpoint-preferences.ts); a removed endpoint is gone for good.
 */
import type { Kysely } from 'kysely';
import { KobanError, outboundUrlProblem, type SecretBox } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import { parseInput } from '../input.js';
import { hasScope } from '../labels/access.js';
import type { ParsedAdvisoryConfig } from './config.js';
import { type LastDelivery, lastDeliveries } from './endpoint-activity.js';
import {
  type EndpointPreferences,
  EndpointPreferencesSchema,
  preferencesOf,
  storedPreferences,
} from './endpoint-preferences.js';
import {
  type ContactsInput,
  ContactsInputSchema,
  type EmailContactsInput,
  EmailContactsInputSchema,
  type WebhookInput,
  WebhookInputSchema,
} from './inputs.js';
import { WEBHOOK_SECRET_PURPOSE } from './secret-sealing.js';
import { newWebhookSecret } from './signature.js';

export interface AdvisoryEndpoint {
  readonly id: number;
  readonly orgId: number;
  readonly channel: 'email' | 'webhook';
  readonly target: string;
  readonly createdMs: number;
  /** Paused by the organisation's admins since then; null while it receives. */
  readonly pausedMs: number | null;
  readonly preferences: EndpointPreferences;
}

const ALL: EndpointPreferences = { tlps: null, events: null };

export class AdvisoryEndpointService {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number,
    private readonly config: ParsedAdvisoryConfig['webhook'],
    /** Encrypts the signing secret at rest (secret-sealing.ts). */
    private readonly secrets: SecretBox,
  ) {}

  private requireAdmin(actor: Actor, orgId: number): void {
    const ok =
      hasScope(actor, 'orgs:admin') &&
      (actor.kind === 'system' ||
        actor.role === 'center-admin' ||
        (actor.role === 'org-admin' && actor.orgId === orgId));
    if (!ok)
      throw new KobanError(
        'E_FORBIDDEN',
        `${actor.label} may not manage the alert contacts of organisation ${orgId}`,
      );
  }

  private async requireOrg(orgId: number): Promise<void> {
    const o = await this.db
      .selectFrom('organisations')
      .select('id')
      .where('id', '=', orgId)
      .executeTakeFirst();
    if (!o) throw new KobanError('E_NOT_FOUND', `no organisation ${orgId}`);
  }

  /** The organisation's endpoints not removed, paused ones included. */
  async list(actor: Actor, orgId: number): Promise<AdvisoryEndpoint[]> {
    this.requireAdmin(actor, orgId);
    const rows = await this.db
      .selectFrom('org_alert_endpoints')
      .select(['id', 'org_id', 'channel', 'target', 'created_ms', 'paused_ms', 'tlps', 'events'])
      .where('org_id', '=', orgId)
      .where('disabled_ms', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      orgId: Number(r.org_id),
      channel: r.channel as AdvisoryEndpoint['channel'],
      target: r.target,
      createdMs: Number(r.created_ms),
      pausedMs: r.paused_ms === null ? null : Number(r.paused_ms),
      preferences: preferencesOf(r),
    }));
  }

  /** The organisation's endpoints with the outcome of the last delivery attempted to each. */
  async listWithActivity(
    actor: Actor,
    orgId: number,
  ): Promise<(AdvisoryEndpoint & { readonly lastDelivery: LastDelivery | null })[]> {
    const list = await this.list(actor, orgId);
    const last = await lastDeliveries(
      this.db,
      list.map((e) => e.id),
    );
    return list.map((e) => ({ ...e, lastDelivery: last.get(e.id) ?? null }));
  }

  /** One endpoint (not removed) its admins may manage; another organisation's is E_FORBIDDEN. */
  async get(actor: Actor, endpointId: number): Promise<AdvisoryEndpoint> {
    const e = await this.db
      .selectFrom('org_alert_endpoints')
      .select('org_id')
      .where('id', '=', endpointId)
      .where('disabled_ms', 'is', null)
      .executeTakeFirst();
    if (!e) throw new KobanError('E_NOT_FOUND', `no alert endpoint ${endpointId}`);
    const found = (await this.list(actor, Number(e.org_id))).find((x) => x.id === endpointId);
    if (!found) throw new KobanError('E_NOT_FOUND', `no alert endpoint ${endpointId}`);
    return found;
  }

  /** Adds one contact address, keeping the others. */
  async addEmail(actor: Actor, input: { orgId: number; address: string }): Promise<AdvisoryEndpoint[]> {
    const have = (await this.list(actor, input.orgId)).filter((e) => e.channel === 'email');
    return this.setEmailContacts(actor, {
      orgId: input.orgId,
      addresses: [...have.map((e) => e.target), input.address],
    });
  }

  /** Pauses (nothing is queued to it, queued deliveries fail as paused) or enables an endpoint. */
  async setPaused(actor: Actor, endpointId: number, paused: boolean): Promise<AdvisoryEndpoint> {
    const e = await this.get(actor, endpointId);
    if ((e.pausedMs !== null) === paused) return e;
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('org_alert_endpoints')
        .set({ paused_ms: paused ? nowMs : null })
        .where('id', '=', endpointId)
        .execute();
      await appendAudit(
        tx,
        actor,
        {
          action: paused ? 'org.alert-endpoint-pause' : 'org.alert-endpoint-enable',
          targetType: 'org',
          targetId: e.orgId,
          details: { endpoint: endpointId, channel: e.channel },
        },
        nowMs,
      );
    });
    return this.get(actor, endpointId);
  }

  /** Which labels and events the endpoint is sent from now on (queued deliveries are kept). */
  async setPreferences(
    actor: Actor,
    endpointId: number,
    input: EndpointPreferences,
  ): Promise<AdvisoryEndpoint> {
    const p = parseInput(EndpointPreferencesSchema, input, 'delivery preferences');
    const e = await this.get(actor, endpointId);
    const nowMs = this.now();
    const stored = storedPreferences(p);
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('org_alert_endpoints').set(stored).where('id', '=', endpointId).execute();
      await appendAudit(
        tx,
        actor,
        {
          action: 'org.alert-endpoint-preferences',
          targetType: 'org',
          targetId: e.orgId,
          details: { endpoint: endpointId, ...preferencesOf(stored) },
        },
        nowMs,
      );
    });
    return this.get(actor, endpointId);
  }

  /** Replaces the organisation's contact addresses with these. */
  async setEmailContacts(actor: Actor, input: EmailContactsInput): Promise<AdvisoryEndpoint[]> {
    const c = parseInput(EmailContactsInputSchema, input, 'contact addresses');
    return (await this.setContacts(actor, { orgId: c.orgId, addresses: c.addresses })).endpoints;
  }

  /** Adds a webhook; the secret is returned once, here, and kept only encrypted. */
  async addWebhook(
    actor: Actor,
    input: WebhookInput,
  ): Promise<{ endpoint: AdvisoryEndpoint; secret: string }> {
    const w = parseInput(WebhookInputSchema, input, 'webhook');
    return (await this.setContacts(actor, { orgId: w.orgId, webhook: w.url })).webhook!;
  }

  /**
   * Replaces the contact addresses and/or adds a webhook, all or nothing: every part is checked
   * before anything is written, and the writes share one transaction.
   */
  async setContacts(
    actor: Actor,
    input: ContactsInput,
  ): Promise<{
    endpoints: AdvisoryEndpoint[];
    webhook: { endpoint: AdvisoryEndpoint; secret: string } | null;
  }> {
    const c = parseInput(ContactsInputSchema, input, 'contacts');
    this.requireAdmin(actor, c.orgId);
    await this.requireOrg(c.orgId);
    const url = c.webhook === undefined ? null : this.checkTarget(c.webhook);
    const secret = url === null ? null : newWebhookSecret();
    const nowMs = this.now();
    const hookId = await this.db.transaction().execute(async (tx) => {
      if (c.addresses) await this.writeEmailContacts(tx, actor, c.orgId, [...new Set(c.addresses)], nowMs);
      return url === null ? null : this.insertWebhook(tx, actor, c.orgId, url, secret!, nowMs);
    });
    return {
      endpoints: await this.list(actor, c.orgId),
      webhook:
        hookId === null
          ? null
          : {
              endpoint: {
                id: hookId,
                orgId: c.orgId,
                channel: 'webhook',
                target: url!,
                createdMs: nowMs,
                pausedMs: null,
                preferences: ALL,
              },
              secret: secret!,
            },
    };
  }

  private async writeEmailContacts(
    tx: Kysely<Database>,
    actor: Actor,
    orgId: number,
    wanted: readonly string[],
    nowMs: number,
  ): Promise<void> {
    const have = await tx
      .selectFrom('org_alert_endpoints')
      .select(['id', 'target'])
      .where('org_id', '=', orgId)
      .where('channel', '=', 'email')
      .where('disabled_ms', 'is', null)
      .execute();
    const gone = have.filter((h) => !wanted.includes(h.target)).map((h) => Number(h.id));
    if (gone.length)
      await tx
        .updateTable('org_alert_endpoints')
        .set({ disabled_ms: nowMs })
        .where('id', 'in', gone)
        .execute();
    for (const a of wanted.filter((w) => !have.some((h) => h.target === w))) {
      await tx
        .insertInto('org_alert_endpoints')
        .values({
          org_id: orgId,
          channel: 'email',
          target: a,
          secret: null,
          created_ms: nowMs,
          disabled_ms: null,
        })
        .execute();
    }
    await appendAudit(
      tx,
      actor,
      { action: 'org.alert-contacts', targetType: 'org', targetId: orgId, details: { email: wanted } },
      nowMs,
    );
  }

  private async insertWebhook(
    tx: Kysely<Database>,
    actor: Actor,
    orgId: number,
    url: string,
    secret: string,
    nowMs: number,
  ): Promise<number> {
    const r = await tx
      .insertInto('org_alert_endpoints')
      .values({
        org_id: orgId,
        channel: 'webhook',
        target: url,
        secret: this.secrets.seal(secret, WEBHOOK_SECRET_PURPOSE),
        created_ms: nowMs,
        disabled_ms: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const u = new URL(url);
    await appendAudit(
      tx,
      actor,
      // The URL without its query: a token in it is the member's, not the log's.
      {
        action: 'org.alert-webhook-add',
        targetType: 'org',
        targetId: orgId,
        details: { endpoint: Number(r.id), url: `${u.origin}${u.pathname}` },
      },
      nowMs,
    );
    return Number(r.id);
  }

  /** Stops using an endpoint (queued deliveries to it fail as removed). */
  async remove(actor: Actor, endpointId: number): Promise<void> {
    const e = await this.db
      .selectFrom('org_alert_endpoints')
      .select(['org_id', 'channel', 'disabled_ms'])
      .where('id', '=', endpointId)
      .executeTakeFirst();
    if (!e) throw new KobanError('E_NOT_FOUND', `no alert endpoint ${endpointId}`);
    this.requireAdmin(actor, Number(e.org_id));
    if (e.disabled_ms !== null) return;
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('org_alert_endpoints')
        .set({ disabled_ms: nowMs })
        .where('id', '=', endpointId)
        .execute();
      await appendAudit(
        tx,
        actor,
        {
          action: 'org.alert-endpoint-remove',
          targetType: 'org',
          targetId: Number(e.org_id),
          details: { endpoint: endpointId, channel: e.channel },
        },
        nowMs,
      );
    });
  }

  private checkTarget(raw: string): string {
    const problem = outboundUrlProblem(raw, {
      allowHttp: this.config.allowHttp,
      allowPrivate: this.config.allowPrivateTargets,
    });
    if (problem) throw new KobanError('E_USAGE', `webhook: ${problem}`);
    return new URL(raw).toString();
  }
}
