/**
 * Prometheus metrics of the center (text exposition format, via prom-client): ingest rate,
 * rejects, refused batches, queue depth, store size, and per-sensor last-seen, lag and reported
 * spool loss.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { EventStore, IngestService, SensorRegistry } from '../observe/index.js';

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

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
