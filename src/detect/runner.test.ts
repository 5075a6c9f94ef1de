// Hand-built detection rows (a simulated SYN flood's backscatter over a small fleet) and hand-made
// findings, run through the detector set, the history runner and the alert sink; no real data.
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
import { AlertSink } from './alert-sink.js';
import { type AlertChange, AlertStore } from './alerts.js';
import { type Finding, MINUTE_MS, type MinuteRows } from './finding.js';
import type { Notifier, NotifyResult } from './notify.js';
import { bucketRows, DetectorSet, emptyMinute, runHistory } from './runner.js';

const T0 = Date.UTC(2024, 10, 4);
const ADDRESSES = new Map([
  ['s1', 512],
  ['s2', 512],
]);

function volume(m: number): SensorVolumeRow[] {
  return [
    { minuteMs: m, sensor: 's1', kind: 'firewall', packets: 40 },
    { minuteMs: m, sensor: 's2', kind: 'darknet', packets: 60 },
  ];
}

function synAck(m: number, victim = '198.51.100.10', packets = 40): BackscatterRow {
  return {
    minuteMs: m,
    victim,
    proto: 'tcp',
    port: 443,
    reply: 'syn-ack',
    packets,
    bytes: packets * 60,
    ...hitsOf(25, m),
    sensors: 2,
    firstMs: m,
    lastMs: m + 59_000,
    quoteMismatches: 0,
  };
}

/** An in-memory DetectionSource over fixed rows (time ranges only). */
function fakeSource(rows: { [F in DetectionFamily]?: DetectionRowsByFamily[F][] }) {
  const calls: { family: DetectionFamily; range: DetectionRange }[] = [];
  const source: DetectionSource = {
    async detectionRows<F extends DetectionFamily>(family: F, range: DetectionRange) {
      calls.push({ family, range });
      if (!('fromMs' in range)) throw new Error('time ranges only');
      const all = (rows[family] ?? []) as DetectionRowsByFamily[F][];
      return all.filter((r) => r.minuteMs >= range.fromMs && r.minuteMs < range.toMs);
    },
    async latestBatch() {
      return 0;
    },
    async rawTimeRange() {
      return null;
    },
  };
  return { source, calls };
}

/** 90 minutes of fleet volume with a 20-minute flood from minute 30. */
function floodRows() {
  const vol: SensorVolumeRow[] = [];
  const bs: BackscatterRow[] = [];
  for (let i = 0; i < 90; i++) {
    const m = T0 + i * MINUTE_MS;
    vol.push(...volume(m));
    if (i >= 30 && i < 50) bs.push(synAck(m));
  }
  return { 'sensor-volume': vol, backscatter: bs };
}

/** Minutes 3–19 with the fleet reporting, a SYN-ACK flood in minutes 3–5. */
function floodThenQuiet(): Map<number, MinuteRows> {
  const rows = new Map<number, MinuteRows>();
  for (let i = 3; i < 20; i++) {
    const m = T0 + i * MINUTE_MS;
    rows.set(m, { ...emptyMinute(m), volume: volume(m), backscatter: i <= 5 ? [synAck(m)] : [] });
  }
  return rows;
}

describe('DetectorSet', () => {
  it('runs only the chosen detectors and reads only their families', () => {
    expect(new DetectorSet().detectors.map((d) => d.name)).toEqual([
      'port-surge',
      'backscatter',
      'scan',
      'worm',
      'sensor-health',
      'inbound-flood',
    ]);
    expect([...new DetectorSet().families].sort()).toEqual(
      ['backscatter', 'ids', 'inbound', 'payloads', 'probes', 'sensor-volume'].sort(),
    );
    expect(new DetectorSet({ only: ['inbound-flood'] }).families).toEqual(['sensor-volume', 'inbound']);
    const bs = new DetectorSet({ only: ['backscatter'] });
    expect(bs.detectors.map((d) => d.name)).toEqual(['backscatter']);
    expect(bs.families).toEqual(['sensor-volume', 'backscatter']);
    expect(new DetectorSet({ only: ['worm'] }).families).toEqual(['sensor-volume', 'payloads', 'ids']);
    expect(new DetectorSet({ only: ['sensor-health'] }).families).toEqual(['sensor-volume']);
    expect(new DetectorSet({ only: ['scan', 'port-surge'] }).families).toEqual(['sensor-volume', 'probes']);
  });

  it('feeds minutes in order and refuses gaps and repeats', () => {
    const set = new DetectorSet({ addresses: ADDRESSES, only: ['backscatter'] });
    expect(set.position).toBe(-1);
    set.feed(emptyMinute(T0));
    expect(set.position).toBe(T0 + MINUTE_MS);
    expect(() => set.feed(emptyMinute(T0 + 2 * MINUTE_MS))).toThrow(/out of order/);
    expect(() => set.feed(emptyMinute(T0))).toThrow(/out of order/);
    set.feed(emptyMinute(T0 + MINUTE_MS));
    expect(set.cpu.minutes).toBe(2);
  });

  it('fills the gaps of feedUpTo with empty minutes, starting at the first row', () => {
    const set = new DetectorSet({ addresses: ADDRESSES, only: ['backscatter'] });
    const rows = new Map<number, MinuteRows>();
    for (const i of [3, 4, 5]) {
      const m = T0 + i * MINUTE_MS;
      rows.set(m, { ...emptyMinute(m), volume: volume(m), backscatter: [synAck(m)] });
    }
    const out = set.feedUpTo(T0 + 20 * MINUTE_MS, rows);
    expect(set.position).toBe(T0 + 20 * MINUTE_MS);
    expect(set.cpu.minutes).toBe(17);
    // The gap minutes carry no events at all — the whole fleet is silent — so they are not watched
    // time and the attack does not end in them.
    expect(out.map((f) => f.phase)).toEqual(['opened']);
    expect(set.coverage.stateSize()).toBe(2);
    expect(set.stateSizes()).toEqual({ coverage: 2, backscatter: 1 });
  });

  it('ends the attack in gap minutes while the fleet goes on reporting', () => {
    const set = new DetectorSet({ addresses: ADDRESSES, only: ['backscatter'] });
    const rows = floodThenQuiet();
    const out = set.feedUpTo(T0 + 20 * MINUTE_MS, rows);
    expect(out.map((f) => f.phase)).toEqual(['opened', 'ended']);
    expect(set.stateSizes()).toEqual({ coverage: 2, backscatter: 0 });
  });

  it('goes on when one detector throws: the minute moves on and the others still run', () => {
    const set = new DetectorSet({ addresses: ADDRESSES, only: ['scan', 'backscatter'] });
    const broken = set.detectors.find((d) => d.name === 'scan')! as { step: (...a: unknown[]) => unknown };
    broken.step = () => {
      throw new Error('boom');
    };
    const rows = floodThenQuiet();
    const out = set.feedUpTo(T0 + 20 * MINUTE_MS, rows);
    expect(out.map((f) => f.phase)).toEqual(['opened', 'ended']);
    expect(set.position).toBe(T0 + 20 * MINUTE_MS);
    expect(set.failures).toBe(17);
    expect(set.errors.at(-1)).toMatchObject({ detector: 'scan', minuteMs: T0 + 19 * MINUTE_MS });
  });

  it('feeds nothing when feedUpTo ends before the position', () => {
    const set = new DetectorSet({ only: ['scan'] });
    set.feedUpTo(T0 + 5 * MINUTE_MS, new Map([[T0, emptyMinute(T0)]]));
    expect(set.feedUpTo(T0 + 2 * MINUTE_MS, new Map())).toEqual([]);
    expect(set.position).toBe(T0 + 5 * MINUTE_MS);
  });
});

describe('bucketRows', () => {
  it('groups rows by minute and family, dropping those before notBefore', () => {
    const into = new Map<number, MinuteRows>();
    const v = [...volume(T0), ...volume(T0 + MINUTE_MS), ...volume(T0 + 2 * MINUTE_MS)];
    expect(bucketRows(into, 'sensor-volume', v, T0 + MINUTE_MS)).toBe(2);
    expect(bucketRows(into, 'backscatter', [synAck(T0 + MINUTE_MS)])).toBe(0);
    expect([...into.keys()]).toEqual([T0 + MINUTE_MS, T0 + 2 * MINUTE_MS]);
    const first = into.get(T0 + MINUTE_MS)!;
    expect(first.volume).toHaveLength(2);
    expect(first.backscatter).toHaveLength(1);
    expect(first.probes).toEqual([]);
    expect(into.get(T0 + 2 * MINUTE_MS)!.backscatter).toEqual([]);
  });
});

describe('runHistory', () => {
  it('steps through a range in chunks and sends the findings to the sink', async () => {
    const { source, calls } = fakeSource(floodRows());
    const set = new DetectorSet({ addresses: ADDRESSES, only: ['backscatter'] });
    const got: Finding[] = [];
    const progress: number[] = [];
    const stats = await runHistory(
      source,
      { fromMs: T0 + 30_000, toMs: T0 + 90 * MINUTE_MS - 1 },
      set,
      (f) => {
        got.push(f);
      },
      { chunkMs: 30 * MINUTE_MS, onProgress: (p) => progress.push(p.doneMs / MINUTE_MS) },
    );
    // The range is widened to whole minutes.
    expect(stats.minutes).toBe(90);
    expect(progress).toEqual([30, 60, 90]);
    expect(calls.filter((c) => c.family === 'backscatter').map((c) => c.range)).toEqual([
      { fromMs: T0, toMs: T0 + 30 * MINUTE_MS },
      { fromMs: T0 + 30 * MINUTE_MS, toMs: T0 + 60 * MINUTE_MS },
      { fromMs: T0 + 60 * MINUTE_MS, toMs: T0 + 90 * MINUTE_MS },
    ]);
    expect(stats.rows).toEqual({ 'sensor-volume': 180, backscatter: 20 });
    expect(stats.events).toBe(90 * 100);
    expect(got.map((f) => f.phase)).toEqual(['opened', 'updated', 'updated', 'updated', 'ended']);
    expect(stats.findings).toBe(5);
    expect(new Set(got.map((f) => f.key)).size).toBe(1);
    expect(got[0]!.subject.victim).toBe('198.51.100.10');
    expect(set.position).toBe(T0 + 90 * MINUTE_MS);
    expect(stats.state).toEqual({ coverage: 2, backscatter: 0 });
  });
});

class FakeNotifier implements Notifier {
  readonly sent: AlertChange[] = [];
  async notify(change: AlertChange): Promise<NotifyResult[]> {
    this.sent.push(change);
    return [];
  }
  close(): void {}
}

function finding(over: Partial<Finding>): Finding {
  return {
    detector: 'scan',
    kind: 'scan',
    key: 'scan:192.0.2.5:1000',
    phase: 'opened',
    subject: { source: '192.0.2.5', type: 'horizontal', ports: ['22/tcp'] },
    startMs: T0,
    detectedMs: T0 + MINUTE_MS,
    lastMs: T0 + MINUTE_MS,
    severity: 'low',
    title: 'Scan from 192.0.2.5',
    evidence: { targets: 20 },
    ...over,
  };
}

describe('AlertSink', () => {
  let db: RelationalDb;
  let alerts: AlertStore;
  beforeEach(async () => {
    db = await openRelational(':memory:');
    alerts = new AlertStore(db, () => T0 + 99 * MINUTE_MS);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('makes one alert per episode, updated while it goes on, never repeated', async () => {
    const { source } = fakeSource(floodRows());
    const sink = new AlertSink(alerts);
    const set = new DetectorSet({ addresses: ADDRESSES, only: ['backscatter'] });
    const changes: (AlertChange | null)[] = [];
    await runHistory(source, { fromMs: T0, toMs: T0 + 90 * MINUTE_MS }, set, async (f) => {
      changes.push(await sink.accept(f));
    });
    expect(changes.map((c) => c?.change)).toEqual(['opened', 'updated', 'updated', 'updated', 'updated']);
    const list = await alerts.list();
    expect(list).toHaveLength(1);
    const a = list[0]!;
    expect(a.kind).toBe('backscatter');
    expect(a.status).toBe('open');
    expect(a.dedupKey).toBe(`backscatter:198.51.100.10:${T0 + 30 * MINUTE_MS}`);
    expect(a.firstMs).toBe(T0 + 30 * MINUTE_MS + 59_000);
    expect(a.lastMs).toBe(T0 + 49 * MINUTE_MS + 59_000);
    expect(a.evidence).toMatchObject({
      detector: 'backscatter',
      subject: { victim: '198.51.100.10', attack_type: 'syn-flood', ports: ['443/tcp'] },
      phase: 'ended',
      episode_start: new Date(T0 + 30 * MINUTE_MS).toISOString(),
      detected_ms: T0 + 30 * MINUTE_MS + 59_000,
      victim: '198.51.100.10',
    });
  });

  it('opens a new alert for a later episode of the same subject', async () => {
    const sink = new AlertSink(alerts);
    await sink.accept(finding({}));
    await sink.accept(finding({ phase: 'ended', lastMs: T0 + 30 * MINUTE_MS }));
    await sink.accept(finding({ key: 'scan:192.0.2.5:9000', detectedMs: T0 + 3 * 3_600_000 }));
    const list = await alerts.list();
    expect(list.map((a) => a.dedupKey).sort()).toEqual(['scan:192.0.2.5:1000', 'scan:192.0.2.5:9000']);
  });

  it('drops updates of an alert the operator closed', async () => {
    const sink = new AlertSink(alerts);
    const opened = await sink.accept(finding({}));
    await alerts.close(opened!.alert.id, 'analyst');
    expect(await sink.accept(finding({ phase: 'updated', lastMs: T0 + 20 * MINUTE_MS }))).toBeNull();
    expect(await sink.accept(finding({ phase: 'ended', lastMs: T0 + 90 * MINUTE_MS }))).toBeNull();
    const list = await alerts.list();
    expect(list).toHaveLength(1);
    expect(list[0]!.status).toBe('closed');
    expect(list[0]!.lastMs).toBe(T0 + MINUTE_MS);
  });

  it('keeps updating an acknowledged alert', async () => {
    const sink = new AlertSink(alerts);
    const opened = await sink.accept(finding({}));
    await alerts.acknowledge(opened!.alert.id, 'analyst');
    const upd = await sink.accept(
      finding({ phase: 'updated', lastMs: T0 + 20 * MINUTE_MS, title: 'bigger' }),
    );
    expect(upd!.change).toBe('updated');
    expect(upd!.alert).toMatchObject({
      status: 'acknowledged',
      title: 'bigger',
      lastMs: T0 + 20 * MINUTE_MS,
    });
  });

  it('notifies new alerts and severity rises only', async () => {
    const notifier = new FakeNotifier();
    const sink = new AlertSink(alerts, notifier);
    await sink.accept(finding({ severity: 'low' }));
    await sink.accept(finding({ phase: 'updated', severity: 'low', lastMs: T0 + 5 * MINUTE_MS }));
    await sink.accept(finding({ phase: 'updated', severity: 'medium', lastMs: T0 + 10 * MINUTE_MS }));
    await sink.accept(finding({ phase: 'updated', severity: 'low', lastMs: T0 + 15 * MINUTE_MS }));
    await sink.accept(finding({ phase: 'updated', severity: 'medium', lastMs: T0 + 20 * MINUTE_MS }));
    await sink.accept(finding({ phase: 'updated', severity: 'high', lastMs: T0 + 25 * MINUTE_MS }));
    await sink.drain();
    expect(notifier.sent.map((c) => [c.change, c.alert.severity])).toEqual([
      ['opened', 'low'],
      ['updated', 'medium'],
      ['updated', 'high'],
    ]);
  });

  it('opens an alert for an episode first seen in an update (begun during warm-up), not for an ended one', async () => {
    const sink = new AlertSink(alerts);
    expect(await sink.accept(finding({ phase: 'ended', key: 'scan:192.0.2.9:1' }))).toBeNull();
    const c = await sink.accept(finding({ phase: 'updated', key: 'scan:192.0.2.9:2' }));
    expect(c?.change).toBe('opened');
    expect((await alerts.list()).map((a) => a.dedupKey)).toEqual(['scan:192.0.2.9:2']);
  });

  it('notifies in the background: a notifier that never answers holds nothing up, and the queue is bounded', async () => {
    const never = { notify: () => new Promise<never>(() => undefined), close: () => undefined };
    const sink = new AlertSink(alerts, never, { maxQueued: 3 });
    for (let i = 0; i < 5; i++) {
      const c = await sink.accept(
        finding({ key: `scan:192.0.2.${i}:1`, subject: { source: `192.0.2.${i}` } }),
      );
      expect(c?.change).toBe('opened');
    }
    expect(await alerts.list()).toHaveLength(5);
    expect(sink.droppedNotifications).toBe(2);
  });
});
