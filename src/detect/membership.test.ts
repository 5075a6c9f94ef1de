// SIMULATED detection rows from an independent generator (test/working-day-traffic.ts: firewall sites
// on a working-day background, each sensor receiving its own visits, seeded), with sensors joining
// and leaving the fleet mid-history; and hand-made streams for the membership log. No real data.
import { describe, expect, it } from 'vitest';
import { workingDayAddresses, workingDayMinutes } from '../../test/working-day-traffic.js';
import { DAY_MS, type Finding, HOUR_MS } from './finding.js';
import { FleetMembership } from './membership.js';
import { DetectorSet } from './runner.js';

/** Monday 2024-01-01 00:00 JST. */
const T0 = Date.UTC(2023, 11, 31, 15);

function run(days: number, sensors: number, silent: (m: number, s: number) => boolean): Finding[] {
  const set = new DetectorSet({
    addresses: workingDayAddresses(sensors),
    only: ['port-surge', 'sensor-health'],
  });
  const out: Finding[] = [];
  for (const r of workingDayMinutes({ startMs: T0, days, seed: 2, sensors, silent })) {
    out.push(...set.feed({ ...r, backscatter: [], payloads: [], ids: [] }));
  }
  return out;
}

const opened = (fs: readonly Finding[]) =>
  fs.filter((f) => f.phase === 'opened').map((f) => `${f.detector} ${f.subject.sensor ?? f.subject.port}`);

describe('sensors joining and leaving', () => {
  it('change coverage, not alerts: four of twelve join at 11:00 on day 5, three leave on day 4', () => {
    // The leavers are forgotten a week later (day 11), inside the run. Before: surges on every busy
    // port after the join (a third more sources with the same coverage share) and slow surges for
    // days; now only the three silent sensors, once each.
    const join = T0 + 5 * DAY_MS + 11 * HOUR_MS;
    const leave = T0 + 4 * DAY_MS + 3 * HOUR_MS;
    const fs = run(16, 12, (m, s) => (s >= 8 && m < join) || (s < 3 && m >= leave));
    expect(opened(fs)).toEqual(['sensor-health wd-1', 'sensor-health wd-2', 'sensor-health wd-3']);
    expect(fs.every((f) => f.subject.problem === 'silent')).toBe(true);
  });

  it('raise nothing when two of eight join in working hours and none leaves', () => {
    const join = T0 + 6 * DAY_MS + 10 * HOUR_MS;
    expect(run(14, 8, (m, s) => s >= 6 && m < join)).toEqual([]);
  });
});

describe('FleetMembership', () => {
  it('gives the size an earlier membership would have at today’s rates, per family', () => {
    const a = { kind: 'firewall' as const, ratePerMinute: 30 };
    const b = { kind: 'firewall' as const, ratePerMinute: 10 };
    const ids = { kind: 'ids' as const, ratePerMinute: 5 };
    const m = new FleetMembership();
    const probes = ['firewall', 'darknet'] as const;
    m.joined(a);
    m.joined(ids);
    // An IDS stream joining is no change of the fleet that counts probes.
    expect(m.epoch(probes)).toBe(1);
    expect(m.epoch(['ids'])).toBe(1);
    const before = m.epoch(probes);
    m.joined(b);
    expect(m.epoch(probes)).toBe(2);
    // Today: a and b, 40 events a minute of firewall streams.
    expect(m.sizeAt(before, probes, 40)).toBe(30);
    expect(m.sizeAt(m.epoch(probes), probes, 40)).toBe(40);
    // Rates drift: the same members give the same ratio.
    b.ratePerMinute = 20;
    expect(m.sizeAt(before, probes, 50)).toBe(30);
    m.left(a);
    // a forgotten: the earlier fleet still had it, at its last rate.
    expect(m.sizeAt(before, probes, 20)).toBe(30);
    expect(m.sizeAt(0, probes, 20)).toBe(0);
  });
});
