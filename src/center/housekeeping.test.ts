/**
 * The center's periodic work: each task on its own interval until stopped (fake timers), and one
 * housekeeping round over a real center at a given time — a silent sensor raises one alert and
 * one notification; ended episodes are closed only by the node that runs the detectors; the scanner
 * list and backscatter statistics are pruned with the raw events' retention.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY_MS, HOUR_MS } from '../core/index.js';
import type { AlertChange, Notifier } from '../detect/index.js';
import { housekeepingRound, housekeepingTasks, schedule } from './housekeeping.js';
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
    void tasks.stop();
    vi.advanceTimersByTime(60_000);
    expect(runs).toHaveLength(7);
  });

  it('resolves stop only once the runs in flight have finished (before the stores close)', async () => {
    vi.useFakeTimers();
    let finish: () => void = () => {};
    const tasks = schedule([
      { everyMs: 1000, run: () => new Promise<void>((resolve) => (finish = resolve)) },
    ]);
    vi.advanceTimersByTime(1000);
    let stopped = false;
    const stopping = tasks.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
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

  it('prunes the scanners and backscatter statistics last seen before the retention cut-off', async () => {
    // koban.json keeps retentionDays at its default, 90: the cut-off is 90 days before the clock.
    const nowMs = Date.UTC(2026, 5, 1);
    const cutoff = nowMs - 90 * DAY_MS;
    for (const [source, lastMs] of [
      ['192.0.2.1', cutoff - 1],
      ['192.0.2.2', cutoff],
    ] as const) {
      await center.scanners.record({
        source,
        episodeKey: `scan:${source}`,
        firstMs: lastMs - HOUR_MS,
        lastMs,
        type: 'horizontal',
        reach: 40,
        distinctPorts: 1,
        packets: 40,
        ports: ['445/tcp'],
        sensors: ['fw-a'],
        country: 'NL',
        asn: 64512,
        tags: [],
        alertReasons: [],
      });
      await center.backscatter.record({
        episodeKey: `backscatter:${source}`,
        victim: source,
        attackType: 'syn-flood',
        ports: ['80/tcp'],
        firstMs: lastMs - HOUR_MS,
        lastMs,
        packets: 12,
        addressesHit: 9,
        ratePps: 1200,
        title: `DDoS on ${source}`,
      });
    }
    await housekeepingRound(center, { notifier, leaseHeld: () => false, now: () => nowMs }, HOUR_MS);
    expect((await center.scanners.list()).map((s) => s.source)).toEqual(['192.0.2.2']);
    // Its ports go with it: the search by port finds only the one kept.
    expect((await center.scanners.list({ port: 445 })).map((s) => s.source)).toEqual(['192.0.2.2']);
    const kept = await center.db.selectFrom('scanner_ports').select('source').execute();
    expect(kept.map((r) => r.source)).toEqual(['192.0.2.2']);
    expect((await center.backscatter.page({ limit: 10 })).victims.map((v) => v.victim)).toEqual([
      '192.0.2.2',
    ]);
  });
});

describe('the federation pulls in the schedule', () => {
  it('are a task only when koban.json names a peer to pull from, and a failing pull does not throw into the schedule', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koban-housekeeping-fed-'));
    const pull = {
      apiRoot: 'http://127.0.0.1:9/taxii2/koban/',
      collection: 'c0ffee00-0000-5000-8000-000000000001',
      tokenEnv: 'KOBAN_TEST_UNSET_PEER_TOKEN',
    };
    const deps = { notifier: null, leaseHeld: () => false };
    try {
      writeFileSync(
        join(dataDir, 'koban.json'),
        JSON.stringify({ federation: { peers: [{ name: 'center-b', org: 'Center B', publish: {} }] } }),
      );
      let center = await openCenter({ dataDir, logLevel: 'silent' });
      expect(housekeepingTasks(center, deps, { federationTickMs: 5000 }).map((t) => t.everyMs)).toEqual([
        60_000,
        HOUR_MS,
        15_000,
      ]);
      await center.close();
      writeFileSync(
        join(dataDir, 'koban.json'),
        JSON.stringify({ federation: { peers: [{ name: 'center-b', org: 'Center B', pull }] } }),
      );
      center = await openCenter({ dataDir, logLevel: 'silent' });
      try {
        const tasks = housekeepingTasks(center, deps, { federationTickMs: 5000 });
        expect(tasks.map((t) => t.everyMs)).toEqual([60_000, HOUR_MS, 15_000, 5000]);
        // No "Center B" organisation yet: the pull fails, is logged and waits its back-off.
        await expect(tasks[3]!.run()).resolves.toBeUndefined();
      } finally {
        await center.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
