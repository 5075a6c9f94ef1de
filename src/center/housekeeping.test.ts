/**
 * The center's periodic work: each task on its own interval until stopped (fake timers), and one
 * housekeeping round over a real center at a given time — a silent sensor raises one alert and
 * one notification; ended episodes are closed only by the node that runs the detectors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HOUR_MS } from '../core/index.js';
import type { AlertChange, Notifier } from '../detect/index.js';
import { housekeepingRound, schedule } from './housekeeping.js';
import { type Center, openCenter } from './wiring.js';

describe('the housekeeping schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each task on its own interval, and none after stop', () => {
    vi.useFakeTimers();
    const runs: string[] = [];
    const tasks = schedule([
      { everyMs: 1000, run: async () => void runs.push('a') },
      { everyMs: 2500, run: async () => void runs.push('b') },
    ]);
    vi.advanceTimersByTime(5000);
    expect(runs).toEqual(['a', 'a', 'b', 'a', 'a', 'a', 'b']);
    tasks.stop();
    vi.advanceTimersByTime(60_000);
    expect(runs).toHaveLength(7);
  });
});

describe('a housekeeping round', () => {
  let dataDir: string;
  let center: Center;
  const notified: AlertChange[] = [];
  const notifier: Notifier = {
    notify: async (c) => {
      notified.push(c);
      return [];
    },
    close: () => undefined,
  };
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'koban-housekeeping-'));
    writeFileSync(join(dataDir, 'koban.json'), JSON.stringify({ detection: { closeEndedAfterHours: 1 } }));
    center = await openCenter({ dataDir, logLevel: 'silent' });
    notified.length = 0;
  });
  afterEach(async () => {
    await center.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('raises one alert for a sensor silent past the threshold, and tells the operators once', async () => {
    await center.registry.add({ name: 'fw-quiet' });
    const later = Date.now() + 2 * HOUR_MS;
    const deps = { notifier, leaseHeld: () => false, now: () => later };
    await housekeepingRound(center, deps, HOUR_MS);
    await housekeepingRound(center, deps, HOUR_MS);
    const alerts = await center.alerts.list({ kind: 'sensor-silent' });
    expect(alerts.map((a) => [a.status, a.evidence.sensor])).toEqual([['open', 'fw-quiet']]);
    expect(notified.map((c) => [c.change, c.alert.id])).toEqual([['opened', alerts[0]!.id]]);
  });

  it('closes the alerts of ended episodes only where the detectors run', async () => {
    const { alert } = await center.alerts.raise({
      kind: 'backscatter',
      dedupKey: 'backscatter:192.0.2.80',
      severity: 'high',
      title: 'DDoS on 192.0.2.80',
      atMs: Date.now(),
      evidence: { phase: 'ended' },
    });
    const later = () => Date.now() + 2 * HOUR_MS;
    await housekeepingRound(center, { notifier, leaseHeld: () => false, now: later }, HOUR_MS);
    expect((await center.alerts.get(alert.id))?.status).toBe('open');
    await housekeepingRound(center, { notifier, leaseHeld: () => true, now: later }, HOUR_MS);
    expect(await center.alerts.get(alert.id)).toMatchObject({
      status: 'closed',
      closedBy: 'koban (episode ended)',
    });
  });
});
