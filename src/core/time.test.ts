import { describe, expect, it } from 'vitest';
import {
  bucketStart,
  DAY_MS,
  formatInOffset,
  HOUR_MS,
  MINUTE_MS,
  parseDateArg,
  parseUtcOffset,
  SECOND_MS,
  WEEK_MS,
} from './time.js';

describe('durations', () => {
  it('build each unit from the one below it', () => {
    expect([
      SECOND_MS,
      MINUTE_MS / SECOND_MS,
      HOUR_MS / MINUTE_MS,
      DAY_MS / HOUR_MS,
      WEEK_MS / DAY_MS,
    ]).toEqual([1000, 60, 60, 24, 7]);
  });
});

describe('operator time', () => {
  it('reads dates in the operator offset unless they carry their own', () => {
    expect(parseDateArg('2006-08-18', 540)).toBe(Date.UTC(2006, 7, 17, 15));
    expect(parseDateArg('2006-08-18T09:00:00Z', 540)).toBe(Date.UTC(2006, 7, 18, 9));
    expect(parseDateArg('2006-08-18T09:00+02:00')).toBe(Date.UTC(2006, 7, 18, 7));
    expect(() => parseDateArg('2006-02-30')).toThrow(/invalid date/);
    expect(() => parseDateArg('yesterday')).toThrow(/invalid date/);
  });

  it('starts day, ISO week and month buckets at local midnight', () => {
    const t = Date.UTC(2006, 7, 18, 16, 30); // Sat 19 Aug 01:30 JST
    expect(formatInOffset(bucketStart(t, 'day', 540), 540)).toBe('2006-08-19T00:00:00+09:00');
    expect(formatInOffset(bucketStart(t, 'week', 540), 540)).toBe('2006-08-14T00:00:00+09:00');
    expect(formatInOffset(bucketStart(t, 'month', 540), 540)).toBe('2006-08-01T00:00:00+09:00');
    expect(formatInOffset(bucketStart(t, 'hour'), 0)).toBe('2006-08-18T16:00:00Z');
  });

  it('parses UTC offsets in the usual spellings', () => {
    expect(parseUtcOffset('+09:00')).toBe(540);
    expect(parseUtcOffset('-0500')).toBe(-300);
    expect(parseUtcOffset('Z')).toBe(0);
    expect(() => parseUtcOffset('+25:00')).toThrow();
  });
});
