// Hand-built detection rows delivered in simulated batches by an in-memory DetectionSource (a
// small fleet's volume and a simulated SYN flood's backscatter); no real data.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hitsOf } from '../../test/backscatter-hits.js';
import { openRelational, type RelationalDb } from '../db/index.js';
import type {
  BackscatterRow,
  DetectionFamily,
  DetectionRange,
  DetectionRowsByFamily,
  DetectionSource,
  SensorVolumeRow,
} from '../observe/index.js';
import { AlertStore } from './alerts.js';
import { type Finding, HOUR_MS, MINUTE_MS } from './finding.js';
import { type LiveDetection, startLiveDetection } from './live.js';

const T0 = Date.UTC(2024, 11, 2, 8);
const at = (i: number) => T0 + i * MINUTE_MS;
const ADDRESSES = new Map([
  ['s1', 512],
  ['s2', 512],
]);

type Rows = { [F in DetectionFamily]?: DetectionRowsByFamily[F][] };

/** Batches of rows, as the event store would hold them after ingest. */
class FakeStore implements DetectionSource {
  readonly batches: Rows[] = [];
  queries: DetectionRange[] = [];

  add(rows: Rows): void {
    this.batches.push(rows);
  }

  async detectionRows<F extends DetectionFamily>(family: F, range: DetectionRange) {
    this.queries.push(range);
    const out: DetectionRowsByFamily[F][] = [];
    this.batches.forEach((b, i) => {
      const id = i + 1;
      for (const r of (b[family] ?? []) as DetectionRowsByFamily[F][]) {
        if (
          'afterBatch' in range
            ? id > range.afterBatch && id <= range.upToBatch
            : r.minuteMs >= range.fromMs && r.minuteMs < range.toMs
        )
          out.push(r);
      }
    });
    return out;
  }

  async latestBatch() {
    return this.batches.length;
  }

  async rawTimeRange() {
    const ms = this.batches.flatMap((b) => (b['sensor-volume'] ?? []).map((r) => r.minuteMs));
    return ms.length === 0 ? null : { firstMs: Math.min(...ms), lastMs: Math.max(...ms) + 30_000 };
  }
}

const volume = (i: number): SensorVolumeRow[] => [
  { minuteMs: at(i), sensor: 's1', kind: 'firewall', packets: 40 },
  { minuteMs: at(i), sensor: 's2', kind: 'darknet', packets: 60 },
];

const synAck = (i: number): BackscatterRow => ({
  minuteMs: at(i),
  victim: '198.51.100.10',
  proto: 'tcp',
  port: 443,
  reply: 'syn-ack',
  packets: 40,
  bytes: 2400,
  ...hitsOf(25, at(i)),
  sensors: 2,
  firstMs: at(i),
  lastMs: at(i) + 59_000,
  quoteMismatches: 0,
});

/** Volume for minutes [from, to), with the flood in [floodFrom, floodTo). */
function rows(from: number, to: number, floodFrom = 0, floodTo = 0): Rows {
  const v: SensorVolumeRow[] = [];
  const b: BackscatterRow[] = [];
  for (let i = from; i < to; i++) {
    v.push(...volume(i));
    if (i >= floodFrom && i < floodTo) b.push(synAck(i));
  }
  return { 'sensor-volume': v, backscatter: b };
}

describe('startLiveDetection', () => {
  let db: RelationalDb;
  let alerts: AlertStore;
  let live: LiveDetection | undefined;
  let store: FakeStore;
  let wall: number;
  const findings: Finding[] = [];

  // settleMs 0 unless a test says otherwise: the wall clock here only moves when a test moves it.
  const start = (o: { warmupMs?: number; waitForStreams?: boolean; settleMs?: number } = {}) =>
    startLiveDetection({
      source: store,
      alerts,
      detectors: { addresses: ADDRESSES, only: ['backscatter'] },
      intervalMs: 1_000_000_000,
      now: () => wall,
      settleMs: 0,
      onFinding: (f) => findings.push(f),
      onError: (e) => {
        throw e;
      },
      ...o,
    });

  beforeEach(async () => {
    db = await openRelational(':memory:');
    alerts = new AlertStore(db, () => wall);
    store = new FakeStore();
    wall = at(30);
    findings.length = 0;
  });
  afterEach(async () => {
    await live?.stop();
    live = undefined;
    await db.destroy();
  });

  it('feeds every minute both sensors have moved past, and counts late rows', async () => {
    live = await start();
    expect(live.stats()).toMatchObject({ cursor: 0, watermarkMs: null, lateRows: 0 });
    store.add(rows(0, 11));
    await live.poll();
    // Both sensors have delivered minute 10: minutes up to 9 are complete and fed.
    expect(live.stats()).toMatchObject({ cursor: 1, watermarkMs: at(10), lateRows: 0, futureRows: 0 });
    // A batch with rows for minutes 3 and 9 (already fed: late), 10 (in time) and 13.
    store.add({
      'sensor-volume': [...volume(3), ...volume(9), ...volume(10), ...volume(13)],
      backscatter: [synAck(4)],
    });
    await live.poll();
    expect(live.stats()).toMatchObject({ cursor: 2, watermarkMs: at(13), lateRows: 5 });
    // Nothing new: nothing changes.
    await live.poll();
    expect(live.stats()).toMatchObject({ cursor: 2, watermarkMs: at(13), lateRows: 5 });
  });

  it('waits for a sensor that lags within the grace, not for one quiet for longer', async () => {
    live = await start();
    wall = at(12);
    // s1 has delivered up to minute 10, s2 only up to minute 9: minute 9 is not complete yet.
    const v = rows(0, 11)['sensor-volume']!.filter((r) => !(r.sensor === 's2' && r.minuteMs === at(10)));
    store.add({ 'sensor-volume': v });
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(9));
    // s2 delivers minute 10: minutes up to 9 are fed.
    store.add({ 'sensor-volume': volume(10).slice(1) });
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(10));
    // s2 falls silent after minute 10 while s1 goes on to minute 16: s2 is waited for until the
    // grace (2 minutes) has passed, then minutes go on without it.
    wall = at(20);
    store.add({ 'sensor-volume': [11, 12, 13, 14, 15, 16].map((i) => volume(i)[0]!) });
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(16));
    expect(live.stats().lateRows).toBe(0);
  });

  it('tells streams of one sensor apart: its IDS log lagging holds the minute', async () => {
    live = await start();
    wall = at(12);
    // s1's firewall log and s2 have reached minute 10, s1's IDS log only minute 9.
    store.add({
      'sensor-volume': [
        ...rows(0, 11)['sensor-volume']!,
        ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({
          minuteMs: at(i),
          sensor: 's1',
          kind: 'ids' as const,
          packets: 3,
        })),
      ],
    });
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(9));
  });

  it('counts a stream past a minute only once its later minute has settled (out-of-order segments)', async () => {
    live = await start({ settleMs: 20_000 });
    wall = at(11);
    store.add(rows(0, 11));
    await live.poll();
    // Minute 10 has just been seen: not settled, so only the grace counts.
    expect(live.stats().watermarkMs).toBe(at(9));
    // s1's retried segment with more of minute 9 arrives 10 s later: in time.
    wall += 10_000;
    store.add({ 'sensor-volume': volume(9).slice(0, 1) });
    await live.poll();
    expect(live.stats().lateRows).toBe(0);
    // 20 s after minute 10 was first seen, minutes up to 9 are done.
    wall += 10_000;
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(10));
  });

  it('after a restart, waits for the streams stored history heard from, not only the first to deliver', async () => {
    store.add(rows(0, 120));
    wall = at(122);
    live = await start({ warmupMs: HOUR_MS });
    expect(live.stats().watermarkMs).toBe(at(119));
    // s1 delivers minutes 120 and 121; s2 (heard from at minute 119) has not yet: minute 120 waits.
    store.add({ 'sensor-volume': [volume(120)[0]!, volume(121)[0]!] });
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(120));
    store.add({ 'sensor-volume': volume(120).slice(1) });
    await live.poll();
    expect(live.stats().lateRows).toBe(0);
  });

  it('waits the whole grace when told not to wait for streams', async () => {
    live = await start({ waitForStreams: false });
    store.add(rows(0, 11));
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(9));
  });

  it('counts every minute it fed in minutesFed, the first poll included', async () => {
    live = await start();
    store.add(rows(0, 11));
    await live.poll();
    expect(live.stats().minutesFed).toBe(10);
  });

  it('counts minutes fed after the first poll', async () => {
    live = await start();
    store.add(rows(0, 11));
    await live.poll();
    const before = live.stats().minutesFed;
    store.add(rows(11, 21));
    await live.poll();
    expect(live.stats().minutesFed - before).toBe(10);
  });

  it('raises one alert for an attack, and a silent period does not end it', async () => {
    live = await start();
    // The flood starts at minute 10; data up to minute 19 has arrived.
    store.add(rows(0, 20, 10, 60));
    await live.poll();
    // Minutes up to 18 are fed: opened at 10, updated at 15.
    expect(findings.map((f) => f.phase)).toEqual(['opened', 'updated']);
    // Then nothing arrives for six hours of wall time: the watermark stays, nothing ends.
    for (let k = 1; k <= 6; k++) {
      wall += HOUR_MS;
      await live.poll();
    }
    expect(live.stats().watermarkMs).toBe(at(19));
    expect(findings.map((f) => f.phase)).toEqual(['opened', 'updated']);
    let list = await alerts.list();
    expect(list).toHaveLength(1);
    expect(list[0]!.evidence.phase).toBe('updated');
    // The spooled rows arrive: the attack went on until minute 59, then stopped.
    store.add(rows(20, 90, 10, 60));
    await live.poll();
    const phases = findings.map((f) => f.phase);
    expect(phases[0]).toBe('opened');
    expect(phases.at(-1)).toBe('ended');
    expect(phases.filter((p) => p === 'opened')).toHaveLength(1);
    expect(new Set(findings.map((f) => f.key)).size).toBe(1);
    list = await alerts.list();
    expect(list).toHaveLength(1);
    expect(list[0]!.evidence.phase).toBe('ended');
    expect(list[0]!.lastMs).toBe(at(59) + 59_000);
    expect(live.stats().findings).toBe(findings.length);
  });

  it('drops rows stamped too far ahead of the wall clock, which cannot drag the watermark', async () => {
    live = await start();
    wall = at(20);
    store.add({ ...rows(0, 11), backscatter: [synAck(5)] });
    store.add({ 'sensor-volume': volume(200) });
    await live.poll();
    expect(live.stats()).toMatchObject({ watermarkMs: at(10), futureRows: 2 });
  });

  it('does not let a sensor whose clock runs a few minutes ahead make the others late', async () => {
    live = await start();
    wall = at(20);
    // s2 stamps its events 8 minutes ahead (inside the 10 minutes tolerated); s1 is on time.
    store.add({ 'sensor-volume': [...rows(0, 20)['sensor-volume']!, { ...volume(27)[1]! }] });
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(19));
    wall = at(21);
    store.add({ 'sensor-volume': volume(19).slice(0, 1) });
    store.add({ 'sensor-volume': volume(20) });
    await live.poll();
    expect(live.stats().lateRows).toBe(0);
  });

  it('skips a stray row from a clock years behind instead of feeding every minute since', async () => {
    live = await start();
    wall = at(20);
    store.add({
      'sensor-volume': [
        { minuteMs: 0, sensor: 's1', kind: 'firewall', packets: 1 },
        ...rows(0, 20)['sensor-volume']!,
      ],
    });
    await live.poll();
    expect(live.stats().lateRows).toBe(1);
    expect(live.stats().minutesFed).toBeLessThan(31 * 24 * 60);
  });

  it('reads a backlog of batches over several polls', async () => {
    live = await startLiveDetection({
      source: store,
      alerts,
      detectors: { addresses: ADDRESSES, only: ['backscatter'] },
      intervalMs: 1_000_000_000,
      now: () => wall,
      maxBatchesPerPoll: 2,
    });
    wall = at(40);
    for (let i = 0; i < 5; i++) store.add(rows(i * 6, i * 6 + 6));
    await live.poll();
    expect(live.stats().cursor).toBe(2);
    await live.poll();
    await live.poll();
    expect(live.stats().cursor).toBe(5);
  });

  it('warms up on stored history without raising alerts, then goes on from its end', async () => {
    // History: 2 hours of volume with a flood at minutes 30–49 (already over).
    store.add(rows(0, 120, 30, 50));
    wall = at(121);
    live = await start({ warmupMs: HOUR_MS });
    // The last hour before the newest minute (119) was fed; the flood before it was not replayed.
    expect(live.stats()).toMatchObject({ cursor: 1, watermarkMs: at(119) });
    expect(findings).toEqual([]);
    expect(await alerts.list()).toEqual([]);
    expect(store.queries.some((q) => 'fromMs' in q && q.fromMs === at(59))).toBe(true);
    // A new flood after start is reported.
    store.add(rows(120, 140, 125, 140));
    wall = at(141);
    await live.poll();
    expect(findings.map((f) => f.phase)).toEqual(['opened', 'updated', 'updated']);
    expect(await alerts.list()).toHaveLength(1);
  });

  it('warms up to the wall clock at most, so one stored event stamped a day ahead makes nothing late', async () => {
    store.add(rows(0, 120));
    // A sensor whose clock ran 23 hours fast got one event stored before the restart.
    store.add({
      'sensor-volume': [{ minuteMs: at(121) + 23 * HOUR_MS, sensor: 's1', kind: 'firewall', packets: 1 }],
    });
    wall = at(121);
    live = await start({ warmupMs: HOUR_MS });
    // Fed up to the wall clock minus the grace (2 minutes), not 10 minutes into the future.
    expect(live.stats().watermarkMs).toBe(at(119));
    store.add(rows(120, 125));
    wall = at(126);
    await live.poll();
    expect(live.stats()).toMatchObject({ watermarkMs: at(124), lateRows: 0, futureRows: 0 });
  });

  it('keeps the last stored minute for the live feed: a flood beginning in it starts there', async () => {
    // History ends at minute 119, where a flood begins; it goes on in the batches that follow.
    store.add(rows(0, 120, 119, 120));
    wall = at(121);
    live = await start({ warmupMs: HOUR_MS });
    expect(live.stats().watermarkMs).toBe(at(119));
    store.add(rows(120, 140, 120, 130));
    wall = at(141);
    await live.poll();
    const opened = findings.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.startMs).toBe(at(119));
  });

  it('stops its timer, and poll() still runs on demand', async () => {
    live = await start();
    await live.stop();
    store.add(rows(0, 11));
    // poll() still runs on demand after stop (the server's shutdown uses it).
    await live.poll();
    expect(live.stats().watermarkMs).toBe(at(10));
  });
});
