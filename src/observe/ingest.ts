/**
 * The center's ingest service, independent of HTTP: decodes a sensor's batch, parses raw
 * records where needed, enriches, and hands it to one writer that coalesces queued batches into
 * large store transactions. A batch is acknowledged only after its transaction commits, and its
 * ledger key (sensor id + batch id) makes a redelivery a no-op: exactly-once effect.
 *
 * Backpressure: the queue is bounded in events; when it is full, `submit` refuses at once with
 * E_BUSY-like `BackpressureError` (HTTP 429 + Retry-After) instead of buffering without bound.
 */

import type { KobanConfig } from '../core/index.js';
import {
  type EnrichedEvent,
  isEvent,
  KobanError,
  type ObservationEvent,
  parseUtcOffset,
} from '../core/index.js';
import { FORMAT_NAMES, FORMATS, type FormatName } from '../parse/index.js';
import type { Enricher } from './enrich.js';
import type { SensorRecord, SensorRegistry } from './sensor-registry.js';
import type { EventStore, UniqueAppend } from './store.js';
import { BATCH_ID_RE, type BatchHeader, decodeEvent, WIRE_VERSION } from './wire.js';

export interface IngestLimits {
  /** Records in one batch. */
  readonly maxRecords: number;
  /** Events waiting for the writer before new batches are refused (429). */
  readonly maxQueuedEvents: number;
  /** Longest raw line accepted. */
  readonly maxLineChars: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxRecords: 200_000,
  maxQueuedEvents: 2_000_000,
  maxLineChars: 64 * 1024,
};

export class BackpressureError extends KobanError {
  constructor(override readonly retryAfterS: number) {
    super('E_LIMIT', `the event store is behind; retry in ${retryAfterS} s`);
  }
}

export interface IngestResult {
  readonly batchId: string;
  readonly status: 'stored' | 'duplicate';
  readonly records: number;
  readonly events: number;
  readonly rejected: number;
  readonly rejections: { readonly record: number; readonly reason: string }[];
}

export interface IngestStats {
  batches: number;
  duplicates: number;
  events: number;
  rejected: number;
  refused: number;
  queuedEvents: number;
  /** Newest (receive time − event time) seen, per sensor, for lag metrics. */
  readonly lagMsBySensor: Map<string, number>;
  readonly lastSeenBySensor: Map<string, number>;
}

interface Pending {
  readonly delivery: UniqueAppend;
  readonly sensorId: number;
  readonly relayed: readonly string[];
  readonly newestEventMs: number | null;
  readonly droppedTotal: number | null;
  resolve(status: 'stored' | 'duplicate'): void;
  reject(e: unknown): void;
}

const REJECTIONS_LISTED = 20;

/** How far ahead of the center's clock an event time may be (sensor clocks drift, a day does not). */
const MAX_AHEAD_MS = 86_400_000;

export class IngestService {
  readonly stats: IngestStats = {
    batches: 0,
    duplicates: 0,
    events: 0,
    rejected: 0,
    refused: 0,
    queuedEvents: 0,
    lagMsBySensor: new Map(),
    lastSeenBySensor: new Map(),
  };
  private queue: Pending[] = [];
  private recentKeys = new Set<string>();
  private writing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly store: EventStore,
    private readonly enricher: Enricher,
    private readonly registry: SensorRegistry,
    private readonly config: KobanConfig,
    private readonly limits: IngestLimits = DEFAULT_INGEST_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Decodes an (already decompressed) NDJSON batch from `sensor` and stores it exactly once. */
  async submit(
    sensor: SensorRecord,
    body: string,
    options: { droppedTotal?: number } = {},
  ): Promise<IngestResult> {
    if (this.closed) throw new KobanError('E_LIMIT', 'the center is shutting down');
    const nl = body.indexOf('\n');
    const header = parseHeader(nl === -1 ? body : body.slice(0, nl));
    const key = `batch:${sensor.id}:${header.batch_id}`;
    // Recently stored batch ids are answered from memory: asking the store would queue behind
    // its write transaction. Correctness does not depend on this: appendUnique checks the ledger.
    if (this.recentKeys.has(key)) {
      this.stats.duplicates++;
      return {
        batchId: header.batch_id,
        status: 'duplicate',
        records: 0,
        events: 0,
        rejected: 0,
        rejections: [],
      };
    }
    const decoded = this.decode(sensor, header, nl === -1 ? '' : body.slice(nl + 1));
    if (
      this.stats.queuedEvents + decoded.events.length > this.limits.maxQueuedEvents &&
      this.queue.length > 0
    ) {
      this.stats.refused++;
      throw new BackpressureError(Math.max(1, Math.ceil(this.stats.queuedEvents / 500_000)));
    }
    const status = await new Promise<'stored' | 'duplicate'>((resolve, reject) => {
      this.queue.push({
        delivery: {
          events: decoded.events,
          ledger: {
            key,
            sensor: sensor.name,
            position: decoded.records,
            complete: true,
            bytes: body.length,
            headHash: null,
            contentHash: null,
          },
        },
        sensorId: sensor.id,
        relayed: decoded.relayed,
        newestEventMs: decoded.newestEventMs,
        droppedTotal: options.droppedTotal ?? header.dropped_total ?? null,
        resolve,
        reject,
      });
      this.stats.queuedEvents += decoded.events.length;
      this.kick();
    });
    if (status === 'duplicate') this.stats.duplicates++;
    else {
      this.stats.batches++;
      this.stats.events += decoded.events.length;
      this.stats.rejected += decoded.rejected;
    }
    return {
      batchId: header.batch_id,
      status,
      records: decoded.records,
      events: status === 'stored' ? decoded.events.length : 0,
      rejected: decoded.rejected,
      rejections: decoded.rejections,
    };
  }

  private decode(sensor: SensorRecord, header: BatchHeader, records: string) {
    const events: EnrichedEvent[] = [];
    const rejections: { record: number; reason: string }[] = [];
    const relayed = new Set<string>();
    let rejected = 0;
    let n = 0;
    let newest: number | null = null;
    const nowMs = this.now();
    const lineParser =
      header.format === 'events'
        ? null
        : textParser(header.format as FormatName, sensor.name, this.config, nowMs);
    const rejectRecord = (reason: string) => {
      rejected++;
      if (rejections.length < REJECTIONS_LISTED) rejections.push({ record: n, reason });
    };
    const values = parseRecords(records, this.limits.maxRecords);
    const accept = (e: ObservationEvent, recv: number | null) => {
      // A sensor clock a day or more ahead: storing its events would put them in every future
      // view (and retention and detection measure from the newest event).
      if (e.timeMs > nowMs + MAX_AHEAD_MS) {
        rejectRecord('event time more than a day ahead of the center clock');
        return;
      }
      const en = this.enricher.enrich(e);
      if (recv !== null) en.receivedMs = recv;
      if (newest === null || e.timeMs > newest) newest = e.timeMs;
      events.push(en);
    };
    for (const value of values) {
      n++;
      if (lineParser === null) {
        const d = decodeEvent(value, sensor.name);
        if (typeof d === 'string') {
          rejectRecord(d);
          continue;
        }
        if (d.sensor !== null && d.sensor !== sensor.name) {
          if (!sensor.relay) {
            rejectRecord('sensor name not allowed for this token');
            continue;
          }
          d.event.sensor = d.sensor;
          relayed.add(d.sensor);
        }
        accept(d.event, d.receivedMs);
      } else {
        const [raw, recv] = Array.isArray(value) ? value : [value, null];
        if (typeof raw !== 'string' || (recv !== null && typeof recv !== 'number')) {
          rejectRecord('raw record is not a string or [string, recv_ms]');
          continue;
        }
        if (raw.length > this.limits.maxLineChars) {
          rejectRecord(`line longer than ${this.limits.maxLineChars} characters`);
          continue;
        }
        const out = lineParser(raw);
        if (Array.isArray(out)) for (const e of out as ObservationEvent[]) accept(e, recv as number | null);
        else if (isEvent(out as never)) accept(out as ObservationEvent, recv as number | null);
        else if ((out as { outcome: string }).outcome === 'rejected')
          rejectRecord((out as { reason: string }).reason);
      }
    }
    return { events, rejections, rejected, records: n, relayed: [...relayed], newestEventMs: newest };
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = this.drain().finally(() => {
      this.writing = null;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Writes everything queued in as few transactions as possible. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const take: Pending[] = [];
      let events = 0;
      while (this.queue.length > 0 && (take.length === 0 || events < 500_000)) {
        const p = this.queue.shift()!;
        take.push(p);
        events += p.delivery.events.length;
      }
      try {
        const results = await this.store.appendUnique(take.map((p) => p.delivery));
        const nowMs = this.now();
        for (const p of take) this.remember(p.delivery.ledger.key);
        await this.recordDeliveries(
          take.filter((_, i) => results[i] === 'stored'),
          nowMs,
        );
        this.stats.queuedEvents -= events;
        take.forEach((p, i) => {
          p.resolve(results[i]!);
        });
      } catch (e) {
        this.stats.queuedEvents -= events;
        for (const p of take) p.reject(e);
      }
    }
  }

  private remember(key: string): void {
    if (this.recentKeys.size >= 100_000) this.recentKeys = new Set();
    this.recentKeys.add(key);
  }

  /** One registry update per sensor for everything one transaction stored. */
  private async recordDeliveries(stored: readonly Pending[], nowMs: number): Promise<void> {
    const bySensor = new Map<
      number,
      { name: string; events: number; newest: number | null; dropped: number | null; batches: number }
    >();
    const relayed = new Set<string>();
    for (const p of stored) {
      const a = bySensor.get(p.sensorId) ?? {
        name: p.delivery.ledger.sensor,
        events: 0,
        newest: null,
        dropped: null,
        batches: 0,
      };
      a.events += p.delivery.events.length;
      a.batches++;
      if (p.newestEventMs !== null && (a.newest === null || p.newestEventMs > a.newest))
        a.newest = p.newestEventMs;
      if (p.droppedTotal !== null) a.dropped = Math.max(a.dropped ?? 0, p.droppedTotal);
      bySensor.set(p.sensorId, a);
      for (const r of p.relayed) relayed.add(r);
    }
    for (const [id, a] of bySensor) {
      await this.registry.recordDelivery(id, {
        nowMs,
        events: a.events,
        batches: a.batches,
        newestEventMs: a.newest,
        droppedTotal: a.dropped,
      });
      this.stats.lastSeenBySensor.set(a.name, nowMs);
      if (a.newest !== null) this.stats.lagMsBySensor.set(a.name, Math.max(0, nowMs - a.newest));
    }
    for (const r of relayed) {
      await this.registry.ensureRelayed(r, nowMs);
      this.stats.lastSeenBySensor.set(r, nowMs);
    }
  }

  /** Stops taking batches and waits until everything queued is written. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length > 0) {
      if (!this.writing) this.kick();
      await this.writing;
    }
  }
}

/**
 * The records of an NDJSON body. One JSON.parse of the whole body as an array is several times
 * faster than one per line; only when it fails are lines parsed one by one, to name the first
 * bad record.
 */
function parseRecords(records: string, maxRecords: number): unknown[] {
  let count = 0;
  for (let i = records.indexOf('\n'); i !== -1; i = records.indexOf('\n', i + 1)) {
    if (++count > maxRecords) throw new KobanError('E_LIMIT', `batch has more than ${maxRecords} records`);
  }
  const body = records.trim();
  if (body === '') return [];
  try {
    return JSON.parse(`[${body.replace(/\n\s*(?=\S)/g, ',')}]`) as unknown[];
  } catch {
    const lines = body.split('\n').filter((l) => l.trim() !== '');
    for (let i = 0; i < lines.length; i++) {
      try {
        JSON.parse(lines[i]!);
      } catch {
        throw new KobanError('E_FORMAT', `record ${i + 1}: not JSON (the body must be NDJSON)`);
      }
    }
    // Every line parses alone, yet not as an array: two values on one line.
    throw new KobanError('E_FORMAT', 'the body must be NDJSON: one JSON value per line');
  }
}

function parseHeader(line: string): BatchHeader {
  let h: unknown;
  try {
    h = JSON.parse(line);
  } catch {
    throw new KobanError('E_FORMAT', 'the first NDJSON line must be the batch header (JSON)');
  }
  if (typeof h !== 'object' || h === null || Array.isArray(h))
    throw new KobanError('E_FORMAT', 'batch header must be an object');
  const o = h as Record<string, unknown>;
  if (o.v !== WIRE_VERSION)
    throw new KobanError('E_FORMAT', `unsupported batch version ${String(o.v)} (expected ${WIRE_VERSION})`);
  if (typeof o.batch_id !== 'string' || !BATCH_ID_RE.test(o.batch_id)) {
    throw new KobanError('E_FORMAT', 'batch_id must be 1–128 characters of A-Z a-z 0-9 . _ : -');
  }
  const textFormats = FORMAT_NAMES.filter((f) => FORMATS[f].kind === 'text');
  if (o.format !== 'events' && !(textFormats as readonly unknown[]).includes(o.format)) {
    throw new KobanError('E_FORMAT', `format must be "events" or one of ${textFormats.join(', ')}`);
  }
  if (
    o.dropped_total !== undefined &&
    !(Number.isInteger(o.dropped_total) && (o.dropped_total as number) >= 0)
  ) {
    throw new KobanError('E_FORMAT', 'dropped_total must be a non-negative integer');
  }
  return o as unknown as BatchHeader;
}

function textParser(format: FormatName, sensor: string, config: KobanConfig, nowMs: number) {
  const f = FORMATS[format];
  if (f.kind !== 'text') throw new KobanError('E_FORMAT', `${format} records cannot be sent raw`);
  const offset = parseUtcOffset(config.utcOffset);
  return f.create({
    sensor,
    year: new Date(nowMs + offset * 60_000).getUTCFullYear(),
    utcOffsetMinutes: offset,
    nowMs,
  });
}
