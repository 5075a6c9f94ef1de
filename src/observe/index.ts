/**
 * Observation: ingest of parsed events (file imports; sensor batches in the `wire` format;
 * enrichment with country, ASN and address scope; IANA service names), the `EventStore` port
 * (`ports/`: appends with an idempotency ledger, aggregates, the detectors' minute-level reads,
 * retention and health) with its adapters (`duckdb/`, `clickhouse/`, chosen in `openEventStore`; every adapter
 * passes `event-store.contract.ts`), and the fixed-point observation views
 * (docs/background.md#observation). Events come from `parse` (files) and sensor agents; views go
 * to the CLI, the server and reports; detectors read the store's aggregates.
 */
import {
  type KobanConfig,
  loadConfig,
  type Notice,
  resolveDataDir,
  resolveEventsUrl,
} from '../core/index.js';
import { Enricher } from './enrich.js';
import { openEventStore } from './open-event-store.js';
import type { EventStore } from './ports/event-store.js';

export {
  type AddressSketch,
  AddressUnion,
  estimateRegisters,
  HLL_REGISTERS,
  hllEntry,
  SKETCH_EXACT_MAX,
  sketchCount,
  sketchOf,
} from './address-sketch.js';
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
  type BlockOrigin,
  blocksBySensor,
  canonicalBlocks,
  coveringBlock,
  type LearnOptions,
  type LearnResult,
  MonitoredSpace,
  type SensorSpace,
  type StoredBlock,
} from './monitored-space.js';
export { type EventStoreConfig, openEventStore } from './open-event-store.js';
export type {
  AggregateFilter,
  AggregateQuery,
  AggregateRow,
  Dimension,
  NeighbourClass,
  SensorActivity,
  StoreSummary,
} from './ports/aggregates.js';
export type { DestinationBlockRow, DestinationReads } from './ports/destinations.js';
export {
  type BackscatterRow,
  DETECTION_FAMILIES,
  type DetectionFamily,
  type DetectionRange,
  type DetectionRowsByFamily,
  type DetectionSource,
  type IdsRow,
  INBOUND_MIN_PACKETS,
  INBOUND_TOP,
  INBOUND_VECTORS,
  type InboundRow,
  type InboundTop,
  type InboundVector,
  type PayloadRow,
  type ProbeRow,
  REFLECTOR_SERVICES,
  type ReflectorService,
  type SensorVolumeRow,
} from './ports/detection-rows.js';
export type {
  EventStore,
  LedgerEntry,
  LedgerUpdate,
  UniqueAppend,
  UniqueAppendResult,
} from './ports/event-store.js';
export type { StoreCondition } from './ports/maintenance.js';
export {
  applyRetention,
  type RetentionFrom,
  type RetentionOptions,
  type RetentionResult,
} from './retention.js';
export {
  type NewSensor,
  SENSOR_SILENT_MS,
  type SensorRecord,
  SensorRegistry,
  type SensorStatus,
  sensorStatus,
} from './sensor-registry.js';
export { type ServiceName, serviceName, serviceOf } from './services.js';
export {
  isViewName,
  runView,
  VIEW_NAMES,
  type ViewName,
  type ViewOptions,
  type ViewResult,
  type ViewRow,
} from './views.js';

/** Everything a command needs to work on one data directory. */
export interface Observatory {
  readonly dataDir: string;
  readonly config: KobanConfig;
  readonly store: EventStore;
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
  /**
   * Which event store (`openEventStore`): `--events`; else `KOBAN_EVENTS`, else koban.json
   * `events`, else the data directory's DuckDB file (resolveEventsUrl).
   */
  readonly events?: string | undefined;
}

/** Opens the data directory's configuration and event store (creating them if absent, by default). */
export async function openObservatory(
  dataDirFlag?: string,
  opts: OpenObservatoryOptions = {},
): Promise<Observatory> {
  const dataDir = resolveDataDir(dataDirFlag);
  const config = loadConfig(dataDir, process.env, opts.notice);
  const events = resolveEventsUrl(opts.events, process.env, config);
  const store = await openEventStore({ dataDir, ...opts, events });
  return { dataDir, config, store, close: () => store.close() };
}

/** The enricher configured for a data directory (bundled databases unless configured otherwise). */
export function openEnricher(config: KobanConfig): Promise<Enricher> {
  return Enricher.open(config.geo);
}
