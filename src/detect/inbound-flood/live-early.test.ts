// Live detection of a flood at a sensor's address before its minute ends: batches of hand-built
// detection rows (a simulated spoofed SYN flood, test/inbound-traffic.ts) served by an in-memory
// DetectionSource; the wall clock is the test's. No real data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inboundRows, spoofedSynFlood } from '../../../test/inbound-traffic.js';
import { openRelational, type RelationalDb } from '../../db/index.js';
import type {
  DetectionFamily,
  DetectionRange,
  DetectionRowsByFamily,
  DetectionSource,
  SensorVolumeRow,
} from '../../observe/index.js';
import { AlertStore } from '../alerts.js';
import { type Finding, MINUTE_MS } from '../finding.js';
import { type LiveDetection, startLiveDetection } from '../live.js';

const T0 = Date.UTC(2024, 4, 1, 10);
const at = (i: number) => T0 + i * MINUTE_MS;

type Rows = { [F in DetectionFamily]?: DetectionRowsByFamily[F][] };

/** Batches of rows after ingest; a range of batches reads the rows they hold. */
class BatchSource implements DetectionSource {
  readonly batches: Rows[] = [];

  async detectionRows<F extends DetectionFamily>(family: F, range: DetectionRange) {
    const out: DetectionRowsByFamily[F][] = [];
    this.batches.forEach((b, i) => {
      const inRange = 'afterBatch' in range ? i + 1 > range.afterBatch && i + 1 <= range.upToBatch : true;
      for (const r of (b[family] ?? []) as DetectionRowsByFamily[F][]) {
        if (inRange && ('afterBatch' in range || (r.minuteMs >= range.fromMs && r.minuteMs < range.toMs)))
          out.push(r);
      }
    });
    return out;
  }

  async latestBatch() {
    return this.batches.length;
  }

  async rawTimeRange() {
    return null;
  }
}

const volume = (i: number, packets: number): SensorVolumeRow[] => [
  { minuteMs: at(i), sensor: 'fw1', kind: 'firewall', packets },
];

describe('live inbound-flood detection', () => {
  let db: RelationalDb;
  let live: LiveDetection | undefined;
  let wall = 0;

  beforeEach(async () => {
    db = await openRelational(':memory:');
  });
  afterEach(async () => {
    await live?.stop();
    live = undefined;
    await db.destroy();
  });

  it('opens the alert at the poll that reads the flood’s first seconds, and one alert only for the whole minute', async () => {
    const source = new BatchSource();
    const alerts = new AlertStore(db, () => wall);
    const findings: Finding[] = [];
    live = await startLiveDetection({
      source,
      alerts,
      detectors: { only: ['inbound-flood'] },
      intervalMs: 1_000_000_000,
      now: () => wall,
      settleMs: 20_000,
      warmupMs: 0,
      onFinding: (f) => findings.push(f),
      onError: (e) => {
        throw e;
      },
    });
    // 12,000 forged SYNs at 203.0.113.9:80 from 10:00:05 for 30 s; the agent ships every 10 s.
    const flood = spoofedSynFlood(11, '203.0.113.9', 80, 12_000, at(0) + 5_000, 30_000);
    const shipped = (from: number, to: number) => flood.filter((p) => p.timeMs >= from && p.timeMs < to);
    wall = at(0) + 16_000;
    source.batches.push({
      'sensor-volume': volume(0, 4_400),
      inbound: inboundRows(shipped(at(0), at(0) + 15_000), 'fw1'),
    });
    await live.poll();
    // Minute 10:00 is still in progress (no later minute delivered; the watermark stays before it):
    // judged early, from 10 s of rows.
    expect(live.stats().watermarkMs).toBe(at(-1));
    expect(findings.map((f) => [f.phase, f.subject.signature, f.startMs, f.detectedMs])).toEqual([
      ['opened', 'spoofed-syn-flood', at(0) + 5_000, at(0) + 14_997],
    ]);
    expect((await alerts.list({ limit: 10 })).map((a) => a.firstMs)).toEqual([at(0) + 14_997]);
    // The rest of the minute, then minute 10:01 settles it: the complete minute updates the alert.
    wall = at(0) + 40_000;
    source.batches.push({
      'sensor-volume': volume(0, 7_600),
      inbound: inboundRows(shipped(at(0) + 15_000, at(1)), 'fw1'),
    });
    await live.poll();
    wall = at(1) + 30_000;
    source.batches.push({ 'sensor-volume': volume(1, 60) });
    await live.poll();
    wall = at(1) + 55_000;
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(1));
    expect(findings.map((f) => [f.phase, f.evidence.packets])).toEqual([
      ['opened', 0],
      ['updated', 12_000],
    ]);
    const list = await alerts.list({ limit: 10 });
    expect(list).toHaveLength(1);
    expect(list[0]!.evidence).toMatchObject({ packets: 12_000, minutes: 1, phase: 'updated' });
  });
});
