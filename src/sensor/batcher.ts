/**
 * Groups the agent's events into batches (by count, or by age so that a quiet source's records
 * still leave soon), compresses them and spools each with the source positions it brings the
 * agent to. When the spool refuses a batch (a full disk with nothing left to drop, an I/O
 * error) the batch stays in memory, its positions unsaved, and is retried with back-off; while
 * it is full the agent's sources wait (`full`).
 */
import { gzipSync } from 'node:zlib';
import type { ObservationEvent } from '../core/index.js';
import { encodeEvent, WIRE_VERSION } from '../observe/index.js';
import { backoffCeilingMs } from './backoff.js';
import type { Spool } from './spool.js';

export interface BatcherOptions {
  readonly batchEvents: number;
  readonly flushMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** The source positions the batch brings the agent to, read at spooling time. */
  readonly positions: () => Record<string, unknown>;
  readonly log: (msg: string) => void;
  /** Called with the event count of each batch spooled (the shipper wakes up). */
  readonly spooled: (events: number) => void;
}

export class Batcher {
  private lines: string[] = [];
  private events = 0;
  private firstMs = 0;
  /** Why the spool last refused a batch; null while it takes them. */
  private refused: string | null = null;
  private attempt = 0;
  private retryAtMs = 0;

  constructor(
    private readonly spool: Spool,
    private readonly o: BatcherOptions,
  ) {}

  /** The batch has reached its size: spool it before reading on. */
  get full(): boolean {
    return this.events >= this.o.batchEvents;
  }

  get spoolError(): string | null {
    return this.refused;
  }

  add(e: ObservationEvent, recvMs: number): void {
    if (this.events === 0) this.firstMs = Date.now();
    this.lines.push(JSON.stringify(encodeEvent(e, recvMs)));
    this.events++;
  }

  /** How long until the spool may be tried again after it refused a batch. */
  get retryInMs(): number {
    return Math.max(0, this.retryAtMs - Date.now());
  }

  /** Spools the batch if its oldest record has waited long enough. */
  flushIfDue(): void {
    if (this.events > 0 && Date.now() - this.firstMs >= this.o.flushMs) this.flush();
  }

  /**
   * Spools the batch; false when the spool refused it (the batch is kept for the next attempt)
   * or refused it so recently that the back-off has not run out — unless `now` insists.
   */
  flush(now = false): boolean {
    if (this.events === 0) return true;
    if (!now && Date.now() < this.retryAtMs) return false;
    const header = JSON.stringify({ v: WIRE_VERSION, batch_id: this.spool.nextBatchId(), format: 'events' });
    const body = gzipSync(`${header}\n${this.lines.join('\n')}\n`, { level: 1 });
    try {
      this.spool.append(body, this.events, { ...this.o.positions() });
    } catch (e) {
      const message = (e as Error).message;
      if (message !== this.refused)
        this.o.log(`spool: ${message}; holding ${this.events} events and retrying`);
      this.refused = message;
      this.retryAtMs = Date.now() + backoffCeilingMs(this.attempt++, this.o.retryBaseMs, this.o.retryMaxMs);
      return false;
    }
    if (this.refused !== null) this.o.log('spool: writable again');
    this.refused = null;
    this.attempt = 0;
    this.retryAtMs = 0;
    const events = this.events;
    this.lines = [];
    this.events = 0;
    this.o.spooled(events);
    return true;
  }
}
