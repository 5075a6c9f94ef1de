/**
 * Operator configuration: `<data dir>/koban.json` (optional), overridden by environment
 * variables. One zod schema is both the validation and the TypeScript type.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { KobanError } from './errors.js';
import { parseUtcOffset } from './time.js';

export const ConfigSchema = z
  .object({
    /** ISO 3166-1 alpha-2 of "domestic" in domestic/foreign splits (seed 000 §2.2.2). */
    domesticCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'two upper-case letters (ISO 3166-1 alpha-2)')
      .default('JP'),
    /** The operator's UTC offset for day/week/month buckets, e.g. "+09:00". */
    utcOffset: z
      .string()
      .default('+00:00')
      .refine((s) => {
        try {
          parseUtcOffset(s);
          return true;
        } catch {
          return false;
        }
      }, 'a UTC offset such as +09:00'),
    /** Days raw events are kept; hourly rollups are kept forever. 0 keeps raw events forever. */
    retentionDays: z.number().int().min(0).default(90),
    /**
     * Days the center remembers the ids of sensor batches it stored (to answer a re-delivery as a
     * duplicate). A batch an agent holds longer than this in its spool would be stored twice.
     */
    batchMemoryDays: z.number().int().min(1).default(30),
    geo: z
      .object({
        /** Any MMDB file with a country code (MaxMind GeoLite2/GeoIP2 Country, ip-location-db, …). */
        countryMmdb: z.string().optional(),
        /** ip-location-db style ASN CSV (start,end,asn,org) for IPv4; numeric or dotted. */
        asnCsv: z.string().optional(),
        /** An MMDB with `autonomous_system_number` (MaxMind GeoLite2 ASN); used instead of the CSV. */
        asnMmdb: z.string().optional(),
      })
      .default({}),
    /**
     * Where operator alerts are notified: `{ "webhooks": [{ "url": … }], "email": { "smtp": { "host": … },
     * "from": …, "to": [ … ] } }`. Validated by the detection context (`NotifyConfigSchema`) when
     * the center starts.
     */
    notify: z.record(z.string(), z.unknown()).optional(),
    /**
     * How advisories (alerts to members) are delivered besides the inbox: `{ "smtp": { "host": …,
     * "from": … }, "webhook": { … }, "retry": { … }, "portalUrl": … }`. Validated by the intel
     * context (`MemberAlertConfigSchema`) when `koban serve` or a `koban advisory` command opens it.
     */
    advisories: z.record(z.string(), z.unknown()).optional(),
    /** Intake of member reports in `koban serve`: parse workers, their queue, per-organisation limits. */
    intake: z
      .object({
        /**
         * Worker threads that parse reported e-mails off the event loop (default: the available
         * cores minus one, at least 1); 0 parses on the server's own thread.
         */
        parseWorkers: z.number().int().min(0).max(64).optional(),
        /** Messages waiting for a parse worker; past it a submission is answered 503 + Retry-After. */
        parseQueue: z.number().int().min(1).max(10_000).default(16),
        /** Submissions one organisation may make in a burst before the hourly rate applies. */
        orgSubmissionBurst: z.number().int().min(1).max(100_000).default(60),
        /** Sustained submissions per organisation and hour (past it: 429 + Retry-After). */
        orgSubmissionsPerHour: z.number().int().min(1).max(3_600_000).default(600),
        /** Evidence (raw reported files) one organisation may keep, in MiB; 0: no quota. */
        orgEvidenceQuotaMb: z.number().int().min(0).default(2048),
      })
      .strict()
      .prefault({}),
    /** Live detection in `koban serve`. */
    detection: z
      .object({
        /** How often the stored batches are read and complete minutes fed to the detectors. */
        pollSeconds: z.number().int().min(1).max(600).default(10),
        /** How late an event may arrive and still count in its minute (behind the newest one). */
        graceSeconds: z.number().int().min(0).max(3600).default(120),
        /**
         * Judge a minute as soon as every sensor stream heard from within the grace has delivered a
         * later one (each stream ships in order), instead of always waiting the grace.
         */
        waitForStreams: z.boolean().default(true),
        /**
         * Stored history the detectors are warmed on when live detection starts (baselines). The
         * port-surge day test needs six days of it; the hourly tests one.
         */
        warmupHours: z
          .number()
          .int()
          .min(0)
          .max(24 * 60)
          .default(48),
        /** How long a stream's newer minute must have been seen before the ones before it are done. */
        settleSeconds: z.number().int().min(0).max(600).default(20),
        /**
         * Alerts whose episode ended this many hours ago and that nobody closed are closed by the
         * center (by "koban"); 0 (the default) leaves them for an operator.
         */
        closeEndedAfterHours: z.number().min(0).max(8760).default(0),
      })
      .strict()
      .prefault({}),
    /** Longest accepted text record; longer lines are rejected without being buffered whole. */
    maxLineBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
  })
  .strict();

export type KobanConfig = z.infer<typeof ConfigSchema>;

/** `advisories.smtp` from `KOBAN_SMTP_HOST`, `_PORT`, `_SECURE`, `_USER`, `_PASS`, `_FROM` (validated with the rest). */
function smtpFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  return {
    host: env.KOBAN_SMTP_HOST,
    ...(env.KOBAN_SMTP_PORT ? { port: Number(env.KOBAN_SMTP_PORT) } : {}),
    ...(env.KOBAN_SMTP_SECURE
      ? { secure: env.KOBAN_SMTP_SECURE === '1' || env.KOBAN_SMTP_SECURE === 'true' }
      : {}),
    ...(env.KOBAN_SMTP_USER ? { auth: { user: env.KOBAN_SMTP_USER, pass: env.KOBAN_SMTP_PASS ?? '' } } : {}),
    ...(env.KOBAN_SMTP_FROM ? { from: env.KOBAN_SMTP_FROM } : {}),
  };
}

export const DEFAULT_DATA_DIR = 'koban-data';

/** The data directory: `--data`, else `KOBAN_DATA`, else `./koban-data`. */
export function resolveDataDir(flag?: string): string {
  return resolve(flag ?? process.env.KOBAN_DATA ?? DEFAULT_DATA_DIR);
}

/** Loads `<dataDir>/koban.json` when present and applies `KOBAN_*` environment overrides. */
export function loadConfig(dataDir: string, env: NodeJS.ProcessEnv = process.env): KobanConfig {
  const path = join(dataDir, 'koban.json');
  let raw: Record<string, unknown> = {};
  if (existsSync(path)) {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new KobanError('E_CONFIG', `${path}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (env.KOBAN_DOMESTIC) raw.domesticCountry = env.KOBAN_DOMESTIC;
  if (env.KOBAN_UTC_OFFSET) raw.utcOffset = env.KOBAN_UTC_OFFSET;
  if (env.KOBAN_COUNTRY_MMDB) raw.geo = { ...(raw.geo as object), countryMmdb: env.KOBAN_COUNTRY_MMDB };
  if (env.KOBAN_SMTP_HOST) raw.advisories = { ...(raw.advisories as object), smtp: smtpFromEnv(env) };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KobanError(
      'E_CONFIG',
      `${path}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid configuration'}`,
    );
  }
  return parsed.data;
}
