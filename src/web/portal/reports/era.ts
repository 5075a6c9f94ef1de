/**
 * Japanese era (和暦) dates for the periodic reports' covers: 令和8年11月, 令和8年上半期. The era
 * table is fixed here rather than read from `Intl` (`ja-JP-u-ca-japanese`), so a report's cover
 * does not depend on the ICU data a Node build carries; the test checks both agree. Era starts:
 * 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01 (the Cabinet's era-name ordinances). An era's
 * first year is written 元年.
 */
export interface EraYear {
  readonly era: string;
  /** The year of the era, 1 for its first (元年). */
  readonly year: number;
}

/** Newest first: the first era whose start is on or before a date is the date's era. */
const ERAS: readonly { readonly name: string; readonly start: readonly [number, number, number] }[] = [
  { name: '令和', start: [2019, 5, 1] },
  { name: '平成', start: [1989, 1, 8] },
  { name: '昭和', start: [1926, 12, 25] },
];

const dayNumber = (y: number, m: number, d: number) => y * 10_000 + m * 100 + d;

/** The era and era year of a calendar date; null before 昭和 (the reports need none earlier). */
export function toJapaneseEra(year: number, month: number, day: number): EraYear | null {
  const n = dayNumber(year, month, day);
  for (const e of ERAS) {
    const [y, m, d] = e.start;
    if (n >= dayNumber(y, m, d)) return { era: e.name, year: year - y + 1 };
  }
  return null;
}

/** 令和元年, 令和8年. */
export function formatEraYear(e: EraYear): string {
  return `${e.era}${e.year === 1 ? '元' : e.year}年`;
}

/**
 * The era years a span of days falls in, joined: 令和8年, or 平成31年・令和元年 for a span across an
 * era change (2019, its first half; January 1989 is 昭和64年・平成元年).
 */
export function eraYears(
  first: { year: number; month: number; day: number },
  last: { year: number; month: number; day: number },
): string {
  const a = toJapaneseEra(first.year, first.month, first.day);
  const b = toJapaneseEra(last.year, last.month, last.day);
  if (!a || !b) throw new RangeError(`no Japanese era before 1926-12-25 (${first.year})`);
  return a.era === b.era ? formatEraYear(a) : `${formatEraYear(a)}・${formatEraYear(b)}`;
}
