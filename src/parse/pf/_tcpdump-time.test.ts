import { describe, expect, it } from 'vitest';
import { isEvent, type RecordOutcome } from '../../core/index.js';
import type { ParseContext } from '../types.js';
import { isCalendarDate } from './_tcpdump-time.js';
import { pfFormat } from './pf.js';

// The clock is exercised through the pf format, the way its lines reach it.
const UTC_2024: ParseContext = {
  sensor: 'fw1',
  year: 2024,
  utcOffsetMinutes: 0,
  nowMs: Date.UTC(2024, 5, 1),
};

function run(input: string[], ctx: ParseContext = UTC_2024): RecordOutcome[] {
  const parse = pfFormat.create(ctx);
  return input.map((l) => parse(l));
}

function one(line: string, ctx: ParseContext = UTC_2024): RecordOutcome {
  return pfFormat.create(ctx)(line);
}

function reason(o: RecordOutcome): string {
  if (isEvent(o)) throw new Error(`expected a rejection or skip, got an event: ${JSON.stringify(o)}`);
  return `${o.outcome}: ${o.reason}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('tcpdump timestamps', () => {
  const PKT = 'rule 0/(match) block in on em0: 198.51.100.7.1 > 192.0.2.1.22: S 1:1(0) win 512';
  const at = (outs: RecordOutcome[]) => outs.map((o) => (isEvent(o) ? iso(o.timeMs) : reason(o)));

  it('accumulates tcpdump 4.99 -ttt deltas after an absolute time, with nanosecond precision', () => {
    const input = [
      `2024-01-02 23:59:59.999999 ${PKT}`,
      ` 00:00:00.000001 ${PKT}`,
      ` 00:00:01.500000 ${PKT}`,
      ` 25:00:00.000000 ${PKT}`,
      `-00:00:02.000000 ${PKT}`,
    ];
    expect(at(run(input))).toEqual([
      '2024-01-02T23:59:59.999Z',
      '2024-01-03T00:00:00.000Z',
      '2024-01-03T00:00:01.500Z',
      '2024-01-04T01:00:01.500Z',
      '2024-01-04T00:59:59.500Z',
    ]);
    // 100 000 deltas of 10 ns add up to exactly one millisecond: no rounding drift.
    const parse = pfFormat.create(UTC_2024);
    parse(`1704164645.000000000 ${PKT}`);
    let last: RecordOutcome = parse(` 00:00:00.000000010 ${PKT}`);
    for (let i = 1; i < 100_000; i++) last = parse(` 00:00:00.000000010 ${PKT}`);
    expect(isEvent(last) && last.timeMs).toBe(1704164645001);
  });

  it('reads old-style -ttt deltas when the first H:M:S line is 00:00:00.000000', () => {
    const input = [`1704164645.250000 ${PKT}`, `00:00:00.000000 ${PKT}`, `00:00:02.000000 ${PKT}`];
    expect(at(run(input))).toEqual([
      '2024-01-02T03:04:05.250Z',
      '2024-01-02T03:04:05.250Z',
      '2024-01-02T03:04:07.250Z',
    ]);
  });

  it('rejects a delta before any absolute time, then counts from the first absolute one', () => {
    const input = [`0.500000 ${PKT}`, `1704164645.000000 ${PKT}`, `0.500000 ${PKT}`];
    expect(at(run(input))).toEqual([
      'rejected: delta timestamp with no absolute reference',
      '2024-01-02T03:04:05.000Z',
      '2024-01-02T03:04:05.500Z',
    ]);
  });

  it('reads default times of day on the date of the last absolute time, across midnight', () => {
    const input = [
      `03:04:05.000000 ${PKT}`,
      `2024-01-02 23:00:00.000000 ${PKT}`,
      `23:59:00.000000 ${PKT}`,
      `00:01:00.000000 ${PKT}`,
    ];
    expect(at(run(input, { ...UTC_2024, utcOffsetMinutes: 60 }))).toEqual([
      'rejected: time of day without a date: pass --date YYYY-MM-DD',
      '2024-01-02T22:00:00.000Z',
      '2024-01-02T22:59:00.000Z',
      '2024-01-02T23:01:00.000Z',
    ]);
  });

  it('places times of day on the date given (--date), in the local offset, across midnight', () => {
    const input = [
      `22:30:00.250000 ${PKT}`,
      `23:59:59.999999 ${PKT}`,
      `00:00:01.000000 ${PKT}`,
      `2024-03-01 12:00:00.000000 ${PKT}`,
      `12:00:05.000000 ${PKT}`,
    ];
    expect(at(run(input, { ...UTC_2024, utcOffsetMinutes: 540, date: '2024-02-28' }))).toEqual([
      '2024-02-28T13:30:00.250Z',
      '2024-02-28T14:59:59.999Z',
      '2024-02-28T15:00:01.000Z',
      // A dated line takes over as the reference for the times of day after it.
      '2024-03-01T03:00:00.000Z',
      '2024-03-01T03:00:05.000Z',
    ]);
  });

  it('does not let a date stand in for the absolute time a delta needs', () => {
    expect(reason(one(`0.500000 ${PKT}`, { ...UTC_2024, date: '2024-02-28' }))).toBe(
      'rejected: delta timestamp with no absolute reference',
    );
  });

  it('accepts only real calendar dates as --date', () => {
    expect(['2024-02-29', '2023-12-31', '1999-01-01'].map(isCalendarDate)).toEqual([true, true, true]);
    expect(
      ['2023-02-29', '2024-13-01', '2024-1-5', '24-01-05', '2024-01-05T00:00', ''].map(isCalendarDate),
    ).toEqual([false, false, false, false, false, false]);
  });

  it('rolls a month-day stamp back a year when it would be more than a day after the reference time', () => {
    const ctx: ParseContext = {
      sensor: 'fw1',
      year: 2025,
      utcOffsetMinutes: 0,
      nowMs: Date.UTC(2025, 0, 10, 12),
    };
    const input = [
      `Dec 31 23:59:59.000000 ${PKT}`,
      `Jan 09 10:00:00.000000 ${PKT}`,
      `Jan 11 11:00:00.000000 ${PKT}`,
      `Jan 11 13:00:00.000000 ${PKT}`,
      `Feb 29 10:00:00.000000 ${PKT}`,
      `Feb 30 10:00:00.000000 ${PKT}`,
    ];
    expect(at(run(input, ctx))).toEqual([
      '2024-12-31T23:59:59.000Z',
      '2025-01-09T10:00:00.000Z',
      '2025-01-11T11:00:00.000Z',
      '2024-01-11T13:00:00.000Z',
      '2024-02-29T10:00:00.000Z',
      'rejected: invalid timestamp',
    ]);
  });

  it('rejects impossible and unrecognised timestamps clearly', () => {
    expect(reason(one(`2024-02-30 10:00:00.000000 ${PKT}`))).toBe('rejected: invalid timestamp');
    expect(reason(one(`2024-01-02 24:00:00.000000 ${PKT}`))).toBe('rejected: invalid timestamp');
    expect(reason(one(`Oct 28 14:61:59.244233 ${PKT}`))).toBe('rejected: invalid timestamp');
    expect(reason(one(`Foo 28 14:11:59.244233 ${PKT}`))).toBe('rejected: unrecognised timestamp');
    expect(reason(one(`2024-01-02 10:00:00 ${PKT}`))).toBe('rejected: unrecognised timestamp');
    expect(reason(one(`1704164645.1234567890 ${PKT}`))).toBe('rejected: unrecognised timestamp');
  });
});
