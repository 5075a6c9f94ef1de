// Hand-built hourly series (no real data): the 24-hour window sums and their day baseline.
import { describe, expect, it } from 'vitest';
import { HourBook, SeasonalSeries, WEEK_HOURS } from './seasonal-baseline.js';

/** A series watched for `days` days whose hour h has value `hourValue(h)`. */
function series(days: number, hourValue: (h: number) => number, alerting?: (h: number) => boolean) {
  const book = new HourBook(8 * WEEK_HOURS + 48);
  const s = new SeasonalSeries(book);
  for (let h = 0; h < days * 24; h++) {
    book.mark(h, true);
    s.record(h, hourValue(h), alerting?.(h) ?? false);
  }
  return s;
}

describe('SeasonalSeries window sums', () => {
  it('sums the last 24 hours, alerting hours only when asked, and scales up a few missing hours', () => {
    const s = series(
      3,
      () => 10,
      (h) => h === 70,
    );
    expect(s.windowSum(71, 24, true)).toBe(240);
    // Hour 70 alerting: missing without `withExcluded`, the other 23 scaled to 24.
    expect(s.windowSum(71, 24, false)).toBeCloseTo(240);
    // Before the first hour: fewer than five sixths of the hours known.
    expect(s.windowSum(10, 24, true)).toBeUndefined();
  });

  it('takes the median of the same window on earlier days, and no baseline from too few days', () => {
    // Day totals 220, 240, 230, 250, 210, 230, 240, 220, 230 before day 9: the 24 hours ending at
    // day 9's last hour are measured against their median, 230 (MAD 10).
    const days = [220, 240, 230, 250, 210, 230, 240, 220, 230, 300];
    const s = series(10, (h) => days[Math.floor(h / 24)]! / 24);
    const b = s.windowBaseline(10 * 24 - 1, 24, 14, 5);
    expect(b?.value).toBeCloseTo(230);
    expect(b?.method).toBe('day');
    expect(b!.scale).toBeGreaterThanOrEqual(Math.sqrt(230));
    expect(s.windowSum(10 * 24 - 1, 24, false)).toBeCloseTo(300);
    expect(s.windowBaseline(4 * 24 - 1, 24, 14, 5)).toBeUndefined();
  });

  it('still holds every hour of the same weekday eight weeks back (the oldest window read)', () => {
    const s = series(8 * 7 + 2, () => 10);
    const last = (8 * 7 + 2) * 24 - 1;
    expect(s.windowSum(last - 8 * WEEK_HOURS, 24, false)).toBe(240);
    expect(s.windowSum(last - 8 * WEEK_HOURS, 6, false)).toBe(60);
  });

  it('uses the same weekday of earlier weeks when it runs higher (a busy Saturday is not a surge)', () => {
    // Every seventh day carries 1.3× the others; on the third such day the baseline is that
    // weekday's level, not the median of the last two weeks.
    const s = series(21, (h) => (Math.floor(h / 24) % 7 === 5 ? 13 : 10));
    const b = s.windowBaseline(19 * 24 + 23, 24, 14, 5);
    expect(b?.value).toBeCloseTo(13 * 24);
    const weekday = s.windowBaseline(18 * 24 + 23, 24, 14, 5);
    expect(weekday?.value).toBeCloseTo(10 * 24);
  });
});

describe('SeasonalSeries baseline through gaps and daily steps', () => {
  /** 10 from 09:00 to 18:00, 4 otherwise; `watched(h)` false for a gap. */
  const working = (h: number) => (h % 24 >= 9 && h % 24 < 18 ? 10 : 4);
  function build(hours: number, watched: (h: number) => boolean) {
    const book = new HourBook(8 * WEEK_HOURS + 48);
    const s = new SeasonalSeries(book);
    for (let h = 0; h < hours; h++) {
      book.mark(h, watched(h));
      if (watched(h)) s.record(h, working(h), false);
    }
    return s;
  }

  it('reads the daily cycle learnt before a ten-day gap as the baseline of the first hour after it', () => {
    // A week of data, ten days with none, then the first hour back: 10:00 on day 17.
    const s = build(17 * 24 + 10, (h) => h < 7 * 24);
    expect(s.baseline(17 * 24 + 10, 17 * 24 + 10)).toMatchObject({ value: 10, method: 'hour-of-day', n: 7 });
    expect(s.baseline(17 * 24 + 3, 17 * 24 + 3)).toMatchObject({ value: 4, method: 'hour-of-day' });
  });

  it('weighs a window across the daily step by its share of each hour', () => {
    const s = build(5 * 24 + 8, () => true);
    // 08:25–09:25: 7/12 of 08h (4) and 5/12 of 09h (10).
    const b = s.baselineOver([5 * 24 + 8, 5 * 24 + 9], [7 / 12, 5 / 12], 5 * 24 + 8);
    expect(b?.value).toBeCloseTo(6.5, 10);
    expect(b?.method).toBe('hour-of-day');
  });

  it('takes the busy hours of the last day as the baseline before the daily cycle is known', () => {
    // Two days: no hour-of-day median of three yet; the 90th percentile of the last 24 hours.
    const b = build(2 * 24, () => true).baseline(2 * 24, 2 * 24);
    expect(b).toMatchObject({ value: 10, method: 'recent', n: 24 });
  });

  it('learns the hour of day from three days, and the hour of week once two weeks are known', () => {
    // The working day, and Saturdays (day 5 of each week) 1.5 times busier.
    const weekly = (h: number) => working(h) * (Math.floor(h / 24) % 7 === 5 ? 1.5 : 1);
    const book = new HourBook(8 * WEEK_HOURS + 48);
    const s = new SeasonalSeries(book);
    const at = (h: number) => s.baseline(h, h);
    for (let h = 0; h < 20 * 24; h++) {
      // Day 3 at 10:00: the hour of day (three 10:00s before it).
      if (h === 3 * 24 + 10) expect(at(h)).toMatchObject({ value: 10, method: 'hour-of-day', n: 3 });
      // The second Saturday, 10:00: one Saturday before it, the hour of day of the last 7 days
      // (median 10; the estimate with means, never below it: 75/7 and this morning's departures,
      // nine hours of +2 and 09h's +5 over 24 hours).
      if (h === 12 * 24 + 10) {
        expect(at(h)).toMatchObject({ method: 'hour-of-day', n: 7 });
        expect(at(h)!.value).toBeCloseTo(75 / 7 + 23 / 24, 10);
      }
      // The third Saturday, 10:00: two Saturdays before it, the hour of week.
      if (h === 19 * 24 + 10) expect(at(h)).toMatchObject({ value: 15, method: 'hour-of-week', n: 2 });
      book.mark(h, true);
      s.record(h, weekly(h), false);
    }
  });
});
