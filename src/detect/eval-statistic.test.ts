// Scoring against a truth that lists some episodes as statistics (`alert: false`, e.g. a DDoS victim
// below the alerting rate): hand-made alerts and truth, no real data.
import { describe, expect, it } from 'vitest';
import type { OperatorAlert } from './alerts.js';
import { scoreAlerts, type TruthEpisodeLike } from './eval.js';

const T0 = Date.UTC(2024, 9, 1, 10);
const iso = (ms: number) => new Date(ms).toISOString();

const victim = (id: string, v: string, alert: boolean): TruthEpisodeLike => ({
  id,
  kind: 'backscatter',
  start: iso(T0),
  end: iso(T0 + 3_600_000),
  strength: 0.1,
  magnitude: alert ? 50_000 : 2_000,
  alert,
  subject: { victim: v },
  observed: { events: 12, alerts: 0, sources: 1 },
});

const raised = (id: number, v: string): OperatorAlert => ({
  id,
  kind: 'backscatter',
  dedupKey: `backscatter:${v}:${T0}`,
  severity: 'medium',
  title: `DDoS on ${v}`,
  status: 'open',
  firstMs: T0 + 300_000,
  lastMs: T0 + 600_000,
  updatedMs: T0 + 600_000,
  evidence: { detector: 'backscatter', subject: { victim: v }, detected_ms: T0 + 300_000 },
  ackedBy: null,
  ackedMs: null,
  closedBy: null,
  closedMs: null,
});

describe('scoreAlerts with statistics in the truth', () => {
  it('neither expects an alert for a statistic nor counts one raised for it as false', () => {
    const truth = {
      episodes: [
        victim('b1', '198.51.100.1', true),
        victim('b2', '198.51.100.2', false),
        victim('b3', '198.51.100.3', false),
      ],
    };
    // b1 alerted (true positive), b2 alerted although below the rate (explained), b3 listed only.
    const s = scoreAlerts([raised(1, '198.51.100.1'), raised(2, '198.51.100.2')], truth).find(
      (x) => x.name === 'backscatter',
    )!;
    expect(s).toMatchObject({ tp: 1, fp: 0, fn: 0, episodes: 1, explained: 1, precision: 1, recall: 1 });
    expect(s.missed).toEqual([]);
  });
});
