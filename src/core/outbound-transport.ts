/**
 * The one outbound transport for messages the center sends on its own: e-mail through an SMTP
 * server (nodemailer) and webhook POSTs through the outbound guard (outbound.ts: the name resolved
 * at send time, internal targets refused, the checked address the one connected to, a deadline,
 * no redirects). Operator notifications (detect) and advisories to members (intel) both send
 * through it; each keeps its own configuration, message format, headers (advisories sign theirs)
 * and retry schedule (backoff.ts).
 *
 * A send resolves, or throws a `TransportError` that says whether trying again could help:
 * - SMTP: a 5xx reply is permanent (RFC 5321 §4.2.1); 4xx replies and connection failures may pass
 *   later;
 * - webhooks: 2xx is success; 408, 429 and 5xx are transient (RFC 9110 §15.5.9, RFC 6585 §4,
 *   §15.6); any other status is permanent — a 3xx too, since following it would send the body and
 *   its headers (tokens, signatures) somewhere the owner did not register; a target the guard
 *   refuses stays refused until its configuration (or DNS) changes; network errors and timeouts
 *   are transient.
 *
 * nodemailer is loaded on the first e-mail, not when this module is: every context imports core,
 * and the sensor agent and the CLI's quick commands never send mail.
 */
import type { Transporter } from 'nodemailer';
import { OutboundError, type OutboundPost, postGuarded } from './outbound.js';

export type TransportFailure = 'smtp' | 'http' | OutboundError['kind'];

export class TransportError extends Error {
  constructor(
    message: string,
    /** Retrying cannot help. */
    readonly permanent: boolean,
    /** What failed: the SMTP exchange, the HTTP status, or the guard / network / deadline. */
    readonly failure: TransportFailure,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly auth?: { readonly user: string; readonly pass: string } | undefined;
  readonly rejectUnauthorized: boolean;
  /** For the connection, the greeting and each socket read. */
  readonly timeoutMs: number;
}

export interface MailMessage {
  readonly from: string;
  readonly to: string | readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface SmtpTransport {
  /** Sends one message; throws `TransportError`. */
  send(m: MailMessage): Promise<void>;
  close(): void;
}

/** An SMTP transport; nothing connects (or loads) before the first `send`. */
export function smtpTransport(s: SmtpSettings): SmtpTransport {
  let opened: Promise<Transporter> | null = null;
  const open = () =>
    (opened ??= import('nodemailer').then((nodemailer) =>
      nodemailer.createTransport({
        host: s.host,
        port: s.port,
        secure: s.secure,
        ...(s.auth ? { auth: { user: s.auth.user, pass: s.auth.pass } } : {}),
        tls: { rejectUnauthorized: s.rejectUnauthorized },
        // With credentials, never send them over a connection whose STARTTLS was stripped.
        requireTLS: !s.secure && s.auth !== undefined,
        connectionTimeout: s.timeoutMs,
        greetingTimeout: s.timeoutMs,
        socketTimeout: s.timeoutMs,
      }),
    ));
  let closed = false;
  return {
    async send(m) {
      if (closed) throw new TransportError('the SMTP transport is closed', true, 'smtp');
      try {
        const transport = await open();
        await transport.sendMail({
          from: m.from,
          to: typeof m.to === 'string' ? m.to : [...m.to],
          subject: m.subject,
          text: m.text,
          ...(m.headers ? { headers: { ...m.headers } } : {}),
        });
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        throw new TransportError((e as Error).message, code !== undefined && code >= 500, 'smtp');
      }
    },
    close() {
      closed = true;
      void opened?.then((t) => t.close()).catch(() => undefined);
    },
  };
}

/** True for the HTTP statuses a later try may turn into success. */
export function transientHttpStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** POSTs once through the guard; resolves on a 2xx answer, else throws `TransportError`. */
export async function postWebhook(p: OutboundPost): Promise<void> {
  let status: number;
  try {
    ({ status } = await postGuarded(p));
  } catch (e) {
    const failure = e instanceof OutboundError ? e.kind : 'network';
    throw new TransportError((e as Error).message, failure === 'refused', failure);
  }
  if (status >= 200 && status < 300) return;
  throw new TransportError(`HTTP ${status}`, !transientHttpStatus(status), 'http');
}
