/**
 * What an organisation's admins see of an endpoint's activity: the outcome of the last delivery
 * attempted to it, and a test delivery on demand — a short signed webhook document (event
 * `endpoint.test`, delivery id 0, so a receiver can tell it from an alert) or a short e-mail, sent
 * at once through the same transports and outbound guard as alerts (transports.ts) and audited.
 */
import { KobanError, type Resolver, type SecretBox } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import type { Actor } from '../identity/actor.js';
import type { ParsedAdvisoryConfig } from './config.js';
import { NO_SMTP_CONFIGURED } from './delivery.js';
import type { AdvisoryEndpoint } from './endpoints.js';
import { WEBHOOK_SECRET_PURPOSE } from './secret-sealing.js';
import { type AdvisoryMailer, DeliveryError, postWebhook } from './transports.js';

export interface LastDelivery {
  readonly alertId: number;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly atMs: number;
  readonly error: string | null;
}

/** The last attempted delivery to each endpoint (one row per endpoint: the highest id). */
export async function lastDeliveries(
  db: RelationalDb,
  endpointIds: readonly number[],
): Promise<Map<number, LastDelivery>> {
  const out = new Map<number, LastDelivery>();
  if (endpointIds.length === 0) return out;
  const rows = await db
    .selectFrom('member_alert_deliveries')
    .select(['endpoint_id', 'alert_id', 'status', 'last_attempt_ms', 'last_error'])
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('member_alert_deliveries')
        .select((e) => e.fn.max('id').as('id'))
        .where('endpoint_id', 'in', [...endpointIds])
        .where('last_attempt_ms', 'is not', null)
        .groupBy('endpoint_id'),
    )
    .execute();
  for (const r of rows)
    out.set(Number(r.endpoint_id), {
      alertId: Number(r.alert_id),
      status: r.status as LastDelivery['status'],
      atMs: Number(r.last_attempt_ms),
      error: r.last_error,
    });
  return out;
}

export interface EndpointTestResult {
  readonly endpointId: number;
  readonly ok: boolean;
  readonly error: string | null;
}

export interface TestDeps {
  readonly db: RelationalDb;
  readonly now: () => number;
  readonly config: ParsedAdvisoryConfig;
  readonly secrets: SecretBox;
  readonly resolver?: Resolver | undefined;
}

async function send(deps: TestDeps, e: AdvisoryEndpoint, mailer: AdvisoryMailer | null): Promise<void> {
  const org = await deps.db
    .selectFrom('organisations')
    .select('name')
    .where('id', '=', e.orgId)
    .executeTakeFirst();
  const sentAt = new Date(deps.now()).toISOString();
  if (e.channel === 'email') {
    if (mailer === null) throw new DeliveryError(NO_SMTP_CONFIGURED, true);
    await mailer.send({
      to: e.target,
      subject: '[Koban] 配信テスト / Delivery test',
      text: `この宛先への注意喚起の配信テストです。\nA test of advisory delivery to this address.\n\n${org?.name ?? ''}\n${sentAt}\n`,
      headers: { 'X-Koban-Event': 'endpoint.test' },
    });
    return;
  }
  const row = await deps.db
    .selectFrom('org_alert_endpoints')
    .select('secret')
    .where('id', '=', e.id)
    .executeTakeFirstOrThrow();
  if (row.secret === null) throw new DeliveryError('the webhook has no secret', true);
  await postWebhook({
    url: e.target,
    secret: deps.secrets.open(row.secret, WEBHOOK_SECRET_PURPOSE),
    body: JSON.stringify({ event: 'endpoint.test', endpoint: e.id, recipient: org?.name ?? null, sentAt }),
    deliveryId: 0,
    event: 'endpoint.test',
    nowMs: deps.now(),
    timeoutMs: deps.config.webhook.timeoutMs,
    policy: {
      allowHttp: deps.config.webhook.allowHttp,
      allowPrivate: deps.config.webhook.allowPrivateTargets,
    },
    resolver: deps.resolver,
  });
}

/** Sends a test to the endpoint now (paused ones too: the admin checks before enabling). */
export async function testEndpoint(
  deps: TestDeps,
  actor: Actor,
  e: AdvisoryEndpoint,
  mailer: AdvisoryMailer | null,
): Promise<EndpointTestResult> {
  let error: string | null = null;
  try {
    await send(deps, e, mailer);
  } catch (x) {
    if (!(x instanceof DeliveryError || x instanceof KobanError)) throw x;
    error = x.message.slice(0, 1000);
  }
  const nowMs = deps.now();
  await appendAudit(
    deps.db,
    actor,
    {
      action: 'org.alert-endpoint-test',
      targetType: 'org',
      targetId: e.orgId,
      details: { endpoint: e.id, channel: e.channel, ok: error === null, error },
    },
    nowMs,
  );
  return { endpointId: e.id, ok: error === null, error };
}
