/**
 * The periods of the periodic reports: a month (`2026-11`), a half year (`2026-H1`: January to
 * June, `2026-H2`: July to December) or a year (`2026`), in the operator's UTC offset. A period is
 * published once it is closed before the public cutoff (docs/public-statistics.md), like a month
 * of the observation release.
 */
import { KobanError } from '../../../core/index.js';
import type { Span } from '../release/data.js';
import { addMonths, daysOf, type MonthId, monthKey, monthRange } from '../release/month.js';
import { eraYears } from './era.js';

export const PERIOD_KINDS = ['monthly', 'semiannual', 'annual'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface Period {
  readonly kind: PeriodKind;
  readonly year: number;
  /** The month (1–12), the half (1–2), or 1 for a year. */
  readonly index: number;
}

/** Reports need an era on their cover: 平成 and after (January 1989 is 昭和64年・平成元年). */
const FIRST_YEAR = 1989;
const LAST_YEAR = 9999;
const SYNTAX: Readonly<Record<PeriodKind, { re: RegExp; example: string }>> = {
  monthly: { re: /^(\d{4})-(0[1-9]|1[0-2])$/, example: '2026-11' },
  semiannual: { re: /^(\d{4})-H([12])$/, example: '2026-H1' },
  annual: { re: /^(\d{4})$/, example: '2026' },
};

export function isPeriodKind(s: string): s is PeriodKind {
  return (PERIOD_KINDS as readonly string[]).includes(s);
}

/** A period of a kind from its text; a clear E_USAGE error otherwise. */
export function parsePeriod(kind: string, text: string): Period {
  if (!isPeriodKind(kind))
    throw new KobanError('E_USAGE', `the report is monthly, semiannual or annual, not "${kind}"`);
  const m = SYNTAX[kind].re.exec(text);
  if (!m)
    throw new KobanError(
      'E_USAGE',
      `a ${kind} period is written like ${SYNTAX[kind].example}, not "${text}"`,
    );
  const year = Number(m[1]);
  if (year < FIRST_YEAR || year > LAST_YEAR)
    throw new KobanError('E_USAGE', `the period's year must be ${FIRST_YEAR}–${LAST_YEAR}, not ${year}`);
  return { kind, year, index: m[2] === undefined ? 1 : Number(m[2]) };
}

/** A period from its key alone (`2026-11`, `2026-H1`, `2026`: the site's URLs), or null. */
export function periodFromKey(key: string): Period | null {
  for (const kind of PERIOD_KINDS)
    if (SYNTAX[kind].re.test(key)) {
      try {
        return parsePeriod(kind, key);
      } catch {
        return null;
      }
    }
  return null;
}

export function periodKey(p: Period): string {
  if (p.kind === 'monthly') return monthKey({ year: p.year, month: p.index });
  return p.kind === 'semiannual' ? `${p.year}-H${p.index}` : String(p.year);
}

/** The period's months, in order. */
export function periodMonths(p: Period): MonthId[] {
  if (p.kind === 'monthly') return [{ year: p.year, month: p.index }];
  const first = p.kind === 'semiannual' ? (p.index - 1) * 6 + 1 : 1;
  const n = p.kind === 'semiannual' ? 6 : 12;
  return Array.from({ length: n }, (_, i) => ({ year: p.year, month: first + i }));
}

/** The period before (the top 5s' change is against it). */
export function previousPeriod(p: Period): Period {
  if (p.kind === 'annual') return { ...p, year: p.year - 1 };
  const per = p.kind === 'monthly' ? 12 : 2;
  return p.index > 1 ? { ...p, index: p.index - 1 } : { ...p, year: p.year - 1, index: per };
}

/** [fromMs, toMs) of the period in the offset. */
export function periodRange(p: Period, utcOffsetMinutes: number): { fromMs: number; toMs: number } {
  const months = periodMonths(p);
  const last = months[months.length - 1] as MonthId;
  return {
    fromMs: monthRange(months[0] as MonthId, utcOffsetMinutes).fromMs,
    toMs: monthRange(last, utcOffsetMinutes).toMs,
  };
}

/**
 * The observation chapter's span: a month by day, like the monthly release; a half year or a year
 * by month — 181 or 365 daily points are unreadable on a printed page, and the annual report's own
 * figures are monthly series (docs/portal.md#periodic-reports).
 */
export function periodSpan(p: Period, utcOffsetMinutes: number): Span {
  const months = periodMonths(p);
  return {
    range: periodRange(p, utcOffsetMinutes),
    previous: periodRange(previousPeriod(p), utcOffsetMinutes),
    bucket: p.kind === 'monthly' ? 'day' : 'month',
    starts:
      p.kind === 'monthly'
        ? daysOf(months[0] as MonthId, utcOffsetMinutes)
        : months.map((m) => monthRange(m, utcOffsetMinutes).fromMs),
  };
}

/** Closed before the public cutoff: the public (and the report) may show it. */
export function isPeriodPublished(p: Period, cutoffMs: number, utcOffsetMinutes: number): boolean {
  return periodRange(p, utcOffsetMinutes).toMs <= cutoffMs;
}

/** The period of a kind an instant falls in. */
export function periodOf(kind: PeriodKind, m: MonthId): Period {
  if (kind === 'monthly') return { kind, year: m.year, index: m.month };
  return { kind, year: m.year, index: kind === 'semiannual' ? (m.month <= 6 ? 1 : 2) : 1 };
}

/** Every period of a kind from the one holding `first` to the one holding `last`, newest first. */
export function periodsBetween(kind: PeriodKind, first: MonthId, last: MonthId): Period[] {
  const out: Period[] = [];
  let p = periodOf(kind, last);
  const stop = periodKey(periodOf(kind, first));
  // Bounded: a century of months at most, whatever the store's oldest event says.
  for (let i = 0; i < 1200; i++) {
    out.push(p);
    if (periodKey(p) === stop) break;
    p = previousPeriod(p);
  }
  return out;
}

/** The cover's era form: 令和8年11月, 令和8年上半期, 令和8年 (and both eras across a change). */
export function eraLabel(p: Period): string {
  const months = periodMonths(p);
  const first = months[0] as MonthId;
  const last = months[months.length - 1] as MonthId;
  const lastDay = new Date(Date.UTC(last.year, last.month, 0)).getUTCDate();
  const years = eraYears({ ...first, day: 1 }, { ...last, day: lastDay });
  if (p.kind === 'monthly') return `${years}${p.index}月`;
  return p.kind === 'semiannual' ? `${years}${p.index === 1 ? '上半期' : '下半期'}` : years;
}

/** The month after the period's last (its end, exclusive). */
export function periodEnd(p: Period): MonthId {
  const months = periodMonths(p);
  return addMonths(months[months.length - 1] as MonthId, 1);
}
