// SIMULATED detection rows from the independent generator test/working-day-traffic.ts (seeded), its
// weekend busier than its weekdays; no real data. docs/methods.md#port-surges (the day test's
// minimum rise).
import { describe, expect, it } from 'vitest';
import {
  type BackgroundPort,
  type WorkingDayOptions,
  workingDayAddresses,
  workingDayMinutes,
} from '../../../test/working-day-traffic.js';
import type { Finding } from '../finding.js';
import { DetectorSet } from '../runner.js';

/** Monday 2024-01-01 00:00 JST. */
const T0 = Date.UTC(2023, 11, 31, 15);

/** Busy ports: a day's sum of hourly distinct sources in the tens of thousands (√ of it ≈ 0.7 %). */
const BUSY: readonly BackgroundPort[] = [
  ['tcp', 445, 900],
  ['tcp', 135, 600],
  ['tcp', 22, 30],
];

function run(o: Omit<WorkingDayOptions, 'startMs'>): Finding[] {
  const set = new DetectorSet({ addresses: workingDayAddresses(o.sensors), only: ['port-surge'] });
  const out: Finding[] = [];
  for (const r of workingDayMinutes({ ...o, startMs: T0 })) {
    out.push(...set.feed({ ...r, backscatter: [], payloads: [], ids: [] }));
  }
  return out;
}

describe('slow surges on a background with a busier weekend', () => {
  it('raises nothing for a weekend 10 % busier than the weekdays in the first week', () => {
    // Before: "Slow surge on 445/tcp: 1.1× baseline distinct sources over 24 h" on Sunday (x 23,600
    // source-hours against 21,400, z 8.5): the weekend's 24 hours against the five weekdays before
    // it, the same weekday not yet known, and a 1.1× minimum rise inside the weekly swing — at
    // these counts any 10 % is "significant".
    expect(run({ days: 7, seed: 1, ports: BUSY, dayOfWeek: [1, 1, 1, 1, 1, 1.1, 1.1] })).toEqual([]);
  });
});
