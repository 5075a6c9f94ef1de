// SIMULATED detection rows from an independent generator (test/working-day-traffic.ts: a background
// that steps up 2.3× from 09:00 to 18:00 JST every day, seeded), not the project's simulator; no real
// data. docs/methods.md#daily-and-weekly-cycles-gaps.
import { describe, expect, it } from 'vitest';
import {
  surgeOn139,
  type WorkingDayOptions,
  workingDayAddresses,
  workingDayMinutes,
} from '../../../test/working-day-traffic.js';
import { DAY_MS, type Finding, HOUR_MS, MINUTE_MS } from '../finding.js';
import { DetectorSet } from '../runner.js';

/** Monday 2024-01-01 00:00 JST. */
const T0 = Date.UTC(2023, 11, 31, 15);

function run(o: Omit<WorkingDayOptions, 'startMs'>): Finding[] {
  const set = new DetectorSet({
    addresses: workingDayAddresses(o.sensors),
    only: ['port-surge', 'sensor-health'],
  });
  const out: Finding[] = [];
  for (const r of workingDayMinutes({ ...o, startMs: T0 })) {
    out.push(...set.feed({ ...r, backscatter: [], payloads: [], ids: [] }));
  }
  return out;
}

describe('port surges on a working-day background', () => {
  it('raises nothing over two weeks of a background that steps up 2.3× at nine every day', () => {
    // Before: the busiest ports "surged" at 09:2x and 18:30 most days from the second day (a window
    // across the step read against the hour before it alone; a flat recent median before the
    // cycle was known), and the alerting hours kept out of the baseline made it recur.
    expect(run({ days: 14, seed: 1 })).toEqual([]);
  });

  it('raises nothing on another two weeks of it (another seed)', () => {
    expect(run({ days: 14, seed: 2 })).toEqual([]);
  });

  it('raises nothing for a 3.5× step over longer working hours either', () => {
    expect(run({ days: 14, seed: 3, step: 3.5, hours: [8, 20] })).toEqual([]);
  });

  it('still finds a surge injected at an unusual hour (03:00) of the cycled background', () => {
    // Day 9, 03:00 JST: 60 new sources an hour on 139/tcp (30 an hour at night) for 3 hours.
    const start = T0 + 9 * DAY_MS + 3 * HOUR_MS;
    const fs = run({ days: 11, seed: 1, inject: surgeOn139(start, 3) });
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened.map((f) => [f.detector, f.subject.proto, f.subject.port])).toEqual([
      ['port-surge', 'tcp', 139],
    ]);
    const f = opened[0]!;
    expect(f.detectedMs - start).toBe(35 * MINUTE_MS);
    expect(f.evidence.trigger).toMatchObject({ by: 'z', split: 'foreign', method: 'hour-of-day' });
    // Nothing but that surge (and its end) in eleven days.
    expect(new Set(fs.map((x) => x.key)).size).toBe(1);
  });

  it('still finds a surge that starts at the step itself (09:00), on the sixth day', () => {
    // Day 6 (index 5), 09:00 JST: 60 new sources an hour on 139/tcp, on top of the background's
    // own 2.3× rise in the same minute; 139/tcp carries about 50 distinct sources in a working
    // hour. The step must be in the baseline (hour of day from the first days), the surge not.
    const start = T0 + 5 * DAY_MS + 9 * HOUR_MS;
    const fs = run({ days: 7, seed: 1, inject: surgeOn139(start, 3) });
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened.map((f) => [f.detector, f.subject.proto, f.subject.port])).toEqual([
      ['port-surge', 'tcp', 139],
    ]);
    expect(opened[0]!.detectedMs - start).toBe(55 * MINUTE_MS);
    expect(opened[0]!.evidence.trigger).toMatchObject({ split: 'foreign', method: 'hour-of-day' });
    expect(new Set(fs.map((x) => x.key)).size).toBe(1);
  });
});
