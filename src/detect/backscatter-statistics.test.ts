// DDoS victims below the alerting rate on the run's relational dialect (test/relational.ts), from
// hand-written backscatter findings of invented victims.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational, type TestRelational } from '../../test/relational.js';
import { AlertSink } from './alert-sink.js';
import { AlertStore } from './alerts.js';
import { BackscatterStatistics, victimStatistic } from './backscatter-statistics.js';
import type { Finding } from './finding.js';

const T0 = Date.UTC(2024, 4, 6, 3);
const M = 60_000;

function finding(
  victim: string,
  over: Partial<Finding> & { packets?: number; ratePps?: number } = {},
): Finding {
  const { packets = 12, ratePps = 4_800, ...rest } = over;
  return {
    detector: 'backscatter',
    kind: 'backscatter',
    key: `backscatter:${victim}:${T0}`,
    phase: 'opened',
    statistic: true,
    subject: { victim, attack_type: 'syn-flood', ports: ['80/tcp', '443/tcp'] },
    startMs: T0,
    detectedMs: T0 + 2 * M,
    lastMs: T0 + 3 * M,
    severity: 'low',
    title: `DDoS on ${victim} (syn-flood, 80/tcp 443/tcp): ≥ ${ratePps} replies/s`,
    evidence: { packets, addresses_hit: packets - 2, estimated_rate_pps: ratePps },
    ...rest,
  };
}

describe('BackscatterStatistics', () => {
  let store: TestRelational;
  let stats: BackscatterStatistics;
  beforeEach(async () => {
    store = await openTestRelational();
    stats = new BackscatterStatistics(store.db);
  });
  afterEach(async () => {
    await store.close();
  });

  it('keeps the latest state of each episode, the most recent first, and pages', async () => {
    await stats.record(victimStatistic(finding('192.0.2.1'))!);
    await stats.record(
      victimStatistic(finding('192.0.2.2', { key: 'backscatter:192.0.2.2', lastMs: T0 + 9 * M }))!,
    );
    await stats.record(
      victimStatistic(finding('192.0.2.1', { phase: 'updated', lastMs: T0 + 5 * M, packets: 30 }))!,
    );
    const all = await stats.page({ limit: 10 });
    expect(all.total).toBe(2);
    expect(all.victims.map((v) => [v.victim, v.packets, v.addressesHit, v.lastMs - T0])).toEqual([
      ['192.0.2.2', 12, 10, 9 * M],
      ['192.0.2.1', 30, 28, 5 * M],
    ]);
    expect(all.victims[1]).toEqual({
      episodeKey: `backscatter:192.0.2.1:${T0}`,
      victim: '192.0.2.1',
      attackType: 'syn-flood',
      ports: ['80/tcp', '443/tcp'],
      firstMs: T0,
      lastMs: T0 + 5 * M,
      packets: 30,
      addressesHit: 28,
      ratePps: 4_800,
      title: 'DDoS on 192.0.2.1 (syn-flood, 80/tcp 443/tcp): ≥ 4800 replies/s',
    });
    const first = await stats.page({ limit: 1 });
    expect(first.victims.map((v) => v.victim)).toEqual(['192.0.2.2']);
    const second = await stats.page({ limit: 1, cursor: first.nextCursor! });
    expect(second.victims.map((v) => v.victim)).toEqual(['192.0.2.1']);
    expect(second.nextCursor).toBeNull();
    expect((await stats.page({ limit: 10, victim: '192.0.2.1' })).total).toBe(1);
    expect((await stats.page({ limit: 10, sinceMs: T0 + 6 * M })).victims.map((v) => v.victim)).toEqual([
      '192.0.2.2',
    ]);
    await expect(stats.page({ limit: 1, cursor: 'nope' })).rejects.toThrow(/^cursor: not a cursor/);
  });

  it('takes only backscatter statistics, and a rate that cannot be estimated as null', () => {
    expect(victimStatistic(finding('192.0.2.1', { statistic: undefined }))).toBeNull();
    expect(victimStatistic({ ...finding('192.0.2.1'), kind: 'scan' })).toBeNull();
    const f = finding('192.0.2.1');
    expect(
      victimStatistic({ ...f, evidence: { ...f.evidence, estimated_rate_pps: null } })?.ratePps,
    ).toBeNull();
  });

  it('prunes the episodes last seen before a cut-off', async () => {
    await stats.record(victimStatistic(finding('192.0.2.1'))!);
    await stats.record(victimStatistic(finding('192.0.2.2', { key: 'b2', lastMs: T0 + 9 * M }))!);
    expect(await stats.prune(T0 + 9 * M)).toBe(1);
    expect((await stats.page({ limit: 10 })).victims.map((v) => v.victim)).toEqual(['192.0.2.2']);
  });

  it('is filled by the alert sink, and an episode that grows past the rate leaves it for an alert', async () => {
    const alerts = new AlertStore(store.db);
    const sink = new AlertSink(alerts, undefined, { backscatter: stats });
    expect(await sink.accept(finding('192.0.2.1'))).toBeNull();
    expect((await stats.page({ limit: 10 })).victims.map((v) => v.victim)).toEqual(['192.0.2.1']);
    expect(await alerts.list({})).toEqual([]);
    // The detector re-opens the episode as an alert once its rate reaches the threshold.
    const grown = finding('192.0.2.1', { statistic: undefined, severity: 'medium', ratePps: 20_000 });
    expect((await sink.accept(grown))?.change).toBe('opened');
    expect((await stats.page({ limit: 10 })).total).toBe(0);
  });
});
