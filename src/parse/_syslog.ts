/**
 * The line prefix that syslog daemons, journalctl and dmesg put in front of a kernel message:
 * an optional `<PRI>`, a timestamp and (for syslog and journalctl) the host name. Shared by the
 * netfilter log parsers. The reader keeps its results in fields instead of returning an object,
 * and caches the start of the last day it saw, because the lines of a log share days: the
 * calendar arithmetic (Date.UTC, month lengths, year rollover) runs once per day of log, and a
 * line costs only the reading of its digits.
 *
 * Shapes read (the first character decides):
 * - `Mar  5 10:00:00 host …` — BSD syslog (RFC 3164 §4.1.2), also journalctl `short` (`Mar 05`) and
 *   `short-precise` (`Mar 05 10:00:00.123456`); no year and no zone: the context's year and offset.
 * - `2026-03-20T14:49:24.202833+00:00 host …` — RFC 3339 §5.6 (rsyslog high precision, RFC 5424),
 *   also journalctl `short-iso` (`+0900`) and `short-iso-precise`; `dmesg --time-format=iso`
 *   writes a comma before the fraction and no host.
 * - `1710946164.202833 host …` — journalctl `short-unix`.
 * - `[Tue Dec 29 11:52:40 2015] …` — `dmesg -T` (ctime layout, local wall clock, no host).
 * - `[12345.678901] …` — raw `dmesg` / journalctl `short-monotonic`: seconds since boot, which
 *   cannot be placed in time; read as a prefix so the caller can tell such lines apart.
 * Any of them may follow a syslog priority `<5>` (RFC 3164 §4.1.1), and RFC 5424's version `1 `.
 */

import { DAY_MS } from '../core/index.js';

/** The prefix was understood but carries only the time since boot. */
export const NO_WALL_CLOCK = 'no wall-clock timestamp';
/** The line starts with nothing this reader knows as a timestamp. */
export const UNRECOGNISED_TIMESTAMP = 'unrecognised timestamp';
/** The timestamp has the right shape but impossible values (month 13, Feb 30, offset +25:00…). */
export const INVALID_TIMESTAMP = 'invalid timestamp';
/** journalctl's `-- Boot 3f… --` / `-- No entries --` separator lines. */
export const JOURNAL_MARKER = 'journal marker line';

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Two ASCII digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Four ASCII digits at `i` as a year, or -1. */
function year4(s: string, i: number): number {
  const hi = two(s, i);
  const lo = two(s, i + 2);
  return hi < 0 || lo < 0 ? -1 : hi * 100 + lo;
}

/** Month index 0–11 of an English three-letter abbreviation at `i`, or -1. */
function monthAt(s: string, i: number): number {
  for (let m = 0; m < 12; m++) {
    if (
      s.charCodeAt(i) === MONTHS.charCodeAt(m * 3) &&
      s.charCodeAt(i + 1) === MONTHS.charCodeAt(m * 3 + 1) &&
      s.charCodeAt(i + 2) === MONTHS.charCodeAt(m * 3 + 2)
    ) {
      return m;
    }
  }
  return -1;
}

/**
 * A copy of `s` that shares no memory with the line it was cut from. V8 represents a slice of 13
 * or more characters as a view into its parent, which for a line is the whole decoded read
 * chunk; a host name kept in every event must not keep that alive. Runs once per host change.
 */
function detach(s: string): string {
  return Buffer.from(s, 'utf16le').toString('utf16le');
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/**
 * Reads `HH:MM:SS` at `i` into local ms of the day: -1 for another shape, -2 for impossible
 * values. A leap second (`:60`) is accepted (RFC 3339 §5.7).
 */
function clockAt(s: string, i: number): number {
  const h = two(s, i);
  const mi = two(s, i + 3);
  const sec = two(s, i + 6);
  if (h < 0 || mi < 0 || sec < 0 || s.charCodeAt(i + 2) !== 58 || s.charCodeAt(i + 5) !== 58) return -1;
  if (h > 23 || mi > 59 || sec > 60) return -2;
  return ((h * 60 + mi) * 60 + sec) * 1000;
}

export class SyslogPrefixReader {
  /** Event time of the last line read, UTC ms. */
  timeMs = 0;
  /** Host name the line names, or '' when it names none (dmesg, or a tag right after the time). */
  host = '';
  /** Index of the first character after the prefix (the tag and message). */
  bodyStart = 0;

  // One-entry caches of the last day (see the file comment): a numeric key of the date fields and
  // the day's start. BSD days are placed in a year: the context's, or the one before (`bsdPrev`).
  private isoDay = -1;
  private isoDayMs = 0;
  private bsdDay = -1;
  private bsdDayMs = 0;
  private bsdPrevDayMs = 0;
  private dmesgKey = '';
  private dmesgUtcMs = 0;

  constructor(
    private readonly year: number,
    private readonly offsetMinutes: number,
    private readonly nowMs: number,
  ) {}

  /** Reads the prefix of `line`; null when it was understood, else the rejection reason. */
  read(line: string): string | null {
    let p = 0;
    let c = line.charCodeAt(0);
    if (c === 60) {
      // `<PRI>` (RFC 3164 §4.1.1: 1–3 digits), then RFC 5424's `1 ` version when present.
      let i = 1;
      while (i < 4 && isDigit(line.charCodeAt(i))) i++;
      if (i === 1 || line.charCodeAt(i) !== 62) return UNRECOGNISED_TIMESTAMP;
      p = i + 1;
      if (line.charCodeAt(p) === 49 && line.charCodeAt(p + 1) === 32) p += 2;
      c = line.charCodeAt(p);
    }
    let end: number;
    let hasHost = true;
    if (isDigit(c)) {
      if (line.charCodeAt(p + 4) === 45) {
        end = this.readIso(line, p);
        // dmesg --time-format=iso separates the fraction with a comma and names no host.
        if (end > 0 && line.charCodeAt(p + 19) === 44) hasHost = false;
      } else {
        end = this.readUnix(line, p);
      }
    } else if (c >= 65 && c <= 90) {
      end = this.readBsd(line, p);
    } else if (c === 91) {
      hasHost = false;
      const d = line.charCodeAt(p + 1);
      if (isDigit(d) || d === 32) {
        // `[  123.456789]`: seconds since boot (printk's CONFIG_PRINTK_TIME stamp).
        let i = p + 1;
        for (let k = line.charCodeAt(i); isDigit(k) || k === 32 || k === 46; k = line.charCodeAt(++i));
        if (line.charCodeAt(i) !== 93) return UNRECOGNISED_TIMESTAMP;
        this.bodyStart = i + 1;
        this.host = '';
        return NO_WALL_CLOCK;
      }
      end = this.readDmesgT(line, p);
    } else if (c === 45 && line.startsWith('-- ', p)) {
      return JOURNAL_MARKER;
    } else {
      return UNRECOGNISED_TIMESTAMP;
    }
    if (end < 0) return end === -1 ? UNRECOGNISED_TIMESTAMP : INVALID_TIMESTAMP;
    if (end < line.length && line.charCodeAt(end) !== 32) return UNRECOGNISED_TIMESTAMP;
    this.readHost(line, end, hasHost);
    return null;
  }

  /** Host token after the timestamp; not a host when it looks like a tag (`kernel:`), a `[…]` or `KEY=`. */
  private readHost(line: string, from: number, hasHost: boolean): void {
    let h = from;
    while (line.charCodeAt(h) === 32) h++;
    if (hasHost) {
      const cached = this.host;
      if (cached !== '' && line.startsWith(cached, h)) {
        const after = h + cached.length;
        if (after === line.length || line.charCodeAt(after) === 32) {
          this.bodyStart = after;
          return;
        }
      }
      let e = line.indexOf(' ', h);
      if (e === -1) e = line.length;
      if (e > h && line.charCodeAt(h) !== 91 && line.charCodeAt(e - 1) !== 58) {
        const eq = line.indexOf('=', h);
        if (eq === -1 || eq >= e) {
          this.host = detach(line.slice(h, e));
          this.bodyStart = e;
          return;
        }
      }
    }
    this.host = '';
    this.bodyStart = h;
  }

  /**
   * RFC 3339 `YYYY-MM-DD[T ]HH:MM:SS[.frac](Z|±HH:MM|±HHMM)?` at `p`; a missing offset means the
   * context's. Returns the index after it, -1 for a wrong shape, -2 for impossible values.
   */
  private readIso(line: string, p: number): number {
    const y = year4(line, p);
    const mo = two(line, p + 5);
    const d = two(line, p + 8);
    const sep = line.charCodeAt(p + 10);
    if (y < 0 || mo < 0 || d < 0 || line.charCodeAt(p + 7) !== 45 || (sep !== 84 && sep !== 32)) return -1;
    const clock = clockAt(line, p + 11);
    if (clock < 0) return clock;
    const day = (y * 16 + mo) * 32 + d;
    if (day !== this.isoDay) {
      if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1)) return -2;
      this.isoDay = day;
      this.isoDayMs = Date.UTC(y, mo - 1, d);
    }
    let local = this.isoDayMs + clock;
    let i = p + 19;
    let c = line.charCodeAt(i);
    if (c === 46 || c === 44) {
      // Fraction of a second: keep milliseconds, truncating (RFC 3339 §5.6 time-secfrac).
      let ms = 0;
      let digits = 0;
      i++;
      for (c = line.charCodeAt(i); isDigit(c); c = line.charCodeAt(++i)) {
        if (digits < 3) ms = ms * 10 + (c - 48);
        digits++;
      }
      if (digits === 0 || digits > 9) return -1;
      for (; digits < 3; digits++) ms *= 10;
      local += ms;
    }
    let off = this.offsetMinutes;
    if (c === 90 || c === 122) {
      off = 0;
      i++;
    } else if (c === 43 || c === 45) {
      const hh = two(line, i + 1);
      const colon = line.charCodeAt(i + 3) === 58 ? 1 : 0;
      const mm = two(line, i + 3 + colon);
      if (hh < 0 || mm < 0) return -1;
      if (hh > 14 || mm > 59) return -2;
      off = c === 45 ? -(hh * 60 + mm) : hh * 60 + mm;
      i += 5 + colon;
    }
    this.timeMs = local - off * 60_000;
    return i;
  }

  /** journalctl `short-unix`: seconds since the epoch with a fraction. */
  private readUnix(line: string, p: number): number {
    let i = p;
    let sec = 0;
    while (isDigit(line.charCodeAt(i)) && i - p < 12) sec = sec * 10 + (line.charCodeAt(i++) - 48);
    if (i - p < 9 || line.charCodeAt(i) !== 46) return -1;
    let ms = 0;
    let digits = 0;
    for (let c = line.charCodeAt(++i); isDigit(c); c = line.charCodeAt(++i)) {
      if (digits < 3) ms = ms * 10 + (c - 48);
      digits++;
    }
    if (digits === 0 || digits > 9) return -1;
    for (; digits < 3; digits++) ms *= 10;
    this.timeMs = sec * 1000 + ms;
    return i;
  }

  /**
   * BSD syslog `Mmm dd HH:MM:SS` (day space- or zero-padded) with an optional fraction. It has no
   * year: the context's year, or the year before when that would put the line more than a day
   * after the reference time (a December line in a log rotated in January).
   */
  private readBsd(line: string, p: number): number {
    // The month as its three character codes: a number to compare, not a text.
    const m3 = (line.charCodeAt(p) << 16) | (line.charCodeAt(p + 1) << 8) | line.charCodeAt(p + 2);
    if (line.charCodeAt(p + 3) !== 32) return -1;
    let i = p + 4;
    if (line.charCodeAt(i) === 32) i++;
    let d = 0;
    const start = i;
    while (isDigit(line.charCodeAt(i)) && i - start < 2) d = d * 10 + (line.charCodeAt(i++) - 48);
    if (i === start || line.charCodeAt(i) !== 32) return -1;
    const clock = clockAt(line, i + 1);
    if (clock < 0) return clock;
    i += 9;
    const day = m3 * 32 + d;
    if (day !== this.bsdDay) {
      const mo = monthAt(line, p);
      if (mo < 0) return -1;
      this.bsdDay = day;
      this.bsdDayMs = this.bsdDayStart(this.year, mo, d);
      this.bsdPrevDayMs = this.bsdDayStart(this.year - 1, mo, d);
    }
    let utc = this.bsdDayMs + clock;
    if (!(utc <= this.nowMs + DAY_MS)) {
      const before = this.bsdPrevDayMs + clock;
      if (!Number.isNaN(before)) utc = before;
    }
    if (Number.isNaN(utc)) return -2;
    if (line.charCodeAt(i) === 46) {
      // journalctl short-precise: microseconds.
      let ms = 0;
      let digits = 0;
      for (let c = line.charCodeAt(++i); isDigit(c); c = line.charCodeAt(++i)) {
        if (digits < 3) ms = ms * 10 + (c - 48);
        digits++;
      }
      if (digits === 0 || digits > 9) return -1;
      for (; digits < 3; digits++) ms *= 10;
      utc += ms;
    }
    this.timeMs = utc;
    return i;
  }

  /** UTC ms of the local midnight starting a year-less date placed in `year`; NaN when that year lacks the day. */
  private bsdDayStart(year: number, month0: number, day: number): number {
    if (day < 1 || day > daysInMonth(year, month0)) return Number.NaN;
    return Date.UTC(year, month0, day) - this.offsetMinutes * 60_000;
  }

  /** `dmesg -T`: `[Www Mmm dd HH:MM:SS YYYY]` (ctime layout, day space-padded), local wall clock. */
  private readDmesgT(line: string, p: number): number {
    const key = this.dmesgKey;
    if (key !== '' && line.startsWith(key, p)) {
      this.timeMs = this.dmesgUtcMs;
      return p + key.length;
    }
    // The weekday is derived by dmesg from the date itself, so only its shape is checked.
    for (let k = 1; k <= 3; k++) {
      const w = line.charCodeAt(p + k) | 32;
      if (w < 97 || w > 122) return -1;
    }
    if (line.charCodeAt(p + 4) !== 32) return -1;
    const mo = monthAt(line, p + 5);
    if (mo < 0 || line.charCodeAt(p + 8) !== 32) return -1;
    let i = p + 9;
    if (line.charCodeAt(i) === 32) i++;
    let d = 0;
    const start = i;
    while (isDigit(line.charCodeAt(i)) && i - start < 2) d = d * 10 + (line.charCodeAt(i++) - 48);
    if (i === start || line.charCodeAt(i) !== 32) return -1;
    const clock = clockAt(line, i + 1);
    if (clock < 0) return clock;
    if (line.charCodeAt(i + 9) !== 32) return -1;
    i += 10;
    const y = year4(line, i);
    if (y < 0 || line.charCodeAt(i + 4) !== 93) return -1;
    i += 5;
    if (d < 1 || d > daysInMonth(y, mo)) return -2;
    const utc = Date.UTC(y, mo, d) + clock - this.offsetMinutes * 60_000;
    this.dmesgKey = line.slice(p, i);
    this.dmesgUtcMs = utc;
    this.timeMs = utc;
    return i;
  }
}
