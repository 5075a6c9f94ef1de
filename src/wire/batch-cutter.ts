/**
 * Cuts a stream of encoded wire events into batches by size and by age, as the agent ships them
 * and replay sends them: a batch is due once it holds `maxEvents`, or once its first event has
 * waited `maxAgeMs` — large batches when events come fast (the center stores one batch per
 * transaction, so a batch's cost is mostly per batch), no event held long when they come slowly.
 */
import { batchHeaderLine, EVENTS_FORMAT } from './header.js';

export interface BatchCutterOptions {
  /** Events per batch at most (the agent's `batchEvents`, default 5,000). */
  readonly maxEvents: number;
  /** Longest the first event of a batch waits before the batch is due, ms (default 500). */
  readonly maxAgeMs: number;
  readonly now?: () => number;
}

export class BatchCutter {
  private lines: string[] = [];
  private firstMs = 0;
  private readonly now: () => number;

  constructor(private readonly o: BatchCutterOptions) {
    this.now = o.now ?? Date.now;
  }

  get events(): number {
    return this.lines.length;
  }

  /** Adds one encoded event (a JSON text line); returns true when the batch is now full. */
  add(line: string): boolean {
    if (this.lines.length === 0) this.firstMs = this.now();
    this.lines.push(line);
    return this.lines.length >= this.o.maxEvents;
  }

  /** Milliseconds until the batch is due by age (0: due now); Infinity when it is empty. */
  dueInMs(): number {
    if (this.lines.length === 0) return Number.POSITIVE_INFINITY;
    if (this.lines.length >= this.o.maxEvents) return 0;
    return Math.max(0, this.firstMs + this.o.maxAgeMs - this.now());
  }

  isDue(): boolean {
    return this.dueInMs() === 0;
  }

  /** The batch's lines so far, left in place (for a write that may fail). */
  peek(): readonly string[] {
    return this.lines;
  }

  /** The batch's lines, leaving the cutter empty. */
  take(): string[] {
    const lines = this.lines;
    this.lines = [];
    return lines;
  }
}

/** The NDJSON body of an events batch (uncompressed): header line, then one line per event. */
export function eventsBatchBody(batchId: string, lines: readonly string[]): string {
  return `${batchHeaderLine(batchId, EVENTS_FORMAT)}\n${lines.join('\n')}\n`;
}
