/**
 * Notification of operator alerts: a JSON POST to each configured webhook (with a timeout per
 * attempt and retries with exponential back-off on network errors, timeouts, 408, 429 and 5xx) and
 * an e-mail through a configured SMTP server — both through core's outbound transport, as
 * advisories to members are sent. The configuration is one zod schema —
 * `NotifyConfigSchema` — so the data directory's config can embed it. Notification never throws:
 * a failed channel is reported in the results (and to `onError`), and detection goes on.
 *
 * Webhooks go through the center's one outbound guard (core `postGuarded`), as members' webhooks
 * do: a URL naming an internal host is refused when the configuration is read, a name resolving to
 * an internal address is refused at each send, and the connection goes to the address checked.
 * A receiver on the operator's own network needs `allowPrivate: true` on that webhook.
 */
import { z } from 'zod';
import {
  outboundUrlProblem,
  postWebhook,
  type Resolver,
  type SmtpTransport,
  smtpTransport,
  TransportError,
  type TryOutcome,
  withRetries,
} from '../core/index.js';
import { type AlertChange, episodeState, type OperatorAlert, SEVERITIES, type Severity } from './alerts.js';

const SeverityEnum = z.enum(SEVERITIES);

export const WebhookSchema = z
  .object({
    url: z.url(),
    /** Extra request headers (e.g. an Authorization token). */
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs: z.number().int().positive().default(5000),
    retries: z.number().int().min(0).max(10).default(3),
    /** Alerts below this severity are not sent. */
    minSeverity: SeverityEnum.default('low'),
    /** A receiver on an internal name or address (loopback, RFC 1918, …): refused unless true. */
    allowPrivate: z.boolean().default(false),
  })
  .superRefine((w, ctx) => {
    const problem = outboundUrlProblem(w.url, { allowHttp: true, allowPrivate: w.allowPrivate });
    if (problem)
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message: w.allowPrivate ? problem : `${problem} (set allowPrivate: true to allow it)`,
      });
  });

export const EmailSchema = z.object({
  smtp: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(25),
    /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    user: z.string().optional(),
    pass: z.string().optional(),
    rejectUnauthorized: z.boolean().default(true),
    timeoutMs: z.number().int().positive().default(10_000),
  }),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1),
  minSeverity: SeverityEnum.default('medium'),
  retries: z.number().int().min(0).max(10).default(2),
  subjectPrefix: z.string().default('[Koban]'),
});

export const NotifyConfigSchema = z
  .object({
    webhooks: z.array(WebhookSchema).default([]),
    email: EmailSchema.optional(),
    /** First delay between retries; doubles each time. */
    retryDelayMs: z.number().int().min(0).default(500),
  })
  .strict();

export type NotifyConfig = z.input<typeof NotifyConfigSchema>;

export interface NotifyResult {
  readonly channel: 'webhook' | 'email';
  readonly target: string;
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: string;
}

export interface Notifier {
  notify(change: AlertChange): Promise<NotifyResult[]>;
  close(): void;
}

/** The alert as notifications, `GET /api/v1/alerts` and `koban alerts --json` carry it. */
export interface AlertDocument {
  readonly id: number;
  readonly kind: string;
  readonly severity: Severity;
  readonly status: string;
  readonly title: string;
  readonly first: string;
  readonly last: string;
  readonly acked_by: string | null;
  readonly acked: string | null;
  readonly closed_by: string | null;
  readonly closed: string | null;
  readonly episode: 'ongoing' | 'ended' | '-';
  readonly evidence: Readonly<Record<string, unknown>>;
}

export function alertDocument(a: OperatorAlert): AlertDocument {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    status: a.status,
    title: a.title,
    first: new Date(a.firstMs).toISOString(),
    last: new Date(a.lastMs).toISOString(),
    acked_by: a.ackedBy,
    acked: iso(a.ackedMs),
    closed_by: a.closedBy,
    closed: iso(a.closedMs),
    episode: episodeState(a),
    evidence: documentEvidence(a.evidence),
  };
}

/**
 * The evidence as documents carry it: times as ISO 8601 only. The stored evidence keeps
 * `detected_ms` beside `detected` for the evaluation (eval.ts); the API and the webhooks do not
 * mix epoch milliseconds with ISO 8601.
 */
function documentEvidence(e: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (!('detected_ms' in e)) return e;
  const { detected_ms: _epoch, ...rest } = e;
  return rest;
}

const RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** A failed try as the results report it: a timeout says only that (its deadline is configured). */
function failed(e: unknown): TryOutcome {
  if (!(e instanceof TransportError)) return { ok: false, retry: true, error: (e as Error).message };
  return { ok: false, retry: !e.permanent, error: e.failure === 'timeout' ? 'timeout' : e.message };
}

export function createNotifier(
  config: NotifyConfig,
  onError?: (r: NotifyResult) => void,
  /** DNS for webhook targets (tests give their own). */
  resolver?: Resolver,
): Notifier {
  const c = NotifyConfigSchema.parse(config);
  const s = c.email?.smtp;
  const mailer: SmtpTransport | null = s
    ? smtpTransport({
        host: s.host,
        port: s.port,
        secure: s.secure,
        auth: s.user !== undefined ? { user: s.user, pass: s.pass ?? '' } : undefined,
        rejectUnauthorized: s.rejectUnauthorized,
        timeoutMs: s.timeoutMs,
      })
    : null;
  const backoff = { baseMs: c.retryDelayMs };

  const webhook = async (w: z.infer<typeof WebhookSchema>, body: string): Promise<NotifyResult> => {
    const r = await withRetries(w.retries, backoff, async () => {
      try {
        await postWebhook({
          url: w.url,
          headers: { 'content-type': 'application/json', 'user-agent': 'koban-notify', ...w.headers },
          body,
          timeoutMs: w.timeoutMs,
          policy: { allowHttp: true, allowPrivate: w.allowPrivate },
          ...(resolver ? { resolver } : {}),
        });
        return { ok: true };
      } catch (e) {
        return failed(e);
      }
    });
    return { channel: 'webhook', target: safeTarget(w.url), ...r };
  };

  const email = async (a: OperatorAlert, event: string): Promise<NotifyResult> => {
    const e = c.email!;
    const r = await withRetries(e.retries, backoff, async () => {
      try {
        await mailer!.send({
          from: e.from,
          to: e.to,
          subject: `${e.subjectPrefix} ${a.severity.toUpperCase()} ${a.kind}: ${a.title}`,
          text: mailText(a, event),
        });
        return { ok: true };
      } catch (err) {
        return failed(err);
      }
    });
    return { channel: 'email', target: e.to.join(', '), ...r };
  };

  return {
    async notify(change: AlertChange): Promise<NotifyResult[]> {
      const a = change.alert;
      const event = `alert.${change.change}`;
      const body = JSON.stringify({ event, alert: alertDocument(a) });
      const jobs: Promise<NotifyResult>[] = [];
      for (const w of c.webhooks) if (RANK[a.severity] >= RANK[w.minSeverity]) jobs.push(webhook(w, body));
      if (c.email && RANK[a.severity] >= RANK[c.email.minSeverity]) jobs.push(email(a, event));
      const results = await Promise.all(jobs);
      for (const r of results) if (!r.ok) onError?.(r);
      return results;
    },
    close() {
      mailer?.close();
    },
  };
}

function mailText(a: OperatorAlert, event: string): string {
  const ev = a.evidence;
  const lines = [
    `${a.title}`,
    '',
    `Event:     ${event}`,
    `Alert:     #${a.id} (${a.kind}, ${a.severity}, ${a.status})`,
    `First:     ${new Date(a.firstMs).toISOString()}`,
    `Last:      ${new Date(a.lastMs).toISOString()}`,
    '',
    'Evidence:',
    JSON.stringify(ev, null, 2),
    '',
    'Acknowledge with: koban alerts ack ' + a.id,
  ];
  return lines.join('\n');
}

/** A webhook URL as logs and results show it: origin only (paths and queries often hold tokens). */
export function safeTarget(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
