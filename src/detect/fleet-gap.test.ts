// SIMULATED detection rows from an independent generator (test/working-day-traffic.ts: eight
// firewall sites, a working-day background, seeded) with the whole fleet's data missing for a while:
// history replayed into a store after a gap. No real data. docs/methods.md#daily-and-weekly-cycles-gaps.
import { describe, expect, it } from 'vitest';
import {
  type ProbeInjection,
  surgeOn139,
  workingDayAddresses,
  workingDayMinutes,
} from '../../test/working-day-traffic.js';
import { DAY_MS, type Finding, HOUR_MS, MINUTE_MS } from './finding.js';
import { DetectorSet } from './runner.js';

/** Monday 2024-01-01 00:00 JST. */
const T0 = Date.UTC(2023, 11, 31, 15);

/**
 * 14 days of data, nothing from `gapFrom` for `gapDays` days, then 2 more days; `lost` sensors (by
 * index) do not come back after the gap.
 */
function run(
  gapFrom: number,
  gapDays: number,
  lost: readonly number[] = [],
  inject?: ProbeInjection,
): Finding[] {
  const g0 = T0 + gapFrom;
  const g1 = g0 + gapDays * DAY_MS;
  const set = new DetectorSet({ addresses: workingDayAddresses(), only: ['port-surge', 'sensor-health'] });
  const out: Finding[] = [];
  const rows = workingDayMinutes({
    startMs: T0,
    days: gapFrom / DAY_MS + gapDays + 2,
    seed: 5,
    silent: (m, s) => (m >= g0 && m < g1) || (m >= g1 && lost.includes(s)),
    ...(inject ? { inject } : {}),
  });
  for (const r of rows) out.push(...set.feed({ ...r, backscatter: [], payloads: [], ids: [] }));
  return out;
}

describe('a gap in the whole fleet’s data', () => {
  it('is missing, not zero and not every sensor failing: two days resuming after ten raise nothing', () => {
    // Before: every stream silent at the gap's start (eight high sensor-health alerts), the streams
    // forgotten after a week so the gap's last days read as quiet covered hours, and every busy
    // port "surging" against that zero baseline when the data resumed.
    expect(run(14 * DAY_MS, 10)).toEqual([]);
  });

  it('raises nothing when two days resume after a two-day gap in a 14-day history', () => {
    expect(run(14 * DAY_MS, 2)).toEqual([]);
  });

  it('still finds a real surge in the first hours after the gap, and only it', () => {
    // Data resumes at midnight after a two-day gap with 60 new sources an hour on 139/tcp (about
    // 25 distinct sources at night) for three hours. Windows that touch the gap are missing, so
    // the first full window after it (ending 01:00) is the earliest that can see the surge.
    const resumed = T0 + 16 * DAY_MS;
    const fs = run(14 * DAY_MS, 2, [], surgeOn139(resumed, 3));
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened.map((f) => [f.detector, f.subject.proto, f.subject.port])).toEqual([
      ['port-surge', 'tcp', 139],
    ]);
    expect(opened[0]!.detectedMs - resumed).toBe(HOUR_MS);
    expect(new Set(fs.map((x) => x.key)).size).toBe(1);
  });

  it('raises nothing for a day-long gap, nor for one of three hours starting mid-afternoon', () => {
    expect(run(14 * DAY_MS, 1)).toEqual([]);
    expect(run(10 * DAY_MS + 15 * HOUR_MS + 20 * MINUTE_MS, 3 / 24)).toEqual([]);
  });

  it('reports a sensor that does not come back once the fleet has delivered for its silence limit', () => {
    const gapFrom = 14 * DAY_MS;
    const resumed = T0 + gapFrom + 10 * DAY_MS;
    const fs = run(gapFrom, 10, [3]);
    expect(fs.map((f) => [f.phase, f.subject])).toEqual([
      ['opened', { sensor: 'wd-4', stream: 'firewall', problem: 'silent' }],
    ]);
    // Its silence counts from the fleet's return (15 minutes, coverage's minSilenceMin), not from
    // its last event ten days earlier; the alert still says when that was.
    expect(fs[0]!.detectedMs).toBe(resumed + 15 * MINUTE_MS);
    expect(fs[0]!.startMs).toBe(T0 + gapFrom);
  });
});
