// Hand-built, simulated payload rows: a stable payload family (seeded PRNG noise) and a worm whose
// infected population grows logistically, seen by two darknet sensors; no real data.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/prng.js';
import type { IdsRow, PayloadRow, SensorVolumeRow } from '../observe/index.js';
import { Coverage } from './coverage.js';
import { type Finding, HOUR_MS, MINUTE_MS, type MinuteRows } from './finding.js';
import { DetectorSet } from './runner.js';
import { WormDetector } from './worm.js';

const T0 = Date.UTC(2024, 6, 1);
const SENSORS = ['d1', 'd2'] as const;

/** A DNS query payload seen all the time from a steady population of resolvers. */
const STABLE = { proto: 'udp', port: 53, payloadLength: 38, payloadHash: 0x1a2b3c4d } as const;
/** A Slammer-like single-datagram worm on 1434/UDP. */
const WORM = { proto: 'udp', port: 1434, payloadLength: 376, payloadHash: 0xdeadbeef } as const;
const WORM_FP = '376:deadbeef';
/** An established worm population (Slammer years after its outbreak) on 1434/UDP. */
const ENDEMIC = { proto: 'udp', port: 1434, payloadLength: 376, payloadHash: 0x5a4d3e2f } as const;

interface Scenario {
  readonly hours: number;
  readonly seed?: number;
  /** Worm: infected hosts I(t) = K / (1 + e^(−r(t − T))), t in hours since T0. */
  readonly worm?: { K: number; r: number; T: number };
  /** Extra rows for minute `m`. */
  readonly extra?: (m: number, rng: () => number) => { payloads?: PayloadRow[]; ids?: IdsRow[] };
  /** A gap in the whole fleet's data: no rows at all from `from` to `to` (hours since T0). */
  readonly gap?: { from: number; to: number };
  /** An endemic worm: this many hosts, each landing a datagram with probability 0.05 a minute. */
  readonly endemic?: number;
}

function payload(
  m: number,
  fam: { proto: 'udp' | 'tcp'; port: number; payloadLength: number; payloadHash: number },
  src: string,
  sensor: string,
): PayloadRow {
  return { minuteMs: m, ...fam, src, country: 'US', sensor, packets: 1 };
}

function run(s: Scenario): { findings: Finding[]; set: DetectorSet } {
  const set = new DetectorSet({ only: ['worm'] });
  const rng = mulberry32(s.seed ?? 99);
  const findings: Finding[] = [];
  // 200 resolvers; each is seen with probability 0.1 per hour (≈ 20 distinct an hour).
  const resolvers = Array.from({ length: 200 }, (_, i) => `10.${i >> 8}.${i & 255}.53`);
  for (let m = T0; m < T0 + s.hours * HOUR_MS; m += MINUTE_MS) {
    const payloads: PayloadRow[] = [];
    const ids: IdsRow[] = [];
    for (const src of resolvers) {
      if (rng() < 0.1 / 60) payloads.push(payload(m, STABLE, src, SENSORS[rng() < 0.5 ? 0 : 1]));
    }
    if (s.worm) {
      const t = (m - T0) / HOUR_MS;
      const infected = Math.floor(s.worm.K / (1 + Math.exp(-s.worm.r * (t - s.worm.T))));
      // Each infected host lands a datagram on the darknets about 3 times an hour.
      for (let h = 0; h < infected; h++) {
        if (rng() < 0.05) payloads.push(payload(m, WORM, `172.16.${h >> 8}.${h & 255}`, SENSORS[h % 2]!));
      }
    }
    for (let h = 0; h < (s.endemic ?? 0); h++) {
      if (rng() < 0.05) payloads.push(payload(m, ENDEMIC, `172.20.${h >> 8}.${h & 255}`, SENSORS[h % 2]!));
    }
    const more = s.extra?.(m, rng);
    if (more?.payloads) payloads.push(...more.payloads);
    if (more?.ids) ids.push(...more.ids);
    const volume: SensorVolumeRow[] = SENSORS.map((sensor) => ({
      minuteMs: m,
      sensor,
      kind: 'darknet',
      packets: 100 + payloads.filter((p) => p.sensor === sensor).length,
    }));
    const rows: MinuteRows = { minuteMs: m, probes: [], backscatter: [], payloads, ids, volume };
    const t = (m - T0) / HOUR_MS;
    if (s.gap && t >= s.gap.from && t < s.gap.to) {
      findings.push(
        ...set.feed({ minuteMs: m, probes: [], backscatter: [], payloads: [], ids: [], volume: [] }),
      );
      continue;
    }
    findings.push(...set.feed(rows));
  }
  return { findings, set };
}

describe('WormDetector', () => {
  it('finds a payload fingerprint whose distinct sources grow logistically over hours', () => {
    // K = 500 hosts, r = 1/h, midpoint at hour 40: a handful infected around hour 35.
    const worm = { K: 500, r: 1, T: 40 };
    const { findings } = run({ hours: 42, worm });
    const opened = findings.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const f = opened[0]!;
    expect(f.kind).toBe('worm-outbreak');
    expect(f.subject).toEqual({ proto: 'udp', port: 1434, fingerprints: [WORM_FP], signatures: [] });
    // Found in the exponential phase: after the first infections, well before the midpoint.
    const firstInfection = T0 + (worm.T - Math.log(worm.K - 1) / worm.r) * HOUR_MS;
    expect(f.detectedMs).toBeGreaterThan(firstInfection);
    expect(f.detectedMs).toBeLessThan(T0 + (worm.T - 1) * HOUR_MS);
    expect(f.key.startsWith(`worm-outbreak:1434/udp:${WORM_FP}:`)).toBe(true);
    expect(f.title).toContain('1434/udp');
    // One episode, updated hourly while it grows; its growth rate is positive.
    expect(new Set(findings.map((x) => x.key))).toEqual(new Set([f.key]));
    const updates = findings.filter((x) => x.phase === 'updated');
    expect(updates.length).toBeGreaterThanOrEqual(5);
    // In the exponential phase the hour-over-hour growth is about r = 1 per hour.
    const r = updates.slice(0, 3).map((u) => u.evidence.growth_rate_per_hour as number);
    for (const g of r) {
      expect(g).toBeGreaterThan(0.5);
      expect(g).toBeLessThan(1.6);
    }
    const last = updates.at(-1)!;
    expect(last.evidence.sources_total as number).toBeGreaterThan(100);
    expect(last.severity === 'high' || last.severity === 'critical').toBe(true);
  });

  it('does not report a stable fingerprint', () => {
    const { findings, set } = run({ hours: 72, seed: 5 });
    expect(findings).toEqual([]);
    expect(set.stateSizes().worm).toBeGreaterThan(0);
  });

  // A new family with nobody an hour ago is not yet "growing": senders of a campaign that start
  // together and stay are not an outbreak.
  it('does not report a campaign whose few senders start together and stay', () => {
    const { findings } = run({
      hours: 40,
      extra: (m) => {
        if (m < T0 + 30.25 * HOUR_MS || m % (5 * MINUTE_MS) !== 0) return {};
        const fam = { proto: 'udp', port: 1026, payloadLength: 500, payloadHash: 77 } as const;
        return {
          payloads: Array.from({ length: 8 }, (_, i) => payload(m, fam, `172.30.0.${i}`, SENSORS[i % 2]!)),
        };
      },
    });
    expect(findings).toEqual([]);
  });

  it('does not report a family far above its baseline that is no longer growing', () => {
    // 40 senders of a new payload from hour 18 (during the warm-up), steady after it: at hour 24 its
    // 40 sources stand far above a baseline of ~10, but it is not growing.
    const fam = { proto: 'udp', port: 161, payloadLength: 44, payloadHash: 0x5eed } as const;
    const { findings } = run({
      hours: 34,
      extra: (m) => {
        if (m < T0 + 18 * HOUR_MS || m % (5 * MINUTE_MS) !== 0) return {};
        return {
          payloads: Array.from({ length: 40 }, (_, i) => payload(m, fam, `172.31.0.${i}`, SENSORS[i % 2]!)),
        };
      },
    });
    expect(findings).toEqual([]);
  });

  it('waits for its warm-up before alerting', () => {
    // The same worm, but growing within the first day: no baseline yet, no alert.
    const { findings } = run({ hours: 20, worm: { K: 500, r: 1, T: 12 } });
    expect(findings).toEqual([]);
  });

  it('needs sources through two sensors', () => {
    const { findings } = run({
      hours: 40,
      extra: (m) => {
        // A growing family seen only by d1.
        const t = (m - T0) / HOUR_MS;
        if (t < 30 || m % (5 * MINUTE_MS) !== 0) return {};
        const n = Math.floor(2 ** (t - 30));
        return {
          payloads: Array.from({ length: Math.min(n, 200) }, (_, i) =>
            payload(
              m,
              { proto: 'udp', port: 5060, payloadLength: 99, payloadHash: 7 },
              `172.20.0.${i}`,
              'd1',
            ),
          ),
        };
      },
    });
    expect(findings).toEqual([]);
  });

  it('joins an IDS signature of the same outbreak to the payload episode', () => {
    const worm = { K: 500, r: 1, T: 40 };
    const { findings } = run({
      hours: 46,
      worm,
      extra: (m, rng) => {
        const t = (m - T0) / HOUR_MS;
        const infected = Math.floor(worm.K / (1 + Math.exp(-worm.r * (t - worm.T))));
        const ids: IdsRow[] = [];
        for (let h = 0; h < infected; h++) {
          if (rng() < 0.05) {
            ids.push({
              minuteMs: m,
              generatorId: 1,
              signatureId: 2003,
              signature: 'MS-SQL Worm propagation attempt',
              technique: 'Worm',
              proto: 'udp',
              port: 1434,
              src: `172.16.${h >> 8}.${h & 255}`,
              country: 'US',
              sensor: h % 2 === 0 ? 'i1' : 'i2',
              packets: 1,
            });
          }
        }
        return { ids };
      },
    });
    const opened = findings.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const keys = new Set(findings.map((f) => f.key));
    expect(keys.size).toBe(1);
    const last = findings.at(-1)!;
    expect(last.subject.fingerprints).toEqual([WORM_FP]);
    expect(last.subject.signatures).toEqual([2003]);
  });
});

describe('WormDetector across a gap in the whole fleet’s data', () => {
  // Six days, nothing for two (an import that skipped them), then a day: docs/methods.md#daily-and-weekly-cycles-gaps.
  const gap = { from: 144, to: 192 };

  it('raises nothing when the data resumes, for an endemic worm nor a stable payload', () => {
    // Before: the first windows after the gap (half of them in it) were scaled up by their
    // coverage, 300 hosts of which 235 show in 30 minutes read as 470, "growing" from the
    // window before the gap: an outbreak of the endemic worm when the data resumed.
    const { findings } = run({ hours: 216, seed: 11, endemic: 300, gap });
    expect(findings).toEqual([]);
  });

  it('still finds an outbreak that starts after the gap', () => {
    // K = 500, r = 1/h, midpoint 12 hours after the data resumed: first infections about 6 hours in.
    const worm = { K: 500, r: 1, T: 204 };
    const { findings } = run({ hours: 206, seed: 11, endemic: 300, gap, worm });
    const opened = findings.filter((f) => f.phase === 'opened');
    expect(opened.map((f) => f.subject)).toEqual([
      { proto: 'udp', port: 1434, fingerprints: [WORM_FP], signatures: [] },
    ]);
    expect(opened[0]!.detectedMs).toBeLessThan(T0 + (worm.T - 1) * HOUR_MS);
    expect(opened[0]!.detectedMs).toBeGreaterThan(T0 + gap.to * HOUR_MS);
  });
});

describe('WormDetector when darknet sensors join', () => {
  /**
   * Two darknet sensors for 4 days 11 hours, then four: the endemic worm's 300 hosts seen until
   * then, 450 after (the new sensors' blocks reached by hosts the old ones never saw), each landing
   * with probability 0.05 a minute; `worm` adds an outbreak as in `run`.
   */
  function joining(days: number, worm?: { K: number; r: number; T: number }): Finding[] {
    const set = new DetectorSet({ only: ['worm'] });
    const rng = mulberry32(3);
    const out: Finding[] = [];
    const joinAt = T0 + (4 * 24 + 11) * HOUR_MS;
    for (let m = T0; m < T0 + days * 24 * HOUR_MS; m += MINUTE_MS) {
      const sensors = m < joinAt ? ['d1', 'd2'] : ['d1', 'd2', 'd3', 'd4'];
      const payloads: PayloadRow[] = [];
      for (let h = 0; h < (m < joinAt ? 300 : 450); h++) {
        if (rng() < 0.05)
          payloads.push(payload(m, ENDEMIC, `172.20.${h >> 8}.${h & 255}`, sensors[h % sensors.length]!));
      }
      const infected = worm
        ? Math.floor(worm.K / (1 + Math.exp(-worm.r * ((m - T0) / HOUR_MS - worm.T))))
        : 0;
      for (let h = 0; h < infected; h++) {
        if (rng() < 0.05)
          payloads.push(payload(m, WORM, `172.16.${h >> 8}.${h & 255}`, sensors[h % sensors.length]!));
      }
      const volume: SensorVolumeRow[] = sensors.map((sensor) => ({
        minuteMs: m,
        sensor,
        kind: 'darknet',
        packets: 100 + payloads.filter((p) => p.sensor === sensor).length,
      }));
      out.push(...set.feed({ minuteMs: m, probes: [], backscatter: [], payloads, ids: [], volume }));
    }
    return out;
  }

  it('reads the endemic worm’s larger count as coverage, not an outbreak', () => {
    // Before: "Worm outbreak on 1434/udp — 423 sources and growing" in the hour after they joined.
    expect(joining(7)).toEqual([]);
  });

  it('still finds an outbreak two days after they joined', () => {
    const worm = { K: 500, r: 1, T: 6.5 * 24 + 10 };
    const opened = joining(7, worm).filter((f) => f.phase === 'opened');
    expect(opened.map((f) => f.subject)).toEqual([
      { proto: 'udp', port: 1434, fingerprints: [WORM_FP], signatures: [] },
    ]);
    expect(opened[0]!.detectedMs).toBeLessThan(T0 + (worm.T - 1) * HOUR_MS);
  });
});

describe('WormDetector state under a flood of random payloads', () => {
  it('opens no family beyond maxFamilies and keeps no sources beyond maxSources', () => {
    const d = new WormDetector({ maxFamilies: 50, maxSources: 20 });
    const cov = new Coverage();
    for (let i = 0; i < 5; i++) {
      const m = T0 + i * MINUTE_MS;
      const payloads = Array.from({ length: 400 }, (_, k) =>
        payload(
          m,
          { proto: 'udp', port: 1000 + (k % 100), payloadLength: 100, payloadHash: i * 1000 + k },
          `10.${i}.${k >> 8}.${k & 255}`,
          SENSORS[k % 2]!,
        ),
      );
      const volume: SensorVolumeRow[] = SENSORS.map((sensor) => ({
        minuteMs: m,
        sensor,
        kind: 'darknet',
        packets: 200,
      }));
      d.step({ minuteMs: m, probes: [], backscatter: [], payloads, ids: [], volume }, cov.observe(m, volume));
    }
    expect(d.overflow.families).toBeGreaterThan(0);
    expect(d.overflow.sources).toBeGreaterThan(0);
    expect(d.stateSize()).toBeLessThanOrEqual(50 + 20);
  });
});
