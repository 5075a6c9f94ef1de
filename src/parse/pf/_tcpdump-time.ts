/**
 * The timestamps tcpdump prints at the start of a line, and the clock that places them in time.
 * Which shape appears depends on the tcpdump (OpenBSD's own, or tcpdump.org's as on FreeBSD and
 * Linux) and its `-t` flags:
 *
 * | shape                          | printed by                                                 | meaning |
 * |--------------------------------|------------------------------------------------------------|---------|
 * | `Oct 28 14:11:59.244233`       | OpenBSD `-ttt` (util.c ts_print: strftime `%b %d %T`)        | local wall clock, no year |
 * | `2024-01-02 03:04:05.123456`   | tcpdump.org `-tttt`                                        | local wall clock |
 * | `1704164645.123456`            | `-tt` (both)                                               | seconds since the epoch, UTC |
 * | `03:04:05.123456`              | default (both)                                             | local time of day, no date |
 * | ` 00:00:00.000123`, `-00:00:01.000000` | tcpdump.org 4.99 `-ttt` (sign or space, then H:M:S) | delta since the previous packet |
 * | `00:00:00.000123`              | tcpdump.org 4.0–4.9 `-ttt`                                 | delta, same as the default's shape |
 * | `0.000123`, `1.234567`         | OpenBSD `-tttt` (`%u.%06u`)                                | delta since the previous packet |
 *
 * Fractions have 6 digits, or 9 with `--time-stamp-precision=nano`; the clock keeps nanoseconds so
 * that a long run of deltas does not drift. A delta or a time of day needs an earlier absolute
 * time to start from; without one the line is rejected with a reason that says so. A time of day
 * may instead start from a date the user gives (`--date`, the context's `date`), as a year-less
 * syslog stamp takes the context's year.
 *
 * Two shapes are ambiguous and resolved as follows:
 * - `HH:MM:SS.frac` without a leading space is a time of day or an old-style delta. The first such
 *   line decides for the whole file: `00:00:00.000000` is what `-ttt` prints for the first packet,
 *   so it means deltas; anything else means times of day.
 * - `S.frac` is an epoch time when S ≥ 10^8 (after March 1973), otherwise an OpenBSD delta.
 * OpenBSD `-ttttt` and tcpdump.org `-ttttt` (time since the *first* packet) print the same shapes
 * as the deltas and would be misread as such: they are not supported.
 */

export const UNRECOGNISED_TIMESTAMP = 'unrecognised timestamp';
export const INVALID_TIMESTAMP = 'invalid timestamp';
export const DELTA_WITHOUT_REFERENCE = 'delta timestamp with no absolute reference';
export const TIME_WITHOUT_DATE = 'time of day without a date: pass --date YYYY-MM-DD';

/** `read` results below zero: which of the reasons above applies. */
export const TS_UNRECOGNISED = -1;
export const TS_INVALID = -2;
export const TS_NO_REFERENCE = -3;
export const TS_NO_DATE = -4;

const DAY_S = 86_400;
const HALF_DAY_S = 43_200;
/** Epoch seconds from which an `S.frac` stamp is read as `-tt` rather than as a delta. */
const EPOCH_MIN_S = 100_000_000;
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

const MODE_UNDECIDED = 0;
const MODE_DELTA = 1;
const MODE_TIME_OF_DAY = 2;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Two ASCII digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

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

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** Local midnight of a calendar date, in seconds since the epoch as if local were UTC. */
function dayStart(year: number, month0: number, day: number): number {
  return Date.UTC(year, month0, day) / 1000;
}

export interface ClockOptions {
  readonly year: number;
  readonly utcOffsetMinutes: number;
  readonly nowMs: number;
  /** `YYYY-MM-DD`: the local date of times of day before any dated line. */
  readonly date?: string | undefined;
}

/** True for a real calendar date written `YYYY-MM-DD` (what `--date` takes). */
export function isCalendarDate(text: string): boolean {
  return !Number.isNaN(dateStartS(text));
}

/** Local midnight of a `YYYY-MM-DD` date in seconds since the epoch as if local were UTC; NaN if not one. */
function dateStartS(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  const d = Number(m[3]);
  if (mo > 11 || d < 1 || d > daysInMonth(y, mo)) return Number.NaN;
  return dayStart(y, mo, d);
}

/**
 * Reads the timestamp at the start of a tcpdump line and keeps the clock the deltas run on. One
 * clock per file: `create` of the pf format makes one.
 */
export class TcpdumpClock {
  /** Time of the last line read, UTC ms (valid after a successful `read`). */
  timeMs = 0;
  // The clock: whole seconds since the epoch (UTC) and nanoseconds; NaN until an absolute time.
  private sec = Number.NaN;
  private nsec = 0;
  private mode = MODE_UNDECIDED;
  private readonly year: number;
  private readonly offS: number;
  private readonly nowS: number;
  /** UTC seconds of the local midnight of the context's date; NaN without one. */
  private readonly dateS: number;
  // One-entry caches of the local midnight of the last date read (lines share their date).
  private bsdMonth = -1;
  private bsdDay = -1;
  private bsdStart = 0;
  private bsdPrevStart = 0;
  private isoKey = -1;
  private isoStart = 0;
  // The text of the last absolute stamp up to its seconds, and those seconds (UTC).
  private secKey = '';
  private secVal = 0;
  // Scratch results of readFraction / readClock.
  private fracNs = 0;
  private clockS = 0;

  constructor(o: ClockOptions) {
    this.year = o.year;
    this.offS = o.utcOffsetMinutes * 60;
    this.nowS = o.nowMs / 1000;
    this.dateS = o.date === undefined ? Number.NaN : dateStartS(o.date) - this.offS;
  }

  /**
   * Reads the timestamp at `p` and the space after it; returns the index after the space, or one
   * of the negative TS_ codes. A well-formed timestamp moves the clock even when the rest of the
   * line turns out to be bad, because the next delta counts from this packet.
   */
  read(line: string, p: number): number {
    const key = this.secKey;
    if (key !== '' && line.startsWith(key, p)) {
      const e = this.readFraction(line, p + key.length);
      if (e >= 0) return this.setAbsolute(this.secVal, this.fracNs, e);
    }
    const c = line.charCodeAt(p);
    if ((c === 32 || c === 45) && isDigit(line.charCodeAt(p + 1))) {
      // tcpdump.org 4.99 -ttt: sign (space or '-') and an H:M:S delta.
      const e = this.readClock(line, p + 1, true);
      if (e < 0) return e;
      return this.applyDelta(c === 45 ? -1 : 1, this.clockS, this.fracNs, e);
    }
    if (c >= 65 && c <= 90) return this.readBsd(line, p);
    if (!isDigit(c)) return TS_UNRECOGNISED;
    if (line.charCodeAt(p + 4) === 45) return this.readIso(line, p);
    let i = p;
    while (isDigit(line.charCodeAt(i)) && i - p < 13) i++;
    const sep = line.charCodeAt(i);
    if (sep === 58) {
      const e = this.readClock(line, p, this.mode === MODE_DELTA);
      if (e < 0) return e;
      if (this.mode === MODE_UNDECIDED) {
        this.mode = this.clockS === 0 && this.fracNs === 0 ? MODE_DELTA : MODE_TIME_OF_DAY;
      }
      if (this.mode === MODE_DELTA) return this.applyDelta(1, this.clockS, this.fracNs, e);
      return this.applyTimeOfDay(e);
    }
    if (sep !== 46 || i === p) return TS_UNRECOGNISED;
    let s = 0;
    for (let k = p; k < i; k++) s = s * 10 + (line.charCodeAt(k) - 48);
    const e = this.readFraction(line, i);
    if (e < 0) return e;
    if (s >= EPOCH_MIN_S) return this.setAbsolute(s, this.fracNs, e);
    return this.applyDelta(1, s, this.fracNs, e);
  }

  /** `.digits` at `i` (1–9 digits) into fracNs, then the separating space; index after it or a code. */
  private readFraction(line: string, i: number): number {
    if (line.charCodeAt(i) !== 46) return TS_UNRECOGNISED;
    let ns = 0;
    let digits = 0;
    let c = line.charCodeAt(++i);
    for (; isDigit(c); c = line.charCodeAt(++i)) {
      if (++digits > 9) return TS_UNRECOGNISED;
      ns = ns * 10 + (c - 48);
    }
    if (digits === 0 || c !== 32) return TS_UNRECOGNISED;
    for (; digits < 9; digits++) ns *= 10;
    this.fracNs = ns;
    return i + 1;
  }

  /**
   * `H:MM:SS.frac` at `i` into clockS and fracNs. A time of day has exactly two hour digits up to
   * 23; a delta may have more (ts_format prints `%02d` hours, which grow past 99).
   */
  private readClock(line: string, i: number, delta: boolean): number {
    let h = 0;
    let k = i;
    for (; isDigit(line.charCodeAt(k)) && k - i < 8; k++) h = h * 10 + (line.charCodeAt(k) - 48);
    if (k - i < 2 || line.charCodeAt(k) !== 58 || line.charCodeAt(k + 3) !== 58) return TS_UNRECOGNISED;
    const mi = two(line, k + 1);
    const s = two(line, k + 4);
    if (mi < 0 || s < 0) return TS_UNRECOGNISED;
    if (mi > 59 || s > 59 || (!delta && (k - i !== 2 || h > 23))) return TS_INVALID;
    this.clockS = (h * 60 + mi) * 60 + s;
    return this.readFraction(line, k + 6);
  }

  /** OpenBSD `Mmm DD HH:MM:SS.frac`, local time, year from the context (rolled back, see below). */
  private readBsd(line: string, p: number): number {
    const m = monthAt(line, p);
    if (m < 0 || line.charCodeAt(p + 3) !== 32) return TS_UNRECOGNISED;
    // strftime %d pads with a zero; accept a space-padded day too.
    let i = p + 4;
    if (line.charCodeAt(i) === 32) i++;
    let d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return TS_UNRECOGNISED;
    i++;
    const c = line.charCodeAt(i);
    if (isDigit(c)) {
      d = d * 10 + (c - 48);
      i++;
    }
    if (line.charCodeAt(i) !== 32) return TS_UNRECOGNISED;
    const e = this.readClock(line, i + 1, false);
    if (e < 0) return e;
    if (m !== this.bsdMonth || d !== this.bsdDay) {
      // Feb 29 of a log read in a common year can only be the year before.
      const y = d > daysInMonth(this.year, m) ? this.year - 1 : this.year;
      if (d < 1 || d > daysInMonth(y, m)) return TS_INVALID;
      this.bsdMonth = m;
      this.bsdDay = d;
      this.bsdStart = dayStart(y, m, d);
      this.bsdPrevStart = d > daysInMonth(y - 1, m) ? Number.NaN : dayStart(y - 1, m, d);
    }
    let s = this.bsdStart + this.clockS - this.offS;
    // No year in the stamp: a line more than a day after the reference time is from the year
    // before (a December line read in January).
    if (s > this.nowS + DAY_S && !Number.isNaN(this.bsdPrevStart)) {
      s = this.bsdPrevStart + this.clockS - this.offS;
    }
    return this.remember(line, p, s, e);
  }

  /** tcpdump.org `-tttt`: `YYYY-MM-DD HH:MM:SS.frac`, local time. */
  private readIso(line: string, p: number): number {
    const yh = two(line, p);
    const yl = two(line, p + 2);
    const mo = two(line, p + 5);
    const d = two(line, p + 8);
    if (
      yh < 0 ||
      yl < 0 ||
      mo < 0 ||
      d < 0 ||
      line.charCodeAt(p + 7) !== 45 ||
      line.charCodeAt(p + 10) !== 32
    ) {
      return TS_UNRECOGNISED;
    }
    const y = yh * 100 + yl;
    const e = this.readClock(line, p + 11, false);
    if (e < 0) return e;
    const key = (y * 100 + mo) * 100 + d;
    if (key !== this.isoKey) {
      if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo - 1)) return TS_INVALID;
      this.isoKey = key;
      this.isoStart = dayStart(y, mo - 1, d);
    }
    return this.remember(line, p, this.isoStart + this.clockS - this.offS, e);
  }

  /**
   * Sets an absolute time read from a dated stamp and keeps its text up to the seconds: the lines
   * of a log share their seconds, so the next one skips the date arithmetic.
   */
  private remember(line: string, p: number, s: number, e: number): number {
    const dot = line.lastIndexOf('.', e);
    if (dot > p) {
      this.secKey = line.slice(p, dot);
      this.secVal = s;
    }
    return this.setAbsolute(s, this.fracNs, e);
  }

  private setAbsolute(s: number, ns: number, e: number): number {
    this.sec = s;
    this.nsec = ns;
    this.timeMs = s * 1000 + Math.floor(ns / 1_000_000);
    return e;
  }

  private applyDelta(sign: number, s: number, ns: number, e: number): number {
    if (Number.isNaN(this.sec)) return TS_NO_REFERENCE;
    let sec = this.sec + sign * s;
    let nsec = this.nsec + sign * ns;
    if (nsec >= 1_000_000_000) {
      nsec -= 1_000_000_000;
      sec++;
    } else if (nsec < 0) {
      nsec += 1_000_000_000;
      sec--;
    }
    return this.setAbsolute(sec, nsec, e);
  }

  /**
   * A time of day on the date of the clock (local), or of the next day when the time went back
   * by more than half a day (the log crossed midnight). Gaps longer than a day cannot be seen.
   */
  private applyTimeOfDay(e: number): number {
    if (Number.isNaN(this.sec)) {
      if (Number.isNaN(this.dateS)) return TS_NO_DATE;
      // The first time of day falls on the given date; later ones follow it across midnights.
      return this.setAbsolute(this.dateS + this.clockS, this.fracNs, e);
    }
    const local = this.sec + this.offS;
    let s = local - (((local % DAY_S) + DAY_S) % DAY_S) + this.clockS - this.offS;
    if (s < this.sec - HALF_DAY_S) s += DAY_S;
    return this.setAbsolute(s, this.fracNs, e);
  }
}

/** The rejection reason for a negative `TcpdumpClock.read` result. */
export function timestampReason(code: number): string {
  switch (code) {
    case TS_INVALID:
      return INVALID_TIMESTAMP;
    case TS_NO_REFERENCE:
      return DELTA_WITHOUT_REFERENCE;
    case TS_NO_DATE:
      return TIME_WITHOUT_DATE;
    default:
      return UNRECOGNISED_TIMESTAMP;
  }
}
