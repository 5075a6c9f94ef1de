import { describe, expect, it } from 'vitest';
import { addMonths, daysOf, isPublished, latestPublishedMonth, monthRange, parseMonth } from './month.js';

const JST = 540;

describe('release months', () => {
  it('reads YYYY-MM only', () => {
    expect(parseMonth('2026-11')).toEqual({ year: 2026, month: 11 });
    for (const bad of ['2026-13', '2026-1', '2026-00', '26-11', '2026-11-01'])
      expect(parseMonth(bad)).toBeNull();
  });

  it('spans a month midnight to midnight in the operator’s offset', () => {
    expect(monthRange({ year: 2026, month: 11 }, JST)).toEqual({
      fromMs: Date.UTC(2026, 9, 31, 15),
      toMs: Date.UTC(2026, 10, 30, 15),
    });
    expect(daysOf({ year: 2024, month: 2 }, JST)).toHaveLength(29);
    expect(addMonths({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
    expect(addMonths({ year: 2026, month: 12 }, 1)).toEqual({ year: 2027, month: 1 });
  });

  it('publishes the newest month complete before the cutoff that holds data', () => {
    const data = { firstMs: Date.UTC(2026, 5, 3), lastMs: Date.UTC(2026, 11, 6) };
    // Cutoff 2026-12-06 (JST Dec 6): November is complete, December is not.
    expect(latestPublishedMonth(Date.UTC(2026, 11, 6), data, JST)).toEqual({ year: 2026, month: 11 });
    // November ends at 2026-11-30T15:00Z: one hour before, it is not complete yet.
    expect(latestPublishedMonth(Date.UTC(2026, 10, 30, 14), data, JST)).toEqual({ year: 2026, month: 10 });
    expect(isPublished({ year: 2026, month: 11 }, Date.UTC(2026, 10, 30, 15), JST)).toBe(true);
    expect(isPublished({ year: 2026, month: 11 }, Date.UTC(2026, 10, 30, 14), JST)).toBe(false);
    // Data stopped in August: August is the newest month with data.
    expect(
      latestPublishedMonth(Date.UTC(2026, 11, 6), { ...data, lastMs: Date.UTC(2026, 7, 20) }, JST),
    ).toEqual({
      year: 2026,
      month: 8,
    });
    // Data only in the current month: nothing to publish yet; an empty store neither.
    expect(
      latestPublishedMonth(
        Date.UTC(2026, 11, 6),
        { firstMs: Date.UTC(2026, 11, 2), lastMs: Date.UTC(2026, 11, 5) },
        JST,
      ),
    ).toBeNull();
    expect(latestPublishedMonth(Date.UTC(2026, 11, 6), { firstMs: null, lastMs: null }, JST)).toBeNull();
  });

  it('still publishes when every raw event has expired and only the rollups remain', () => {
    // observe's summary then has a first hour and no newest event.
    const rolledUp = { firstMs: Date.UTC(2026, 4, 15, 15), lastMs: null };
    expect(latestPublishedMonth(Date.UTC(2026, 11, 6), rolledUp, JST)).toEqual({ year: 2026, month: 11 });
    expect(latestPublishedMonth(Date.UTC(2026, 4, 20), rolledUp, JST)).toBeNull();
  });
});
