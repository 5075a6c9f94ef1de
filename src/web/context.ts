/**
 * What the HTTP side needs of the center, and nothing more: the composition root (center/) builds
 * one `WebContext` from the stores and services it opened and hands it to `buildApp`; tests build
 * their own. Handlers receive the parts they use (the stats route the event reader and the
 * observation settings, the ingest route the ingest service and the sensor authenticator, …),
 * never the whole.
 */
import type { AnonymizerService } from '../anon/index.js';
import type { KobanConfig, PublicStatsConfig, StoreStatus } from '../core/index.js';
import type { AlertStore, BackscatterStatistics, ScannerStore } from '../detect/index.js';
import type { TaxiiOptions } from '../feeds/index.js';
import type { IntelService } from '../intel/index.js';
import type { EventStore, IngestService, SensorRegistry, SensorSpace } from '../observe/index.js';
import type { RecorderHeads } from '../recorder/index.js';
import type { ClientOptions } from './client.js';
import type { ErrorLog } from './errors.js';
import type { LoginThrottle, LoginThrottleOptions } from './rate-limit.js';

/** The Prometheus exposition of the center's metrics (metrics.ts). */
export interface MetricsRenderer {
  readonly contentType: string;
  render(): Promise<string>;
}

/** The observation settings the views and the front page read. */
export type ObservationSettings = Pick<KobanConfig, 'utcOffset' | 'domesticCountry'>;

/** How the API is mounted: limits, proxy trust, login throttling, the clock, response checks. */
export interface WebOptions extends ClientOptions {
  /** Parse every JSON answer with its declared schema (tests; a mismatch is a 500). */
  readonly validateResponses?: boolean;
  /** Largest e-mail upload (default: the parser's own limit, 25 MiB). */
  readonly maxEmailBytes?: number;
  /** Largest JSON body (default 1 MiB). */
  readonly maxJsonBytes?: number;
  readonly login?: LoginThrottleOptions;
  /** The clock (default Date.now); give the intel services' clock when they run on another. */
  readonly now?: () => number;
  /** The TAXII server's settings (`taxii` in koban.json; defaults: feeds DEFAULT_TAXII_OPTIONS). */
  readonly taxii?: Partial<TaxiiOptions>;
  /** Called (not awaited) after an advisory is sent: start its deliveries. */
  readonly afterAdvisorySent?: () => void;
}

export interface WebContext {
  /** Observation events: the views and the store's summary. */
  readonly events: EventStore;
  readonly observation: ObservationSettings;
  /** Sensor batches in (`POST /api/v1/ingest`), and the totals the front page shows. */
  readonly ingest: Pick<IngestService, 'limits' | 'stats' | 'submitGzip'>;
  /** Sensor tokens checked at ingest; the sensor table of the operator's front page. */
  readonly sensors: Pick<SensorRegistry, 'authenticate' | 'list'>;
  /** The IPv4 blocks each sensor watches: the public site's per-address rates and coverage. */
  readonly monitored: { inEffect(): Promise<readonly SensorSpace[]> };
  /** The detectors' and sensor-health alerts, for the operator (and counted per day on the public site). */
  readonly operatorAlerts: Pick<AlertStore, 'list' | 'page' | 'counts' | 'get' | 'acknowledge' | 'close'>;
  /** Every scanner found (alert or not), for the operator. */
  readonly scanners: Pick<ScannerStore, 'page'>;
  /** DDoS victims below the alerting rate (statistics, not alerts), for the operator. */
  readonly backscatter: Pick<BackscatterStatistics, 'page'>;
  readonly intel: IntelService;
  /** The anonymizer database: `GET /api/v1/anonymizer/check`. */
  readonly anonymizer: Pick<AnonymizerService, 'check' | 'checkForSite' | 'sitePolicy'>;
  /** Recorder heads countersigned by the center: `/api/v1/recorder/*`. */
  readonly recorderHeads: Pick<RecorderHeads, 'submit' | 'list' | 'publicKey' | 'keyId'>;
  /** Password logins, limited the same whether they come through the API or the portal's form. */
  readonly loginThrottle: LoginThrottle;
  readonly metrics: MetricsRenderer;
  readonly options: WebOptions;
  readonly log: ErrorLog;
  /** Throws E_AUTH unless the header carries the operator token (or the process's local one). */
  requireOperator(authorization: string | undefined): void;
  /** Each store's health, for `/healthz`. */
  storeHealth(): Promise<StoreStatus[]>;
  /** True once shutdown began: new batches are refused, in-flight ones finish. */
  readonly draining: boolean;
  /** Pages say so when the data is simulated (the demo feed). */
  readonly simulated: boolean;
  /** What the public sees of the observation data (read at each request: the demo changes it). */
  readonly publicStats: PublicStatsConfig;
  /** The country of an address (offline MMDB), opened on first use: the periodic reports' C2 table. */
  countryLookup(): Promise<(ip: string) => string | null>;
  /** Where published periodic reports are kept once generated (`<data>/reports`). */
  readonly reportsDir: string;
}
