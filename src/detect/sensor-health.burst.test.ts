// One sensor's burst (a flood at its own address) and the rest of the fleet's shares: hand-built,
// simulated volume rows (seeded noise around 20 events a minute) for eight firewall sensors; no real
// data. Without a robust fleet volume the burst made the hour's sum 30 times the usual, and every
// other sensor's share "collapsed" to a thirtieth.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/prng.js';
import type { SensorVolumeRow } from '../observe/index.js';
import { type Finding, MINUTE_MS } from './finding.js';
import { DetectorSet } from './runner.js';

const T0 = Date.UTC(2024, 8, 2);
const SENSORS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

describe('sensor health beside one sensor’s burst', () => {
  it('a flood of 300,000 events in two minutes at one sensor is its jump, not seven other sensors collapsing', () => {
    const set = new DetectorSet({ only: ['sensor-health'] });
    const rng = mulberry32(23);
    // Jumps are judged from the fourth day (72 hours of history, three of the same hour).
    const burst = 80 * 60 + 20;
    const out: Finding[] = [];
    for (let i = 0; i < 84 * 60; i++) {
      const m = T0 + i * MINUTE_MS;
      const volume: SensorVolumeRow[] = SENSORS.map((sensor) => ({
        minuteMs: m,
        sensor,
        kind: 'firewall',
        packets:
          Math.round(20 * (0.9 + 0.2 * rng())) +
          (sensor === 'a' && i >= burst && i < burst + 2 ? 150_000 : 0),
      }));
      out.push(...set.feed({ minuteMs: m, probes: [], backscatter: [], payloads: [], ids: [], volume }));
    }
    expect(out.map((f) => [f.phase, f.subject.sensor, f.subject.problem, f.detectedMs - T0])).toEqual([
      ['opened', 'a', 'jump', 81 * 60 * MINUTE_MS],
      ['ended', 'a', 'jump', 81 * 60 * MINUTE_MS],
    ]);
  });
});
