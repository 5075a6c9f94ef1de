// A campaign's reports per day: days in the operator's offset, empty days between reports kept
// (up to 400 days), only the days with reports beyond that.
import { describe, expect, it } from 'vitest';
import type { ReportSummary } from '../../../intel/index.js';
import { reportsPerDay } from './timeline.js';

const at = (iso: string): ReportSummary => ({
  id: 1,
  kind: 'c2',
  tlp: 'AMBER',
  title: 't',
  receivedMs: Date.parse(iso),
  observedMs: Date.parse(iso),
  campaignId: 1,
  reporter: null,
  triage: null,
});
const JST = 9 * 3_600_000;

describe('reports per day', () => {
  it('counts by the day in the operator’s offset, keeping the empty days between', () => {
    // 2012-02-09T16:00Z is already 2012-02-10 in Tokyo.
    const days = reportsPerDay(
      [at('2012-02-09T16:00:00Z'), at('2012-02-10T01:00:00Z'), at('2012-02-12T03:00:00Z')],
      JST,
    );
    expect(days).toEqual([
      { day: '2012-02-10', count: 2 },
      { day: '2012-02-11', count: 0 },
      { day: '2012-02-12', count: 1 },
    ]);
    expect(reportsPerDay([], JST)).toEqual([]);
  });

  it('lists only the days with reports, in order, when they span more than 400 days', () => {
    const days = reportsPerDay(
      [at('2014-01-05T03:00:00Z'), at('2012-02-10T03:00:00Z'), at('2012-03-01T03:00:00Z')],
      JST,
    );
    expect(days).toEqual([
      { day: '2012-02-10', count: 1 },
      { day: '2012-03-01', count: 1 },
      { day: '2014-01-05', count: 1 },
    ]);
  });
});
