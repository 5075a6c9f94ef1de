/**
 * The two outbound channels of alert delivery: e-mail through the configured SMTP server and signed
 * webhook POSTs, both through core's outbound transport (outbound-transport.ts: the guard, the
 * deadline, no redirects, which failures are permanent). Each attempt either resolves or throws a
 * `DeliveryError` saying whether trying again could help; the delivery log (delivery.ts) decides when.
 */
import {
  postWebhook as postGuardedWebhook,
  type Resolver,
  smtpTransport,
  type TargetPolicy,
  TransportError,
} from '../../core/index.js';
import { type SmtpConfig, SmtpConfigSchema } from './config.js';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from './signature.js';

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Retrying cannot help (a 5xx SMTP reply, a 4xx HTTP status other than 408 and 429). */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface AlertMailer {
  send(m: OutgoingMail): Promise<void>;
  close(): void;
}

export function smtpMailer(config: SmtpConfig): AlertMailer {
  const c = SmtpConfigSchema.parse(config);
  const transport = smtpTransport(c);
  return {
    async send(m) {
      try {
        // One message per address: recipients never see each other (an alert's audience is not public).
        await transport.send({
          from: c.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          headers: m.headers,
        });
      } catch (e) {
        throw deliveryError('SMTP', e);
      }
    },
    close() {
      transport.close();
    },
  };
}

export interface WebhookAttempt {
  readonly url: string;
  readonly secret: string;
  readonly body: string;
  readonly deliveryId: number;
  readonly event: string;
  readonly nowMs: number;
  readonly timeoutMs: number;
  /** What the target may be (config `webhook.allowHttp`, `webhook.allowPrivateTargets`). */
  readonly policy: TargetPolicy;
  /** DNS (tests give their own). */
  readonly resolver?: Resolver | undefined;
}

/** A failed send as the delivery log records it: the channel, and whether a retry could help. */
function deliveryError(channel: 'SMTP' | 'webhook', e: unknown): DeliveryError {
  const permanent = e instanceof TransportError && e.permanent;
  return new DeliveryError(`${channel}: ${(e as Error).message}`, permanent);
}

export async function postWebhook(a: WebhookAttempt): Promise<void> {
  const ts = Math.floor(a.nowMs / 1000);
  try {
    await postGuardedWebhook({
      url: a.url,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'koban-alerts',
        [TIMESTAMP_HEADER]: String(ts),
        [SIGNATURE_HEADER]: signWebhook(a.secret, ts, a.body),
        [DELIVERY_HEADER]: String(a.deliveryId),
        [EVENT_HEADER]: a.event,
      },
      body: a.body,
      timeoutMs: a.timeoutMs,
      policy: a.policy,
      ...(a.resolver ? { resolver: a.resolver } : {}),
    });
  } catch (e) {
    // A target the guard refuses stays refused until the member changes it (or its DNS); a
    // redirect would send the signed alert somewhere the member did not register: not followed.
    throw deliveryError('webhook', e);
  }
}
