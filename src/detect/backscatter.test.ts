// Hand-built backscatter rows (unsolicited SYN-ACKs, RSTs and ICMP errors from DDoS victims) and
// sensor volume rows for a small simulated fleet; no real data.
import { describe, expect, it } from 'vitest';
import { type BackscatterRow, type SensorVolumeRow, sketchOf } from '../observe/index.js';
import { attackTypeOf, BackscatterDetector } from './backscatter.js';
import { Coverage } from './coverage.js';
import { type Finding, MINUTE_MS, type MinuteRows, sig } from './finding.js';
import { DetectorSet } from './runner.js';

const T0 = Date.UTC(2024, 2, 4);
const TWO_32 = 2 ** 32;
/** A /22 darknet and two /24 firewalls: 1536 monitored addresses. */
const ADDRESSES = new Map([
  ['dark', 1024],
  ['fw1', 256],
  ['fw2', 256],
]);
const KIND = { dark: 'darknet', fw1: 'firewall', fw2: 'firewall' } as const;

const VICTIM = '198.51.100.10';

/**
 * `targets` distinct addresses of 10.0.0.0/8 hit in minute `m`: new ones every minute, and different
 * ones for different ports of the same minute (so that distinct counts add up, as they should here).
 */
function hitsAt(m: number, targets: number, port: number | null) {
  const first = (m / MINUTE_MS) * 4096 + ((port ?? 0) % 64) * 64;
  const keys = Array.from({ length: targets }, (_, k) => 0x0a000000 + ((first + k) % 0x1000000));
  return { targets, hits: sketchOf(keys), blocks16: [...new Set(keys.map((k) => k >>> 16))] };
}

function reply(m: number, over: Partial<BackscatterRow> = {}): BackscatterRow {
  return {
    minuteMs: m,
    victim: VICTIM,
    proto: 'tcp',
    port: 80,
    reply: 'syn-ack',
    packets: 40,
    bytes: 40 * 60,
    sensors: 3,
    firstMs: m + 1000,
    lastMs: m + 59_000,
    quoteMismatches: 0,
    ...hitsAt(m, over.targets ?? 30, over.port === undefined ? 80 : over.port),
    ...over,
  };
}

interface Scenario {
  readonly minutes: number;
  /** Backscatter rows of minute index `i`. */
  readonly rows?: (i: number, m: number) => BackscatterRow[];
  /** Sensors sending nothing at minute index `i`. */
  readonly silent?: (i: number) => readonly string[];
  readonly addresses?: ReadonlyMap<string, number>;
}

function run(s: Scenario): Finding[] {
  const set = new DetectorSet({ addresses: s.addresses ?? ADDRESSES, only: ['backscatter'] });
  const out: Finding[] = [];
  for (let i = 0; i < s.minutes; i++) {
    const m = T0 + i * MINUTE_MS;
    const silent = s.silent?.(i) ?? [];
    const volume: SensorVolumeRow[] = [];
    for (const [sensor, kind] of Object.entries(KIND)) {
      if (!silent.includes(sensor)) volume.push({ minuteMs: m, sensor, kind, packets: 50 + (i % 7) });
    }
    const rows: MinuteRows = {
      minuteMs: m,
      probes: [],
      backscatter: silent.length === 3 ? [] : (s.rows?.(i, m) ?? []),
      payloads: [],
      ids: [],
      volume,
    };
    out.push(...set.feed(rows));
  }
  return out;
}

/** A SYN flood on 80/tcp and 443/tcp of VICTIM during minute indices [from, to). */
const synFlood =
  (from: number, to: number) =>
  (i: number, m: number): BackscatterRow[] =>
    i >= from && i < to ? [reply(m), reply(m, { port: 443, packets: 10, bytes: 600, targets: 8 })] : [];

describe('BackscatterDetector', () => {
  it('reports a victim sending SYN-ACKs to many sensor addresses as one backscatter episode', () => {
    // Two hours of quiet fleet first (so the background rate has some hours), then 20 minutes of flood.
    const fs = run({ minutes: 180, rows: synFlood(120, 140) });
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const f = opened[0]!;
    expect(f.kind).toBe('backscatter');
    expect(f.detector).toBe('backscatter');
    expect(f.subject).toEqual({ victim: VICTIM, attack_type: 'syn-flood', ports: ['80/tcp', '443/tcp'] });
    expect(f.startMs).toBe(T0 + 120 * MINUTE_MS + 1000);
    expect(f.detectedMs).toBe(T0 + 120 * MINUTE_MS + 59_000);
    // Rate = observed × 2^32 / monitored addresses: 50 replies in the first minute.
    const ev = f.evidence;
    expect(ev.monitored_addresses).toBe(1536);
    expect(ev.estimated_rate_pps).toBe(sig(((50 / 60) * TWO_32) / 1536));
    expect(ev.attacked_ports).toEqual([
      { port: '80/tcp', packets: 40 },
      { port: '443/tcp', packets: 10 },
    ]);
    expect((ev.test as { window_min: number }).window_min).toBe(1);
    expect(f.severity).toBe('critical');
    expect(f.title).toBe('DDoS on 198.51.100.10 (syn-flood, 80/tcp 443/tcp): ≥ 2,300,000 replies/s');
    expect(f.statistic).toBeUndefined();

    // One episode: the same key throughout, a few updates (at most every 5 minutes), one end.
    expect(new Set(fs.map((x) => x.key))).toEqual(new Set([f.key]));
    const updates = fs.filter((x) => x.phase === 'updated');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.length).toBeLessThanOrEqual(4);
    const ended = fs.filter((x) => x.phase === 'ended');
    expect(ended).toHaveLength(1);
    const end = ended[0]!;
    expect(end.lastMs).toBe(T0 + 139 * MINUTE_MS + 59_000);
    expect(end.evidence.packets).toBe(20 * 50);
    // 38 new addresses a minute: 760 distinct, beyond the exact range — a sketch's estimate.
    expect(end.evidence.addresses_hit_exact).toBe(false);
    expect(Math.abs((end.evidence.addresses_hit as number) - 760)).toBeLessThanOrEqual(760 * 0.03);
    const blocks = new Set<number>();
    for (let i = 120; i < 140; i++) {
      for (const [port, n] of [
        [80, 30],
        [443, 8],
      ] as const)
        for (const b of hitsAt(T0 + i * MINUTE_MS, n, port).blocks16) blocks.add(b);
    }
    expect(end.evidence.blocks16_hit).toBe(blocks.size);
    expect(end.evidence.duration_s).toBe(20 * 60 - 2);
    expect(end.evidence.end).toBe(new Date(end.lastMs).toISOString());
    // Over the whole attack: 1000 replies in 1198 s.
    expect(end.evidence.estimated_rate_pps).toBe(sig(((1000 / 1198) * TWO_32) / 1536));
  });

  it('scales the estimated rate by the monitored share of the address space', () => {
    const small = run({ minutes: 30, rows: synFlood(10, 12), addresses: new Map([['dark', 1024]]) });
    const big = run({ minutes: 30, rows: synFlood(10, 12) });
    const rate = (fs: Finding[]) => fs.find((f) => f.phase === 'opened')!.evidence.estimated_rate_pps;
    expect(rate(small)).toBe(sig(((50 / 60) * TWO_32) / 1024));
    expect(rate(big)).toBe(sig(((50 / 60) * TWO_32) / 1536));
  });

  it('uses the addresses of the sensors reporting now when one of them has gone silent', () => {
    // fw2 stops at minute 400 (after coverage has learnt its rate); the flood starts at 450.
    const fs = run({
      minutes: 480,
      rows: synFlood(450, 460),
      silent: (i) => (i >= 400 ? ['fw2'] : []),
    });
    const f = fs.find((x) => x.phase === 'opened')!;
    expect(f.evidence.monitored_addresses).toBe(1280);
    expect(f.evidence.estimated_rate_pps).toBe(sig(((50 / 60) * TWO_32) / 1280));
  });

  it('does not report a handful of stray packets', () => {
    const fs = run({
      minutes: 120,
      rows: (i, m) => {
        if (i === 10 || i === 30 || i === 50) return [reply(m, { reply: 'rst', packets: 1, targets: 1 })];
        if (i === 70) return [reply(m, { victim: '192.0.2.99', packets: 3, targets: 3, reply: 'icmp-0' })];
        return [];
      },
    });
    expect(fs).toEqual([]);
  });

  it('does not end an attack while one sensor is silent and the others still see it', () => {
    const fs = run({
      minutes: 600,
      rows: synFlood(400, 460),
      silent: (i) => (i >= 420 && i < 450 ? ['fw1'] : []),
    });
    expect(fs.filter((f) => f.phase === 'opened')).toHaveLength(1);
    const ended = fs.filter((f) => f.phase === 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.lastMs).toBe(T0 + 459 * MINUTE_MS + 59_000);
  });

  // A fleet outage is not watched time: coverage declares a stream silent only after 15 minutes,
  // but a minute whose events are under half the usual volume already counts as unwatched, so the
  // attack neither ends after its 5-minute gap nor comes back under a new key.
  it('does not end an attack while the whole fleet is silent', () => {
    const fs = run({
      minutes: 600,
      rows: synFlood(400, 480),
      silent: (i) => (i >= 420 && i < 450 ? ['dark', 'fw1', 'fw2'] : []),
    });
    expect(fs.filter((f) => f.phase === 'opened')).toHaveLength(1);
    expect(fs.filter((f) => f.phase === 'ended')).toHaveLength(1);
    expect(new Set(fs.map((f) => f.key)).size).toBe(1);
  });

  it('names the attack type from the reply', () => {
    expect(attackTypeOf('syn-ack', 'tcp')).toBe('syn-flood');
    expect(attackTypeOf('rst', 'tcp')).toBe('syn-flood');
    expect(attackTypeOf('icmp-0', 'icmp')).toBe('ping-flood');
    expect(attackTypeOf('icmpv6-129', 'icmpv6')).toBe('ping-flood');
    expect(attackTypeOf('icmp-3', 'udp')).toBe('udp-flood');
    expect(attackTypeOf('icmp-3', 'tcp')).toBe('syn-flood');
    expect(attackTypeOf('icmp-11', 'icmp')).toBe('ping-flood');
    expect(attackTypeOf('icmpv6-1', 'other')).toBe('ip-flood');
    expect(attackTypeOf('icmp-14', 'icmp')).toBe('icmp-flood');
  });

  it('reports a UDP flood from ICMP port-unreachable backscatter', () => {
    const fs = run({
      minutes: 20,
      rows: (i, m) =>
        i >= 5 && i < 8 ? [reply(m, { proto: 'udp', port: 53, reply: 'icmp-3', targets: 12 })] : [],
    });
    const f = fs.find((x) => x.phase === 'opened')!;
    expect(f.subject).toEqual({ victim: VICTIM, attack_type: 'udp-flood', ports: ['53/udp'] });
  });

  it('finds a low-rate attack in a longer window that no single minute reveals', () => {
    // One address a minute: below the 4-address minimum in 1 minute, but 4 in 5 minutes.
    const d = new BackscatterDetector();
    const cov = new Coverage({ addresses: ADDRESSES });
    const out: Finding[] = [];
    for (let i = 0; i < 30; i++) {
      const m = T0 + i * MINUTE_MS;
      const volume: SensorVolumeRow[] = [{ minuteMs: m, sensor: 'dark', kind: 'darknet', packets: 50 }];
      const backscatter = i >= 10 && i < 20 ? [reply(m, { packets: 1, targets: 1 })] : [];
      out.push(
        ...d.step(
          { minuteMs: m, probes: [], backscatter, payloads: [], ids: [], volume },
          cov.observe(m, volume),
        ),
      );
    }
    const f = out.find((x) => x.phase === 'opened')!;
    expect((f.evidence.test as { window_min: number; count: number }).window_min).toBe(5);
    expect(f.detectedMs).toBe(T0 + 13 * MINUTE_MS + 59_000);
    expect(d.detectionLimitPps(1024)).toBeGreaterThan(0);
    expect(d.detectionLimitPps(0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('BackscatterDetector counts each address once over a window', () => {
  it('does not take one address hit for fourteen minutes for fourteen addresses', () => {
    // A host answering our one address with SYN-ACKs from 80/tcp and 443/tcp every minute: one
    // address, however many minutes and ports (summing per-row counts made it 28).
    const one = (port: number) => ({ ...hitsAt(T0, 1, 0), port, packets: 12, targets: 1 });
    const fs = run({
      minutes: 90,
      rows: (i, m) => (i >= 10 && i < 24 ? [reply(m, one(80)), reply(m, one(443))] : []),
    });
    expect(fs).toEqual([]);
  });

  it('reports the distinct addresses of an attack that keeps hitting the same eight', () => {
    const same8 = (m: number) => reply(m, { ...hitsAt(T0, 8, 0), packets: 20 });
    const fs = run({ minutes: 60, rows: (i, m) => (i >= 10 && i < 20 ? [same8(m)] : []) });
    const opened = fs.find((f) => f.phase === 'opened')!;
    expect(opened.evidence.test).toMatchObject({ window_min: 1, count: 8 });
    const ended = fs.find((f) => f.phase === 'ended')!;
    expect(ended.evidence.addresses_hit).toBe(8);
    expect(ended.evidence.addresses_hit_exact).toBe(true);
    expect(ended.evidence.series).toHaveLength(10);
    expect((ended.evidence.series as { addresses: number }[]).every((x) => x.addresses === 8)).toBe(true);
  });
});

describe('BackscatterDetector: what deserves an alert', () => {
  /** One new address a minute (≈ 46,600 replies/s at 1,536 addresses), then 100 a minute from `loudFrom`. */
  const growing = (loudFrom: number) => (i: number, m: number) =>
    i >= 10 && i < 40
      ? [reply(m, i < loudFrom ? { packets: 1, targets: 1 } : { packets: 100, targets: 40 })]
      : [];
  const detect = (rows: (i: number, m: number) => BackscatterRow[]) => {
    const set = new DetectorSet({
      addresses: ADDRESSES,
      only: ['backscatter'],
      backscatter: { minVictimRatePps: 100_000 },
    });
    const out: Finding[] = [];
    for (let i = 0; i < 90; i++) {
      const m = T0 + i * MINUTE_MS;
      const volume = Object.entries(KIND).map(([sensor, kind]) => ({
        minuteMs: m,
        sensor,
        kind,
        packets: 60,
      }));
      out.push(
        ...set.feed({ minuteMs: m, probes: [], backscatter: rows(i, m), payloads: [], ids: [], volume }),
      );
    }
    return out;
  };

  it('lists a victim estimated below minVictimRatePps as a statistic for its whole episode', () => {
    const fs = detect(growing(99));
    expect(fs.length).toBeGreaterThanOrEqual(2);
    expect(fs.every((f) => f.statistic === true)).toBe(true);
    const opened = fs.find((f) => f.phase === 'opened')!;
    // Five addresses in five minutes: 5 replies in 298 s.
    expect(opened.detectedMs).toBe(T0 + 14 * MINUTE_MS + 59_000);
    expect(opened.evidence.test).toMatchObject({ window_min: 5, count: 5 });
    expect(opened.evidence.estimated_rate_pps).toBe(sig(((5 / 298) * TWO_32) / 1536));
    expect(opened.evidence.statistic).toBe(true);
    expect(opened.evidence.min_victim_rate_pps).toBe(100_000);
    expect(fs.filter((f) => f.phase === 'ended')).toHaveLength(1);
  });

  it('opens the alert once the estimated rate reaches minVictimRatePps', () => {
    const fs = detect(growing(25));
    const statistic = fs.filter((f) => f.statistic);
    const alerts = fs.filter((f) => !f.statistic);
    expect(statistic[0]!.phase).toBe('opened');
    const opened = alerts.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.key).toBe(statistic[0]!.key);
    expect(opened[0]!.evidence.estimated_rate_pps as number).toBeGreaterThanOrEqual(100_000);
    expect(alerts.filter((f) => f.phase === 'ended')).toHaveLength(1);
  });
});

describe('BackscatterDetector without monitored addresses', () => {
  it('says in words that the rate cannot be estimated, never "≥ 0"', () => {
    const fs = run({ minutes: 30, rows: synFlood(10, 12), addresses: new Map() });
    const f = fs.find((x) => x.phase === 'opened')!;
    expect(f.title).toBe(
      'DDoS on 198.51.100.10 (syn-flood, 80/tcp 443/tcp): rate unknown (no monitored address blocks known)',
    );
    expect(f.evidence.estimated_rate_pps).toBeNull();
    expect(f.statistic).toBeUndefined();
    expect(f.severity).toBe('low');
  });
});

describe('BackscatterDetector state under a flood of forged victims', () => {
  it('follows at most maxVictims (the oldest ordinary victims make room) and still finds an attack', () => {
    const d = new BackscatterDetector({ maxVictims: 500 });
    const cov = new Coverage({ addresses: ADDRESSES });
    const found: Finding[] = [];
    for (let i = 0; i < 20; i++) {
      const m = T0 + i * MINUTE_MS;
      // 400 forged one-packet victims a minute, and from minute 10 a real flood on VICTIM.
      const rows = Array.from({ length: 400 }, (_, k) =>
        reply(m, { victim: `10.${i}.${k >> 8}.${k & 255}`, packets: 1, targets: 1, sensors: 1 }),
      );
      if (i >= 10) rows.push(reply(m));
      const volume: SensorVolumeRow[] = Object.entries(KIND).map(([sensor, kind]) => ({
        minuteMs: m,
        sensor,
        kind,
        packets: 200,
      }));
      found.push(
        ...d.step(
          { minuteMs: m, probes: [], backscatter: rows, payloads: [], ids: [], volume },
          cov.observe(m, volume),
        ),
      );
      expect(d.stateSize()).toBeLessThanOrEqual(500);
    }
    expect(d.droppedVictims).toBeGreaterThan(0);
    expect(found.filter((f) => f.phase === 'opened').map((f) => f.subject.victim)).toEqual([VICTIM]);
  });
});
