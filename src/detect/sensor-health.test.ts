// Hand-built, simulated sensor volume rows (seeded PRNG noise around fixed per-sensor rates) for a
// fleet of six firewall sensors; no real data.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/prng.js';
import type { SensorVolumeRow } from '../observe/index.js';
import { type Finding, HOUR_MS, MINUTE_MS, type MinuteRows } from './finding.js';
import { DetectorSet } from './runner.js';

const T0 = Date.UTC(2024, 8, 2);
/** Usual events per minute of each sensor. */
const RATES: Readonly<Record<string, number>> = { a: 100, b: 100, c: 100, d: 100, e: 100, small: 20 };

/**
 * Runs `hours` of volume; `rate(sensor, minuteIndex)` may override the usual rate (0: no row).
 * Returns the findings with the minute index at which each was emitted.
 */
function run(hours: number, rate: (sensor: string, i: number) => number | undefined = () => undefined) {
  const set = new DetectorSet({ only: ['sensor-health'] });
  const rng = mulberry32(17);
  const out: { i: number; f: Finding }[] = [];
  for (let i = 0; i < hours * 60; i++) {
    const m = T0 + i * MINUTE_MS;
    const volume: SensorVolumeRow[] = [];
    for (const [sensor, usual] of Object.entries(RATES)) {
      const r = rate(sensor, i) ?? usual;
      // ±10 % noise.
      const packets = Math.round(r * (0.9 + 0.2 * rng()));
      if (packets > 0) volume.push({ minuteMs: m, sensor, kind: 'firewall', packets });
    }
    const rows: MinuteRows = { minuteMs: m, probes: [], backscatter: [], payloads: [], ids: [], volume };
    for (const f of set.feed(rows)) out.push({ i, f });
  }
  return out;
}

describe('SensorHealthDetector', () => {
  it('reports nothing for a steady fleet', () => {
    expect(run(40)).toEqual([]);
  });

  it('reports a sensor that drops to zero, once, and its return', () => {
    // Sensor b stops at minute 30 h (index 1800) for two hours.
    const stop = 30 * 60;
    const back = stop + 120;
    const out = run(36, (s, i) => (s === 'b' && i >= stop && i < back ? 0 : undefined));
    const fs = out.map((x) => x.f);
    expect(fs.every((f) => f.subject.sensor === 'b')).toBe(true);
    const opened = out.filter((x) => x.f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const o = opened[0]!;
    expect(o.f.kind).toBe('sensor-health');
    expect(o.f.subject).toEqual({ sensor: 'b', stream: 'firewall', problem: 'silent' });
    expect(o.f.severity).toBe('high');
    expect(o.f.startMs).toBe(T0 + stop * MINUTE_MS);
    // Declared at the end of its 15th silent minute (coverage's minSilenceMin).
    expect(o.i).toBe(stop + 14);
    expect(o.f.detectedMs).toBe(T0 + (stop + 15) * MINUTE_MS);
    expect(o.f.evidence.usual_events_per_minute as number).toBeGreaterThan(90);
    const ended = out.filter((x) => x.f.phase === 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.i).toBe(back);
    expect(ended[0]!.f.key).toBe(o.f.key);
    // The hours around the outage are neither a jump nor a drop of b, nor of the others.
    expect(fs.filter((f) => f.subject.problem !== 'silent')).toEqual([]);
  });

  it('reports a sensor whose volume jumps abnormally, and only that one', () => {
    // The small sensor (20/min, ~2 % of the fleet) sends 500/min during hour 80 (day 4).
    const from = 80 * 60;
    const to = from + 60;
    const out = run(83, (s, i) => (s === 'small' && i >= from && i < to ? 500 : undefined));
    const fs = out.map((x) => x.f);
    expect(fs.every((f) => f.subject.sensor === 'small')).toBe(true);
    const opened = out.filter((x) => x.f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const o = opened[0]!;
    expect(o.f.subject).toEqual({ sensor: 'small', stream: 'firewall', problem: 'jump' });
    expect(o.i).toBe(to - 1);
    expect(o.f.startMs).toBe(T0 + from * MINUTE_MS);
    const ratio = o.f.evidence.ratio as number;
    expect(ratio).toBeGreaterThan(10);
    expect(ratio).toBeLessThan(25);
    // The next normal hour ends it.
    const ended = out.filter((x) => x.f.phase === 'ended');
    expect(ended.map((x) => x.i)).toEqual([to + 59]);
  });

  it('reports a collapse to a tenth of the usual share as a drop', () => {
    const from = 80 * 60;
    const out = run(82, (s, i) => (s === 'a' && i >= from && i < from + 60 ? 3 : undefined));
    const opened = out.filter((x) => x.f.phase === 'opened');
    expect(opened.map((x) => x.f.subject)).toEqual([{ sensor: 'a', stream: 'firewall', problem: 'drop' }]);
    expect(opened[0]!.f.severity).toBe('high');
  });

  it('does not judge a fleet-wide surge as a sensor problem (shares, not counts)', () => {
    const from = 80 * 60;
    const out = run(83, (s, i) => (i >= from && i < from + 60 ? RATES[s]! * 8 : undefined));
    expect(out).toEqual([]);
  });

  it('does not judge a jump before it has three days of history', () => {
    // Before: "volume jumped to 19× its usual share" on the second day, the usual share being the
    // median of about a day of hours (a sweep of a small darknet block did the same in simulations).
    expect(run(12, (s, i) => (s === 'small' && i >= 600 && i < 660 ? 500 : undefined))).toEqual([]);
    expect(run(33, (s, i) => (s === 'small' && i >= 30 * 60 && i < 31 * 60 ? 500 : undefined))).toEqual([]);
    // Day 3, 23:00: 71 hours of shares, one short of the minimum.
    expect(run(73, (s, i) => (s === 'small' && i >= 71 * 60 && i < 72 * 60 ? 500 : undefined))).toEqual([]);
  });

  it('measures a sensor with its own working day against the same hour, and still finds a jump', () => {
    // Sensor "small" carries 5/min at night and 60/min from 09:00 to 18:00 (a business firewall),
    // the others are flat: its share is about 12 times higher by day. Before: a "jump" every
    // morning, the usual share being the week's median of all hours (a night hour's).
    const day = (s: string, i: number) => {
      if (s !== 'small') return undefined;
      const h = Math.floor(i / 60) % 24;
      return h >= 9 && h < 18 ? 60 : 5;
    };
    expect(run(7 * 24, day)).toEqual([]);
    // A real jump at 03:00 on day 6 (60/min at night, 12 times its night share) is found.
    const from = (5 * 24 + 3) * 60;
    const out = run(5 * 24 + 6, (s, i) => (s === 'small' && i >= from && i < from + 60 ? 60 : day(s, i)));
    const opened = out.filter((x) => x.f.phase === 'opened');
    expect(opened.map((x) => [x.i, x.f.subject.problem])).toEqual([[from + 59, 'jump']]);
  });

  it('keeps only live streams', () => {
    const set = new DetectorSet({ only: ['sensor-health'] });
    const m = T0 + HOUR_MS - MINUTE_MS;
    set.feed({
      minuteMs: m,
      probes: [],
      backscatter: [],
      payloads: [],
      ids: [],
      volume: [{ minuteMs: m, sensor: 'x', kind: 'ids', packets: 5 }],
    });
    expect(set.stateSizes()['sensor-health']).toBe(1);
  });
});
