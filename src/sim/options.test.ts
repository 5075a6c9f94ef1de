import { describe, expect, it } from 'vitest';
import { dailyCycleProfile } from './background.js';
import { DEFAULT_HOUR_OF_DAY } from './background-defaults.js';
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

describe('the daily cycle', () => {
  it('keeps the default evening shape unless another is asked for', () => {
    const o = resolveOptions({ outDir: 'x' });
    expect(o.dailyCycle).toBeNull();
    expect(o.background.hourOfDay).toBe(DEFAULT_HOUR_OF_DAY);
    expect(resolveOptions({ outDir: 'x', dailyCycle: { shape: 'evening' } }).background.hourOfDay).toEqual(
      DEFAULT_HOUR_OF_DAY,
    );
  });

  it('steps the working day up `ratio` times from 09:00 to 18:00, every day', () => {
    const o = resolveOptions({ outDir: 'x', dailyCycle: { shape: 'working-day' } });
    expect(o.dailyCycle).toEqual({ shape: 'working-day' });
    expect(o.background.hourOfDay).toEqual([
      1, 1, 1, 1, 1, 1, 1, 1, 1, 2.3, 2.3, 2.3, 2.3, 2.3, 2.3, 2.3, 2.3, 2.3, 1, 1, 1, 1, 1, 1,
    ]);
    expect(dailyCycleProfile({ shape: 'working-day', ratio: 3 })[9]).toBe(3);
    expect(dailyCycleProfile({ shape: 'flat' })).toEqual(new Array(24).fill(1));
  });

  it('stretches the evening shape to a given busiest/quietest ratio', () => {
    const p = dailyCycleProfile({ shape: 'evening', ratio: 3 });
    expect(Math.max(...p) / Math.min(...p)).toBeCloseTo(3, 10);
    // The busiest and the quietest hours stay where they were (22 h and 5 h).
    expect(p.indexOf(Math.max(...p))).toBe(22);
    expect(p.indexOf(Math.min(...p))).toBe(5);
  });

  it('rejects a ratio below 1 and a cycle given together with hourOfDay, as usage errors', () => {
    expect(() => resolveOptions({ outDir: 'x', dailyCycle: { shape: 'working-day', ratio: 0.5 } })).toThrow(
      /ratio must be a number ≥ 1/,
    );
    expect(() =>
      resolveOptions({
        outDir: 'x',
        dailyCycle: { shape: 'flat' },
        background: { hourOfDay: new Array(24).fill(1) },
      }),
    ).toThrow(/not both/);
  });
});
