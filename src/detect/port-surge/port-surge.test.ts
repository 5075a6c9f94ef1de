// Hand-built, simulated traffic: a deterministic (seeded PRNG) background of probes from random
// sources on a few ports, seen by four firewall sensors, plus injected surges, a noisy scanner and
// sensor outages. No real data.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../test/prng.js';
import type { ProbeRow, SensorVolumeRow } from '../../observe/index.js';
import { Coverage } from '../coverage.js';
import { DAY_MS, type Finding, HOUR_MS, MINUTE_MS, type MinuteRows } from '../finding.js';
import { DetectorSet } from '../runner.js';
import { PortSurgeDetector } from './index.js';

/** Monday 2024-01-01 00:00 UTC. */
const T0 = Date.UTC(2024, 0, 1);
const SENSORS = ['s1', 's2', 's3', 's4'] as const;
const ADDRESSES = new Map<string, number>(SENSORS.map((s) => [s, 256]));

function poisson(rng: () => number, mu: number): number {
  const l = Math.exp(-mu);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}

/** Background distinct sources per hour on each port (flat: no daily cycle). */
const BACKGROUND: readonly [number, number][] = [
  [445, 30],
  [22, 12],
  [23, 6],
  [3389, 4],
];
const COUNTRIES = ['JP', 'CN', 'US', 'RU', 'BR'] as const;

/** Extra probes for minute `m` (pushed into `probes`). */
type Injection = (m: number, rng: () => number, probes: ProbeRow[]) => void;

interface Scenario {
  readonly days: number;
  readonly seed?: number;
  readonly inject?: Injection;
  /** Sensors silent (no rows at all) at minute `m`. */
  readonly silent?: (m: number) => ReadonlySet<string>;
  /** More background ports ([port, sources per hour]). */
  readonly background?: readonly [number, number][];
}

const randomIp = (rng: () => number) =>
  `${1 + Math.floor(rng() * 222)}.${Math.floor(rng() * 256)}.${Math.floor(rng() * 256)}.${1 + Math.floor(rng() * 254)}`;

function probe(
  m: number,
  rng: () => number,
  port: number,
  src = randomIp(rng),
  sensor: string = SENSORS[Math.floor(rng() * SENSORS.length)]!,
  country: string | null = COUNTRIES[Math.floor(rng() * COUNTRIES.length)]!,
): ProbeRow {
  const si = SENSORS.indexOf(sensor as (typeof SENSORS)[number]);
  return {
    minuteMs: m,
    sensor,
    kind: 'firewall',
    proto: 'tcp',
    port,
    src,
    dst: `203.0.${si}.${Math.floor(rng() * 256)}`,
    country,
    asn: 64500 + Math.floor(rng() * 20),
    packets: 1 + Math.floor(rng() * 3),
    udpPayload: false,
  };
}

function minute(m: number, rng: () => number, s: Scenario): MinuteRows {
  const probes: ProbeRow[] = [];
  for (const [port, perHour] of s.background ? [...BACKGROUND, ...s.background] : BACKGROUND) {
    const k = poisson(rng, perHour / 60);
    for (let i = 0; i < k; i++) probes.push(probe(m, rng, port));
  }
  s.inject?.(m, rng, probes);
  const silent = s.silent?.(m);
  const kept = silent && silent.size > 0 ? probes.filter((p) => !silent.has(p.sensor)) : probes;
  const volume: SensorVolumeRow[] = [];
  for (const sensor of SENSORS) {
    if (silent?.has(sensor)) continue;
    const own = kept.filter((p) => p.sensor === sensor).reduce((a, p) => a + p.packets, 0);
    volume.push({ minuteMs: m, sensor, kind: 'firewall', packets: 40 + poisson(rng, 10) + own });
  }
  return { minuteMs: m, probes: kept, backscatter: [], payloads: [], ids: [], volume };
}

function run(s: Scenario, only: ('port-surge' | 'scan')[] = ['port-surge']): Finding[] {
  const set = new DetectorSet({ addresses: ADDRESSES, only });
  const rng = mulberry32(s.seed ?? 42);
  const out: Finding[] = [];
  for (let m = T0; m < T0 + s.days * DAY_MS; m += MINUTE_MS) out.push(...set.feed(minute(m, rng, s)));
  return out;
}

const surges = (fs: readonly Finding[]) => fs.filter((f) => f.detector === 'port-surge');

describe('PortSurgeDetector', () => {
  it('finds a surge in distinct sources on one port, names the port and starts within the hour', () => {
    // Day 10, 10:20 UTC: 23/tcp goes from ~6 to ~120 distinct sources an hour, for 3 hours.
    const start = T0 + 10 * DAY_MS + 10 * HOUR_MS + 20 * MINUTE_MS;
    const end = start + 3 * HOUR_MS;
    const fs = surges(
      run({
        days: 11,
        inject: (m, rng, probes) => {
          if (m < start || m >= end) return;
          for (let i = 0; i < 2; i++) probes.push(probe(m, rng, 23));
        },
      }),
    );
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const f = opened[0]!;
    expect(f.kind).toBe('port-surge');
    expect(f.subject.port).toBe(23);
    expect(f.subject.proto).toBe('tcp');
    expect(f.title).toContain('23/tcp');
    // Detected within a quarter of an hour, and the estimated start is within the hour before
    // the true start (the 60-minute window's start).
    expect(f.detectedMs).toBeGreaterThan(start);
    expect(f.detectedMs).toBeLessThanOrEqual(start + 15 * MINUTE_MS);
    expect(f.startMs).toBeGreaterThanOrEqual(start - HOUR_MS);
    expect(f.startMs).toBeLessThanOrEqual(start);
    // One episode: every later finding carries the same key, and it does not end during the surge.
    expect(new Set(fs.map((x) => x.key))).toEqual(new Set([f.key]));
    expect(fs.filter((x) => x.phase === 'ended' && x.lastMs < end)).toEqual([]);
    expect(fs.filter((x) => x.phase === 'updated').length).toBeGreaterThanOrEqual(2);
    // Its evidence carries the hourly series: two days of complete hours, the surge's hours high.
    const series = fs.at(-1)!.evidence.series as { hour: string; sources: number | null }[];
    expect(series).toHaveLength(48);
    expect(Math.max(...series.map((h) => h.sources ?? 0))).toBeGreaterThan(60);
    expect(series.filter((h) => (h.sources ?? 0) > 30).length).toBeLessThanOrEqual(4);
    const ev = f.evidence as { splits: Record<string, { sources: number; baseline: number }> };
    const split = Object.values(ev.splits)[0]!;
    expect(split.sources).toBeGreaterThan(split.baseline * 2);
  });

  // An ended surge must not be held open by the CUSUM built up during it (capped while alerting)
  // nor by noise windows (continuation needs z ≥ 3).
  it('ends a 3-hour surge within endAfterMs (6 h) plus a window of its end', () => {
    const start = T0 + 10 * DAY_MS + 10 * HOUR_MS + 20 * MINUTE_MS;
    const end = start + 3 * HOUR_MS;
    const fs = surges(
      run({
        days: 12,
        inject: (m, rng, probes) => {
          if (m < start || m >= end) return;
          for (let i = 0; i < 2; i++) probes.push(probe(m, rng, 23));
        },
      }),
    );
    const ended = fs.filter((x) => x.phase === 'ended');
    expect(ended).toHaveLength(1);
    // The day after still holds the surge's hours in its 24-hour sum: not a new (slow) surge.
    expect(fs.filter((x) => x.phase === 'opened')).toHaveLength(1);
    // Its last active evaluation is within about an hour of the surge's end.
    expect(ended[0]!.lastMs).toBeLessThanOrEqual(end + 2 * HOUR_MS);
  });

  it('finds a slow 1.25× rise the hourly windows cannot tell from noise, by its 24-hour sum', () => {
    // From day 8, 09:00: 445/tcp goes from ~30 to ~37.5 distinct sources an hour (new hosts), for
    // three days: z ≈ 1.4 an hour, ≈ 6 over a day.
    const start = T0 + 8 * DAY_MS + 9 * HOUR_MS;
    const end = start + 3 * DAY_MS;
    const fs = surges(
      run({
        days: 11,
        seed: 12,
        inject: (m, rng, probes) => {
          if (m >= start && m < end && rng() < 7.5 / 60) probes.push(probe(m, rng, 445));
        },
      }),
    );
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const f = opened[0]!;
    expect(f.subject.port).toBe(445);
    expect(f.title).toMatch(/^Slow surge on 445\/tcp/);
    expect((f.evidence.trigger as { by: string }).by).toBe('day');
    expect(f.detectedMs).toBeGreaterThan(start);
    expect(f.detectedMs).toBeLessThanOrEqual(start + 30 * HOUR_MS);
    expect(f.evidence.magnitude).toBeGreaterThan(1.1);
    expect(f.evidence.magnitude).toBeLessThan(1.5);
    // One episode while the rise lasts.
    expect(new Set(fs.map((x) => x.key)).size).toBe(1);
    expect(fs.filter((x) => x.phase === 'ended' && x.lastMs < end)).toEqual([]);
  });

  it('does not alert on flat series over three weeks', () => {
    expect(surges(run({ days: 21, seed: 7 }))).toEqual([]);
  });

  it('does not count one noisy scanner hammering a port as a surge (the scan detector reports it)', () => {
    const start = T0 + 8 * DAY_MS + 14 * HOUR_MS;
    const end = start + 2 * HOUR_MS;
    const fs = run(
      {
        days: 9,
        inject: (m, rng, probes) => {
          if (m < start || m >= end) return;
          // 198.51.100.77 sends 60 probes a minute to 23/tcp, across every sensor.
          for (let i = 0; i < 60; i++) {
            probes.push(probe(m, rng, 23, '198.51.100.77', SENSORS[i % SENSORS.length], 'CN'));
          }
        },
      },
      ['port-surge', 'scan'],
    );
    expect(surges(fs)).toEqual([]);
    const scans = fs.filter((f) => f.detector === 'scan' && f.phase === 'opened');
    expect(scans).toHaveLength(1);
    expect(scans[0]!.subject.source).toBe('198.51.100.77');
    expect(scans[0]!.subject.ports).toEqual(['23/tcp']);
  });

  it('does not alert when a sensor goes silent for a day, nor when it comes back', () => {
    const from = T0 + 8 * DAY_MS + 6 * HOUR_MS;
    const to = from + DAY_MS;
    const none = new Set<string>();
    const s2 = new Set(['s2']);
    const fs = run({ days: 11, seed: 3, silent: (m) => (m >= from && m < to ? s2 : none) });
    expect(surges(fs)).toEqual([]);
  });

  it('counts a silent sensor as missing, not as quiet: its return after days is not a surge', () => {
    // 1433/tcp: ~600 sources an hour. s2 is silent for four days (a quarter of the sources are
    // unseen); if those hours fed the baseline as they were seen, s2's return would be a surge.
    const from = T0 + 4 * DAY_MS + 7 * HOUR_MS;
    const to = from + 4 * DAY_MS;
    const none = new Set<string>();
    const s2 = new Set(['s2']);
    const fs = run({
      days: 10,
      seed: 21,
      background: [[1433, 600]],
      silent: (m) => (m >= from && m < to ? s2 : none),
    });
    expect(surges(fs)).toEqual([]);
  });

  it('does not alert when most of the fleet is silent, and its return is not a surge', () => {
    const from = T0 + 8 * DAY_MS + 2 * HOUR_MS;
    const to = from + 10 * HOUR_MS;
    const none = new Set<string>();
    const three = new Set(['s1', 's2', 's3']);
    const fs = run({ days: 10, seed: 11, silent: (m) => (m >= from && m < to ? three : none) });
    expect(surges(fs)).toEqual([]);
  });

  it('keeps one episode when a sensor goes silent in the middle of a surge', () => {
    const start = T0 + 9 * DAY_MS + 8 * HOUR_MS;
    const end = start + 8 * HOUR_MS;
    const silentFrom = start + 2 * HOUR_MS;
    const silentTo = silentFrom + 4 * HOUR_MS;
    const none = new Set<string>();
    const s4 = new Set(['s4']);
    const fs = surges(
      run({
        days: 11,
        seed: 5,
        inject: (m, rng, probes) => {
          if (m < start || m >= end) return;
          for (let i = 0; i < 2; i++) probes.push(probe(m, rng, 3389));
        },
        silent: (m) => (m >= silentFrom && m < silentTo ? s4 : none),
      }),
    );
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.subject.port).toBe(3389);
    // No end during the outage (nor before the surge's end), and one key throughout.
    expect(fs.filter((f) => f.phase === 'ended' && f.lastMs < end)).toEqual([]);
    expect(new Set(fs.map((f) => f.key)).size).toBe(1);
    // It stays active through the outage: an hourly update in the middle of it.
    expect(
      fs.some((f) => f.phase === 'updated' && f.lastMs > silentFrom + HOUR_MS && f.lastMs < silentTo),
    ).toBe(true);
  });

  it('needs sources spread over two sensors or ASNs', () => {
    // 120 new sources an hour on 8080/tcp, all through s1 and one ASN: not a surge.
    const start = T0 + 3 * DAY_MS + 9 * HOUR_MS;
    const fs = surges(
      run({
        days: 4,
        inject: (m, rng, probes) => {
          if (m < start || m >= start + 2 * HOUR_MS) return;
          for (let i = 0; i < 2; i++)
            probes.push({ ...probe(m, rng, 8080, randomIp(rng), 's1'), asn: 64999 });
        },
      }),
    );
    expect(fs).toEqual([]);
  });

  it('raises nothing during its warm-up', () => {
    const d = new PortSurgeDetector();
    const rng = mulberry32(1);
    const out: Finding[] = [];
    const cov = {
      minuteMs: 0,
      activeSensors: 4,
      knownSensors: 4,
      monitoredAddresses: 1024,
      knownAddresses: 1024,
      fraction: () => 1,
      epochOf: () => 0,
      sizeAt: () => undefined,
      received: () => 1,
      isActive: () => true,
      streams: [],
      gapSinceMs: null,
    };
    // A huge surge from the first minute: no baseline and no warm-up yet, so no alert.
    for (let m = T0; m < T0 + 12 * HOUR_MS; m += MINUTE_MS) {
      const probes: ProbeRow[] = [];
      for (let i = 0; i < 10; i++) probes.push(probe(m, rng, 5900));
      out.push(...d.step({ minuteMs: m, probes, backscatter: [], payloads: [], ids: [], volume: [] }, cov));
    }
    expect(out).toEqual([]);
    expect(d.stateSize()).toBeGreaterThan(0);
  });
});

describe('PortSurgeDetector state under a flood', () => {
  it('opens no series beyond maxSeries and keeps no sources beyond maxSources, still counting them', () => {
    const d = new PortSurgeDetector({ domesticCountry: 'JP', maxSeries: 30, maxSources: 500 });
    const cov = new Coverage({ addresses: ADDRESSES });
    const rng = mulberry32(9);
    for (let i = 0; i < 5; i++) {
      const m = T0 + i * MINUTE_MS;
      // 1,000 spoofed sources a minute on 100 random ports.
      const probes = Array.from({ length: 1000 }, (_, k) => probe(m, rng, 1000 + (k % 100)));
      const volume: SensorVolumeRow[] = SENSORS.map((sensor) => ({
        minuteMs: m,
        sensor,
        kind: 'firewall',
        packets: 250,
      }));
      d.step({ minuteMs: m, probes, backscatter: [], payloads: [], ids: [], volume }, cov.observe(m, volume));
    }
    expect(d.overflow.series).toBeGreaterThan(0);
    expect(d.overflow.sources).toBeGreaterThan(0);
    // At most 30 series and 500 sources held (stateSize counts one per series and per source).
    expect(d.stateSize()).toBeLessThanOrEqual(30 + 500);
  });
});
