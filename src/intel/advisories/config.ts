/**
 * Delivery configuration of alerts to members: the SMTP server (nodemailer), webhook limits, and
 * the retry schedule. One zod schema, so the operator's configuration file embeds it (the
 * `advisories` section of `koban.json`, read by `advisoryConfigFrom`).
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';

export const SmtpConfigSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(25),
  /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
  secure: z.boolean().default(false),
  auth: z.strictObject({ user: z.string().min(1), pass: z.string() }).optional(),
  /** The From of every alert, e.g. `"Cyber Intelligence Center" <alerts@center.example>`. */
  from: z.string().min(3),
  rejectUnauthorized: z.boolean().default(true),
  timeoutMs: z.number().int().positive().default(10_000),
});
export type SmtpConfig = z.input<typeof SmtpConfigSchema>;

export const AdvisoryConfigSchema = z.object({
  smtp: SmtpConfigSchema.optional(),
  webhook: z
    .strictObject({
      timeoutMs: z.number().int().positive().default(10_000),
      /** Plain http:// endpoints (tests, closed networks); https only otherwise. */
      allowHttp: z.boolean().default(false),
      /** Endpoints on loopback, private or reserved addresses (tests); refused otherwise. */
      allowPrivateTargets: z.boolean().default(false),
    })
    .prefault({}),
  retry: z
    .strictObject({
      /** Attempts per delivery before it is marked failed (a manual retry starts over). */
      maxAttempts: z.number().int().min(1).max(50).default(6),
      /** Delay after the first failure; doubles after each further one, up to `maxDelayMs`. */
      firstDelayMs: z.number().int().min(0).default(60_000),
      maxDelayMs: z
        .number()
        .int()
        .min(0)
        .default(6 * 3_600_000),
    })
    .prefault({}),
  /** Deliveries attempted at once by one run. */
  concurrency: z.number().int().min(1).max(64).default(8),
  /** Where members open alerts in the portal (links in e-mails): `<portalUrl>/advisories/<id>`. */
  portalUrl: z.url().optional(),
  /**
   * When the daily digest goes to users who chose it (user-mail.ts): `at` local time of day at
   * `utcOffset` (08:00 in Japan by default).
   */
  digest: z
    .strictObject({
      at: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM')
        .default('08:00'),
      utcOffset: z
        .string()
        .regex(/^[+-](0\d|1[0-4]):?[0-5]\d$|^Z$/, 'a UTC offset such as +09:00')
        .default('+09:00'),
    })
    .prefault({}),
});
export type AdvisoryConfig = z.input<typeof AdvisoryConfigSchema>;
export type ParsedAdvisoryConfig = z.output<typeof AdvisoryConfigSchema>;

/**
 * The `advisories` section of the operator's configuration, validated; E_CONFIG names the key at
 * fault (`koban.json: advisories.smtp.from: …`).
 */
export function advisoryConfigFrom(raw: unknown, where = 'koban.json: advisories'): ParsedAdvisoryConfig {
  const parsed = AdvisoryConfigSchema.strict().safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? `.${issue.path.join('.')}` : '';
    throw new KobanError('E_CONFIG', `${where}${path}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
