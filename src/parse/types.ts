import type { ObservationEvent, RecordOutcome } from '../core/index.js';
import type { FormatName } from './index.js';

/** What a parser knows about the file it reads, beyond the records themselves. */
export interface ParseContext {
  /** Sensor name to use when a record names none (`--sensor`, or the agent's own name). */
  readonly sensor: string;
  /** Year for syslog timestamps that carry none (`Mar  5 10:00:00`): usually the file's mtime year. */
  readonly year: number;
  /** UTC offset, in minutes, of timestamps that carry no zone (classic syslog, fast.log, tcpdump). */
  readonly utcOffsetMinutes: number;
  /** Reference time (UTC ms) for rolling a year-less timestamp back a year when it would lie in the future. */
  readonly nowMs: number;
  /**
   * Local calendar date (`YYYY-MM-DD`, see {@link isCalendarDate}) of timestamps that carry only a
   * time of day (tcpdump's default stamp), until a line names a date: `koban import --date`.
   * Without it such lines are rejected, saying so.
   */
  readonly date?: string | undefined;
  /**
   * Records to pass over without yielding their outcomes (resuming an interrupted import).
   * They still count in `records`, so positions stay comparable across runs.
   */
  readonly skipRecords?: number;
}

/**
 * A text format: one record per line. `create` makes a parser for one file; it may keep state
 * across lines (tcpdump's delta timestamps, syslog year rollover). A parser never throws on bad
 * input: it returns a rejection with a clear reason.
 */
export interface TextFormat<O extends LineOutcome = RecordOutcome> {
  readonly name: FormatName;
  readonly kind: 'text';
  create(ctx: ParseContext): (line: string) => O;
  /** How `--format auto` recognises it; absent: it is never guessed, only named. */
  readonly detect?: TextDetection;
}

/**
 * Auto-detection of a text format: the formats that have one are tried on the first lines in
 * `rank` order, the one whose parser accepts the most lines winning (on a tie the lower rank);
 * when no parser accepts any line, `looksLike` — a cheap structural test — decides instead, so the
 * file is read in its format and each line gets its own precise rejection.
 */
export interface TextDetection {
  readonly rank: number;
  looksLike(line: string): boolean;
  /**
   * A line its parser skips still counts for it, half as much as one it reads: an EVE file may hold
   * mostly records that carry no event (dns, http, tls, stats…) and is still EVE.
   */
  readonly skippedLinesCount?: boolean;
}

/** What a line parser returns: one outcome, or several events for a record that stands for several accesses (DShield's count). */
export type LineOutcome = RecordOutcome | readonly ObservationEvent[];

/** A binary format read as a byte stream with bounded memory. */
export interface BinaryFormat {
  readonly name: FormatName;
  readonly kind: 'binary';
  /** True when `head` (the first bytes of the input) starts like this format. */
  sniff(head: Uint8Array): boolean;
  parse(input: AsyncIterable<Uint8Array>, ctx: ParseContext): AsyncGenerator<ParseBatch>;
}

export type Format = TextFormat<LineOutcome> | BinaryFormat;

/** A rejected record and where it was: 1-based line number, or 1-based record number for binary input. */
export interface RecordRejection {
  readonly record: number;
  readonly reason: string;
}

/** A slice of parse results; parsers yield these so the pipeline moves thousands of records per step. */
export interface ParseBatch {
  readonly events: ObservationEvent[];
  readonly rejections: RecordRejection[];
  /** Well-formed records that are not observations, by reason. */
  readonly skipped: Map<string, number>;
  /**
   * Events kept with a caveat the user should know (a time borrowed from the previous packet),
   * by note. They are among `events`, not further records.
   */
  readonly notes: Map<string, number>;
  /** Records (lines, packets) consumed by this batch, including rejected and skipped ones. */
  records: number;
  /** Input bytes consumed so far in total (for progress bars). */
  bytesRead: number;
}

export function emptyBatch(bytesRead = 0): ParseBatch {
  return { events: [], rejections: [], skipped: new Map(), notes: new Map(), records: 0, bytesRead };
}
