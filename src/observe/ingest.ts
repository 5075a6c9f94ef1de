/**
 * The center's ingest service, independent of HTTP: decodes a sensor's batch as it streams in
 * (ndjson-stream.ts, batch-decoder.ts), and hands it to one writer that coalesces queued batches
 * into large store transactions. A batch is acknowledged only after its transaction commits, and
 * its ledger key (sensor id + batch id) makes a redelivery a no-op: exactly-once effect. The
 * ledger keeps a hash of the batch's records, so a batch id reused for other content is refused
 * (409) instead of being taken for a redelivery.
 *
 * Bounds: every record is validated before the write (a transaction never fails for one bad
 * record, and a failed transaction is retried batch by batch so only a guilty batch fails); the
 * batches decoded at once are capped per sensor and in all; the writer's queue is bounded in
 * events — beyond any of these `submit` refuses at once with `BackpressureError` (HTTP 429/503 +
 * Retry-After) instead of buffering without bound.
 */
import { createHash } from 'node:crypto';
import type { KobanConfig } from '../core/index.js';
import { KobanError } from '../core/index.js';
import type { BatchHeader } from '../wire/index.js';
import { BatchDecoder, parseHeader, type SensorTally } from './batch-decoder.js';
import type { Enricher } from './enrich.js';
import { BackpressureError, DEFAULT_INGEST_LIMITS, type IngestLimits } from './ingest-limits.js';
import { bufferChunks, inflateChunks, ndjsonLines } from './ndjson-stream.js';
import type { EventStore, UniqueAppend } from './ports/event-store.js';
import type { SensorRecord, SensorRegistry } from './sensor-registry.js';

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
  readonly batchId: string;
  readonly delivery: UniqueAppend;
  /** The token's sensor (its batches, last seen and drop count). */
  readonly sensorId: number;
  /** What the batch stores per sensor id: the token's own name and each name it relays. */
  readonly tallies: ReadonlyMap<number, SensorTally>;
  readonly droppedTotal: number | null;
  resolve(status: 'stored' | 'duplicate'): void;
  reject(e: unknown): void;
}

interface Decoded {
  readonly header: BatchHeader;
  readonly key: string;
  readonly contentHash: string;
  readonly bytes: number;
  /** Null when the batch id was stored recently with this very content. */
  readonly decoder: BatchDecoder | null;
}

const RECENT_KEYS = 100_000;

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
  /** Ledger keys of recently stored batches and their content hashes. */
  private recent = new Map<string, string>();
  private writing: Promise<void> | null = null;
  private closed = false;
  private decoding = 0;
  private readonly decodingBySensor = new Map<number, number>();

  constructor(
    private readonly store: EventStore,
    private readonly enricher: Enricher,
    private readonly registry: SensorRegistry,
    private readonly config: KobanConfig,
    readonly limits: IngestLimits = DEFAULT_INGEST_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Decodes a gzip'd NDJSON batch from `sensor` as it inflates, and stores it exactly once. */
  submitGzip(sensor: SensorRecord, gz: Uint8Array, options: { droppedTotal?: number } = {}) {
    return this.submitChunks(sensor, () => inflateChunks(gz, this.limits), options);
  }

  /** Decodes an NDJSON batch already in memory (the demo feed, tests) and stores it exactly once. */
  submit(sensor: SensorRecord, body: string, options: { droppedTotal?: number } = {}) {
    return this.submitChunks(sensor, () => bufferChunks(Buffer.from(body)), options);
  }

  private async submitChunks(
    sensor: SensorRecord,
    chunks: () => AsyncIterable<Buffer>,
    options: { droppedTotal?: number },
  ): Promise<IngestResult> {
    if (this.closed) throw new KobanError('E_LIMIT', 'the center is shutting down');
    // A writer already full refuses before the decode, not after it.
    if (this.stats.queuedEvents >= this.limits.maxQueuedEvents && this.queue.length > 0) this.refuseBusy();
    const release = this.admitDecode(sensor.id);
    let d: Decoded;
    try {
      d = await this.decode(sensor, chunks());
    } finally {
      release();
    }
    const batchId = d.header.batch_id;
    if (d.decoder === null) {
      this.stats.duplicates++;
      return { batchId, status: 'duplicate', records: 0, events: 0, rejected: 0, rejections: [] };
    }
    const { events, records, rejected, rejections, tallies } = d.decoder;
    if (this.stats.queuedEvents + events.length > this.limits.maxQueuedEvents && this.queue.length > 0)
      this.refuseBusy();
    const status = await new Promise<'stored' | 'duplicate'>((resolve, reject) => {
      this.queue.push({
        batchId,
        delivery: {
          events,
          ledger: {
            key: d.key,
            sensor: sensor.name,
            position: records,
            complete: true,
            bytes: d.bytes,
            headHash: null,
            contentHash: d.contentHash,
          },
        },
        sensorId: sensor.id,
        tallies,
        droppedTotal: options.droppedTotal ?? d.header.dropped_total ?? null,
        resolve,
        reject,
      });
      this.stats.queuedEvents += events.length;
      this.kick();
    });
    if (status === 'duplicate') this.stats.duplicates++;
    else {
      this.stats.batches++;
      this.stats.events += events.length;
      this.stats.rejected += rejected;
    }
    const stored = status === 'stored' ? events.length : 0;
    return { batchId, status, records, events: stored, rejected, rejections };
  }

  private refuseBusy(): never {
    this.stats.refused++;
    throw new BackpressureError(Math.max(1, Math.ceil(this.stats.queuedEvents / 500_000)));
  }

  /** A decode slot for `sensorId`, or BackpressureError when the sensor or the center has none free. */
  private admitDecode(sensorId: number): () => void {
    const mine = this.decodingBySensor.get(sensorId) ?? 0;
    if (mine >= this.limits.decodesPerSensor) {
      this.stats.refused++;
      throw new BackpressureError(
        1,
        `this sensor already has ${mine} batches being decoded; retry in 1 s`,
        429,
      );
    }
    if (this.decoding >= this.limits.decodesTotal) {
      this.stats.refused++;
      throw new BackpressureError(1, 'the center is decoding as many batches as it may; retry in 1 s', 503);
    }
    this.decoding++;
    this.decodingBySensor.set(sensorId, mine + 1);
    return () => {
      this.decoding--;
      const n = (this.decodingBySensor.get(sensorId) ?? 1) - 1;
      if (n === 0) this.decodingBySensor.delete(sensorId);
      else this.decodingBySensor.set(sensorId, n);
    };
  }

  /** Reads the header, then decodes the records chunk by chunk while hashing them. */
  private async decode(sensor: SensorRecord, chunks: AsyncIterable<Buffer>): Promise<Decoded> {
    const hash = createHash('sha256');
    let bytes = 0;
    const counted = async function* () {
      for await (const c of chunks) {
        bytes += c.length;
        yield c;
      }
    };
    let header: BatchHeader | null = null;
    let key = '';
    let known: string | undefined;
    let decoder: BatchDecoder | null = null;
    const nowMs = this.now();
    for await (const lines of ndjsonLines(counted(), this.limits.maxRecordChars, hash)) {
      let records = lines;
      if (header === null) {
        header = parseHeader(lines[0]);
        records = lines.slice(1);
        key = `batch:${sensor.id}:${header.batch_id}`;
        // A recently stored batch id is answered from memory once its content is known to be the
        // same: asking the store would queue behind its write transaction. appendUnique checks too.
        known = this.recent.get(key);
        if (known === undefined) {
          decoder = new BatchDecoder({
            sensor,
            header,
            config: this.config,
            limits: this.limits,
            enricher: this.enricher,
            nowMs,
            relayTarget: (name) => this.registry.relayTarget(sensor, name, nowMs),
          });
        }
      }
      if (decoder) await decoder.add(records);
    }
    if (header === null)
      throw new KobanError('E_FORMAT', 'the first NDJSON line must be the batch header (JSON)');
    const contentHash = hash.digest('hex');
    if (known !== undefined && known !== contentHash) throw conflict(header.batch_id);
    return { header, key, contentHash, bytes, decoder };
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
        await this.write(take);
      } finally {
        this.stats.queuedEvents -= events;
      }
    }
  }

  /**
   * Stores a group of batches in one transaction. Every record was validated before it was queued,
   * so a failing transaction is unexpected: the group is then written again batch by batch, and
   * only the batch at fault fails.
   */
  private async write(take: readonly Pending[]): Promise<void> {
    let results: Awaited<ReturnType<EventStore['appendUnique']>>;
    try {
      results = await this.store.appendUnique(take.map((p) => p.delivery));
    } catch (e) {
      if (take.length === 1) take[0]!.reject(e);
      else for (const p of take) await this.write([p]);
      return;
    }
    const nowMs = this.now();
    take.forEach((p, i) => {
      if (results[i] !== 'conflict') this.remember(p.delivery.ledger.key, p.delivery.ledger.contentHash!);
    });
    try {
      await this.recordDeliveries(
        take.filter((_, i) => results[i] === 'stored'),
        nowMs,
      );
    } catch (e) {
      // Stored, but the registry could not count it: the sensor's retry is answered "duplicate".
      for (const p of take) p.reject(e);
      return;
    }
    take.forEach((p, i) => {
      const r = results[i]!;
      if (r === 'conflict') p.reject(conflict(p.batchId));
      else p.resolve(r);
    });
  }

  private remember(key: string, contentHash: string): void {
    if (this.recent.size >= RECENT_KEYS) this.recent = new Map();
    this.recent.set(key, contentHash);
  }

  /**
   * One registry update per sensor for everything one transaction stored: each relayed name counts
   * its own events; the token's sensor counts its batches, its own events and its drop count.
   */
  private async recordDeliveries(stored: readonly Pending[], nowMs: number): Promise<void> {
    const bySensor = new Map<
      number,
      { name: string; events: number; newest: number | null; dropped: number | null; batches: number }
    >();
    const entry = (id: number, name: string) => {
      let a = bySensor.get(id);
      if (!a) {
        a = { name, events: 0, newest: null, dropped: null, batches: 0 };
        bySensor.set(id, a);
      }
      return a;
    };
    for (const p of stored) {
      const own = entry(p.sensorId, p.delivery.ledger.sensor);
      if (p.droppedTotal !== null) own.dropped = Math.max(own.dropped ?? 0, p.droppedTotal);
      own.batches++;
      for (const [id, t] of p.tallies) {
        const a = entry(id, t.name);
        if (id !== p.sensorId) a.batches++;
        a.events += t.events;
        if (t.newestMs !== null && (a.newest === null || t.newestMs > a.newest)) a.newest = t.newestMs;
      }
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

function conflict(batchId: string): KobanError {
  return new KobanError(
    'E_CONFLICT',
    `batch ${batchId} was stored before with other content: a batch id may not be reused`,
  );
}
