import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('fills the documented defaults: 57 sensors, 30 days from 2006-08-01 JST, rate 5000, all formats', () => {
    const o = resolveOptions({ outDir: 'x' });
    expect(o).toMatchObject({ sensors: 57, days: 30, seed: 1, ratePerSensorPerDay: 5000, episodes: 1 });
    expect(new Date(o.startMs).toISOString()).toBe('2006-07-31T15:00:00.000Z');
    expect(o.endMs - o.startMs).toBe(30 * 86_400_000);
    expect(o.formats).toEqual(['iptables', 'eve', 'pcap']);
    expect(o.warmupDays).toBe(7);
    expect(o.scenarios).toEqual([]);
  });

  it('expands `all` into every scenario once', () => {
    const o = resolveOptions({ outDir: 'x', scenarios: ['scan', 'all'] });
    expect(o.scenarios.map((r) => r.kind)).toEqual([
      'scan',
      'port-surge',
      'backscatter',
      'worm-outbreak',
      'messenger-spam',
      'botnet-infection',
      'sensor-outage',
      'inbound-flood',
    ]);
  });

  it('rejects unknown scenarios and formats, and bad numbers, as usage errors', () => {
    expect(() => resolveOptions({ outDir: 'x', scenarios: ['ddos' as 'scan'] })).toThrow(
      /unknown scenario "ddos"/,
    );
    expect(() => resolveOptions({ outDir: 'x', formats: ['csv' as 'eve'] })).toThrow(/unknown format/);
    expect(() => resolveOptions({ outDir: 'x', seed: -1 })).toThrow(/--seed/);
    expect(() => resolveOptions({ outDir: 'x', days: 0 })).toThrow(/--days/);
    expect(() => resolveOptions({ outDir: 'x', start: '2006-13-01' })).toThrow(/invalid date/);
  });
});
