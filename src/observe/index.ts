/**
 * Observation: ingest of parsed events (enrichment with country, ASN and address scope; IANA
 * service names), the `EventStore` port with its embedded DuckDB adapter (raw events, hourly
 * rollups, retention, an idempotency ledger) and the fixed-point observation views of seed 000
 * §2. Events come from `parse` (files, sensor agents); views go to the CLI, the server and
 * reports; detectors read the store's aggregates.
 */
import { type KobanConfig, loadConfig, type Notice, resolveDataDir } from '../core/index.js';
import { DuckDbEventStore } from './duckdb-store.js';
import { Enricher } from './enrich.js';

export {
  type BackscatterRow,
  DETECTION_FAMILIES,
  type DetectionFamily,
  type DetectionRange,
  type DetectionRowsByFamily,
  type DetectionSource,
  type IdsRow,
  type PayloadRow,
  type ProbeRow,
  type SensorVolumeRow,
} from './detection-rows.js';
export { DuckDbEventStore, EVENTS_DB_FILE } from './duckdb-store.js';
export { type AddressInfo, bundledGeoPaths, Enricher, type GeoOptions, Ipv4AsnTable } from './enrich.js';
export {
  type FileImportResult,
  type ImportOptions,
  type ImportProgress,
  type ImportSummary,
  importFiles,
  type RejectionReport,
  stemOf,
  summarise as summariseImports,
} from './import.js';
export { type IngestResult, IngestService, type IngestStats } from './ingest.js';
export {
  BackpressureError,
  DEFAULT_INGEST_LIMITS,
  type IngestLimits,
  ingestLimitsFromConfig,
  MAX_DROPPED_TOTAL,
} from './ingest-limits.js';
export {
  applyRetention,
  type RetentionFrom,
  type RetentionOptions,
  type RetentionResult,
} from './retention.js';
export { type NewSensor, type SensorRecord, SensorRegistry } from './sensor-registry.js';
export { type ServiceName, serviceName, serviceOf } from './services.js';
export type {
  AggregateFilter,
  AggregateQuery,
  AggregateRow,
  Dimension,
  EventStore,
  LedgerEntry,
  LedgerUpdate,
  NeighbourClass,
  SensorActivity,
  StoreSummary,
  UniqueAppend,
  UniqueAppendResult,
} from './store.js';
export {
  isViewName,
  runView,
  VIEW_NAMES,
  type ViewName,
  type ViewOptions,
  type ViewResult,
  type ViewRow,
} from './views.js';
export {
  BATCH_ID_RE,
  type BatchHeader,
  decodeEvent,
  encodeEvent,
  WIRE_VERSION,
  type WireEvent,
} from './wire.js';

/** Everything a command needs to work on one data directory. */
export interface Observatory {
  readonly dataDir: string;
  readonly config: KobanConfig;
  readonly store: DuckDbEventStore;
  close(): Promise<void>;
}

export interface OpenObservatoryOptions {
  /**
   * Create the data directory and event store when absent (default true). Read-only commands pass
   * false: a mistyped `--data` then fails with E_NOT_FOUND instead of creating an empty store.
   */
  readonly create?: boolean;
  /** Where warnings about the data directory go (loose file modes; default stderr). */
  readonly notice?: Notice;
}

/** Opens the data directory's configuration and event store (creating them if absent, by default). */
export async function openObservatory(
  dataDirFlag?: string,
  opts: OpenObservatoryOptions = {},
): Promise<Observatory> {
  const dataDir = resolveDataDir(dataDirFlag);
  const config = loadConfig(dataDir, process.env, opts.notice);
  const store = await DuckDbEventStore.open({ dataDir, ...opts });
  return { dataDir, config, store, close: () => store.close() };
}

/** The enricher configured for a data directory (bundled databases unless configured otherwise). */
export function openEnricher(config: KobanConfig): Promise<Enricher> {
  return Enricher.open(config.geo);
}
