/**
 * The EventStore on ClickHouse: one server, or the shards of a cluster behind Distributed tables
 * (clickhouse-schema.ts). ClickHouse runs statements concurrently, but an append changes what this
 * process keeps in memory (the append mark, the sensors' first-seen order) and a read right after
 * an append must see it: calls run one at a time, in the order they were made, as on DuckDB.
 */
import { type EnrichedEvent, KobanError, type StoreStatus } from '../../core/index.js';
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
import { aggregate, sensorActivity, summary } from './clickhouse-aggregates.js';
import { appendEvents, appendUnique, ledgerByHead, ledgerEntry } from './clickhouse-append.js';
import { ClickHouseHealth, ClickHouseNode } from './clickhouse-connection.js';
import { destinationBlocks, readDetection } from './clickhouse-detection.js';
import { str } from './clickhouse-literals.js';
import * as maintenance from './clickhouse-maintenance.js';
import { initSchema, tablesOf } from './clickhouse-schema.js';
import type { ClickHouseState } from './clickhouse-state.js';
import { type ClickHouseTarget, parseClickHouseUrl } from './clickhouse-url.js';

export interface ClickHouseStoreOptions {
  /** What follows `clickhouse:` in the `events` URL (clickhouse-url.ts). */
  readonly url: string;
  /** Create the database and tables when absent (default true); false: E_NOT_FOUND instead. */
  readonly create?: boolean | undefined;
  /** Where credentials not in the URL come from (default: the process environment). */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

export class ClickHouseEventStore implements EventStore {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(private readonly s: ClickHouseState) {}

  static async open(options: ClickHouseStoreOptions): Promise<ClickHouseEventStore> {
    const target: ClickHouseTarget = parseClickHouseUrl(options.url, options.env);
    const health = new ClickHouseHealth();
    const nodes = target.nodes.map((url) => new ClickHouseNode(url, target, health));
    const store = new ClickHouseEventStore({
      nodes,
      entry: nodes[0]!,
      db: target.database,
      cluster: target.cluster,
      t: tablesOf(target.database, target.cluster),
      health,
      sensorFirst: new Map(),
      signatures: new Map(),
      lastBatch: 0,
    });
    try {
      await store.serial(() => store.load(options.create !== false));
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    return store;
  }

  private async load(create: boolean): Promise<void> {
    const { s } = this;
    if (!create) {
      const found = await s.entry.scalar(
        `SELECT count() FROM system.tables WHERE database = ${str(s.db)} AND name = 'batches'`,
      );
      if (Number(found) === 0)
        throw new KobanError('E_NOT_FOUND', `no event store in ClickHouse database ${s.db}`);
    }
    await initSchema(s.nodes, s.db, s.cluster);
    for (const r of await s.entry.rows(`SELECT name, min(first_batch) FROM ${s.t.sensors} GROUP BY name`)) {
      s.sensorFirst.set(String(r[0]), Number(r[1]));
    }
    for (const r of await s.entry.rows(`SELECT gid, sid, signature FROM ${s.t.signatures} FINAL`)) {
      s.signatures.set(`${Number(r[0])}:${Number(r[1])}`, r[2] === null ? null : String(r[2]));
    }
    s.lastBatch = Number(await s.entry.scalar(`SELECT max(id) FROM ${s.t.batches}`)) || 0;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new KobanError('E_IO', 'the event store is closed'));
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  health(): StoreStatus {
    return this.s.health.status();
  }

  /** A cheap read on every server, for `/healthz`: fails (E_STORE) when one cannot answer. */
  probe(): Promise<void> {
    return this.serial(async () => {
      for (const node of this.s.nodes) await node.run('SELECT 1');
    });
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
    return this.serial(() => readDetection(this.s, family, range));
  }

  destinationBlocks(range: DetectionRange): Promise<DestinationBlockRow[]> {
    return this.serial(() => destinationBlocks(this.s, range));
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

  /** ClickHouse merges the SummingMergeTree rollups in the background by itself. */
  maybeCompact(): Promise<boolean> {
    return this.serial(async () => false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(async () => undefined).catch(() => undefined);
    this.closed = true;
    for (const node of this.s.nodes) await node.close().catch(() => undefined);
  }
}
