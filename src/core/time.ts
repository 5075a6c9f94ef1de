/**
 * Time handling: every stored time is UTC milliseconds. Analyses bucket by hour, day, ISO week
 * (Monday) or month in the operator's fixed UTC offset (JST is +09:00, no DST), so a "day" is
 * the operator's day (docs/methods.md#daily-and-weekly-cycles-gaps).
 */
import { KobanError } from './errors.js';

export const BUCKETS = ['hour', 'day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** Durations in milliseconds: the one definition every context imports. */
export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Seven days: a calendar week has no leap seconds in UTC milliseconds. */
export const WEEK_MS = 604_800_000;

/** Parses `+09:00`, `-0500`, `Z` or `UTC` into minutes east of UTC. */
export function parseUtcOffset(s: string): number {
  if (s === 'Z' || s === 'UTC' || s === 'utc') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(s);
  if (!m) throw new KobanError('E_USAGE', `invalid UTC offset "${s}" (expected e.g. +09:00 or Z)`);
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (minutes > 14 * 60) throw new KobanError('E_USAGE', `UTC offset out of range: ${s}`);
  return m[1] === '-' ? -minutes : minutes;
}

export function formatUtcOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/**
 * Parses a user-supplied date or date-time: `2006-08-18`, `2006-08-18T09:00`, full ISO 8601
 * with offset. A date or date-time without an offset is read in `offsetMinutes`.
 */
export function parseDateArg(s: string, offsetMinutes = 0): number {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      s.trim(),
    );
  if (!m) throw new KobanError('E_USAGE', `invalid date "${s}" (expected YYYY-MM-DD or ISO 8601)`);
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', tz] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) {
    throw new KobanError('E_USAGE', `invalid date "${s}"`);
  }
  const off = tz === undefined ? offsetMinutes : parseUtcOffset(tz);
  return utc - off * 60_000;
}

/** Start (UTC ms) of the bucket containing `timeMs`, in the given UTC offset. */
export function bucketStart(timeMs: number, bucket: Bucket, offsetMinutes = 0): number {
  const off = offsetMinutes * 60_000;
  const local = timeMs + off;
  switch (bucket) {
    case 'hour':
      return Math.floor(local / HOUR_MS) * HOUR_MS - off;
    case 'day':
      return Math.floor(local / DAY_MS) * DAY_MS - off;
    case 'week': {
      const day = Math.floor(local / DAY_MS);
      // 1970-01-01 was a Thursday; ISO weeks start on Monday.
      const monday = day - ((day + 3) % 7);
      return monday * DAY_MS - off;
    }
    case 'month': {
      const d = new Date(local);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - off;
    }
  }
}

/** ISO 8601 text of a UTC instant shown in the given offset, e.g. `2006-08-18T00:00:00+09:00`. */
export function formatInOffset(timeMs: number, offsetMinutes = 0): string {
  const d = new Date(timeMs + offsetMinutes * 60_000);
  const iso = d.toISOString().slice(0, 19);
  return offsetMinutes === 0 ? `${iso}Z` : `${iso}${formatUtcOffset(offsetMinutes)}`;
}

export function isBucket(s: string): s is Bucket {
  return (BUCKETS as readonly string[]).includes(s);
}
