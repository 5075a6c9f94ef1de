/**
 * Prometheus metrics of the center (text exposition format, via prom-client): ingest rate,
 * rejects, refused batches, queue depth, store size, per-sensor last-seen, lag and reported
 * spool loss, the live detectors' progress and state, and the audit chain's head and last signed
 * checkpoint.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { LiveDetectionStats } from '../detect/index.js';
import type { Checkpoint } from '../intel/index.js';
import type { EventStore, IngestService, SensorRegistry } from '../observe/index.js';

export interface AuditStatus {
  readonly headSeq: number;
  readonly lastCheckpoint: Checkpoint | null;
}

export class CenterMetrics {
  private readonly registry = new Registry();

  constructor(store: EventStore, ingest: IngestService, sensors: SensorRegistry) {
    const s = ingest.stats;
    // Counters follow the ingest service's own monotonic totals at scrape time.
    const counterFrom = (name: string, help: string, read: () => number) => {
      let last = 0;
      return new Counter({
        name,
        help,
        registers: [this.registry],
        collect() {
          const v = read();
          if (v > last) this.inc(v - last);
          last = v;
        },
      });
    };
    counterFrom('koban_ingest_events_total', 'Events stored through the ingest API.', () => s.events);
    counterFrom('koban_ingest_batches_total', 'Batches stored through the ingest API.', () => s.batches);
    counterFrom(
      'koban_ingest_duplicate_batches_total',
      'Batches delivered again and not stored twice.',
      () => s.duplicates,
    );
    counterFrom('koban_ingest_rejected_records_total', 'Records rejected as malformed.', () => s.rejected);
    counterFrom(
      'koban_ingest_refused_batches_total',
      'Batches refused with 429 because the store was behind.',
      () => s.refused,
    );
    new Gauge({
      name: 'koban_ingest_queue_events',
      help: 'Events accepted and waiting for the store writer.',
      registers: [this.registry],
      collect() {
        this.set(s.queuedEvents);
      },
    });
    new Gauge({
      name: 'koban_store_size_bytes',
      help: 'Size of the event store file.',
      registers: [this.registry],
      async collect() {
        this.set((await store.summary()).sizeBytes);
      },
    });
    new Gauge({
      name: 'koban_store_events',
      help: 'Events counted in the store (rollups).',
      registers: [this.registry],
      async collect() {
        this.set((await store.summary()).events);
      },
    });
    new Gauge({
      name: 'koban_sensor_last_seen_timestamp_seconds',
      help: 'When each sensor last delivered a batch (Unix time).',
      labelNames: ['sensor'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await sensors.list()) {
          if (r.lastSeenMs !== null) this.set({ sensor: r.name }, r.lastSeenMs / 1000);
        }
      },
    });
    new Gauge({
      name: 'koban_sensor_lag_seconds',
      help: 'Receive time minus the newest event time of the last batch, per sensor.',
      labelNames: ['sensor'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [name, lag] of s.lagMsBySensor) this.set({ sensor: name }, lag / 1000);
      },
    });
    new Gauge({
      name: 'koban_sensor_dropped_events',
      help: 'Events a sensor agent reported dropping from its full spool (cumulative).',
      labelNames: ['sensor'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const r of await sensors.list()) this.set({ sensor: r.name }, r.droppedTotal);
      },
    });
  }

  /**
   * Live detection's progress: whether this node holds the detection lease, how far in event time
   * it has fed, what it found, what it holds (`stats` is null while the detectors do not run here).
   */
  watchDetection(stats: () => LiveDetectionStats | null, leaseHeld: () => boolean): void {
    new Gauge({
      name: 'koban_detect_lease_held',
      help: 'Whether this node holds the live-detection lease (1; its detectors run once warm) or not (0).',
      registers: [this.registry],
      collect() {
        this.set(leaseHeld() ? 1 : 0);
      },
    });
    const gauge = (name: string, help: string, read: (st: LiveDetectionStats) => number | null) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          const st = stats();
          const v = st === null ? null : read(st);
          if (v === null) this.reset();
          else this.set(v);
        },
      });
    gauge(
      'koban_detect_watermark_timestamp_seconds',
      'Event time up to which the live detectors have run (Unix time).',
      (st) => (st.watermarkMs === null ? null : st.watermarkMs / 1000),
    );
    gauge(
      'koban_detect_minutes_fed',
      'Event minutes fed to the live detectors since start.',
      (st) => st.minutesFed,
    );
    gauge(
      'koban_detect_findings',
      'Findings (episodes opened, updated, ended) since start.',
      (st) => st.findings,
    );
    gauge(
      'koban_detect_late_rows',
      'Aggregate rows that arrived after their minute was fed (dropped).',
      (st) => st.lateRows,
    );
    gauge(
      'koban_detect_future_rows',
      'Aggregate rows stamped too far ahead of the clock (dropped).',
      (st) => st.futureRows,
    );
    new Gauge({
      name: 'koban_detect_state_entities',
      help: 'Entities each detector holds in memory (its bounded state).',
      labelNames: ['detector'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [d, n] of Object.entries(stats()?.state ?? {})) this.set({ detector: d }, n);
      },
    });
  }

  /**
   * The audit chain's head and its last signed checkpoint: a scraper that stores these elsewhere
   * keeps a copy of the checkpoint the database's writers cannot reach (intel/checkpoints.ts).
   */
  watchAudit(status: () => Promise<AuditStatus>): void {
    new Gauge({
      name: 'koban_audit_head_seq',
      help: 'Row id of the newest audit log entry (the head of the hash chain).',
      registers: [this.registry],
      async collect() {
        this.set((await status()).headSeq);
      },
    });
    new Gauge({
      name: 'koban_audit_checkpoint_seq',
      help: 'Audit row id of the last signed checkpoint; its head hash, time and Ed25519 signature are labels.',
      labelNames: ['head', 'custody_seq', 'custody_head', 'at', 'key_id', 'signature'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const c = (await status()).lastCheckpoint;
        if (c === null) return;
        this.set(
          {
            head: c.head,
            custody_seq: String(c.custodySeq),
            custody_head: c.custodyHead,
            at: c.at,
            key_id: c.keyId,
            signature: c.sig,
          },
          c.seq,
        );
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
