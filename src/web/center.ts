/**
 * Wiring of one center process: the data directory's stores, the sensor registry, the ingest
 * service, operator alerts, metrics and the intel services (over the same relational store and the
 * data directory's evidence, as the CLI opens them). Routes (app.ts) and the server (server.ts) use it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { type KobanConfig, KobanError, type PublicStatsConfig, type StoreStatus } from '../core/index.js';
import { openRelational, type RelationalDb, relationalHealth } from '../db/index.js';
import { AlertStore } from '../detect/index.js';
import {
  defaultParseWorkers,
  type IntelOptions,
  IntelService,
  memberAlertConfigFrom,
} from '../intel/index.js';
import {
  type IngestLimits,
  IngestService,
  ingestLimitsFromConfig,
  type Observatory,
  openEnricher,
  openObservatory,
  SensorRegistry,
} from '../observe/index.js';
import { deliverAlerts } from './intel/alerts.js';
import type { IntelApiOptions } from './intel/mount.js';
import { CenterMetrics } from './metrics.js';

export const OPERATOR_TOKEN_FILE = 'operator-token.sha256';
/**
 * The running center's own operator token, for CLI commands on the same data directory that ask
 * it instead of the store it holds (`koban stats`). Readable by the data directory's owner only:
 * whoever can read it can read the stores themselves.
 */
export const LOCAL_OPERATOR_FILE = 'operator-local.token';

export interface Center {
  readonly dataDir: string;
  readonly observatory: Observatory;
  readonly db: RelationalDb;
  readonly registry: SensorRegistry;
  readonly ingest: IngestService;
  readonly alerts: AlertStore;
  readonly intel: IntelService;
  /** How the intel REST API is mounted (limits, proxy trust, login throttling). */
  readonly apiOptions: IntelApiOptions;
  readonly metrics: CenterMetrics;
  readonly log: Logger;
  /** True once shutdown began: new batches are refused, in-flight ones finish. */
  draining: boolean;
  /** Labels shown on pages when the data is simulated (the demo feed). */
  simulated: boolean;
  /**
   * What the public sees of the observation data (public-stats.ts): koban.json `publicStats`; the
   * demo feed, whose data is simulated and reveals no sensor, shows it live.
   */
  publicStats: PublicStatsConfig;
  /**
   * Address blocks of sensors the registry does not list (relayed or simulated sensors), for the
   * detectors' coverage; registered sensors' `addressBlocks` take precedence.
   */
  readonly extraAddressBlocks: Map<string, readonly string[]>;
  /** Throws E_AUTH unless the header carries the operator token (or this process's local one). */
  requireOperator(authorization: string | undefined): void;
  /** This process's operator token for local CLI commands (written by server.ts, never stored hashed). */
  readonly localOperatorToken: string;
  /**
   * Each store's health: a failure of its file seen since start (damage, a full disk), or a cheap
   * read through it failing now (for `/healthz`).
   */
  storeHealth(): Promise<StoreStatus[]>;
  close(): Promise<void>;
}

export interface CenterOptions {
  readonly dataDir?: string | undefined;
  /** The relational store (`--db`): undefined → the data directory's SQLite file; `postgres://…`. */
  readonly relationalUrl?: string | undefined;
  readonly ingestLimits?: IngestLimits | undefined;
  readonly logLevel?: string | undefined;
  /** Options of the intel services (the data directory is the center's). */
  readonly intel?: Omit<IntelOptions, 'dataDir'> | undefined;
  readonly api?: IntelApiOptions | undefined;
}

/** Creates a new operator token, stores its hash in the data directory and returns it. */
export function rotateOperatorToken(dataDir: string): string {
  const token = `kbo_${randomBytes(32).toString('base64url')}`;
  writeFileSync(join(dataDir, OPERATOR_TOKEN_FILE), createHash('sha256').update(token).digest('hex'), {
    mode: 0o600,
  });
  return token;
}

/**
 * The intel services as the center runs them: e-mails parsed in worker threads, per-organisation
 * submission limits, and advisory delivery, from `koban.json` (`intake`, `advisories`); what the
 * caller gives (tests) wins.
 */
function intelOptions(config: KobanConfig, given: CenterOptions['intel'], dataDir: string): IntelOptions {
  const i = config.intake;
  return {
    parseWorkers: i.parseWorkers ?? defaultParseWorkers(),
    parseQueue: i.parseQueue,
    intakeLimits: {
      orgSubmissionBurst: i.orgSubmissionBurst,
      orgSubmissionsPerHour: i.orgSubmissionsPerHour,
      orgEvidenceQuotaBytes: i.orgEvidenceQuotaMb * 1024 * 1024,
    },
    alerts: memberAlertConfigFrom(config.advisories),
    ...given,
    dataDir,
  };
}

export async function openCenter(options: CenterOptions = {}): Promise<Center> {
  const log = pino({ level: options.logLevel ?? process.env.KOBAN_LOG ?? 'info' });
  // Tightened file modes, a readable koban.json, secrets sealed on open: the operator reads the log.
  const notice = (m: string) => log.warn(m);
  const observatory = await openObservatory(options.dataDir, { notice });
  const dataDir = observatory.dataDir;
  let opened: RelationalDb | null = null;
  try {
    const db = await openRelational(dataDir, { notice, url: options.relationalUrl });
    opened = db;
    const enricher = await openEnricher(observatory.config);
    const registry = new SensorRegistry(db);
    const ingest = new IngestService(
      observatory.store,
      enricher,
      registry,
      observatory.config,
      options.ingestLimits ?? ingestLimitsFromConfig(observatory.config),
    );
    const alerts = new AlertStore(db);
    const io = { notice, ...intelOptions(observatory.config, options.intel, dataDir) };
    const intel = await IntelService.open(db, io);
    if (intel.parseStats() === null && io.prepare === undefined && (io.parseWorkers ?? 0) > 0)
      log.warn('e-mail parse workers need the compiled build: reported e-mails are parsed on this thread');
    const tokenPath = join(dataDir, OPERATOR_TOKEN_FILE);
    const localOperatorToken = `kbo_${randomBytes(32).toString('base64url')}`;
    const localHash = createHash('sha256').update(localOperatorToken).digest();
    const metrics = new CenterMetrics(observatory.store, ingest, registry);
    metrics.watchAudit(() => intel.auditStatus());
    const center: Center = {
      dataDir,
      observatory,
      db,
      registry,
      ingest,
      alerts,
      intel,
      apiOptions: {
        ...(options.intel?.now ? { now: options.intel.now } : {}),
        trustProxy: observatory.config.trustProxy,
        afterAlertSent: () => {
          deliverAlerts(intel).catch((err: unknown) => log.error({ err }, 'alert delivery failed'));
        },
        ...options.api,
      },
      metrics,
      log,
      draining: false,
      simulated: false,
      publicStats: observatory.config.publicStats,
      extraAddressBlocks: new Map(),
      localOperatorToken,
      requireOperator(authorization) {
        const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
        const stored = existsSync(tokenPath)
          ? Buffer.from(readFileSync(tokenPath, 'utf8').trim(), 'hex')
          : null;
        const given = createHash('sha256').update(token).digest();
        const matches = (h: Buffer | null) => h?.length === 32 && timingSafeEqual(h, given);
        if (token === '' || !(matches(stored) || matches(localHash))) {
          throw new KobanError('E_AUTH', 'operator token required (create one with: koban operator-token)');
        }
      },
      async storeHealth() {
        const probe = async (
          status: () => StoreStatus,
          read: () => Promise<unknown>,
        ): Promise<StoreStatus> => {
          if (!status().ok) return status();
          try {
            await read();
            return status();
          } catch (e) {
            // A failure of the file is now recorded (named without its path); anything else as it is.
            const after = status();
            return after.ok ? { store: after.store, ok: false, error: (e as Error).message } : after;
          }
        };
        const store = observatory.store;
        return [
          await probe(
            () => store.health(),
            () => store.probe(),
          ),
          await probe(
            () => relationalHealth(db),
            () => db.selectFrom('sensors').select('name').limit(1).execute(),
          ),
        ];
      },
      async close() {
        await ingest.close();
        await intel.close();
        await db.destroy();
        await observatory.close();
      },
    };
    return center;
  } catch (e) {
    await opened?.destroy();
    await observatory.close();
    throw e;
  }
}
