/**
 * Calendar months in the operator's UTC offset: the period of a monthly observation release. A
 * month is published once it is complete before the public cutoff (public-stats.ts), so the
 * default month is the last complete one with data.
 */
import { DAY_MS } from '../../../core/index.js';

export interface MonthId {
  readonly year: number;
  readonly month: number;
}

const MONTH_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `YYYY-MM`, or null. */
export function parseMonth(s: string): MonthId | null {
  const m = MONTH_RE.exec(s);
  return m ? { year: Number(m[1]), month: Number(m[2]) } : null;
}

export function monthKey(m: MonthId): string {
  return `${m.year}-${String(m.month).padStart(2, '0')}`;
}

export function addMonths(m: MonthId, n: number): MonthId {
  const i = m.year * 12 + (m.month - 1) + n;
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}

/** [fromMs, toMs) of the month, midnight to midnight in the offset. */
export function monthRange(m: MonthId, utcOffsetMinutes: number): { fromMs: number; toMs: number } {
  const shift = utcOffsetMinutes * 60_000;
  return {
    fromMs: Date.UTC(m.year, m.month - 1, 1) - shift,
    toMs: Date.UTC(m.year, m.month, 1) - shift,
  };
}

/** The month an instant falls in, in the offset. */
export function monthOf(ms: number, utcOffsetMinutes: number): MonthId {
  const d = new Date(ms + utcOffsetMinutes * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/** The start of each day of the month (UTC ms), in order. */
export function daysOf(m: MonthId, utcOffsetMinutes: number): number[] {
  const { fromMs, toMs } = monthRange(m, utcOffsetMinutes);
  const out: number[] = [];
  for (let t = fromMs; t < toMs; t += DAY_MS) out.push(t);
  return out;
}

/**
 * The newest month that is complete before `cutoffMs` and holds data (`lastMs`: the newest event),
 * or null when no such month exists. A store whose raw events have all expired (retention) has a
 * first hour but no newest event (observe's summary): its hourly rollups still hold every month,
 * up to an hour the store does not say, so the newest month complete before the cutoff stands in.
 */
export function latestPublishedMonth(
  cutoffMs: number,
  data: { readonly firstMs: number | null; readonly lastMs: number | null },
  utcOffsetMinutes: number,
): MonthId | null {
  if (data.firstMs === null) return null;
  let m = monthOf(Math.min(data.lastMs ?? cutoffMs - 1, cutoffMs - 1), utcOffsetMinutes);
  if (monthRange(m, utcOffsetMinutes).toMs > cutoffMs) m = addMonths(m, -1);
  return monthRange(m, utcOffsetMinutes).toMs > data.firstMs ? m : null;
}

/** Whether the public may see the month: complete before the cutoff. */
export function isPublished(m: MonthId, cutoffMs: number, utcOffsetMinutes: number): boolean {
  return monthRange(m, utcOffsetMinutes).toMs <= cutoffMs;
}
