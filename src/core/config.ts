/**
 * Operator configuration: `<data dir>/koban.json` (optional), overridden by environment
 * variables. One zod schema is both the validation and the TypeScript type.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseAddressBlock } from './address-blocks.js';
import { KobanError } from './errors.js';
import { type Notice, octal, sharedMode, stderrNotice } from './private-files.js';
import { parseUtcOffset } from './time.js';
import { countryUtcOffset } from './zones.js';

const MiB = 1024 * 1024;

/**
 * How far ahead of the center's clock an event may be stamped, by default: ten minutes covers a
 * sensor clock that drifted without NTP for a while, not one set to the wrong zone.
 */
export const DEFAULT_MAX_CLOCK_AHEAD_SECONDS = 600;

/**
 * A DDoS victim inferred from backscatter whose estimated reply rate is below this (replies per
 * second at the victim) is a statistic, not an alert (docs/methods.md#what-deserves-an-alert): a
 * SYN flood of 10,000 packets/s is about 5 Mbit/s, which a server with SYN cookies absorbs
 * (RFC 4987 §3.6). The simulator's truth uses the same default.
 */
export const DEFAULT_MIN_VICTIM_RATE_PPS = 10_000;

/** Limits of HTTP ingest; each bounds what one sensor token can make the center hold or do. */
export const IngestConfigSchema = z
  .object({
    /** Largest request body (gzip'd), bytes. */
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * MiB)
      .default(16 * MiB),
    /** Most a body may inflate to, bytes. */
    maxInflatedBytes: z
      .number()
      .int()
      .min(1024)
      .max(4096 * MiB)
      .default(128 * MiB),
    /**
     * Inflated ÷ compressed size above which a body is refused once it has inflated past
     * `inflateRatioFloorBytes`: NDJSON batches compress 5–15 times, a run of blanks about 1,000.
     */
    maxInflateRatio: z.number().min(2).max(1100).default(100),
    inflateRatioFloorBytes: z
      .number()
      .int()
      .min(0)
      .default(8 * MiB),
    /** Longest NDJSON line (one record), characters; a longer one is one rejected record. */
    maxRecordChars: z
      .number()
      .int()
      .min(1024)
      .max(64 * MiB)
      .default(256 * 1024),
    /** Records in one batch. */
    maxRecords: z.number().int().min(1).default(200_000),
    /**
     * Lines of one batch that are not JSON, each a counted rejection, before the whole batch is
     * refused (400): a line garbled on the way is tolerated, a body of garbage is not NDJSON.
     */
    maxNotJsonLines: z.number().int().min(0).default(1000),
    /** Events decoded and waiting for the writer before new batches are refused (429). */
    maxQueuedEvents: z.number().int().min(1).default(2_000_000),
    /** Batches of one sensor decoded at once (more: 429), and of all sensors (more: 503). */
    decodesPerSensor: z.number().int().min(1).default(4),
    decodesTotal: z.number().int().min(1).default(8),
    /** Requests one sensor token may make per second on average, and in a burst (more: 429). */
    requestsPerSecond: z.number().positive().default(50),
    requestBurst: z.number().int().min(1).default(100),
    /**
     * Events stamped before this time are rejected (counted per record): the power-on dates of
     * clocks that were never set (1970-01-01, 1980-01-01/06, 2000-01-01) all lie before it.
     */
    minEventTime: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date, e.g. 2001-01-01T00:00:00Z')
      .default('2001-01-01T00:00:00Z'),
  })
  .strict();

/** An IP address or CIDR block as an operator writes it (address-blocks.ts reads it). */
const AddressBlockText = z
  .string()
  .refine((s) => parseAddressBlock(s.trim()) !== null, 'an IP address or CIDR block');

export const ConfigSchema = z
  .object({
    /**
     * The relational store (organisations, reports, sensors, operator alerts): a PostgreSQL URL
     * (`postgres://USER@HOST/DB`). Absent: the SQLite file in the data directory. `--db` and
     * `KOBAN_DB` win over it (resolveRelationalUrl).
     */
    db: z
      .string()
      .superRefine((s, ctx) => {
        const problem = relationalUrlProblem(s);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /**
     * The event store: `clickhouse://HOST:PORT/DB` (or several hosts and `?cluster=NAME`), or
     * `duckdb:DIR`. Absent: the DuckDB file in the data directory. `--events` and `KOBAN_EVENTS`
     * win over it (resolveEventsUrl).
     */
    events: z
      .string()
      .superRefine((s, ctx) => {
        const problem = eventsUrlProblem(s);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** ISO 3166-1 alpha-2 of "domestic" in domestic/foreign splits (the annual report §2.2.2, docs/background.md#observation). */
    domesticCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'two upper-case letters (ISO 3166-1 alpha-2)')
      .default('JP'),
    /**
     * The operator's UTC offset for day/week/month buckets and dates without a zone, e.g. "+09:00".
     * Default: the standard offset of the domestic country's zone (zones.ts; +09:00 for JP), else UTC.
     */
    utcOffset: z
      .string()
      .refine((s) => {
        try {
          parseUtcOffset(s);
          return true;
        } catch {
          return false;
        }
      }, 'a UTC offset such as +09:00')
      .optional(),
    /**
     * What the public (no operator token, no `observations:read`) sees of the observation views:
     * nothing newer than `delayHours`, no per-sensor view, and counts below `minCount` withheld
     * (probe-response attacks on telescopes: Bethencourt et al., USENIX Security 2005).
     */
    publicStats: z
      .object({
        delayHours: z
          .number()
          .min(0)
          .max(24 * 366)
          .default(24),
        minCount: z.number().int().min(1).max(1_000_000).default(5),
      })
      .strict()
      .prefault({}),
    /**
     * Reverse proxies in front of `koban serve` whose X-Forwarded-For / X-Forwarded-Proto are
     * believed: `true` (any peer: only when nothing else can reach the port), or a list of proxy
     * addresses / CIDR blocks. Default: none.
     */
    trustProxy: z
      .union([
        z.boolean(),
        z
          .array(
            z.string().refine((s) => parseAddressBlock(s.trim()) !== null, 'an IP address or CIDR block'),
          )
          .max(100),
      ])
      .default(false),
    /** Days raw events are kept; hourly rollups are kept forever. 0 keeps raw events forever. */
    retentionDays: z.number().int().min(0).default(90),
    /**
     * What `retentionDays` counts back from: the wall clock (default), or the newest stored event
     * (never one in the future) for a data directory of imported history, whose raw events would
     * otherwise all be older than the cut-off. With `newest-event` one wrongly dated record moves
     * the cut-off: choose it only for history.
     */
    retentionFrom: z.enum(['wall-clock', 'newest-event']).default('wall-clock'),
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
     * context (`AdvisoryConfigSchema`) when `koban serve` or a `koban advisory` command opens it.
     */
    advisories: z.record(z.string(), z.unknown()).optional(),
    /** The TAXII server's settings; validated by the feeds context (`taxiiOptionsFrom`). */
    taxii: z.record(z.string(), z.unknown()).optional(),
    /** Peer centers (docs/sharing.md#federation); validated by the feeds context (`federationConfigFrom`). */
    federation: z.record(z.string(), z.unknown()).optional(),
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
    /**
     * Which scans deserve an operator alert besides large new campaigns and rapid growth
     * (docs/methods.md#what-deserves-an-alert): scans reaching the domestic networks under watch
     * (`domesticBlocks`) or registered critical-infrastructure blocks (`criticalBlocks`, named);
     * and the known scanners — research projects, search engines — from a file the operator gives
     * (`knownScanners`: one `CIDR[,name]` a line; relative to the data directory), tagged and never
     * alerted on. Nothing is downloaded.
     */
    scans: z
      .object({
        domesticBlocks: z.array(AddressBlockText).max(100_000).default([]),
        criticalBlocks: z
          .array(z.object({ name: z.string().trim().min(1).max(200), cidr: AddressBlockText }).strict())
          .max(100_000)
          .default([]),
        knownScanners: z.string().min(1).max(4096).optional(),
      })
      .strict()
      .prefault({}),
    /**
     * The anonymizer database (docs/anonymizer.md): answers stop (E_STALE, DNS SERVFAIL) when the
     * newest list is older than `staleHours`; `dnsbl.listen` (`HOST:PORT`) also runs the DNSBL
     * inside `koban serve`, answering for `dnsbl.zone`.
     */
    anonymizer: z
      .object({
        staleHours: z.number().min(1).max(8760).default(24),
        dnsbl: z
          .object({
            listen: z.string().min(3).max(300).optional(),
            zone: z
              .string()
              .regex(/^(?=.{1,200}$)([a-z0-9-]{1,63}\.)*[a-z0-9-]{1,63}$/i, 'a DNS zone name')
              .default('tor.dnsbl.koban.invalid'),
          })
          .strict()
          .prefault({}),
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
        /** Detector settings an operator may change (the others are the detectors' defaults). */
        backscatter: z
          .object({
            /** Estimated replies/s at a victim below which it is listed, not alerted. */
            minVictimRatePps: z.number().min(0).default(DEFAULT_MIN_VICTIM_RATE_PPS),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /**
     * How far ahead of the center's clock an event may be stamped (a sensor clock running fast):
     * ingest rejects later events, and live detection neither feeds nor warms up past the wall
     * clock by more. One limit for both, so nothing is stored that detection would drop.
     */
    maxClockAheadSeconds: z.number().int().min(0).max(86_400).default(DEFAULT_MAX_CLOCK_AHEAD_SECONDS),
    /** Limits of the sensors' `POST /api/v1/ingest` (README, `koban serve`). */
    ingest: IngestConfigSchema.prefault({}),
    /** Longest accepted text record; longer lines are rejected without being buffered whole. */
    maxLineBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(64 * 1024),
  })
  .strict()
  .transform((c) => ({ ...c, utcOffset: c.utcOffset ?? countryUtcOffset(c.domesticCountry) ?? '+00:00' }));

export type KobanConfig = z.infer<typeof ConfigSchema>;
export type PublicStatsConfig = KobanConfig['publicStats'];

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

export const CONFIG_FILE = 'koban.json';

/** URL schemes of a relational store other than the default SQLite file (libpq's two spellings). */
export const RELATIONAL_URL_SCHEMES = ['postgres', 'postgresql'] as const;

/**
 * Why `url` cannot name a relational store, or null when it can. Never quotes the URL itself: it
 * may carry a password, and the message goes to a terminal and to logs.
 */
export function relationalUrlProblem(url: string): string | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1];
  const expected = 'postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory';
  if (scheme === undefined) return `not a URL (expected ${expected})`;
  if (!(RELATIONAL_URL_SCHEMES as readonly string[]).includes(scheme.toLowerCase()))
    return `unsupported scheme "${scheme}:" (expected ${expected})`;
  if (!URL.canParse(url)) return `not a valid ${scheme}:// URL (expected ${expected})`;
  return null;
}

/**
 * The relational store a command or the center opens: `--db` (flag), else `KOBAN_DB`, else
 * koban.json `db`; undefined means the SQLite file in the data directory. An empty `KOBAN_DB`
 * counts as unset (`KOBAN_DB= koban …` clears an exported one). A URL that cannot name a store is
 * a one-line error naming where it came from.
 */
export function resolveRelationalUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  config: { readonly db?: string | undefined },
): string | undefined {
  const [url, from, code] =
    flag !== undefined
      ? [flag, '--db', 'E_USAGE' as const]
      : env.KOBAN_DB
        ? [env.KOBAN_DB, 'KOBAN_DB', 'E_CONFIG' as const]
        : [config.db, `${CONFIG_FILE} db`, 'E_CONFIG' as const];
  if (url === undefined) return undefined;
  const problem = relationalUrlProblem(url);
  if (problem !== null) throw new KobanError(code, `${from}: ${problem}`);
  return url;
}

/** URL schemes of an event store (observe/open-event-store.ts opens each). */
export const EVENTS_URL_SCHEMES = ['duckdb', 'clickhouse'] as const;

/**
 * Why `url` cannot name an event store, or null when it can. Never quotes the URL: it may carry a
 * password. (The adapter checks the rest of it when it opens the store.)
 */
export function eventsUrlProblem(url: string): string | null {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1];
  const expected = 'clickhouse://HOST:PORT/DATABASE; leave it out for the DuckDB file in the data directory';
  if (scheme === undefined) return `not a URL (expected ${expected})`;
  if (!(EVENTS_URL_SCHEMES as readonly string[]).includes(scheme.toLowerCase()))
    return `unsupported scheme "${scheme}:" (expected ${expected})`;
  return null;
}

/**
 * The event store a command or the center opens: `--events` (flag), else `KOBAN_EVENTS`, else
 * koban.json `events`; undefined means the DuckDB file in the data directory. Resolved like
 * {@link resolveRelationalUrl} (an empty `KOBAN_EVENTS` counts as unset).
 */
export function resolveEventsUrl(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  config: { readonly events?: string | undefined },
): string | undefined {
  const [url, from, code] =
    flag !== undefined
      ? [flag, '--events', 'E_USAGE' as const]
      : env.KOBAN_EVENTS
        ? [env.KOBAN_EVENTS, 'KOBAN_EVENTS', 'E_CONFIG' as const]
        : [config.events, `${CONFIG_FILE} events`, 'E_CONFIG' as const];
  if (url === undefined) return undefined;
  const problem = eventsUrlProblem(url);
  if (problem !== null) throw new KobanError(code, `${from}: ${problem}`);
  return url;
}

/**
 * Loads `<dataDir>/koban.json` when present and applies `KOBAN_*` environment overrides. The file
 * may hold SMTP passwords and webhook headers: a copy others can read is warned about.
 */
export function loadConfig(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
  notice: Notice = stderrNotice,
): KobanConfig {
  const path = join(dataDir, CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  if (existsSync(path)) {
    const mode = sharedMode(path);
    if (mode !== null)
      notice(
        `warning: ${path} can be read or changed by other users (mode ${octal(mode)}) and may hold credentials: chmod 600 ${path}`,
      );
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
