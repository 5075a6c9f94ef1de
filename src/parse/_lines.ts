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
  let pending = '';
  let discarding = false; // inside an over-long line, waiting for its end
  let lineNo = 0;
  let bytesRead = 0;
  let batch = emptyBatch();

  const handle = (line: string): void => {
    lineNo++;
    if (line.length === 0) return;
    if (line.charCodeAt(line.length - 1) === 13) {
      line = line.slice(0, -1);
      if (line.length === 0) return;
    }
    batch.records++;
    if (skipRecords > 0) {
      // Still parsed: some formats carry state from line to line (tcpdump's delta timestamps).
      skipRecords--;
      if (line.length <= maxLineChars) parseLine(line);
      return;
    }
    if (line.length > maxLineChars) {
      batch.rejections.push({ record: lineNo, reason: `line longer than ${maxLineChars} characters` });
      return;
    }
    const out = parseLine(line);
    if (Array.isArray(out)) {
      for (const e of out as readonly ObservationEvent[]) batch.events.push(e);
    } else if (isEvent(out as RecordOutcome)) batch.events.push(out as ObservationEvent);
    else {
      const o = out as Exclude<RecordOutcome, ObservationEvent>;
      if (o.outcome === 'rejected') batch.rejections.push({ record: lineNo, reason: o.reason });
      else batch.skipped.set(o.reason, (batch.skipped.get(o.reason) ?? 0) + 1);
    }
  };

  for await (const chunk of input) {
    bytesRead += chunk.byteLength;
    const text = decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      if (discarding) {
        discarding = false;
        lineNo++;
        batch.records++;
        if (skipRecords > 0) skipRecords--;
        else batch.rejections.push({ record: lineNo, reason: `line longer than ${maxLineChars} characters` });
      } else if (pending.length > 0) {
        handle(pending + text.slice(start, nl));
        pending = '';
      } else {
        handle(text.slice(start, nl));
      }
      start = nl + 1;
      if (batch.records >= BATCH_RECORDS) {
        batch.bytesRead = bytesRead;
        yield batch;
        batch = emptyBatch();
      }
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
  if (discarding) {
    lineNo++;
    batch.records++;
    if (skipRecords > 0) skipRecords--;
    else batch.rejections.push({ record: lineNo, reason: `line longer than ${maxLineChars} characters` });
  } else if (pending.length > 0 || tail.length > 0) {
    handle(pending + tail);
  }
  batch.bytesRead = bytesRead;
  yield batch;
}
