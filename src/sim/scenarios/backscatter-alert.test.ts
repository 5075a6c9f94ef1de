// The simulator's truth agrees with the detector on what deserves an alert: a backscatter victim
// replying below the default minVictimRatePps is a statistic (`alert: false`). Planning only.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_VICTIM_RATE_PPS } from '../../core/index.js';
import { buildTruth } from '../documents.js';
import { buildRun } from '../generate.js';
import { resolveOptions } from '../options.js';

describe('backscatter truth', () => {
  it('marks victims below the alerting rate as statistics and the others as alerts', () => {
    const run = buildRun(
      resolveOptions({
        sensors: 57,
        days: 14,
        ratePerSensorPerDay: 1000,
        outDir: '/nonexistent',
        seed: 3,
        scenarios: [
          { kind: 'backscatter', episodes: 6, strength: 0 },
          { kind: 'backscatter', episodes: 6, strength: 1 },
        ],
      }),
    );
    const truth = buildTruth(
      run,
      run.plans.map(() => ({ events: 0, alerts: 0, sensors: [], sources: [] })),
    );
    const rows = truth.episodes.map((e) => [e.magnitude >= DEFAULT_MIN_VICTIM_RATE_PPS, e.alert]);
    for (const [above, alert] of rows) expect(alert).toBe(above);
    // Both kinds occur: weak, long floods fall below the rate, strong ones do not.
    expect(rows.some(([, a]) => a === false)).toBe(true);
    expect(rows.some(([, a]) => a === true)).toBe(true);
  });
});
