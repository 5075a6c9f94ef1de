/**
 * The two outbound channels of alert delivery: e-mail through the configured SMTP server
 * (nodemailer) and signed webhook POSTs through the center's one outbound guard (core
 * `postGuarded`: the name resolved at send time, internal addresses refused, the checked address
 * the one connected to, no redirects). Each attempt either resolves or throws a `DeliveryError`
 * saying whether trying again could help; the delivery log (delivery.ts) decides when.
 */
import { createTransport } from 'nodemailer';
import { OutboundError, postGuarded, type Resolver, type TargetPolicy } from '../../core/index.js';
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
  const transport = createTransport({
    host: c.host,
    port: c.port,
    secure: c.secure,
    ...(c.auth ? { auth: { user: c.auth.user, pass: c.auth.pass } } : {}),
    tls: { rejectUnauthorized: c.rejectUnauthorized },
    // With credentials, never send them over a connection whose STARTTLS was stripped.
    requireTLS: !c.secure && c.auth !== undefined,
    connectionTimeout: c.timeoutMs,
    greetingTimeout: c.timeoutMs,
    socketTimeout: c.timeoutMs,
  });
  return {
    async send(m) {
      try {
        // One message per address: recipients never see each other (an alert's audience is not public).
        await transport.sendMail({
          from: c.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          headers: { ...m.headers },
        });
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        // 5xx replies are permanent (RFC 5321 §4.2.1); 4xx and connection failures may pass later.
        throw new DeliveryError(`SMTP: ${(e as Error).message}`, code !== undefined && code >= 500);
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

export async function postWebhook(a: WebhookAttempt): Promise<void> {
  const ts = Math.floor(a.nowMs / 1000);
  let status: number;
  try {
    ({ status } = await postGuarded({
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
    }));
  } catch (e) {
    // A target the guard refuses stays refused until the member changes it (or its DNS).
    const refused = e instanceof OutboundError && e.kind === 'refused';
    throw new DeliveryError(`webhook: ${(e as Error).message}`, refused);
  }
  if (status >= 200 && status < 300) return;
  // A redirect would send the signed alert somewhere the member did not register: not followed.
  const transient = status === 408 || status === 429 || status >= 500;
  throw new DeliveryError(`webhook: HTTP ${status}`, !transient);
}
