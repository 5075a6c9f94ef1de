/**
 * The delivery log: one row per alert event (sent, updated, withdrawn), recipient and channel.
 * Inbox rows are delivered when written (the inbox is the audience itself); e-mail rows go to
 * each contact address of a recipient organisation and to each named user's own address; webhook
 * rows go to each webhook of a recipient organisation; digest rows wait for the user's daily digest
 * (user-mail.ts), and a run sends every due digest row of one address as one e-mail. A run (`DeliveryLog.run`, called after a
 * send and by a periodic job) claims due rows — an optimistic update on the attempt count, so two
 * processes never send one row twice — tries them a few at a time, and records the outcome:
 * delivered, pending again after a back-off (first delay doubling to a ceiling, no jitter so the
 * schedule is predictable), or failed (a permanent error, or attempts exhausted), with the error
 * visible to analysts until a manual retry starts it over.
 */
import type { Kysely } from 'kysely';
import { backoffDelayMs, type Resolver, type SecretBox } from '../../core/index.js';
import type { Database, RelationalDb } from '../../db/index.js';
import type { ParsedAdvisoryConfig } from './config.js';
import {
  type AdvisoryEvent,
  type AdvisoryMeta,
  advisoryDigestSubject,
  advisoryDigestText,
  advisoryMailSubject,
  advisoryMailText,
  advisoryWebhookDocument,
} from './render.js';
import { WEBHOOK_SECRET_PURPOSE } from './secret-sealing.js';
import { type AdvisoryMailer, DeliveryError, postWebhook } from './transports.js';
import type { AdvisoryContent, AdvisoryStatus, DeliveryRecord, DeliveryRun } from './types.js';

/** How long a claimed row stays with its process before another may take it (a crash mid-send). */
const LEASE_MS = 5 * 60_000;

type Row = Database['member_alert_deliveries'];

/** The wait after `attempts` failed tries: core's back-off, without jitter (a predictable schedule). */
export function backoffMs(attempts: number, c: ParsedAdvisoryConfig['retry']): number {
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
  readonly event: AdvisoryEvent;
  readonly channel: string;
  readonly target: string;
  readonly attempts: number;
  readonly orgName: string | null;
  readonly secret: string | null;
  readonly endpointDisabled: boolean;
  readonly endpointPaused: boolean;
}

/**
 * Due rows grouped by target (channel and address or URL), each group in the order its events were
 * queued (version order; a withdrawal after the version it withdraws): a target's
 * deliveries go one after another so that its versions arrive in order, while different targets are
 * served concurrently. Groups come in the order of their first due row.
 */
function byTarget<D extends Pick<Due, 'id' | 'alertId' | 'channel' | 'target'>>(due: readonly D[]): D[][] {
  const groups = new Map<string, D[]>();
  for (const d of due) {
    const key = `${d.channel}\n${d.target}`;
    const g = groups.get(key);
    if (g) g.push(d);
    else groups.set(key, [d]);
  }
  const order = (a: D, b: D) => a.alertId - b.alertId || a.id - b.id;
  return [...groups.values()].map((g) => g.sort(order));
}

export class DeliveryLog {
  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number,
    private readonly config: ParsedAdvisoryConfig,
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
    // The earliest pending event per target: the later ones wait for it (see `claim`).
    const firstPending = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const key = `${r.channel}\n${r.target}`;
      if (r.status === 'pending' && !firstPending.has(key)) firstPending.set(key, r);
    }
    return rows.map((r) => {
      const first = firstPending.get(`${r.channel}\n${r.target}`);
      const behind = r.status === 'pending' && first !== undefined && Number(first.id) < Number(r.id);
      return toRecord(
        r as Row & { id: number },
        behind
          ? `waiting for the earlier ${first.event} (version ${first.version}) to this recipient to be delivered or given up`
          : this.waitingFor(r, nowMs),
      );
    });
  }

  /** Why a pending delivery has not gone out yet, in words for the analyst (null once it is done). */
  private waitingFor(r: Omit<Row, 'id'>, nowMs: number): string | null {
    if (r.status !== 'pending') return null;
    if ((r.channel === 'email' || r.channel === 'digest') && !this.config.smtp) return NO_SMTP_CONFIGURED;
    const next = r.next_attempt_ms === null ? nowMs : Number(r.next_attempt_ms);
    const attempts = Number(r.attempts);
    if (r.channel === 'digest' && attempts === 0 && next > nowMs)
      return `in the daily digest at ${new Date(next).toISOString()}`;
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

  /**
   * Puts an alert's failed deliveries back in the queue, attempts counted from zero; returns how
   * many. A failed event that a later event of the alert to the same target has overtaken (that one
   * was delivered) stays failed: resending it would bring an old version, or the news of an alert
   * the recipient has since been told was withdrawn, after the newer word.
   */
  async requeueFailed(tx: Kysely<Database>, alertId: number, nowMs: number): Promise<number> {
    const r = await tx
      .updateTable('member_alert_deliveries as d')
      .set({ status: 'pending', attempts: 0, next_attempt_ms: nowMs })
      .where('d.alert_id', '=', alertId)
      .where('d.status', '=', 'failed')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('member_alert_deliveries as later')
              .select('later.id')
              .whereRef('later.alert_id', '=', 'd.alert_id')
              .whereRef('later.channel', '=', 'd.channel')
              .whereRef('later.target', '=', 'd.target')
              .whereRef('later.id', '>', 'd.id')
              .where('later.status', '=', 'delivered'),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Attempts the due deliveries (e-mail only with a mailer); returns what happened. */
  async run(mailer: AdvisoryMailer | null, opts: { limit?: number } = {}): Promise<DeliveryRun> {
    const due = await this.due(mailer !== null, opts.limit ?? 1000);
    const waitingForSmtp = mailer === null ? await this.dueEmail() : 0;
    const stats = { attempted: 0, delivered: 0, retrying: 0, failed: 0, waitingForSmtp };
    const contents = new Map<string, Promise<{ meta: AdvisoryMeta; content: AdvisoryContent }>>();
    const load = (d: Due) => {
      const key = `${d.alertId}/${d.version}`;
      const had = contents.get(key);
      if (had) return had;
      const p = this.versionOf(d.alertId, d.version);
      contents.set(key, p);
      return p;
    };
    // One chain per target, worked through in order; the chains run concurrently. A user's due
    // digest rows are one chain sent as one e-mail.
    const chains = byTarget(due);
    let next = 0;
    const worker = async () => {
      while (next < chains.length) {
        const chain = chains[next++]!;
        if (chain[0]!.channel === 'digest') {
          const claimed = await this.claimDigest(chain);
          if (claimed.length === 0) continue;
          stats.attempted += claimed.length;
          const outcome = await this.attemptDigest(claimed, mailer!, await Promise.all(claimed.map(load)));
          stats[outcome] += claimed.length;
          continue;
        }
        for (const d of chain) {
          if (!(await this.claim(d))) continue;
          stats.attempted++;
          const outcome = await this.attempt(d, mailer, await load(d));
          stats[outcome]++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.config.concurrency, chains.length) }, worker));
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
        'e.paused_ms',
      ])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_ms', '<=', this.now())
      .orderBy('d.next_attempt_ms')
      .orderBy('d.id');
    if (!withEmail) q = q.where('d.channel', 'not in', ['email', 'digest']);
    const rows = await q.limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      alertId: Number(r.alert_id),
      version: Number(r.version),
      event: r.event as AdvisoryEvent,
      channel: r.channel,
      target: r.target,
      attempts: Number(r.attempts),
      orgName: r.name,
      secret: r.secret,
      endpointDisabled: r.disabled_ms !== null,
      endpointPaused: r.paused_ms !== null,
    }));
  }

  /** Due e-mail deliveries (left queued by a run without an SMTP server). */
  private async dueEmail(): Promise<number> {
    const r = await this.db
      .selectFrom('member_alert_deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending')
      .where('channel', 'in', ['email', 'digest'])
      .where('next_attempt_ms', '<=', this.now())
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Takes a due row for this process: an optimistic update on the attempt count, and only while no
   * earlier event of its alert to the same target is still pending (waiting for a retry, or being
   * sent by another worker or process) — a recipient never hears "withdrawn" before "sent".
   */
  private async claim(d: Due): Promise<boolean> {
    const nowMs = this.now();
    const r = await this.db
      .updateTable('member_alert_deliveries')
      .set({ attempts: d.attempts + 1, last_attempt_ms: nowMs, next_attempt_ms: nowMs + LEASE_MS })
      .where('id', '=', d.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', d.attempts)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('member_alert_deliveries as earlier')
              .select('earlier.id')
              .where('earlier.alert_id', '=', d.alertId)
              .where('earlier.channel', '=', d.channel)
              .where('earlier.target', '=', d.target)
              // Queued earlier: ids follow the order of the events (send, update, withdraw).
              .where('earlier.id', '<', d.id)
              .where('earlier.status', '=', 'pending'),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private async attempt(
    d: Due,
    mailer: AdvisoryMailer | null,
    v: { meta: AdvisoryMeta; content: AdvisoryContent },
  ): Promise<'delivered' | 'retrying' | 'failed'> {
    const attempts = d.attempts + 1;
    let error: DeliveryError | null = null;
    try {
      if (d.endpointDisabled) throw new DeliveryError('the endpoint was removed', true);
      // Paused after this was queued: its organisation asked for nothing more to go there.
      if (d.endpointPaused) throw new DeliveryError('the endpoint was paused', true);
      if (d.channel === 'email') {
        await mailer!.send({
          to: d.target,
          subject: advisoryMailSubject(v.meta, v.content, d.event),
          text: advisoryMailText(v.meta, v.content, d.event, this.config.portalUrl ?? null),
          headers: { 'X-Koban-Alert': `${d.alertId}/${d.version}`, 'X-Koban-Event': `alert.${d.event}` },
        });
      } else if (d.channel === 'webhook') {
        if (d.secret === null) throw new DeliveryError('the webhook has no secret', true);
        await postWebhook({
          url: d.target,
          // Decrypted only here, to sign this delivery.
          secret: this.secrets.open(d.secret, WEBHOOK_SECRET_PURPOSE),
          body: JSON.stringify(advisoryWebhookDocument(v.meta, v.content, d.event, d.orgName)),
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
    return this.settle([d.id], attempts, error);
  }

  /**
   * Takes a user's due digest rows for this process, all in one update (another process that
   * raced for them finds them leased); returns those taken.
   */
  private async claimDigest(rows: readonly Due[]): Promise<Due[]> {
    const nowMs = this.now();
    const taken = await this.db
      .updateTable('member_alert_deliveries')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_attempt_ms: nowMs,
        next_attempt_ms: nowMs + LEASE_MS,
      }))
      .where(
        'id',
        'in',
        rows.map((d) => d.id),
      )
      .where('status', '=', 'pending')
      .where('next_attempt_ms', '<=', nowMs)
      .returning('id')
      .execute();
    const ids = new Set(taken.map((r) => Number(r.id)));
    return rows.filter((d) => ids.has(d.id));
  }

  /** Sends one digest of `rows` (one address) and records the outcome on each of them. */
  private async attemptDigest(
    rows: readonly Due[],
    mailer: AdvisoryMailer,
    versions: readonly { meta: AdvisoryMeta; content: AdvisoryContent }[],
  ): Promise<'delivered' | 'retrying' | 'failed'> {
    const attempts = Math.max(...rows.map((d) => d.attempts)) + 1;
    const items = rows.map((d, i) => ({ ...versions[i]!, event: d.event }));
    let error: DeliveryError | null = null;
    try {
      await mailer.send({
        to: rows[0]!.target,
        subject: advisoryDigestSubject(items, new Date(this.now()).toISOString().slice(0, 10)),
        text: advisoryDigestText(items, this.config.portalUrl ?? null),
        headers: {
          'X-Koban-Alert': rows.map((d) => `${d.alertId}/${d.version}`).join(', '),
          'X-Koban-Event': 'alert.digest',
        },
      });
    } catch (e) {
      error = e instanceof DeliveryError ? e : new DeliveryError((e as Error).message, false);
    }
    return this.settle(
      rows.map((d) => d.id),
      attempts,
      error,
    );
  }

  /** Records an attempt's outcome on its rows: delivered, pending again after a back-off, or failed. */
  private async settle(
    ids: readonly number[],
    attempts: number,
    error: DeliveryError | null,
  ): Promise<'delivered' | 'retrying' | 'failed'> {
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
      .where('id', 'in', [...ids])
      .execute();
    return outcome;
  }

  private async versionOf(
    alertId: number,
    version: number,
  ): Promise<{ meta: AdvisoryMeta; content: AdvisoryContent }> {
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
        status: a.status as AdvisoryStatus,
        sentMs: a.sent_ms === null ? null : Number(a.sent_ms),
        updatedMs: Number(a.created_ms),
        withdrawn:
          a.withdrawn_ms === null ? null : { atMs: Number(a.withdrawn_ms), reason: a.withdrawn_reason ?? '' },
      },
      content: JSON.parse(a.content) as AdvisoryContent,
    };
  }
}
