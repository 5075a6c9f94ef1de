// Hand-built backscatter rows for a small fleet (1,536 addresses); no real data. A victim below the
// alerting rate is listed as data and raises no operator alert; one above it does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRelational, type RelationalDb } from '../db/index.js';
import { type BackscatterRow, type SensorVolumeRow, sketchOf } from '../observe/index.js';
import { AlertSink } from './alert-sink.js';
import { AlertStore } from './alerts.js';
import { MINUTE_MS } from './finding.js';
import { ListedFindings } from './listed-findings.js';
import { DetectorSet } from './runner.js';

const T0 = Date.UTC(2024, 2, 4);
const ADDRESSES = new Map([
  ['dark', 1024],
  ['fw1', 512],
]);

/** `packets` replies from `victim` in minute `i`, to `targets` addresses new each minute. */
function replies(victim: string, i: number, packets: number, targets: number): BackscatterRow {
  const m = T0 + i * MINUTE_MS;
  const keys = Array.from({ length: targets }, (_, k) => 0x0a000000 + i * 64 + k);
  return {
    minuteMs: m,
    victim,
    proto: 'tcp',
    port: 80,
    reply: 'syn-ack',
    packets,
    bytes: packets * 60,
    targets,
    hits: sketchOf(keys),
    blocks16: [0x0a00],
    sensors: 2,
    firstMs: m + 1_000,
    lastMs: m + 59_000,
    quoteMismatches: 0,
  };
}

describe('a DDoS victim below the alerting rate', () => {
  let db: RelationalDb;
  beforeEach(async () => {
    db = await openRelational(':memory:');
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('is listed as a statistic and raises no alert; one above the rate raises one', async () => {
    const alerts = new AlertStore(db, () => T0);
    const sink = new AlertSink(alerts);
    const listed = new ListedFindings();
    // Alerting from 100,000 replies/s (the default is 10,000): one reply a minute at 1,536 addresses
    // is ≈ 46,600/s, sixty a minute ≈ 2.8 M/s.
    const set = new DetectorSet({
      addresses: ADDRESSES,
      only: ['backscatter'],
      backscatter: { minVictimRatePps: 100_000 },
    });
    for (let i = 0; i < 120; i++) {
      const volume: SensorVolumeRow[] = [
        { minuteMs: T0 + i * MINUTE_MS, sensor: 'dark', kind: 'darknet', packets: 80 },
        { minuteMs: T0 + i * MINUTE_MS, sensor: 'fw1', kind: 'firewall', packets: 40 },
      ];
      const backscatter =
        i >= 20 && i < 40 ? [replies('192.0.2.1', i, 1, 1), replies('192.0.2.2', i, 60, 30)] : [];
      for (const f of set.feed({
        minuteMs: T0 + i * MINUTE_MS,
        probes: [],
        backscatter,
        payloads: [],
        ids: [],
        volume,
      })) {
        listed.accept(f);
        await sink.accept(f);
      }
    }
    const raised = await alerts.list({ limit: 100 });
    expect(raised.map((a) => [a.kind, a.evidence.victim])).toEqual([['backscatter', '192.0.2.2']]);
    const list = listed.list();
    expect(list.map((f) => [f.subject.victim, f.phase, f.statistic])).toEqual([['192.0.2.1', 'ended', true]]);
    expect(list[0]!.evidence.estimated_rate_pps as number).toBeLessThan(100_000);
    expect(list[0]!.evidence.addresses_hit).toBe(20);
  });
});
