import { isEvent, type ObservationEvent, type RecordOutcome } from '../core/index.js';
import { emptyBatch, type LineOutcome, type ParseBatch } from './types.js';

/** Records per yielded batch: large enough to amortise the async step, small enough to stay bounded. */
export const BATCH_RECORDS = 8192;

/**
 * Drives a line parser over a byte stream with bounded memory: splits lines (LF or CRLF),
 * skips empty ones, and rejects a line longer than `maxLineChars` without ever holding more
 * than that much of it. Line numbers are 1-based physical lines of the input.
 */
export async function* parseLines(
  input: AsyncIterable<Uint8Array>,
  parseLine: (line: string) => LineOutcome,
  maxLineChars: number,
  skipRecords = 0,
): AsyncGenerator<ParseBatch> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const lines = new LineBatch(parseLine, maxLineChars, skipRecords);
  let pending = '';
  let discarding = false; // inside an over-long line, waiting for its end
  let bytesRead = 0;

  for await (const chunk of input) {
    bytesRead += chunk.byteLength;
    const text = decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      if (discarding) {
        discarding = false;
        lines.overlong();
      } else if (pending.length > 0) {
        lines.handle(pending + text.slice(start, nl));
        pending = '';
      } else {
        lines.handle(text.slice(start, nl));
      }
      start = nl + 1;
      if (lines.records >= BATCH_RECORDS) yield lines.take(bytesRead);
    }
    if (!discarding) {
      pending += text.slice(start);
      if (pending.length > maxLineChars + 1) {
        pending = '';
        discarding = true;
      }
    }
  }
  const tail = decoder.decode();
  if (discarding) lines.overlong();
  else if (pending.length > 0 || tail.length > 0) lines.handle(pending + tail);
  yield lines.take(bytesRead);
}

/** The batch being filled: each line's outcome under its line number. */
class LineBatch {
  private batch = emptyBatch();
  private lineNo = 0;

  constructor(
    private readonly parseLine: (line: string) => LineOutcome,
    private readonly maxLineChars: number,
    private skipRecords: number,
  ) {}

  get records(): number {
    return this.batch.records;
  }

  /** One line (without its LF). */
  handle(line: string): void {
    this.lineNo++;
    if (line.length === 0) return;
    if (line.charCodeAt(line.length - 1) === 13) {
      line = line.slice(0, -1);
      if (line.length === 0) return;
    }
    const batch = this.batch;
    batch.records++;
    if (this.skipRecords > 0) {
      // Still parsed: some formats carry state from line to line (tcpdump's delta timestamps).
      this.skipRecords--;
      if (line.length <= this.maxLineChars) this.parseLine(line);
      return;
    }
    if (line.length > this.maxLineChars) {
      batch.rejections.push({ record: this.lineNo, reason: this.tooLong() });
      return;
    }
    const out = this.parseLine(line);
    if (Array.isArray(out)) {
      for (const e of out as readonly ObservationEvent[]) batch.events.push(e);
    } else if (isEvent(out as RecordOutcome)) batch.events.push(out as ObservationEvent);
    else {
      const o = out as Exclude<RecordOutcome, ObservationEvent>;
      if (o.outcome === 'rejected') batch.rejections.push({ record: this.lineNo, reason: o.reason });
      else batch.skipped.set(o.reason, (batch.skipped.get(o.reason) ?? 0) + 1);
    }
  }

  /** A line too long to hold, whose end has just been seen (or the input ended in it). */
  overlong(): void {
    this.lineNo++;
    this.batch.records++;
    if (this.skipRecords > 0) this.skipRecords--;
    else this.batch.rejections.push({ record: this.lineNo, reason: this.tooLong() });
  }

  /** The batch so far, `bytesRead` into the input; the next one starts empty. */
  take(bytesRead: number): ParseBatch {
    const b = this.batch;
    b.bytesRead = bytesRead;
    this.batch = emptyBatch();
    return b;
  }

  private tooLong(): string {
    return `line longer than ${this.maxLineChars} characters`;
  }
}
