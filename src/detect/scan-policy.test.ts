// The scan alert policy (docs/methods.md#what-deserves-an-alert) through the scan detector and the
// alert sink, on hand-built probe rows from invented sources against invented address blocks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRelational, type RelationalDb } from '../db/index.js';
import type { ProbeRow } from '../observe/index.js';
import { AlertSink } from './alert-sink.js';
import { AlertStore } from './alerts.js';
import { DAY_MS, type Finding, MINUTE_MS, type MinuteRows } from './finding.js';
import { DetectorSet } from './runner.js';
import type { ScanOptions } from './scan.js';
import { ScannerStore } from './scanners.js';

const T0 = Date.UTC(2024, 4, 6, 3);
const SENSORS = ['s1', 's2', 's3', 's4'];

/** The i-th monitored address: 198.18.<i / 256>.<i % 256>; sensor by the third octet. */
const addr = (i: number) => `198.18.${i >> 8}.${i & 255}`;

function probe(m: number, src: string, i: number, port = 445): ProbeRow {
  return {
    minuteMs: m,
    sensor: SENSORS[(i >> 8) % 4]!,
    kind: 'firewall',
    proto: 'tcp',
    port,
    src,
    dst: addr(i),
    country: 'NL',
    asn: 64512,
    packets: 1,
    udpPayload: false,
  };
}

/** Feeds `minutes` minutes from `startMs` to a scan-only detector set; returns its findings. */
function feed(
  set: DetectorSet,
  startMs: number,
  minutes: number,
  probesAt: (i: number, m: number) => ProbeRow[],
): Finding[] {
  const out: Finding[] = [];
  // Days apart: the detectors see the time between as missing, not as quiet.
  set.skipTo(startMs);
  for (let i = 0; i < minutes; i++) {
    const m = startMs + i * MINUTE_MS;
    const rows: MinuteRows = {
      minuteMs: m,
      probes: probesAt(i, m),
      backscatter: [],
      payloads: [],
      ids: [],
      volume: SENSORS.map((sensor) => ({ minuteMs: m, sensor, kind: 'firewall', packets: 30 })),
    };
    out.push(...set.feed(rows));
  }
  return out;
}

/** Four /24s (1,024 addresses: a large campaign reaches max(64, 103) = 103 of them). */
const SMALL_FLEET = new Map(SENSORS.map((s) => [s, 256]));

const scanSet = (scan: Partial<ScanOptions> = {}, addresses = SMALL_FLEET) =>
  new DetectorSet({ addresses, only: ['scan'], scan });

/** `n` new addresses from `first`, `perMinute` a minute, on `port`. */
const sweep =
  (src: string, first: number, n: number, perMinute: number, port = 445) =>
  (i: number, m: number): ProbeRow[] => {
    const out: ProbeRow[] = [];
    for (let k = i * perMinute; k < Math.min(n, (i + 1) * perMinute); k++)
      out.push(probe(m, src, first + k, port));
    return out;
  };

const alerting = (fs: readonly Finding[]) => fs.filter((f) => f.alert !== false);

describe('scan alert policy', () => {
  let db: RelationalDb;
  beforeEach(async () => {
    db = await openRelational(':memory:');
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('raises no alert for many small background scanners, and keeps every one of them as data', async () => {
    const set = scanSet();
    // 30 worm-like hosts, each sweeping 40 addresses of its own on 445/tcp (a scanner from 32).
    const fs = feed(set, T0, 200, (i, m) =>
      Array.from({ length: 30 }, (_, h) => sweep(`192.0.2.${h + 1}`, h * 30, 40, 4)(i, m)).flat(),
    );
    expect(new Set(fs.filter((f) => f.phase === 'opened').map((f) => f.subject.source)).size).toBe(30);
    expect(alerting(fs)).toEqual([]);
    expect(new Set(fs.map((f) => f.severity))).toEqual(new Set(['low']));
    const alerts = new AlertStore(db);
    const scanners = new ScannerStore(db);
    const sink = new AlertSink(alerts, undefined, { scanners });
    for (const f of fs) expect(await sink.accept(f)).toBeNull();
    expect(await alerts.list()).toEqual([]);
    const page = await scanners.page({ limit: 100 });
    expect(page.total).toBe(30);
    expect(page.scanners[0]).toMatchObject({
      reach: 40,
      distinctPorts: 1,
      ports: ['445/tcp'],
      alertReasons: [],
    });
  });

  it('alerts on a large new campaign when it crosses the threshold, and not on the same source again within a week', () => {
    const set = scanSet();
    const src = '203.0.113.7';
    // A day watched first: the background's reach is known (scan-background.ts).
    feed(set, T0 - DAY_MS, 24 * 60, () => []);
    const fs = feed(set, T0, 120, sweep(src, 0, 150, 5));
    const first = alerting(fs);
    expect(first.map((f) => f.phase)).toEqual(['updated', 'ended']);
    const f = first[0]!;
    // The 103rd address arrives in minute 20 (5 a minute from minute 0: 105 by its end).
    expect(f.detectedMs).toBe(T0 + 21 * MINUTE_MS);
    expect(f.severity).toBe('medium');
    expect(f.title).toBe(`Large new scan campaign from ${src} (horizontal): 105 addresses on 445/tcp`);
    expect(f.evidence.alert_rules).toEqual(['large-campaign']);
    expect(f.evidence.alert_reasons).toEqual([
      'large new campaign: 105 of 1024 monitored addresses (threshold 103)',
    ]);
    // Before it was large, the same episode was data only.
    expect(fs.filter((x) => x.alert === false && x.key === f.key).map((x) => x.phase)).toEqual([
      'opened',
      'updated',
    ]);
    // Two days later the same source sweeps again: a recurring scanner, not a new campaign.
    const again = feed(set, T0 + 2 * DAY_MS, 120, sweep(src, 0, 150, 5));
    expect(again.some((x) => x.phase === 'opened')).toBe(true);
    expect(alerting(again)).toEqual([]);
    // Eight days after that one, it is new again.
    const later = feed(set, T0 + 10 * DAY_MS, 120, sweep(src, 0, 150, 5));
    expect(alerting(later)[0]?.evidence.alert_rules).toEqual(['large-campaign']);
  });

  it('alerts on a small scan that reaches the registered domestic blocks, not on one that misses them', () => {
    const set = scanSet({ policy: { domesticBlocks: ['198.18.2.0/24'] } });
    // 40 addresses from 198.18.1.236: 20 in 198.18.1.x, 20 in the domestic 198.18.2.x.
    const fs = feed(set, T0, 100, (i, m) => [
      ...sweep('192.0.2.10', 492, 40, 4)(i, m),
      ...sweep('192.0.2.11', 0, 40, 4)(i, m),
    ]);
    const hit = alerting(fs);
    expect(new Set(hit.map((f) => f.subject.source))).toEqual(new Set(['192.0.2.10']));
    expect(hit[0]!.title).toBe(
      'Scan of the domestic space from 192.0.2.10 (horizontal): 32 addresses on 445/tcp',
    );
    expect(hit.at(-1)!.evidence.alert_reasons).toEqual([
      'domestic space: 20 addresses in the registered domestic blocks',
    ]);
    expect(hit[0]!.severity).toBe('medium');
  });

  it('alerts high on a scan that reaches a registered critical-infrastructure block', () => {
    const set = scanSet({ policy: { criticalBlocks: [{ name: 'water utility', cidr: '198.18.3.16/28' }] } });
    const fs = feed(set, T0, 100, sweep('192.0.2.20', 3 * 256, 40, 4));
    const hit = alerting(fs);
    expect(hit[0]).toMatchObject({
      severity: 'high',
      title: 'Scan of critical infrastructure from 192.0.2.20 (horizontal): 32 addresses on 445/tcp',
    });
    expect(hit.at(-1)!.evidence.alert_reasons).toEqual(['critical infrastructure: 16 in water utility']);
  });

  it('tags a source of the known-scanner list and never alerts on it, however large its sweep', () => {
    const set = scanSet({
      policy: {
        knownScanners: [{ cidr: '203.0.113.0/24', name: 'research scan project' }],
        criticalBlocks: [{ name: 'grid', cidr: '198.18.0.0/22' }],
      },
    });
    const fs = feed(set, T0, 300, sweep('203.0.113.40', 0, 1000, 5));
    expect(alerting(fs)).toEqual([]);
    const last = fs.at(-1)!;
    expect(last.evidence.tags).toEqual(['research scan project']);
    expect(last.record).toMatchObject({ tags: ['research scan project'], reach: 1000, alertReasons: [] });
  });

  it('alerts on rapid growth: a slow scanner whose next hour reaches four times as many addresses', () => {
    // 16,384 addresses: a large campaign is 1,639, growth needs 820 new addresses in an hour.
    const big = new Map(SENSORS.map((s) => [s, 4096]));
    const set = scanSet({ shareOfMonitored: { 60: 0.001 }, minTargets: 20 }, big);
    const src = '192.0.2.77';
    // One new address a minute for 140 minutes, then 15 a minute for an hour.
    const fs = feed(set, T0, 260, (i, m) => {
      if (i < 140) return [probe(m, src, i)];
      if (i < 200) return Array.from({ length: 15 }, (_, k) => probe(m, src, 140 + (i - 140) * 15 + k));
      return [];
    });
    const hit = alerting(fs);
    expect(hit[0]).toMatchObject({ phase: 'updated', detectedMs: T0 + 200 * MINUTE_MS, severity: 'medium' });
    expect(hit[0]!.title).toBe(`Fast-growing scan from ${src} (horizontal): 1040 addresses on 445/tcp`);
    expect(hit[0]!.evidence.alert_reasons).toEqual([
      'rapid growth: 900 new targets in the last hour after 60 in the hour before',
    ]);
    // The episode was data for its first three hours.
    expect(fs.filter((f) => f.alert === false).length).toBeGreaterThan(10);
  });

  it('learns how far the background reaches: no alert for a busy background host, a fast campaign still found', () => {
    // 1,024 addresses: the constant threshold is 103. A background host reaches 12 new addresses
    // an hour on 1433/tcp, every hour, from the start, and probes each on a new high port too: 103
    // addresses after about 9 hours, 100 ports a little earlier. Before: "Large new scan
    // campaign" on the first day, and again on every later day its episode went on.
    const set = scanSet();
    const busy = (i: number, m: number) => {
      const k = Math.floor(i / 5);
      if (i % 5 === 0) return [probe(m, '192.0.2.99', k % 1024, 1433)];
      return i % 5 === 2 ? [probe(m, '192.0.2.99', k % 1024, 1024 + (k % 60000))] : [];
    };
    const fs = feed(set, T0, 3 * 24 * 60, busy);
    expect(fs.some((f) => f.subject.source === '192.0.2.99')).toBe(true);
    expect(alerting(fs)).toEqual([]);
    // A campaign of 150 addresses in 30 minutes on day 4, with the host still busy: large.
    const camp = sweep('203.0.113.8', 0, 150, 5);
    const more = feed(set, T0 + 3 * DAY_MS, 60, (i, m) => [...busy(i, m), ...camp(i, m)]);
    const hit = alerting(more);
    expect(new Set(hit.map((f) => f.subject.source))).toEqual(new Set(['203.0.113.8']));
    // Three times the background's rate over its first hour, below the constant. The rate is 17,
    // not 12: a host's episode starts when it passes the scanner test, with 32 addresses reached.
    expect(hit[0]!.evidence.alert_reasons).toEqual([
      "large new campaign: 105 of 1024 monitored addresses (threshold 103; the background's scanners reach 17 an hour)",
    ]);
  });
});
