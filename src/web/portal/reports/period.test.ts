import { describe, expect, it } from 'vitest';
import {
  eraLabel,
  isPeriodPublished,
  parsePeriod,
  periodFromKey,
  periodRange,
  periodSpan,
  periodsBetween,
  previousPeriod,
} from './period.js';

const JST = 540;

describe('periods of the periodic reports', () => {
  it('reads a month, a half year and a year', () => {
    expect(parsePeriod('monthly', '2026-11')).toEqual({ kind: 'monthly', year: 2026, index: 11 });
    expect(parsePeriod('semiannual', '2026-H1')).toEqual({ kind: 'semiannual', year: 2026, index: 1 });
    expect(parsePeriod('annual', '2026')).toEqual({ kind: 'annual', year: 2026, index: 1 });
    expect(periodFromKey('2026-H2')).toEqual({ kind: 'semiannual', year: 2026, index: 2 });
    expect(periodFromKey('2026-13')).toBeNull();
  });

  it('refuses a wrong kind, a period of another kind, a bad month and a year without an era', () => {
    expect(() => parsePeriod('weekly', '2026')).toThrow(
      'the report is monthly, semiannual or annual, not "weekly"',
    );
    expect(() => parsePeriod('semiannual', '2026-11')).toThrow(
      'a semiannual period is written like 2026-H1, not "2026-11"',
    );
    expect(() => parsePeriod('monthly', '2026-13')).toThrow('a monthly period is written like 2026-11');
    expect(() => parsePeriod('annual', '1900')).toThrow("the period's year must be 1989–9999, not 1900");
  });

  it('covers its months in the operator offset and names the period before', () => {
    const h1 = parsePeriod('semiannual', '2026-H1');
    expect(periodRange(h1, JST)).toEqual({
      fromMs: Date.UTC(2025, 11, 31, 15),
      toMs: Date.UTC(2026, 5, 30, 15),
    });
    expect(previousPeriod(h1)).toEqual({ kind: 'semiannual', year: 2025, index: 2 });
    expect(previousPeriod(parsePeriod('monthly', '2026-01'))).toEqual({
      kind: 'monthly',
      year: 2025,
      index: 12,
    });
    const span = periodSpan(h1, JST);
    expect(span.bucket).toBe('month');
    expect(span.starts).toHaveLength(6);
    expect(span.starts[1]).toBe(Date.UTC(2026, 0, 31, 15));
    expect(periodSpan(parsePeriod('monthly', '2026-02'), JST).starts).toHaveLength(28);
  });

  it('is published once it ended before the public cutoff', () => {
    const nov = parsePeriod('monthly', '2026-11');
    expect(isPeriodPublished(nov, Date.UTC(2026, 10, 30, 15), JST)).toBe(true);
    expect(isPeriodPublished(nov, Date.UTC(2026, 10, 30, 14), JST)).toBe(false);
  });

  it('writes the period in the era form, both eras across a change', () => {
    expect(eraLabel(parsePeriod('monthly', '2026-11'))).toBe('令和8年11月');
    expect(eraLabel(parsePeriod('semiannual', '2026-H1'))).toBe('令和8年上半期');
    expect(eraLabel(parsePeriod('semiannual', '2026-H2'))).toBe('令和8年下半期');
    expect(eraLabel(parsePeriod('annual', '2026'))).toBe('令和8年');
    expect(eraLabel(parsePeriod('semiannual', '2019-H1'))).toBe('平成31年・令和元年上半期');
    expect(eraLabel(parsePeriod('semiannual', '2019-H2'))).toBe('令和元年下半期');
    expect(eraLabel(parsePeriod('monthly', '2019-04'))).toBe('平成31年4月');
    expect(eraLabel(parsePeriod('monthly', '1989-01'))).toBe('昭和64年・平成元年1月');
  });

  it('lists every period between two months, newest first', () => {
    const keys = periodsBetween('semiannual', { year: 2011, month: 12 }, { year: 2013, month: 1 });
    expect(keys.map((p) => `${p.year}-H${p.index}`)).toEqual(['2013-H1', '2012-H2', '2012-H1', '2011-H2']);
  });
});
