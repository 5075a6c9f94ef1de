/**
 * Queueing one advisory event (sent, updated, withdrawn) in the delivery log, in the transaction
 * that makes the change: an inbox row per recipient organisation and user, recorded as delivered
 * (the inbox is the audience itself); a pending e-mail or webhook row per contact endpoint of a
 * recipient organisation, and an e-mail or digest row per user who gets advisories by e-mail
 * (user-mail.ts), for `DeliveryLog.run` (delivery.ts). An endpoint its organisation paused, or whose
 * preferences decline this label or event (endpoint-preferences.ts), gets no row; an address that
 * already gets this event as a contact endpoint gets no second e-mail as a user.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import type { Tlp } from '../labels/tlp.js';
import type { Recipients } from './audience.js';
import { preferencesOf, wants } from './endpoint-preferences.js';
import type { AdvisoryEvent } from './render.js';
import { userMailRows } from './user-mail.js';

type NewRow = Omit<Database['member_alert_deliveries'], 'id'>;
/** What every row of one event shares. */
type Base = Pick<
  NewRow,
  'alert_id' | 'version' | 'event' | 'attempts' | 'last_attempt_ms' | 'last_error' | 'created_ms'
>;
type Pending = Base & Pick<NewRow, 'status' | 'next_attempt_ms' | 'delivered_ms'>;

/** Queues (and, for the inbox, records as delivered) one event's deliveries; returns counts per channel. */
export async function queueDeliveries(
  tx: Kysely<Database>,
  alertId: number,
  version: number,
  event: AdvisoryEvent,
  /** The label of the version the event is about (endpoints choose labels). */
  tlp: Tlp,
  to: Recipients,
  nowMs: number,
  /** When a digest row of this event is due (user-mail.ts: the next digest time). */
  digestMs: number,
): Promise<{ inbox: number; email: number; webhook: number; digest: number }> {
  const base: Base = {
    alert_id: alertId,
    version,
    event,
    attempts: 0,
    last_attempt_ms: null,
    last_error: null,
    created_ms: nowMs,
  };
  const pending: Pending = { ...base, status: 'pending', next_attempt_ms: nowMs, delivered_ms: null };
  const inbox = inboxRows(base, to, nowMs);
  const endpoints = await endpointRows(tx, pending, to.orgIds, tlp, event);
  const mailed = new Set(endpoints.filter((r) => r.channel === 'email').map((r) => r.target.toLowerCase()));
  const users = (await userMailRows(tx, pending, to, digestMs)).filter(
    (r) => r.channel !== 'email' || !mailed.has(r.target.toLowerCase()),
  );
  const rows = [...inbox, ...endpoints, ...users];
  for (let i = 0; i < rows.length; i += 200)
    await tx
      .insertInto('member_alert_deliveries')
      .values(rows.slice(i, i + 200))
      .execute();
  const webhook = endpoints.filter((r) => r.channel !== 'email').length;
  const digest = users.filter((r) => r.channel === 'digest').length;
  return {
    inbox: inbox.length,
    email: endpoints.length - webhook + users.length - digest,
    webhook,
    digest,
  };
}

function inboxRows(base: Base, to: Recipients, nowMs: number): NewRow[] {
  const delivered = { ...base, status: 'delivered', next_attempt_ms: null, delivered_ms: nowMs };
  return [
    ...to.orgIds.map((orgId) => ({
      ...delivered,
      org_id: orgId,
      user_id: null,
      channel: 'inbox',
      target: `org:${orgId}`,
      endpoint_id: null,
    })),
    ...to.userIds.map((userId) => ({
      ...delivered,
      org_id: null,
      user_id: userId,
      channel: 'inbox',
      target: `user:${userId}`,
      endpoint_id: null,
    })),
  ];
}

/**
 * The recipient organisations' contact endpoints (e-mail addresses, webhooks) that are neither
 * removed nor paused and want this label and event, 500 orgs a query.
 */
async function endpointRows(
  tx: Kysely<Database>,
  pending: Pending,
  orgIds: readonly number[],
  tlp: Tlp,
  event: AdvisoryEvent,
): Promise<NewRow[]> {
  const rows: NewRow[] = [];
  for (let i = 0; i < orgIds.length; i += 500) {
    const endpoints = await tx
      .selectFrom('org_alert_endpoints')
      .select(['id', 'org_id', 'channel', 'target', 'tlps', 'events'])
      .where('org_id', 'in', orgIds.slice(i, i + 500))
      .where('disabled_ms', 'is', null)
      .where('paused_ms', 'is', null)
      .orderBy('org_id')
      .orderBy('id')
      .execute();
    for (const e of endpoints.filter((x) => wants(preferencesOf(x), tlp, event)))
      rows.push({
        ...pending,
        org_id: Number(e.org_id),
        user_id: null,
        channel: e.channel,
        target: e.target,
        endpoint_id: Number(e.id),
      });
  }
  return rows;
}
