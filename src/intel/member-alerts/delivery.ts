/**
 * The delivery log: one row per alert event (sent, updated, withdrawn), recipient and channel.
 * Inbox rows are delivered when written (the inbox is the audience itself); e-mail rows go to
 * each contact address of a recipient organisation and to each named user's own address; webhook
 * rows go to each webhook of a recipient organisation. A run (`DeliveryLog.run`, called after a
 * send and by a periodic job) claims due rows — an optimistic update on the attempt count, so two
 * processes never send one row twice — tries them a few at a time, and records the outcome:
 * delivered, pending again after a back-off (first delay doubling to a ceiling, no jitter so the
 * schedule is predictable), or failed (a permanent error, or attempts exhausted), with the error
 * visible to analysts until a manual retry starts it over.
 */
import type { Kysely } from 'kysely';
import { backoffDelayMs, type Resolver, type SecretBox } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import type { Recipients } from './audience.js';
import type { ParsedMemberAlertConfig } from './config.js';
import {
  type AlertEvent,
  type AlertMeta,
  alertMailSubject,
  alertMailText,
  alertWebhookDocument,
} from './render.js';
import { WEBHOOK_SECRET_PURPOSE } from './secret-sealing.js';
import { type AlertMailer, DeliveryError, postWebhook } from './transports.js';
import type { AlertContent, AlertStatus, DeliveryRecord, DeliveryRun } from './types.js';

/** How long a claimed row stays with its process before another may take it (a crash mid-send). */
const LEASE_MS = 5 * 60_000;

type Row = Database['member_alert_deliveries'];
type NewRow = Omit<Row, 'id'>;

/** Queues (and, for the inbox, records as delivered) one event's deliveries; returns counts per channel. */
export async function queueDeliveries(
  tx: Kysely<Database>,
  alertId: number,
  version: number,
  event: AlertEvent,
  to: Recipients,
  nowMs: number,
): Promise<{ inbox: number; email: number; webhook: number }> {
  const base = {
    alert_id: alertId,
    version,
    event,
    attempts: 0,
    last_attempt_ms: null,
    last_error: null,
    created_ms: nowMs,
  };
  const pending = { ...base, status: 'pending', next_attempt_ms: nowMs, delivered_ms: null };
  const rows: NewRow[] = [];
  for (const orgId of to.orgIds)
    rows.push({
      ...base,
      status: 'delivered',
      next_attempt_ms: null,
      delivered_ms: nowMs,
      org_id: orgId,
      user_id: null,
      channel: 'inbox',
      target: `org:${orgId}`,
      endpoint_id: null,
    });
  for (const userId of to.userIds)
    rows.push({
      ...base,
      status: 'delivered',
      next_attempt_ms: null,
      delivered_ms: nowMs,
      org_id: null,
      user_id: userId,
      channel: 'inbox',
      target: `user:${userId}`,
      endpoint_id: null,
    });
  const inbox = rows.length;
  let email = 0;
  let webhook = 0;
  for (let i = 0; i < to.orgIds.length; i += 500) {
    const endpoints = await tx
      .selectFrom('org_alert_endpoints')
      .select(['id', 'org_id', 'channel', 'target'])
      .where('org_id', 'in', to.orgIds.slice(i, i + 500))
      .where('disabled_ms', 'is', null)
      .orderBy('org_id')
      .orderBy('id')
      .execute();
    for (const e of endpoints) {
      rows.push({
        ...pending,
        org_id: Number(e.org_id),
        user_id: null,
        channel: e.channel,
        target: e.target,
        endpoint_id: Number(e.id),
      });
      if (e.channel === 'email') email++;
      else webhook++;
    }
  }
  if (to.userIds.length > 0) {
    const users = await tx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('id', 'in', [...to.userIds])
      .orderBy('id')
      .execute();
    for (const u of users) {
      rows.push({
        ...pending,
        org_id: null,
        user_id: Number(u.id),
        channel: 'email',
        target: u.email,
        endpoint_id: null,
      });
      email++;
    }
  }
  for (let i = 0; i < rows.length; i += 200)
    await tx
      .insertInto('member_alert_deliveries')
      .values(rows.slice(i, i + 200))
      .execute();
  return { inbox, email, webhook };
}

/** The wait after `attempts` failed tries: core's back-off, without jitter (a predictable schedule). */
export function backoffMs(attempts: number, c: ParsedMemberAlertConfig['retry']): number {
  return backoffDelayMs(attempts - 1, { baseMs: c.firstDelayMs, maxMs: c.maxDelayMs });
}

/** What the configuration needs for e-mail to go out (shown with every e-mail that waits for it). */
export const NO_SMTP_CONFIGURED = 'no SMTP server configured: set advisories.smtp in koban.json';

function toRecord(r: Row & { id: number }, waitingFor: string | null): DeliveryRecord {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return {
    id: Number(r.id),
    version: Number(r.version),
    event: r.event,
    orgId: n(r.org_id),
    userId: n(r.user_id),
    channel: r.channel as DeliveryRecord['channel'],
    target: r.target,
    status: r.status as DeliveryRecord['status'],
    attempts: Number(r.attempts),
    nextAttemptMs: n(r.next_attempt_ms),
    lastAttemptMs: n(r.last_attempt_ms),
    lastError: r.last_error,
    deliveredMs: n(r.delivered_ms),
    waitingFor,
  };
}

interface Due {
  readonly id: number;
  readonly alertId: number;
  readonly version: number;
  readonly event: AlertEvent;
  readonly channel: string;
  readonly target: string;
  readonly attempts: number;
  readonly orgName: string | null;
  readonly secret: string | null;
  readonly endpointDisabled: boolean;
}

export class DeliveryLog {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number,
    private readonly config: ParsedMemberAlertConfig,
    private readonly secrets: SecretBox,
    /** DNS for webhook targets (tests give their own). */
    private readonly resolver?: Resolver,
  ) {}

  async list(alertId: number, filter: { status?: string; limit?: number } = {}): Promise<DeliveryRecord[]> {
    let q = this.db
      .selectFrom('member_alert_deliveries')
      .selectAll()
      .where('alert_id', '=', alertId)
      .orderBy('id');
    if (filter.status) q = q.where('status', '=', filter.status);
    const rows = await q.limit(filter.limit ?? 10_000).execute();
    const nowMs = this.now();
    return rows.map((r) => toRecord(r as Row & { id: number }, this.waitingFor(r, nowMs)));
  }

  /** Why a pending delivery has not gone out yet, in words for the analyst (null once it is done). */
  private waitingFor(r: Omit<Row, 'id'>, nowMs: number): string | null {
    if (r.status !== 'pending') return null;
    if (r.channel === 'email' && !this.config.smtp) return NO_SMTP_CONFIGURED;
    const next = r.next_attempt_ms === null ? nowMs : Number(r.next_attempt_ms);
    const attempts = Number(r.attempts);
    const after = r.last_error === null ? '' : ` (last error: ${r.last_error})`;
    if (r.last_attempt_ms !== null && next === Number(r.last_attempt_ms) + LEASE_MS && next > nowMs)
      return `attempt ${attempts} in progress since ${new Date(Number(r.last_attempt_ms)).toISOString()}`;
    if (next <= nowMs)
      return attempts === 0
        ? 'due: waiting for the next delivery run (koban serve runs one every 15 s; or koban advisory deliver)'
        : `due for attempt ${attempts + 1} of ${this.config.retry.maxAttempts}${after}`;
    return `attempt ${attempts + 1} of ${this.config.retry.maxAttempts} at ${new Date(next).toISOString()}${after}`;
  }

  /** Counts of the current version's deliveries by channel and status. */
  async summary(alertId: number, version: number): Promise<Record<string, Record<string, number>>> {
    const rows = await this.db
      .selectFrom('member_alert_deliveries')
      .select(['channel', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .where('alert_id', '=', alertId)
      .where('version', '=', version)
      .groupBy(['channel', 'status'])
      .execute();
    const out: Record<string, Record<string, number>> = {};
    for (const r of rows) {
      const byStatus = out[r.channel] ?? {};
      byStatus[r.status] = Number(r.n);
      out[r.channel] = byStatus;
    }
    return out;
  }

  /** Puts an alert's failed deliveries back in the queue, attempts counted from zero; returns how many. */
  async requeueFailed(tx: Kysely<Database>, alertId: number, nowMs: number): Promise<number> {
    const r = await tx
      .updateTable('member_alert_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_ms: nowMs })
      .where('alert_id', '=', alertId)
      .where('status', '=', 'failed')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Attempts the due deliveries (e-mail only with a mailer); returns what happened. */
  async run(mailer: AlertMailer | null, opts: { limit?: number } = {}): Promise<DeliveryRun> {
    const due = await this.due(mailer !== null, opts.limit ?? 1000);
    const waitingForSmtp = mailer === null ? await this.dueEmail() : 0;
    const stats = { attempted: 0, delivered: 0, retrying: 0, failed: 0, waitingForSmtp };
    const contents = new Map<string, Promise<{ meta: AlertMeta; content: AlertContent }>>();
    const load = (d: Due) => {
      const key = `${d.alertId}/${d.version}`;
      const had = contents.get(key);
      if (had) return had;
      const p = this.versionOf(d.alertId, d.version);
      contents.set(key, p);
      return p;
    };
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const d = due[next++]!;
        if (!(await this.claim(d))) continue;
        stats.attempted++;
        const outcome = await this.attempt(d, mailer, await load(d));
        stats[outcome]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.concurrency, due.length) }, worker));
    return stats;
  }

  private async due(withEmail: boolean, limit: number): Promise<Due[]> {
    let q = this.db
      .selectFrom('member_alert_deliveries as d')
      .leftJoin('organisations as o', 'o.id', 'd.org_id')
      .leftJoin('org_alert_endpoints as e', 'e.id', 'd.endpoint_id')
      .select([
        'd.id',
        'd.alert_id',
        'd.version',
        'd.event',
        'd.channel',
        'd.target',
        'd.attempts',
        'o.name',
        'e.secret',
        'e.disabled_ms',
      ])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_ms', '<=', this.now())
      .orderBy('d.next_attempt_ms')
      .orderBy('d.id');
    if (!withEmail) q = q.where('d.channel', '<>', 'email');
    const rows = await q.limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      alertId: Number(r.alert_id),
      version: Number(r.version),
      event: r.event as AlertEvent,
      channel: r.channel,
      target: r.target,
      attempts: Number(r.attempts),
      orgName: r.name,
      secret: r.secret,
      endpointDisabled: r.disabled_ms !== null,
    }));
  }

  /** Due e-mail deliveries (left queued by a run without an SMTP server). */
  private async dueEmail(): Promise<number> {
    const r = await this.db
      .selectFrom('member_alert_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .where('channel', '=', 'email')
      .where('next_attempt_ms', '<=', this.now())
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private async claim(d: Due): Promise<boolean> {
    const nowMs = this.now();
    const r = await this.db
      .updateTable('member_alert_deliveries')
      .set({ attempts: d.attempts + 1, last_attempt_ms: nowMs, next_attempt_ms: nowMs + LEASE_MS })
      .where('id', '=', d.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', d.attempts)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private async attempt(
    d: Due,
    mailer: AlertMailer | null,
    v: { meta: AlertMeta; content: AlertContent },
  ): Promise<'delivered' | 'retrying' | 'failed'> {
    const attempts = d.attempts + 1;
    let error: DeliveryError | null = null;
    try {
      if (d.endpointDisabled) throw new DeliveryError('the endpoint was removed', true);
      if (d.channel === 'email') {
        await mailer!.send({
          to: d.target,
          subject: alertMailSubject(v.meta, v.content, d.event),
          text: alertMailText(v.meta, v.content, d.event, this.config.portalUrl ?? null),
          headers: { 'X-Koban-Alert': `${d.alertId}/${d.version}`, 'X-Koban-Event': `alert.${d.event}` },
        });
      } else if (d.channel === 'webhook') {
        if (d.secret === null) throw new DeliveryError('the webhook has no secret', true);
        await postWebhook({
          url: d.target,
          // Decrypted only here, to sign this delivery.
          secret: this.secrets.open(d.secret, WEBHOOK_SECRET_PURPOSE),
          body: JSON.stringify(alertWebhookDocument(v.meta, v.content, d.event, d.orgName)),
          deliveryId: d.id,
          event: `alert.${d.event}`,
          nowMs: this.now(),
          timeoutMs: this.config.webhook.timeoutMs,
          policy: {
            allowHttp: this.config.webhook.allowHttp,
            allowPrivate: this.config.webhook.allowPrivateTargets,
          },
          resolver: this.resolver,
        });
      }
    } catch (e) {
      error = e instanceof DeliveryError ? e : new DeliveryError((e as Error).message, false);
    }
    const nowMs = this.now();
    const outcome =
      error === null
        ? 'delivered'
        : error.permanent || attempts >= this.config.retry.maxAttempts
          ? 'failed'
          : 'retrying';
    await this.db
      .updateTable('member_alert_deliveries')
      .set({
        status: outcome === 'retrying' ? 'pending' : outcome,
        next_attempt_ms: outcome === 'retrying' ? nowMs + backoffMs(attempts, this.config.retry) : null,
        last_error: error?.message.slice(0, 1000) ?? null,
        delivered_ms: outcome === 'delivered' ? nowMs : null,
      })
      .where('id', '=', d.id)
      .execute();
    return outcome;
  }

  private async versionOf(
    alertId: number,
    version: number,
  ): Promise<{ meta: AlertMeta; content: AlertContent }> {
    const a = await this.db
      .selectFrom('member_alerts as a')
      .innerJoin('member_alert_versions as v', (j) =>
        j.onRef('v.alert_id', '=', 'a.id').on('v.version', '=', version),
      )
      .select(['a.status', 'a.sent_ms', 'a.withdrawn_ms', 'a.withdrawn_reason', 'v.content', 'v.created_ms'])
      .where('a.id', '=', alertId)
      .executeTakeFirstOrThrow();
    return {
      meta: {
        id: alertId,
        version,
        status: a.status as AlertStatus,
        sentMs: a.sent_ms === null ? null : Number(a.sent_ms),
        updatedMs: Number(a.created_ms),
        withdrawn:
          a.withdrawn_ms === null ? null : { atMs: Number(a.withdrawn_ms), reason: a.withdrawn_reason ?? '' },
      },
      content: JSON.parse(a.content) as AlertContent,
    };
  }
}
