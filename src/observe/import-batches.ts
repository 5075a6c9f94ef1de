/**
 * One file's parse batches on their way into the store (import.ts): what they held — rejections
 * by reason, skipped records, notes — and their events, appended in large transactions each
 * carrying the file's ledger entry, one append in flight while the next batch is parsed.
 */
import type { EnrichedEvent } from '../core/index.js';
import type { ParseBatch } from '../parse/index.js';
import type { AppendDedup, AppendResult, EventStore, LedgerUpdate } from './ports/event-store.js';

/** Rejections listed one by one per file; all are counted by reason. */
const REJECTIONS_LISTED = 20;

export interface RejectionReport {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** What one file's records came to, besides the stored events. */
export class ImportTally {
  readonly rejectedByReason: Record<string, number> = {};
  readonly skipped: Record<string, number> = {};
  readonly notes: Record<string, number> = {};
  readonly rejections: RejectionReport[] = [];
  /** Records read, counted from the first record of the file (skipped ones on resume included). */
  records = 0;
  rejected = 0;

  constructor(private readonly file: string) {}

  /** The rejections and other counts, as an import result reports them. */
  counts() {
    const { rejectedByReason, skipped, notes, rejections } = this;
    return { rejectedByReason, skipped, notes, rejections };
  }

  add(batch: ParseBatch): void {
    this.records += batch.records;
    for (const r of batch.rejections) {
      this.rejected++;
      this.rejectedByReason[r.reason] = (this.rejectedByReason[r.reason] ?? 0) + 1;
      if (this.rejections.length < REJECTIONS_LISTED)
        this.rejections.push({ file: this.file, line: r.record, reason: r.reason });
    }
    for (const [reason, n] of batch.skipped) this.skipped[reason] = (this.skipped[reason] ?? 0) + n;
    for (const [note, n] of batch.notes) this.notes[note] = (this.notes[note] ?? 0) + n;
  }
}

/** Buffers a file's events and appends them with its ledger entry, one append ahead. */
export class LedgeredAppender {
  /** Events stored, and recognised as stored by another source (`AppendDedup`). */
  stored = 0;
  duplicates = 0;
  /** Events handed to the store so far (for progress). */
  appended = 0;
  private pending: EnrichedEvent[] = [];
  private inFlight: Promise<AppendResult> | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly dedup: AppendDedup,
    /** The file's ledger entry as of `position` records (null: no ledger, e.g. stdin). */
    private readonly ledger: ((position: number, complete: boolean) => LedgerUpdate) | null,
  ) {}

  get buffered(): number {
    return this.pending.length;
  }

  push(e: EnrichedEvent): void {
    this.pending.push(e);
  }

  /** Appends what is buffered, its ledger entry at `position`; waits for it when `complete`. */
  async flush(position: number, complete: boolean): Promise<void> {
    const events = this.pending;
    this.pending = [];
    if (this.inFlight) this.settle(await this.inFlight);
    this.inFlight = null;
    const appending = this.store.append(events, this.ledger?.(position, complete), this.dedup);
    // Awaited at the next flush; until then a failure must not count as unhandled.
    appending.catch(() => undefined);
    this.appended += events.length;
    if (complete) this.settle(await appending);
    else this.inFlight = appending;
  }

  private settle(r: AppendResult): void {
    this.stored += r.stored;
    this.duplicates += r.duplicates;
  }
}
