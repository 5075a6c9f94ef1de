/**
 * The composition root of one center process: the one place that knows the concrete stores. It
 * opens the data directory's event store and relational store, and builds on them the sensor
 * registry, the ingest service, operator alerts, metrics and the intel services (over the same
 * relational store and the data directory's evidence, as the CLI opens them). The server
 * (server.ts) runs it; the HTTP side gets the `WebContext` of web-context.ts, not this bag.
 */
import pino, { type Logger } from 'pino';
import { AnonymizerService } from '../anon/index.js';
import {
  type KobanConfig,
  type PublicStatsConfig,
  resolveRelationalUrl,
  type StoreStatus,
} from '../core/index.js';
import { openRelational, type RelationalDb } from '../db/index.js';
import { AlertStore, BackscatterStatistics, ScannerStore } from '../detect/index.js';
import { Federation, federationConfigFrom, peerCollections, taxiiOptionsFrom } from '../feeds/index.js';
import { advisoryConfigFrom, defaultParseWorkers, type IntelOptions, IntelService } from '../intel/index.js';
import {
  type IngestLimits,
  IngestService,
  ingestLimitsFromConfig,
  type Observatory,
  openEnricher,
  openObservatory,
  SensorRegistry,
} from '../observe/index.js';
import { externalSigningKey, RecorderHeads } from '../recorder/index.js';
import { CenterMetrics, type WebOptions } from '../web/index.js';
import { deliverAdvisories } from './advisory-delivery.js';
import { operatorCheck } from './operator-token.js';
import { storeHealth } from './store-health.js';

export interface Center {
  readonly dataDir: string;
  readonly observatory: Observatory;
  readonly db: RelationalDb;
  readonly registry: SensorRegistry;
  readonly ingest: IngestService;
  readonly alerts: AlertStore;
  /** Every scan the detectors found, kept as data (the scanner list). */
  readonly scanners: ScannerStore;
  /** DDoS victims below the alerting rate, kept as statistics (the scanner list's sibling). */
  readonly backscatter: BackscatterStatistics;
  readonly intel: IntelService;
  /** Federation with peer centers: the pulls `koban serve` schedules (koban.json `federation`). */
  readonly federation: Federation;
  /** The anonymizer database (Tor exits, proxies, VPN exits): the check route and the DNSBL. */
  readonly anonymizer: AnonymizerService;
  /** Recorder heads members submit, countersigned with the center's checkpoint key. */
  readonly recorderHeads: RecorderHeads;
  /** How the HTTP API is mounted (limits, proxy trust, login throttling, the clock). */
  readonly apiOptions: WebOptions;
  readonly metrics: CenterMetrics;
  readonly log: Logger;
  /** True once shutdown began: new batches are refused, in-flight ones finish. */
  draining: boolean;
  /** Labels shown on pages when the data is simulated (the demo feed). */
  simulated: boolean;
  /**
   * What the public sees of the observation data (web/public-stats.ts): koban.json `publicStats`;
   * the demo feed, whose data is simulated and reveals no sensor, shows it live.
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
  readonly ingestLimits?: IngestLimits | undefined;
  readonly logLevel?: string | undefined;
  /** Options of the intel services (the data directory is the center's). */
  readonly intel?: Omit<IntelOptions, 'dataDir'> | undefined;
  readonly api?: WebOptions | undefined;
  /** `koban serve --db URL`: wins over `KOBAN_DB` and koban.json `db` (else the SQLite file in the data directory). */
  readonly relationalUrl?: string | undefined;
  /** `koban serve --events URL`: wins over `KOBAN_EVENTS` and koban.json `events` (else the DuckDB file in the data directory). */
  readonly eventsUrl?: string | undefined;
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
    advisories: advisoryConfigFrom(config.advisories),
    ...given,
    dataDir,
  };
}

async function openIntel(db: RelationalDb, o: Observatory, options: CenterOptions, log: Logger) {
  const io = { notice: (m: string) => log.warn(m), ...intelOptions(o.config, options.intel, o.dataDir) };
  const intel = await IntelService.open(db, io);
  if (intel.parseStats() === null && io.prepare === undefined && (io.parseWorkers ?? 0) > 0)
    log.warn('e-mail parse workers need the compiled build: reported e-mails are parsed on this thread');
  return intel;
}

/** The services over the opened stores, as one `Center`. */
async function assemble(
  o: Observatory,
  db: RelationalDb,
  options: CenterOptions,
  log: Logger,
): Promise<Center> {
  const registry = new SensorRegistry(db);
  const limits = options.ingestLimits ?? ingestLimitsFromConfig(o.config);
  const ingest = new IngestService(o.store, await openEnricher(o.config), registry, o.config, limits);
  const intel = await openIntel(db, o, options, log);
  const metrics = new CenterMetrics(o.store, ingest, registry);
  metrics.watchAudit(() => intel.auditStatus());
  const operator = operatorCheck(o.dataDir);
  const federationConfig = federationConfigFrom(o.config.federation);
  const api = options.api ?? {};
  const taxii = {
    ...taxiiOptionsFrom(o.config.taxii),
    peers: peerCollections(federationConfig),
    ...api.taxii,
  };
  const anonymizer = await AnonymizerService.open(db, {
    staleHours: o.config.anonymizer.staleHours,
    ...(options.intel?.now ? { clock: options.intel.now } : {}),
  });
  const signer = intel.centerSigningKey();
  const recorderHeads = new RecorderHeads(
    db,
    externalSigningKey(signer.publicKey, (text) => signer.sign(text)),
    options.intel?.now ?? Date.now,
  );
  return {
    dataDir: o.dataDir,
    observatory: o,
    db,
    registry,
    ingest,
    alerts: new AlertStore(db),
    scanners: new ScannerStore(db),
    backscatter: new BackscatterStatistics(db),
    intel,
    federation: new Federation(intel, federationConfig, { now: options.intel?.now, log }),
    anonymizer,
    recorderHeads,
    apiOptions: {
      ...(options.intel?.now ? { now: options.intel.now } : {}),
      trustProxy: o.config.trustProxy,
      afterAdvisorySent: () => void deliverAdvisories(intel, log),
      ...api,
      taxii,
    },
    metrics,
    log,
    draining: false,
    simulated: false,
    publicStats: o.config.publicStats,
    extraAddressBlocks: new Map(),
    localOperatorToken: operator.localToken,
    requireOperator: (authorization) => operator.require(authorization),
    storeHealth: () => storeHealth(o.store, db),
    async close() {
      await ingest.close();
      await intel.close();
      await db.destroy();
      await o.close();
    },
  };
}

export async function openCenter(options: CenterOptions = {}): Promise<Center> {
  const log = pino({ level: options.logLevel ?? process.env.KOBAN_LOG ?? 'info' });
  // Tightened file modes, a readable koban.json, secrets sealed on open: the operator reads the log.
  const notice = (m: string) => log.warn(m);
  const observatory = await openObservatory(options.dataDir, { notice, events: options.eventsUrl });
  let db: RelationalDb | null = null;
  try {
    const url = resolveRelationalUrl(options.relationalUrl, process.env, observatory.config);
    db = await openRelational(observatory.dataDir, { notice, url });
    return await assemble(observatory, db, options, log);
  } catch (e) {
    await db?.destroy();
    await observatory.close();
    throw e;
  }
}
