/**
 * The embedded EventStore: one DuckDB file in the data directory. DuckDB allows one writing
 * process per file; a second one gets a clear E_LOCKED error rather than a corrupt file. A DuckDB
 * connection runs one statement at a time: every call goes through one queue (`serial`), and the
 * parts — schema, appends and ledger, aggregates, detection reads, maintenance, the file — sit in
 * their own files and work on the state they share (duckdb-state.ts).
 */
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  type EnrichedEvent,
  KobanError,
  type Notice,
  StoreHealth,
  type StoreStatus,
} from '../../core/index.js';
import type {
  AggregateFilter,
  AggregateQuery,
  AggregateRow,
  SensorActivity,
  StoreSummary,
} from '../ports/aggregates.js';
import type { DestinationBlockRow } from '../ports/destinations.js';
import type { DetectionFamily, DetectionRange, DetectionRowsByFamily } from '../ports/detection-rows.js';
import type {
  AppendDedup,
  AppendResult,
  EventStore,
  LedgerEntry,
  LedgerUpdate,
  UniqueAppend,
  UniqueAppendResult,
} from '../ports/event-store.js';
import type { RawHour } from '../ports/maintenance.js';
import { aggregate, sensorActivity, summary } from './duckdb-aggregates.js';
import { appendEvents, appendUnique, ledgerByHead, ledgerEntry } from './duckdb-append.js';
import { DetectionReader } from './duckdb-detection.js';
import { duckDbFault, openInstance, prepareStoreFile } from './duckdb-file.js';
import * as maintenance from './duckdb-maintenance.js';
import { initSchema } from './duckdb-schema.js';
import type { DuckDbState } from './duckdb-state.js';

export const EVENTS_DB_FILE = 'events.duckdb';

/** Rollup rows below which compaction is never due (views read them quickly as they are). */
const COMPACT_MIN_ROWS = 200_000;

export interface DuckDbStoreOptions {
  /** Directory holding `events.duckdb`; `:memory:` for a throw-away store (tests). */
  readonly dataDir: string;
  /** Create the directory and the store when absent (default true); false: E_NOT_FOUND instead. */
  readonly create?: boolean | undefined;
  /** Read the store's blocks at open (duckdb-file.ts; default true). */
  readonly check?: boolean | undefined;
  /** Where notes about tightened file modes go (default stderr). */
  readonly notice?: Notice | undefined;
}

export class DuckDbEventStore implements EventStore {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly detection: DetectionReader;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly s: DuckDbState,
  ) {
    this.detection = new DetectionReader(s);
  }

  static async open(options: DuckDbStoreOptions): Promise<DuckDbEventStore> {
    const path = options.dataDir === ':memory:' ? null : join(options.dataDir, EVENTS_DB_FILE);
    const health = new StoreHealth('events', path);
    const opened = path === null ? () => {} : prepareStoreFile(options.dataDir, path, options);
    const instance = await openInstance(path, health);
    opened();
    const con: DuckDBConnection = await instance.connect();
    const store = new DuckDbEventStore(instance, {
      con,
      path,
      health,
      sensorIds: new Map(),
      sensorNames: [],
      knownSignatures: new Set(),
      lastBatch: 0,
      compactedRows: -1,
    });
    try {
      await store.serial(() => initSchema(store.s, options.check !== false));
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    return store;
  }

  /** Whether the store's file has failed since it was opened (for `/healthz`). */
  health(): StoreStatus {
    return this.s.health.status();
  }

  /** A cheap read through the engine, for `/healthz`: fails (E_STORE) when the store cannot answer. */
  probe(): Promise<void> {
    return this.serial(async () => {
      await this.s.con.run('SELECT count(*) FROM meta');
    });
  }

  /**
   * DuckDB connections run one statement at a time; callers may not. A failure of the file itself
   * is recorded in the store's health and thrown as E_STORE.
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new KobanError('E_IO', 'the event store is closed'));
    const guarded = async () => {
      try {
        return await fn();
      } catch (e) {
        const fault = e instanceof KobanError ? null : duckDbFault(e);
        throw fault ? this.s.health.fail(fault, (e as Error).message, e) : e;
      }
    };
    const next = this.queue.then(guarded, guarded);
    this.queue = next.catch(() => undefined);
    return next;
  }

  append(
    events: readonly EnrichedEvent[],
    ledger?: LedgerUpdate,
    dedup?: AppendDedup,
  ): Promise<AppendResult> {
    const ledgers = ledger ? [{ update: ledger, events: events.length }] : [];
    return this.serial(() => appendEvents(this.s, events, ledgers, dedup));
  }

  appendMark(): Promise<number> {
    return this.serial(async () => this.s.lastBatch);
  }

  appendUnique(deliveries: readonly UniqueAppend[]): Promise<UniqueAppendResult[]> {
    return this.serial(() => appendUnique(this.s, deliveries));
  }

  ledger(key: string): Promise<LedgerEntry | null> {
    return this.serial(() => ledgerEntry(this.s, key));
  }

  ledgerByHead(sensor: string, headHash: string): Promise<LedgerEntry[]> {
    return this.serial(() => ledgerByHead(this.s, sensor, headHash));
  }

  aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    return this.serial(() => aggregate(this.s, query));
  }

  sensorActivity(filter: AggregateFilter, utcOffsetMinutes: number): Promise<SensorActivity[]> {
    return this.serial(() => sensorActivity(this.s, filter, utcOffsetMinutes));
  }

  summary(): Promise<StoreSummary> {
    return this.serial(() => summary(this.s));
  }

  detectionRows<F extends DetectionFamily>(
    family: F,
    range: DetectionRange,
  ): Promise<DetectionRowsByFamily[F][]> {
    return this.serial(() => this.detection.read(family, range));
  }

  destinationBlocks(range: DetectionRange): Promise<DestinationBlockRow[]> {
    return this.serial(() => this.detection.destinationBlocks(range));
  }

  latestBatch(): Promise<number> {
    return this.serial(async () => this.s.lastBatch);
  }

  rawTimeRange(): Promise<{ firstMs: number; lastMs: number } | null> {
    return this.serial(() => maintenance.rawTimeRange(this.s));
  }

  forgetBatchesBefore(cutoffMs: number): Promise<number> {
    return this.serial(() => maintenance.forgetBatchesBefore(this.s, cutoffMs));
  }

  deleteRawBefore(cutoffMs: number): Promise<number> {
    return this.serial(() => maintenance.deleteRawBefore(this.s, cutoffMs));
  }

  rawHourCounts(): Promise<RawHour[]> {
    return this.serial(() => maintenance.rawHourCounts(this.s));
  }

  countRawBefore(cutoffMs: number, afterBatch = 0): Promise<number> {
    return this.serial(() => maintenance.countRawBefore(this.s, cutoffMs, afterBatch));
  }

  /** Merges partial rollup rows of the same key and repeated source tuples (each append adds its own). */
  compact(): Promise<void> {
    return this.serial(() => maintenance.compact(this.s));
  }

  /**
   * Compacts the rollups and source sets when their rows have at least doubled since the last
   * compaction (each append adds its own; views read fewer rows after a merge). Returns true if it ran.
   */
  maybeCompact(minRows = COMPACT_MIN_ROWS): Promise<boolean> {
    return this.serial(() => maintenance.compactIfDue(this.s, minRows));
  }

  /** Rows of the rollup table (to decide when to compact). */
  rollupRows(): Promise<number> {
    return this.serial(() => maintenance.rollupRows(this.s));
  }

  /** Rows of the hourly source sets, repeats included (duckdb-source-sets.ts). */
  sourceSetRows(): Promise<number> {
    return this.serial(() => maintenance.sourceSetRows(this.s));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(async () => {
      await this.s.con.run('CHECKPOINT').catch(() => undefined);
    });
    this.closed = true;
    this.s.con.closeSync();
    this.instance.closeSync();
  }
}
