/**
 * Groups the agent's events into batches (by count, or by age so that a quiet source's records
 * still leave soon), compresses them and spools each with the source positions it brings the
 * agent to. When the spool refuses a batch (a full disk with nothing left to drop, an I/O
 * error) the batch stays in memory, its positions unsaved, and is retried with back-off; while
 * it is full the agent's sources wait (`full`).
 */
import { gzipSync } from 'node:zlib';
import { backoffDelayMs, type ObservationEvent } from '../core/index.js';
import { BatchCutter, encodeEvent, eventsBatchBody } from '../wire/index.js';
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
  /** The size and age rule, shared with `koban replay`. */
  private readonly cut: BatchCutter;
  /** Why the spool last refused a batch; null while it takes them. */
  private refused: string | null = null;
  private attempt = 0;
  private retryAtMs = 0;

  constructor(
    private readonly spool: Spool,
    private readonly o: BatcherOptions,
  ) {
    this.cut = new BatchCutter({ maxEvents: o.batchEvents, maxAgeMs: o.flushMs });
  }

  /** The batch has reached its size: spool it before reading on. */
  get full(): boolean {
    return this.cut.events >= this.o.batchEvents;
  }

  get spoolError(): string | null {
    return this.refused;
  }

  add(e: ObservationEvent, recvMs: number): void {
    this.cut.add(JSON.stringify(encodeEvent(e, recvMs)));
  }

  /** How long until the spool may be tried again after it refused a batch. */
  get retryInMs(): number {
    return Math.max(0, this.retryAtMs - Date.now());
  }

  /** Spools the batch if its oldest record has waited long enough. */
  flushIfDue(): void {
    if (this.cut.isDue()) this.flush();
  }

  /**
   * Spools the batch; false when the spool refused it (the batch is kept for the next attempt)
   * or refused it so recently that the back-off has not run out — unless `now` insists.
   */
  flush(now = false): boolean {
    const lines = this.cut.peek();
    if (lines.length === 0) return true;
    if (!now && Date.now() < this.retryAtMs) return false;
    const body = gzipSync(eventsBatchBody(this.spool.nextBatchId(), lines), { level: 1 });
    try {
      this.spool.append(body, lines.length, { ...this.o.positions() });
    } catch (e) {
      const message = (e as Error).message;
      if (message !== this.refused)
        this.o.log(`spool: ${message}; holding ${lines.length} events and retrying`);
      this.refused = message;
      this.retryAtMs =
        Date.now() + backoffDelayMs(this.attempt++, { baseMs: this.o.retryBaseMs, maxMs: this.o.retryMaxMs });
      return false;
    }
    if (this.refused !== null) this.o.log('spool: writable again');
    this.refused = null;
    this.attempt = 0;
    this.retryAtMs = 0;
    this.o.spooled(this.cut.take().length);
    return true;
  }
}
