// Hand-built sensor volume rows for a small invented fleet (two firewalls, a darknet and an
// IDS-only sensor); no real data.
import { describe, expect, it } from 'vitest';
import type { EventKind } from '../core/index.js';
import type { SensorVolumeRow } from '../observe/index.js';
import { addressCounts, Coverage, type CoverageSnapshot } from './coverage.js';
import { DAY_MS, MINUTE_MS } from './finding.js';

const T0 = Date.UTC(2024, 1, 5);

const vol = (m: number, sensor: string, kind: EventKind, packets: number): SensorVolumeRow => ({
  minuteMs: m,
  sensor,
  kind,
  packets,
});

/** Feeds minutes [from, to) with rows from `rows(i, m)`; returns the last snapshot. */
function feed(
  cov: Coverage,
  from: number,
  to: number,
  rows: (i: number, m: number) => SensorVolumeRow[],
): CoverageSnapshot {
  let snap: CoverageSnapshot | undefined;
  for (let i = from; i < to; i++) {
    const m = T0 + i * MINUTE_MS;
    snap = cov.observe(m, rows(i, m));
  }
  return snap!;
}

const ADDRESSES = new Map([
  ['fw1', 256],
  ['fw2', 256],
  ['dark', 1024],
  ['ids1', 16],
]);

/** A steady fleet: fw1 60/min, fw2 20/min, dark 120/min (darknet), ids1 5/min (IDS). */
const steady =
  (silent: readonly string[] = []) =>
  (_i: number, m: number): SensorVolumeRow[] =>
    [
      vol(m, 'fw1', 'firewall', 60),
      vol(m, 'fw2', 'firewall', 20),
      vol(m, 'dark', 'darknet', 120),
      vol(m, 'ids1', 'ids', 5),
    ].filter((r) => !silent.includes(r.sensor));

describe('addressCounts', () => {
  it('sums the IPv4 sizes of each sensor blocks, IPv6 adding nothing', () => {
    const c = addressCounts({
      a: ['192.0.2.0/24', '198.51.100.0/25'],
      b: ['2001:db8::/32'],
      c: ['203.0.113.7', 'not a block'],
      d: [],
    });
    expect([...c.entries()]).toEqual([
      ['a', 384],
      ['b', 0],
      ['c', 1],
      ['d', 0],
    ]);
  });
});

describe('Coverage', () => {
  it('reports full coverage when nothing is known yet', () => {
    const snap = new Coverage().observe(T0, []);
    expect(snap.fraction('probes')).toBe(1);
    expect(snap.fraction('ids')).toBe(1);
    expect(snap.activeSensors).toBe(0);
    expect(snap.knownSensors).toBe(0);
    expect(snap.monitoredAddresses).toBe(0);
  });

  it('counts the addresses and sensors of a fully reporting fleet', () => {
    const cov = new Coverage({ addresses: ADDRESSES, learnMin: 60 });
    const snap = feed(cov, 0, 120, steady());
    expect(snap.activeSensors).toBe(4);
    expect(snap.knownSensors).toBe(4);
    expect(snap.monitoredAddresses).toBe(256 + 256 + 1024 + 16);
    expect(snap.knownAddresses).toBe(1552);
    for (const f of ['probes', 'backscatter', 'payloads', 'ids'] as const) expect(snap.fraction(f)).toBe(1);
    expect(snap.streams).toHaveLength(4);
    const fw1 = snap.streams.find((s) => s.sensor === 'fw1')!;
    expect(fw1).toMatchObject({
      kind: 'firewall',
      active: true,
      learning: false,
      events: 60,
      ratePerMinute: 60,
    });
    expect(cov.stateSize()).toBe(4);
  });

  it('sees address blocks changed in place (the server refreshes them from the registry)', () => {
    const addresses = new Map(ADDRESSES);
    const cov = new Coverage({ addresses, learnMin: 60 });
    expect(feed(cov, 0, 30, steady()).monitoredAddresses).toBe(1552);
    addresses.set('fw1', 65536);
    expect(feed(cov, 30, 31, steady()).monitoredAddresses).toBe(1552 - 256 + 65536);
  });

  it('declares a silent stream inactive after minSilenceMin, shrinking fractions and addresses', () => {
    const cov = new Coverage({ addresses: ADDRESSES, learnMin: 60 });
    feed(cov, 0, 120, steady());
    // fw1 stops at minute 120; still plausible for 14 minutes, silent at the 15th.
    const during = feed(cov, 120, 134, steady(['fw1']));
    expect(during.isActive('fw1')).toBe(true);
    expect(during.fraction('probes')).toBe(1);
    const after = feed(cov, 134, 135, steady(['fw1']));
    expect(after.isActive('fw1')).toBe(false);
    expect(after.activeSensors).toBe(3);
    expect(after.knownSensors).toBe(4);
    expect(after.monitoredAddresses).toBe(1552 - 256);
    // Probes: firewall + darknet usual volume 200/min, of which fw1's 60 is missing.
    expect(after.fraction('probes')).toBeCloseTo(140 / 200, 10);
    expect(after.fraction('backscatter')).toBeCloseTo(140 / 200, 10);
    expect(after.fraction('payloads')).toBe(1);
    expect(after.fraction('ids')).toBe(1);
    // The silent stream keeps its usual rate (its share stays missing) and comes back at once.
    expect(after.streams.find((s) => s.sensor === 'fw1')!.ratePerMinute).toBe(60);
    const back = feed(cov, 135, 136, steady());
    expect(back.isActive('fw1')).toBe(true);
    expect(back.fraction('probes')).toBe(1);
    expect(back.monitoredAddresses).toBe(1552);
  });

  it('does not declare a stream silent while it is learning', () => {
    const cov = new Coverage({ addresses: ADDRESSES });
    feed(cov, 0, 30, steady());
    // Default learnMin is 6 hours: an hour of silence in the first half hour's stream is tolerated.
    const snap = feed(cov, 30, 90, steady(['fw2']));
    expect(snap.isActive('fw2')).toBe(true);
    expect(snap.streams.find((s) => s.sensor === 'fw2')!.learning).toBe(true);
  });

  it('waits longer for a slow stream (silenceEvents at its usual rate) and for a bursty one', () => {
    const cov = new Coverage({ learnMin: 60 });
    // 'slow' sends 1 event every 4 minutes (0.25/min): 16 events' worth of silence is 64 minutes.
    const slow = (i: number, m: number) => (i % 4 === 0 ? [vol(m, 'slow', 'ids', 1)] : []);
    feed(cov, 0, 240, slow);
    // Last event at minute 236; the longest healthy gap was 3 minutes (3 × 3 = 9 < 64).
    expect(feed(cov, 240, 236 + 64, () => []).isActive('slow')).toBe(true);
    expect(feed(cov, 236 + 64, 236 + 65, () => []).isActive('slow')).toBe(false);

    // 'bursty' sends 100 events once every 20 minutes: its usual gap (19 min) × 3 = 57 minutes.
    const cov2 = new Coverage({ learnMin: 60 });
    const bursty = (i: number, m: number) => (i % 20 === 0 ? [vol(m, 'bursty', 'ids', 100)] : []);
    feed(cov2, 0, 240, bursty);
    expect(feed(cov2, 240, 220 + 57, () => []).isActive('bursty')).toBe(true);
    expect(feed(cov2, 220 + 57, 220 + 58, () => []).isActive('bursty')).toBe(false);
  });

  it('bounds a silence by maxSilenceMin whatever the rate', () => {
    const cov = new Coverage({ learnMin: 10, maxSilenceMin: 30 });
    feed(cov, 0, 60, (i, m) => (i % 50 === 0 ? [vol(m, 'rare', 'firewall', 1)] : []));
    // Last event at minute 50; its Poisson limit would be days, the bound is 30 minutes.
    expect(feed(cov, 60, 80, () => []).isActive('rare')).toBe(true);
    expect(feed(cov, 80, 81, () => []).isActive('rare')).toBe(false);
  });

  it('counts an IDS-only sensor addresses while its alerts arrive', () => {
    const cov = new Coverage({ addresses: ADDRESSES, learnMin: 30 });
    const snap = feed(cov, 0, 60, (_i, m) => [vol(m, 'ids1', 'ids', 5), vol(m, 'fw1', 'firewall', 10)]);
    expect(snap.monitoredAddresses).toBe(16 + 256);
    // A sensor with packet streams covers its block only while one of them is active.
    const cov2 = new Coverage({ addresses: ADDRESSES, learnMin: 30 });
    feed(cov2, 0, 60, (_i, m) => [vol(m, 'fw2', 'ids', 5), vol(m, 'fw2', 'firewall', 10)]);
    const s = feed(cov2, 60, 80, (_i, m) => [vol(m, 'fw2', 'ids', 5)]);
    expect(s.isActive('fw2')).toBe(true);
    expect(s.monitoredAddresses).toBe(0);
    expect(s.fraction('probes')).toBe(0);
    expect(s.fraction('ids')).toBe(1);
  });

  it('forgets a stream silent for forgetAfterMs', () => {
    const cov = new Coverage({ addresses: ADDRESSES, learnMin: 10, forgetAfterMs: DAY_MS / 24 });
    feed(cov, 0, 30, steady());
    expect(cov.stateSize()).toBe(4);
    const snap = feed(cov, 30, 92, steady(['dark']));
    expect(cov.stateSize()).toBe(3);
    expect(snap.knownSensors).toBe(3);
    expect(snap.knownAddresses).toBe(1552 - 1024);
    // Forgotten, it leaves the denominators: the remaining fleet is complete again.
    expect(snap.fraction('probes')).toBe(1);
  });

  it('holds every stream inactive but none silent in a gap of the whole fleet, and forgets none', () => {
    const cov = new Coverage({ addresses: ADDRESSES, learnMin: 60, forgetAfterMs: DAY_MS });
    feed(cov, 0, 120, steady());
    // Nothing from anyone from minute 120: the fleet (205 events a minute) is called silent at its
    // fifth quiet minute, from the first of them.
    const early = feed(cov, 120, 124, () => []);
    expect(early.gapSinceMs).toBeNull();
    const gap = feed(cov, 124, 125, () => []);
    expect(gap.gapSinceMs).toBe(T0 + 120 * MINUTE_MS);
    expect(gap.activeSensors).toBe(0);
    expect(gap.fraction('probes')).toBe(0);
    expect(gap.streams.map((s) => [s.active, s.silent])).toEqual(new Array(4).fill([false, false]));
    // Three days later (three times forgetAfterMs) every stream is still known.
    const late = feed(cov, 125, 3 * 24 * 60, () => []);
    expect(cov.stateSize()).toBe(4);
    expect(late.knownSensors).toBe(4);
    expect(late.fraction('probes')).toBe(0);
    // Back: active at once. A stream that stays away is silent after 15 minutes of the fleet's
    // delivering time, not at once for its three days without events.
    const back = 3 * 24 * 60;
    const resumed = feed(cov, back, back + 14, steady(['fw2']));
    expect(resumed.gapSinceMs).toBeNull();
    expect(resumed.streams.find((s) => s.sensor === 'fw2')).toMatchObject({ active: true, silent: false });
    const called = feed(cov, back + 14, back + 15, steady(['fw2']));
    expect(called.streams.find((s) => s.sensor === 'fw2')).toMatchObject({ active: false, silent: true });
    expect(called.fraction('probes')).toBeCloseTo(180 / 200, 10);
  });

  it('measures a joining stream against the established ones, not by the hour it joined at', () => {
    // a and b: 40 events a minute at night, 92 from 09:00 to 18:00 (UTC here), for two days; c joins
    // at 10:00 on the third day with the same traffic. Its usual rate is theirs, not its first
    // hours' working-day mean.
    const cov = new Coverage({ learnMin: 60 });
    const at = (i: number) => (Math.floor(i / 60) % 24 >= 9 && Math.floor(i / 60) % 24 < 18 ? 92 : 40);
    const rows = (joined: boolean) => (i: number, m: number) => [
      vol(m, 'a', 'firewall', at(i)),
      vol(m, 'b', 'firewall', at(i)),
      ...(joined ? [vol(m, 'c', 'firewall', at(i))] : []),
    ];
    feed(cov, 0, (2 * 24 + 10) * 60, rows(false));
    const snap = feed(cov, (2 * 24 + 10) * 60, (2 * 24 + 16) * 60, rows(true));
    const rate = (name: string) => snap.streams.find((s) => s.sensor === name)!.ratePerMinute;
    expect(rate('a')).toBe(40);
    expect(rate('c')).toBeCloseTo(40, 6);
    // The fleet's size before c joined, at today's rates: a and b.
    expect(snap.epochOf('probes')).toBe(3);
    expect(snap.sizeAt('probes', 2)).toBeCloseTo(80, 6);
    expect(snap.sizeAt('probes', 3)).toBeCloseTo(120, 6);
    expect(snap.epochOf('ids')).toBe(0);
  });

  it('learns the usual rate as the median hourly count, which a one-hour burst does not move', () => {
    const cov = new Coverage({ learnMin: 60 });
    // 10/min for 12 hours, with one hour at 1000/min in the middle.
    const snap = feed(cov, 0, 12 * 60, (i, m) => [vol(m, 'x', 'firewall', i >= 300 && i < 360 ? 1000 : 10)]);
    expect(snap.streams[0]!.ratePerMinute).toBe(10);
  });

  it("judges silence at the stream's quiet-hour rate: a night gap of a working-day stream is no outage", () => {
    const cov = new Coverage({ learnMin: 60 });
    // Three days of a working-day stream 'wd': 4 events a minute for 14 hours a day, then one event
    // every 10 minutes (0.1/min) through the night; beside it a steady stream, so that its silence
    // is its own, not the fleet's. The week's median hour is a busy one (240 events); judged at it,
    // 16 events' worth of silence would be 4 minutes and every night gap an outage.
    const steadyOther = (m: number) => vol(m, 'other', 'firewall', 10);
    const day = (i: number, m: number) => {
      const minuteOfDay = i % 1440;
      const wd =
        minuteOfDay < 840
          ? [vol(m, 'wd', 'firewall', 4)]
          : minuteOfDay % 10 === 0
            ? [vol(m, 'wd', 'firewall', 1)]
            : [];
      return [...wd, steadyOther(m)];
    };
    const night = 3 * 1440 + 840;
    // Into the fourth night: its last event at minute 890.
    const snap = feed(cov, 0, night + 51, day);
    expect(snap.streams.find((x) => x.sensor === 'wd')!.ratePerMinute).toBe(4);
    const quiet = (_i: number, m: number) => [steadyOther(m)];
    // A 50-minute gap (five of its 10-minute gaps) stays ordinary: the quiet hours' rate, 0.1/min.
    expect(feed(cov, night + 51, night + 101, quiet).isActive('wd')).toBe(true);
    // An outage through the night is still called, at 16 events at the quiet rate: 160 minutes.
    expect(feed(cov, night + 101, night + 51 + 159, quiet).isActive('wd')).toBe(true);
    expect(feed(cov, night + 51 + 159, night + 51 + 161, quiet).isActive('wd')).toBe(false);
  });
});
