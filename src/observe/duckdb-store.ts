/**
 * The embedded EventStore: one DuckDB file in the data directory. DuckDB allows one writing
 * process per file; a second one gets a clear E_LOCKED error rather than a corrupt file.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import {
  type EnrichedEvent,
  EVENT_KINDS,
  type EventKind,
  ipv4ToString,
  KobanError,
  type Notice,
  protocolFromNumber,
  StoreHealth,
  type StoreStatus,
} from '../core/index.js';
import type {
  DetectionFamily,
  DetectionRange,
  DetectionRowsByFamily,
  DetectionSource,
} from './detection-rows.js';
import { ChunkWriter } from './duckdb-chunk-writer.js';
import { detectionSql } from './duckdb-detect-sql.js';
import { duckDbFault, prepareStoreFile, readCheckStatements } from './duckdb-file.js';
import {
  appendIdentities,
  type EventIdentities,
  findStored,
  IDENTITY_DDL,
  identitiesOf,
  keptIdentities,
} from './duckdb-identity.js';
import { fillRow } from './duckdb-rows.js';
import {
  countryFromCode,
  DDL,
  EVENT_COLUMNS,
  kindFromCode,
  SCHEMA_VERSION,
  SCOPES,
  techniqueCode,
  techniqueFromCode,
} from './duckdb-schema.js';
import { buildAggregateSql, buildSensorActivitySql, type SqlQuery } from './duckdb-sql.js';
import type {
  AggregateFilter,
  AggregateQuery,
  AggregateRow,
  AppendDedup,
  AppendResult,
  EventStore,
  LedgerEntry,
  LedgerUpdate,
  SensorActivity,
  StoreSummary,
  UniqueAppend,
  UniqueAppendResult,
} from './store.js';

export const EVENTS_DB_FILE = 'events.duckdb';

export interface DuckDbStoreOptions {
  /** Directory holding `events.duckdb`; `:memory:` for a throw-away store (tests). */
  readonly dataDir: string;
  /** Create the directory and the store when absent (default true); false: E_NOT_FOUND instead. */
  readonly create?: boolean;
  /** Read the store's blocks at open (duckdb-file.ts; default true). */
  readonly check?: boolean;
  /** Where notes about tightened file modes go (default stderr). */
  readonly notice?: Notice;
}

export class DuckDbEventStore implements EventStore, DetectionSource {
  private queue: Promise<unknown> = Promise.resolve();
  private sensorIds = new Map<string, number>();
  private sensorNames: string[] = [];
  private knownSignatures = new Set<string>();
  private lastBatch = 0;
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly con: DuckDBConnection,
    private readonly path: string | null,
    private readonly storeHealth: StoreHealth,
  ) {}

  static async open(options: DuckDbStoreOptions): Promise<DuckDbEventStore> {
    const path = options.dataDir === ':memory:' ? null : join(options.dataDir, EVENTS_DB_FILE);
    const health = new StoreHealth('events', path);
    const opened = path === null ? () => {} : prepareStoreFile(options.dataDir, path, options);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path ?? ':memory:');
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        const pid = /PID (\d+)/.exec(msg)?.[1];
        throw new KobanError(
          'E_LOCKED',
          `the event store ${path} is in use by another Koban process${pid ? ` (pid ${pid})` : ''}; ` +
            'while a server owns the data directory, send data through its API (koban sensor run) ' +
            'or stop it first',
        );
      }
      const fault = duckDbFault(e);
      if (fault) throw health.fail(fault, msg, e);
      throw new KobanError('E_IO', `cannot open the event store ${path}: ${msg}`);
    }
    opened();
    const con = await instance.connect();
    const store = new DuckDbEventStore(instance, con, path, health);
    try {
      await store.serial(() => store.init(options.check !== false));
    } catch (e) {
      await store.close().catch(() => undefined);
      throw e;
    }
    return store;
  }

  private async init(check: boolean): Promise<void> {
    await this.con.run(DDL);
    await this.con.run(IDENTITY_DDL);
    const version = await this.scalar("SELECT value FROM meta WHERE key = 'schema_version'");
    if (version === null) {
      await this.con.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
    } else if (Number(version) !== SCHEMA_VERSION) {
      throw new KobanError(
        'E_CONFIG',
        `event store schema ${version} is not the supported ${SCHEMA_VERSION}`,
      );
    }
    for (const row of await this.rows('SELECT id, name FROM sensors ORDER BY id')) {
      const id = Number(row[0]);
      this.sensorIds.set(String(row[1]), id);
      this.sensorNames[id] = String(row[1]);
    }
    for (const row of await this.rows('SELECT gid, sid FROM signatures')) {
      this.knownSignatures.add(`${row[0]}:${row[1]}`);
    }
    this.lastBatch = Number((await this.scalar('SELECT coalesce(max(id), 0) FROM batches')) ?? 0);
    if (!check) return;
    const newest = await this.scalar('SELECT max(ts_ms) FROM events');
    for (const sql of readCheckStatements(newest === null ? null : Number(newest))) await this.con.run(sql);
  }

  /** Whether the store's file has failed since it was opened (for `/healthz`). */
  health(): StoreStatus {
    return this.storeHealth.status();
  }

  /** A cheap read through the engine, for `/healthz`: fails (E_STORE) when the store cannot answer. */
  probe(): Promise<void> {
    return this.serial(async () => {
      await this.con.run('SELECT count(*) FROM meta');
    });
  }

  /** DuckDB connections run one statement at a time; callers may not. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new KobanError('E_IO', 'the event store is closed'));
    const guarded = async () => {
      try {
        return await fn();
      } catch (e) {
        const fault = e instanceof KobanError ? null : duckDbFault(e);
        throw fault ? this.storeHealth.fail(fault, (e as Error).message, e) : e;
      }
    };
    const next = this.queue.then(guarded, guarded);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async rows(sql: string, values?: DuckDBValue[]): Promise<DuckDBValue[][]> {
    const reader = await this.con.runAndReadAll(sql, values);
    return reader.getRows();
  }

  private async scalar(sql: string, values?: DuckDBValue[]): Promise<DuckDBValue | null> {
    const rows = await this.rows(sql, values);
    return rows[0]?.[0] ?? null;
  }

  append(
    events: readonly EnrichedEvent[],
    ledger?: LedgerUpdate,
    dedup?: AppendDedup,
  ): Promise<AppendResult> {
    return this.serial(() => this.appendNow(events, ledger, [], dedup));
  }

  appendMark(): Promise<number> {
    return this.serial(async () => this.lastBatch);
  }

  appendUnique(deliveries: readonly UniqueAppend[]): Promise<UniqueAppendResult[]> {
    return this.serial(async () => {
      const keys = deliveries.map((d) => d.ledger.key);
      /** Stored keys and their content hashes (null: stored before hashes were kept). */
      const existing = new Map<string, string | null>();
      for (let i = 0; i < keys.length; i += 500) {
        const part = keys.slice(i, i + 500);
        const rows = await this.rows(
          `SELECT key, content_hash FROM ledger WHERE key IN (${part.map((_, j) => `$${j + 1}`).join(', ')})`,
          part,
        );
        for (const r of rows) existing.set(String(r[0]), r[1] === null ? null : String(r[1]));
      }
      const result: UniqueAppendResult[] = [];
      const events: EnrichedEvent[] = [];
      const ledgers: { update: LedgerUpdate; events: number }[] = [];
      for (const d of deliveries) {
        const key = d.ledger.key;
        if (existing.has(key)) {
          const stored = existing.get(key);
          const same = stored === null || d.ledger.contentHash === null || stored === d.ledger.contentHash;
          result.push(same ? 'duplicate' : 'conflict');
          continue;
        }
        existing.set(key, d.ledger.contentHash);
        result.push('stored');
        for (const e of d.events) events.push(e);
        ledgers.push({ update: d.ledger, events: d.events.length });
      }
      if (ledgers.length > 0) await this.appendNow(events, undefined, ledgers);
      return result;
    });
  }

  private async appendNow(
    given: readonly EnrichedEvent[],
    ledger?: LedgerUpdate,
    ledgers: readonly { update: LedgerUpdate; events: number }[] = [],
    dedup?: AppendDedup,
  ): Promise<AppendResult> {
    let events = given;
    const batchId = this.lastBatch + 1;
    const newSensors: [string, number][] = [];
    const newSignatures: EnrichedEvent[] = [];
    for (const e of events) {
      if (!this.sensorIds.has(e.sensor) && !newSensors.some(([n]) => n === e.sensor)) {
        const id = this.sensorNames.length + newSensors.length;
        if (id > 65535) throw new KobanError('E_LIMIT', 'more than 65,536 sensor names');
        newSensors.push([e.sensor, id]);
      }
      if (e.ids && !this.knownSignatures.has(`${e.ids.generatorId}:${e.ids.signatureId}`))
        newSignatures.push(e);
    }
    await this.con.run('BEGIN TRANSACTION');
    try {
      for (const [name, id] of newSensors) {
        await this.con.run('INSERT INTO sensors VALUES ($1::USMALLINT, $2)', [id, name]);
        this.sensorIds.set(name, id);
      }
      const sigKeys = await this.upsertSignatures(newSignatures);
      let identities: EventIdentities | null = null;
      if (dedup) {
        identities = identitiesOf(events, this.sensorIds);
        const keep = await findStored(this.con, identities, dedup.sinceBatch);
        if (keep !== null) {
          events = events.filter((_, i) => keep[i] === 1);
          identities = keptIdentities(identities, keep, events.length);
        }
      }
      if (events.length > 0) {
        await this.appendEvents(events, batchId);
        await this.con.run(
          `INSERT INTO rollup_hourly
           SELECT date_trunc('hour', epoch_ms(ts_ms)), sensor, kind, proto, coalesce(dport, -1), country,
                  technique, neighbour, scope, count(*)
           FROM events WHERE batch = $1::UINTEGER GROUP BY ALL`,
          [batchId],
        );
      }
      if (identities) await appendIdentities(this.con, identities, batchId);
      await this.con.run('INSERT INTO batches VALUES ($1::UINTEGER, $2::BIGINT, $3::UBIGINT)', [
        batchId,
        Date.now(),
        events.length,
      ]);
      // The ledger counts what the records yielded, recognised duplicates included.
      if (ledger) await this.writeLedger(ledger, given.length);
      for (const l of ledgers) await this.writeLedger(l.update, l.events);
      await this.con.run('COMMIT');
      this.storeHealth.wrote();
      this.lastBatch = batchId;
      for (const k of sigKeys) this.knownSignatures.add(k);
      for (const [name, id] of newSensors) this.sensorNames[id] = name;
      return { stored: events.length, duplicates: given.length - events.length };
    } catch (e) {
      await this.con.run('ROLLBACK').catch(() => undefined);
      for (const [name] of newSensors) this.sensorIds.delete(name);
      throw e;
    }
  }

  private async upsertSignatures(events: readonly EnrichedEvent[]): Promise<string[]> {
    const keys: string[] = [];
    for (const e of events) {
      const ids = e.ids!;
      const key = `${ids.generatorId}:${ids.signatureId}`;
      if (keys.includes(key)) continue;
      keys.push(key);
      await this.con.run(
        `INSERT INTO signatures VALUES ($1::UINTEGER, $2::UINTEGER, $3::UINTEGER, $4, $5, $6::UTINYINT)
         ON CONFLICT (gid, sid) DO UPDATE SET rev = excluded.rev, signature = excluded.signature,
           classtype = excluded.classtype, technique = excluded.technique`,
        [
          ids.generatorId,
          ids.signatureId,
          ids.signatureRev,
          ids.signature,
          ids.classtype,
          techniqueCode(ids.technique),
        ],
      );
    }
    return keys;
  }

  private async writeLedger(l: LedgerUpdate, events: number): Promise<void> {
    await this.con.run(
      `INSERT INTO ledger VALUES ($1, $2, $3::UBIGINT, $4, $5::UBIGINT, $6::UBIGINT, $7, $8, $9::BIGINT)
       ON CONFLICT (key) DO UPDATE SET position = excluded.position, complete = excluded.complete,
         events = ledger.events + $10::UBIGINT, bytes = excluded.bytes, head_hash = excluded.head_hash,
         content_hash = excluded.content_hash, updated_ms = excluded.updated_ms`,
      [
        l.key,
        l.sensor,
        l.position,
        l.complete,
        events + (l.eventsCarried ?? 0),
        l.bytes,
        l.headHash,
        l.contentHash,
        Date.now(),
        events,
      ],
    );
  }

  /** Appends events through typed-array chunks (duckdb-chunk-writer.ts). */
  private async appendEvents(events: readonly EnrichedEvent[], batchId: number): Promise<void> {
    const appender = await this.con.createAppender('events');
    try {
      const w = new ChunkWriter(EVENT_COLUMNS, appender);
      const c = w.columns;
      const batch = c[1]!.values as Uint32Array;
      for (const e of events) {
        const row = w.rows;
        fillRow(c, row, e, this.sensorIds.get(e.sensor)!);
        batch[row] = batchId;
        w.endRow();
      }
      w.flush();
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  ledger(key: string): Promise<LedgerEntry | null> {
    return this.serial(async () => {
      const rows = await this.rows('SELECT * FROM ledger WHERE key = $1', [key]);
      return rows[0] ? ledgerFromRow(rows[0]) : null;
    });
  }

  ledgerByHead(sensor: string, headHash: string): Promise<LedgerEntry[]> {
    return this.serial(async () => {
      const rows = await this.rows(
        'SELECT * FROM ledger WHERE sensor = $1 AND head_hash = $2 ORDER BY bytes DESC',
        [sensor, headHash],
      );
      return rows.map(ledgerFromRow);
    });
  }

  aggregate(query: AggregateQuery): Promise<AggregateRow[]> {
    return this.serial(async () => {
      const raw = query.measure === 'sources' ? Number(await this.scalar('SELECT count(*) FROM events')) : 0;
      const sql = buildAggregateSql(query, this.sensorIds, raw);
      if (sql === null) return [];
      const rows = await this.rows(sql.text, sql.values);
      return rows.map((r) => this.aggregateRow(query, r));
    });
  }

  private aggregateRow(query: AggregateQuery, r: DuckDBValue[]): AggregateRow {
    const out: Record<string, unknown> = {};
    let i = 0;
    if (query.bucket) out.bucketMs = Number(r[i++]);
    for (const d of query.groupBy) {
      const val = r[i++];
      switch (d) {
        case 'kind':
          out.kind = kindFromCode(Number(val));
          break;
        case 'sensor':
          out.sensor = this.sensorNames[Number(val)] ?? `#${val}`;
          break;
        case 'proto':
          out.proto = protocolFromNumber(Number(val));
          break;
        case 'port':
          out.port = val === null || Number(val) < 0 ? null : Number(val);
          break;
        case 'country':
          out.country = countryFromCode(Number(val));
          break;
        case 'technique':
          out.technique = techniqueFromCode(Number(val));
          break;
        case 'neighbour':
          out.neighbour = Number(val);
          break;
        case 'scope':
          out.scope = SCOPES[Number(val)] ?? 'bogon';
          break;
      }
    }
    out.count = Number(r[i]);
    return out as unknown as AggregateRow;
  }

  sensorActivity(filter: AggregateFilter, utcOffsetMinutes: number): Promise<SensorActivity[]> {
    return this.serial(async () => {
      const sql: SqlQuery | null = buildSensorActivitySql(filter, this.sensorIds, utcOffsetMinutes);
      if (sql === null) return [];
      const rows = await this.rows(sql.text, sql.values);
      return rows.map((r) => ({
        sensor: this.sensorNames[Number(r[0])] ?? `#${r[0]}`,
        events: Number(r[1]),
        firstMs: Number(r[2]),
        lastMs: Number(r[3]),
        activeHours: Number(r[4]),
        activeDays: Number(r[5]),
      }));
    });
  }

  summary(): Promise<StoreSummary> {
    return this.serial(async () => {
      const byKindRows = await this.rows('SELECT kind, sum(events) FROM rollup_hourly GROUP BY kind');
      const byKind = Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>;
      let total = 0;
      for (const [k, n] of byKindRows) {
        byKind[kindFromCode(Number(k))] = Number(n);
        total += Number(n);
      }
      const range = (await this.rows('SELECT min(hour), max(hour) FROM rollup_hourly'))[0];
      const bounds = await this.rows('SELECT min(ts_ms), max(ts_ms), count(*) FROM events');
      const [minTs, maxTs, raw] = bounds[0] ?? [null, null, 0];
      const sensors = Number(await this.scalar('SELECT count(DISTINCT sensor) FROM rollup_hourly'));
      let sizeBytes = 0;
      if (this.path) {
        try {
          sizeBytes = statSync(this.path).size;
        } catch {
          sizeBytes = 0;
        }
      }
      const firstMs = minTs !== null ? Number(minTs) : range?.[0] ? Date.parse(String(range[0]) + 'Z') : null;
      const lastMs = maxTs !== null ? Number(maxTs) : null;
      return { events: total, rawEvents: Number(raw), firstMs, lastMs, sensors, byKind, sizeBytes };
    });
  }

  /**
   * Forgets delivered HTTP batches recorded before `cutoffMs` (wall clock): one ledger row per
   * batch would otherwise grow without bound (a sensor shipping every 200 ms writes 432,000 a day).
   * File imports keep their rows (one per file). Returns the number forgotten.
   */
  forgetBatchesBefore(cutoffMs: number): Promise<number> {
    return this.serial(async () => {
      const where = "starts_with(key, 'batch:') AND updated_ms < $1::BIGINT";
      const n = Number(await this.scalar(`SELECT count(*) FROM ledger WHERE ${where}`, [cutoffMs]));
      if (n > 0) await this.con.run(`DELETE FROM ledger WHERE ${where}`, [cutoffMs]);
      return n;
    });
  }

  deleteRawBefore(cutoffMs: number): Promise<number> {
    return this.serial(async () => {
      const n = Number(await this.scalar('SELECT count(*) FROM events WHERE ts_ms < $1::BIGINT', [cutoffMs]));
      if (n > 0) await this.con.run('DELETE FROM events WHERE ts_ms < $1::BIGINT', [cutoffMs]);
      // Identities go with the raw events they stand for (duckdb-identity.ts).
      await this.con.run('DELETE FROM event_identities WHERE ts_ms < $1::BIGINT', [cutoffMs]);
      this.storeHealth.wrote();
      return n;
    });
  }

  /** Raw events per UTC hour, oldest first (for retention measured from the data). */
  rawHourCounts(): Promise<{ hourMs: number; events: number }[]> {
    return this.serial(async () =>
      (
        await this.rows(
          'SELECT (ts_ms // 3600000) * 3600000 AS h, count(*) FROM events GROUP BY h ORDER BY h',
        )
      ).map((r) => ({ hourMs: Number(r[0]), events: Number(r[1]) })),
    );
  }

  /** Raw events before `cutoffMs` stored in batches after `afterBatch` (what one import added). */
  countRawBefore(cutoffMs: number, afterBatch = 0): Promise<number> {
    return this.serial(async () =>
      Number(
        await this.scalar('SELECT count(*) FROM events WHERE ts_ms < $1::BIGINT AND batch > $2::UINTEGER', [
          cutoffMs,
          afterBatch,
        ]),
      ),
    );
  }

  /** Merges partial rollup rows of the same key (each append adds its own). */
  compact(): Promise<void> {
    return this.serial(async () => {
      await this.con.run('BEGIN TRANSACTION');
      try {
        await this.con.run(`CREATE TEMP TABLE rollup_merged AS
          SELECT hour, sensor, kind, proto, port, country, technique, neighbour, scope, sum(events)::UBIGINT AS events
          FROM rollup_hourly GROUP BY ALL`);
        await this.con.run('DELETE FROM rollup_hourly');
        await this.con.run('INSERT INTO rollup_hourly SELECT * FROM rollup_merged ORDER BY hour');
        await this.con.run('DROP TABLE rollup_merged');
        await this.con.run('COMMIT');
      } catch (e) {
        await this.con.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    });
  }

  detectionRows<F extends DetectionFamily>(
    family: F,
    range: DetectionRange,
  ): Promise<DetectionRowsByFamily[F][]> {
    return this.serial(async () => {
      // Chunk by chunk and column by column: DuckDB's column reader is about twice as fast as its
      // row reader here, and a chunk's columns (2,048 rows) die young instead of pressing the GC.
      const result = await this.con.run(detectionSql(family, range));
      const out = new Array<DetectionRowsByFamily[F]>(result.rowCount);
      let at = 0;
      const r: DuckDBValue[] = [];
      for (let c = 0; c < result.chunkCount; c++) {
        const cols = result.getChunk(c).getColumns();
        const n = cols[0]?.length ?? 0;
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < cols.length; k++) r[k] = cols[k]![i]!;
          out[at++] = this.detectionRow(family, r) as DetectionRowsByFamily[F];
        }
      }
      out.length = at;
      return out;
    });
  }

  /** IPv4 text of recently read addresses (at most 200,000): one string per address, not per row. */
  private readonly addrText = new Map<number, string>();

  private ipv4Text(n: number): string {
    let s = this.addrText.get(n);
    if (s === undefined) {
      if (this.addrText.size >= 200_000) this.addrText.clear();
      s = ipv4ToString(n);
      this.addrText.set(n, s);
    }
    return s;
  }

  private addr(v4: DuckDBValue | undefined, v6: DuckDBValue | undefined): string {
    return v4 !== null && v4 !== undefined ? this.ipv4Text(Number(v4)) : String(v6);
  }

  private sensorName(v: DuckDBValue | undefined): string {
    return this.sensorNames[Number(v)] ?? `#${String(v)}`;
  }

  private detectionRow(family: DetectionFamily, r: DuckDBValue[]): DetectionRowsByFamily[DetectionFamily] {
    switch (family) {
      case 'probes':
        return {
          minuteMs: Number(r[0]),
          sensor: this.sensorName(r[1]),
          kind: kindFromCode(Number(r[2])),
          proto: protocolFromNumber(Number(r[3])),
          port: optNum(r[4]),
          src: this.addr(r[5], r[6]),
          dst: this.addr(r[7], r[8]),
          country: countryFromCode(Number(r[9])),
          asn: optNum(r[10]),
          packets: Number(r[11]),
          udpPayload: r[12] === true,
        };
      case 'backscatter':
        return {
          minuteMs: Number(r[0]),
          victim: this.addr(r[1], r[2]),
          proto: protocolFromNumber(Number(r[3])),
          port: optNum(r[4]),
          reply: String(r[5]),
          packets: Number(r[6]),
          bytes: Number(r[7]),
          targets: Number(r[8]),
          targets16: Number(r[9]),
          sensors: Number(r[10]),
          firstMs: Number(r[11]),
          lastMs: Number(r[12]),
          quoteMismatches: Number(r[13]),
        };
      case 'payloads':
        return {
          minuteMs: Number(r[0]),
          proto: protocolFromNumber(Number(r[1])),
          port: optNum(r[2]),
          payloadLength: Number(r[3]),
          payloadHash: Number(r[4]),
          src: this.addr(r[5], r[6]),
          country: countryFromCode(Number(r[7])),
          sensor: this.sensorName(r[8]),
          packets: Number(r[9]),
        };
      case 'ids':
        return {
          minuteMs: Number(r[0]),
          generatorId: Number(r[1]),
          signatureId: Number(r[2]),
          signature: r[3] === null ? null : String(r[3]),
          technique: techniqueFromCode(Number(r[4])),
          proto: protocolFromNumber(Number(r[5])),
          port: optNum(r[6]),
          src: this.addr(r[7], r[8]),
          country: countryFromCode(Number(r[9])),
          sensor: this.sensorName(r[10]),
          packets: Number(r[11]),
        };
      case 'sensor-volume':
        return {
          minuteMs: Number(r[0]),
          sensor: this.sensorName(r[1]),
          kind: kindFromCode(Number(r[2])),
          packets: Number(r[3]),
        };
    }
  }

  latestBatch(): Promise<number> {
    return this.serial(async () => this.lastBatch);
  }

  rawTimeRange(): Promise<{ firstMs: number; lastMs: number } | null> {
    return this.serial(async () => {
      const r = (await this.rows('SELECT min(ts_ms), max(ts_ms) FROM events'))[0];
      return r && r[0] !== null ? { firstMs: Number(r[0]), lastMs: Number(r[1]) } : null;
    });
  }

  private compactedRows = -1;

  /**
   * Compacts the rollups when partial rows have at least doubled since the last compaction
   * (each append adds its own; views read fewer rows after a merge). Returns true if it ran.
   */
  async maybeCompact(minRows = 200_000): Promise<boolean> {
    const rows = await this.rollupRows();
    if (this.compactedRows < 0) {
      const saved = await this.serial(() =>
        this.scalar("SELECT value FROM meta WHERE key = 'rollup_compacted_rows'"),
      );
      this.compactedRows = saved === null ? 0 : Number(saved);
    }
    if (rows < minRows || rows < 2 * this.compactedRows) return false;
    await this.compact();
    this.compactedRows = await this.rollupRows();
    await this.serial(() =>
      this.con.run(
        `INSERT INTO meta VALUES ('rollup_compacted_rows', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [String(this.compactedRows)],
      ),
    );
    return true;
  }

  /** Row counts of the rollup table and its distinct keys (to decide when to compact). */
  rollupRows(): Promise<number> {
    return this.serial(async () => Number(await this.scalar('SELECT count(*) FROM rollup_hourly')));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.serial(async () => {
      await this.con.run('CHECKPOINT').catch(() => undefined);
    });
    this.closed = true;
    this.con.closeSync();
    this.instance.closeSync();
  }
}

function ledgerFromRow(r: DuckDBValue[]): LedgerEntry {
  return {
    key: String(r[0]),
    sensor: String(r[1]),
    position: Number(r[2]),
    complete: Boolean(r[3]),
    events: Number(r[4]),
    bytes: Number(r[5]),
    headHash: r[6] === null ? null : String(r[6]),
    contentHash: r[7] === null ? null : String(r[7]),
    updatedMs: Number(r[8]),
  };
}

function optNum(v: DuckDBValue | undefined): number | null {
  return v === null || v === undefined ? null : Number(v);
}
