/**
 * File import: parse → enrich → store, exactly once per content.
 *
 * How re-imports are recognised: before parsing, the (decompressed) content is hashed. The
 * ledger key is the SHA-256 of the content and the `--sensor` given (if any). The ledger row is
 * written in the same transaction as each stored batch and records how many input records are
 * stored, so:
 * - the same content again stores nothing (its events count as duplicates);
 * - an interrupted import resumes after the last stored record;
 * - a log file that has grown since it was imported (same first bytes, longer) — or a rotated,
 *   gzip'd copy of it — stores only the records after the earlier import's end.
 * Options that change what the records mean (`date`) are part of the ledger's scope: a file
 * rejected for want of a date is read again when one is given.
 *
 * Other content holding the same records — the same packet written by rsyslog to both `ufw.log`
 * and `syslog` — is recognised record by record: each file's appends ask the store to count the
 * events that earlier imports already stored for the sensor (`AppendDedup` in store.ts).
 */
import { createHash, type Hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { KobanConfig } from '../core/index.js';
import { fileErrorText, KobanError, parseUtcOffset } from '../core/index.js';
import { type FormatName, isCalendarDate, openInput, type ParseContext, parseInput } from '../parse/index.js';
import type { Enricher } from './enrich.js';
import { ImportTally, LedgeredAppender, type RejectionReport } from './import-batches.js';
import type { EventStore, LedgerEntry, LedgerUpdate } from './ports/event-store.js';

export type { RejectionReport } from './import-batches.js';

/** Events per store append: large enough to amortise the transaction and rollup update. */
const STORE_BATCH_EVENTS = 100_000;
const HEAD_HASH_BYTES = 4096;

export interface ImportOptions {
  readonly format: FormatName | 'auto';
  /** Sensor name for every event of the files; otherwise the records' own host or the file name. */
  readonly sensor?: string | undefined;
  readonly config: KobanConfig;
  readonly onProgress?: ((p: ImportProgress) => void) | undefined;
  /** Reference "now" (tests); defaults to the wall clock. */
  readonly nowMs?: number | undefined;
  /** Events per store transaction (default 100,000). */
  readonly storeBatchEvents?: number | undefined;
  /** `YYYY-MM-DD`: the local date of timestamps that are only a time of day (`--date`). */
  readonly date?: string | undefined;
}

export interface ImportProgress {
  readonly file: string;
  readonly bytesRead: number;
  /** Size on disk (compressed size for .gz); 0 for pipes. */
  readonly totalBytes: number;
  readonly stored: number;
}

export interface FileImportResult {
  readonly file: string;
  readonly format: FormatName;
  /** Records (lines, packets) read in this run, including rejected and skipped ones. */
  readonly read: number;
  readonly stored: number;
  /**
   * Events not stored again: an earlier import of the same content stored them, or another
   * file's import stored the same records (the same packet logged in two files).
   */
  readonly duplicates: number;
  readonly rejected: number;
  readonly rejectedByReason: Record<string, number>;
  readonly skipped: Record<string, number>;
  /** Events kept with a caveat, by note (e.g. a time taken from the previous packet). */
  readonly notes: Record<string, number>;
  readonly rejections: RejectionReport[];
  /** How the file related to earlier imports. */
  readonly status: 'new' | 'already-imported' | 'resumed' | 'grown';
}

export interface ImportSummary {
  readonly read: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly skipped: number;
  readonly rejections: RejectionReport[];
  readonly files: FileImportResult[];
}

interface ContentInfo {
  readonly contentHash: string;
  readonly headHash: string | null;
  readonly bytes: number;
  /** The longest earlier complete import whose content is a prefix of this one. */
  readonly prefixOf: LedgerEntry | null;
}

export async function importFiles(
  store: EventStore,
  enricher: Enricher,
  files: readonly string[],
  options: ImportOptions,
): Promise<ImportSummary> {
  if (options.date !== undefined && !isCalendarDate(options.date)) {
    throw new KobanError('E_USAGE', `--date ${options.date}: not a calendar date YYYY-MM-DD`);
  }
  const results: FileImportResult[] = [];
  for (const file of files) results.push(await importFile(store, enricher, file, options));
  return summarise(results);
}

export function summarise(files: FileImportResult[]): ImportSummary {
  let read = 0;
  let stored = 0;
  let duplicates = 0;
  let rejected = 0;
  let skipped = 0;
  const rejections: RejectionReport[] = [];
  for (const f of files) {
    read += f.read;
    stored += f.stored;
    duplicates += f.duplicates;
    rejected += f.rejected;
    for (const n of Object.values(f.skipped)) skipped += n;
    rejections.push(...f.rejections);
  }
  return { read, stored, duplicates, rejected, skipped, rejections, files };
}

/** The scope of a file's ledger entries: the sensor given, and the options that change its events. */
function sensorKey(options: ImportOptions): string {
  const sensor = options.sensor ?? '*';
  return options.date === undefined ? sensor : `${sensor}@${options.date}`;
}

/** Hashes the decompressed content; finds an earlier import this content extends. */
async function inspectContent(store: EventStore, path: string, key: string): Promise<ContentInfo> {
  const input = await openInput(path);
  const hash = createHash('sha256');
  let headHash: string | null = null;
  let bytes = 0;
  let candidates: LedgerEntry[] = [];
  let prefixOf: LedgerEntry | null = null;
  const headParts: Uint8Array[] = [];
  const checkCandidates = (h: Hash) => {
    for (const c of candidates) {
      if (c.bytes === bytes && c.complete && c.contentHash === h.copy().digest('hex')) {
        if (!prefixOf || c.bytes > prefixOf.bytes) prefixOf = c;
      }
    }
  };
  for await (let chunk of input.stream) {
    if (headHash === null) {
      headParts.push(chunk.subarray(0, HEAD_HASH_BYTES - bytes));
      if (bytes + chunk.byteLength >= HEAD_HASH_BYTES) {
        headHash = createHash('sha256').update(Buffer.concat(headParts)).digest('hex');
        candidates = (await store.ledgerByHead(key, headHash)).filter((c) => c.complete);
      }
    }
    // Split the chunk at candidate lengths so the running hash can be compared exactly there.
    for (const c of candidates) {
      const cut = c.bytes - bytes;
      if (cut > 0 && cut < chunk.byteLength) {
        hash.update(chunk.subarray(0, cut));
        bytes += cut;
        checkCandidates(hash);
        chunk = chunk.subarray(cut);
      }
    }
    hash.update(chunk);
    bytes += chunk.byteLength;
    checkCandidates(hash);
  }
  if (headHash === null) headHash = createHash('sha256').update(Buffer.concat(headParts)).digest('hex');
  return { contentHash: hash.digest('hex'), headHash, bytes, prefixOf };
}

/** A file's modification time (the year of yearless timestamps) and size; the clock for stdin. */
async function inputFacts(file: string, nowMs: number): Promise<{ mtimeMs: number; totalBytes: number }> {
  if (file === '-') return { mtimeMs: nowMs, totalBytes: 0 };
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new KobanError('E_USAGE', `${file}: not a regular file`);
    return { mtimeMs: st.mtimeMs, totalBytes: st.size };
  } catch (e) {
    if (e instanceof KobanError) throw e;
    throw new KobanError('E_NOT_FOUND', `${file}: ${fileErrorText(e)}`);
  }
}

/** The file's ledger entry as of `position` records: a new one carries a grown file's prefix. */
function ledgerOf(key: string, content: ContentInfo, previous: LedgerEntry | null) {
  return (position: number, complete: boolean): LedgerUpdate => ({
    key: `file:${key}:${content.contentHash}`,
    sensor: key,
    position,
    complete,
    bytes: complete ? content.bytes : 0,
    headHash: content.headHash,
    contentHash: content.contentHash,
    eventsCarried: previous ? 0 : (content.prefixOf?.events ?? 0),
  });
}

async function importFile(
  store: EventStore,
  enricher: Enricher,
  file: string,
  options: ImportOptions,
): Promise<FileImportResult> {
  const nowMs = options.nowMs ?? Date.now();
  const offset = parseUtcOffset(options.config.utcOffset);
  const { mtimeMs, totalBytes } = await inputFacts(file, nowMs);
  const key = sensorKey(options);
  const content = file === '-' ? null : await inspectContent(store, file, key);
  const previous = content ? await store.ledger(`file:${key}:${content.contentHash}`) : null;
  const defaultSensor = options.sensor ?? stemOf(file);
  if (previous?.complete) {
    return {
      file,
      ...new ImportTally(file).counts(),
      ...(await detectOnly(file, options, defaultSensor, offset, mtimeMs, nowMs)),
      read: previous.position,
      stored: 0,
      duplicates: previous.events,
      rejected: 0,
      status: 'already-imported',
    };
  }
  const resumeFrom: LedgerEntry | null = previous ?? content?.prefixOf ?? null;
  const skipRecords = resumeFrom?.position ?? 0;
  const ctx: ParseContext = {
    sensor: defaultSensor,
    year: new Date(mtimeMs + offset * 60_000).getUTCFullYear(),
    utcOffsetMinutes: offset,
    nowMs,
    skipRecords,
    date: options.date,
  };
  const { format, batches } = parseInput(await openInput(file), options.format, ctx, {
    maxLineChars: options.config.maxLineBytes,
    name: file,
  });
  const tally = new ImportTally(file);
  // Events stored before this file are the ones its records may repeat.
  const dedup = { sinceBatch: await store.appendMark() };
  const out = new LedgeredAppender(store, dedup, content ? ledgerOf(key, content, previous) : null);
  for await (const batch of batches) {
    tally.add(batch);
    for (const e of batch.events) {
      if (options.sensor !== undefined) e.sensor = options.sensor;
      else if (e.sensor === '') e.sensor = defaultSensor;
      out.push(enricher.enrich(e));
    }
    if (out.buffered >= (options.storeBatchEvents ?? STORE_BATCH_EVENTS))
      await out.flush(tally.records, false);
    options.onProgress?.({
      file,
      bytesRead: batch.bytesRead,
      totalBytes,
      stored: out.appended + out.buffered,
    });
  }
  await out.flush(tally.records, true);
  return {
    file,
    format,
    read: tally.records - skipRecords,
    stored: out.stored,
    duplicates: (resumeFrom?.events ?? 0) + out.duplicates,
    rejected: tally.rejected,
    ...tally.counts(),
    status: previous ? 'resumed' : content?.prefixOf ? 'grown' : 'new',
  };
}

/** The format of an already-imported file, for the report (reads only its head). */
async function detectOnly(
  file: string,
  options: ImportOptions,
  sensor: string,
  offset: number,
  mtimeMs: number,
  nowMs: number,
): Promise<{ format: FormatName }> {
  const input = await openInput(file);
  const ctx: ParseContext = {
    sensor,
    year: new Date(mtimeMs).getUTCFullYear(),
    utcOffsetMinutes: offset,
    nowMs,
    date: options.date,
  };
  const { format, batches } = parseInput(input, options.format, ctx, {
    maxLineChars: options.config.maxLineBytes,
    name: file,
  });
  await batches.return(undefined);
  return { format };
}

/** `sensor-a.log.gz` → `sensor-a`: the default sensor name of a file without one. */
export function stemOf(file: string): string {
  if (file === '-') return 'stdin';
  let b = basename(file);
  for (;;) {
    const m = /\.(gz|log|json|txt|pcapng|pcap|cap|eve|fast|\d+)$/i.exec(b);
    if (!m || m.index === 0) break;
    b = b.slice(0, m.index);
  }
  return b;
}
