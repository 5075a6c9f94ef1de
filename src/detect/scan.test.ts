// Hand-built probe rows from a few invented sources against a small simulated fleet (four /24
// firewall sensors, 1024 addresses); no real data.
import { describe, expect, it } from 'vitest';
import type { ProbeRow, SensorVolumeRow } from '../observe/index.js';
import { Coverage } from './coverage.js';
import { type Finding, MINUTE_MS, type MinuteRows } from './finding.js';
import { DetectorSet } from './runner.js';
import { DEFAULT_SCAN, ScanDetector } from './scan.js';

const T0 = Date.UTC(2024, 4, 6, 3);
const SENSORS = ['s1', 's2', 's3', 's4'];
const ADDRESSES = new Map(SENSORS.map((s) => [s, 256]));
/** These tests pin the floor at 20 addresses so the share-of-monitored rule is exercised on a small fleet. */
const FLOOR = 20;

function probe(
  m: number,
  src: string,
  dst: string,
  port: number | null,
  over: Partial<ProbeRow> = {},
): ProbeRow {
  const sensor = SENSORS[Number(dst.split('.')[2]) % SENSORS.length]!;
  return {
    minuteMs: m,
    sensor,
    kind: 'firewall',
    proto: 'tcp',
    port,
    src,
    dst,
    country: 'NL',
    asn: 64512,
    packets: 1,
    udpPayload: false,
    ...over,
  };
}

/** The i-th monitored address (203.0.<sensor>.<host>). */
const addr = (i: number) => `203.0.${i % 4}.${10 + Math.floor(i / 4)}`;

function run(
  minutes: number,
  probesAt: (i: number, m: number) => ProbeRow[],
  addresses: ReadonlyMap<string, number> = ADDRESSES,
  minTargets = FLOOR,
): Finding[] {
  const set = new DetectorSet({ addresses, only: ['scan'], scan: { minTargets } });
  const out: Finding[] = [];
  for (let i = 0; i < minutes; i++) {
    const m = T0 + i * MINUTE_MS;
    const volume: SensorVolumeRow[] = [...addresses.keys()].map((sensor) => ({
      minuteMs: m,
      sensor,
      kind: 'firewall',
      packets: 30,
    }));
    const rows: MinuteRows = {
      minuteMs: m,
      probes: probesAt(i, m),
      backscatter: [],
      payloads: [],
      ids: [],
      volume,
    };
    out.push(...set.feed(rows));
  }
  return out;
}

describe('ScanDetector', () => {
  it('by default needs 32 addresses on a small fleet (a neighbourhood-sweeping worm host stays below)', () => {
    const sweep = (n: number) => (i: number, m: number) =>
      i < n ? [probe(m, '192.0.2.50', addr(i), 139)] : [];
    const floor = DEFAULT_SCAN.minTargets;
    expect(floor).toBe(32);
    expect(run(120, sweep(31), ADDRESSES, floor)).toEqual([]);
    expect(run(120, sweep(32), ADDRESSES, floor).filter((f) => f.phase === 'opened')).toHaveLength(1);
  });

  it('finds a horizontal sweep: one source, many addresses, one port', () => {
    // 5 new addresses a minute on 22/tcp from minute 10 to 29 (100 addresses).
    const src = '192.0.2.50';
    const fs = run(120, (i, m) => {
      if (i < 10 || i >= 30) return [];
      return [0, 1, 2, 3, 4].map((k) => probe(m, src, addr((i - 10) * 5 + k), 22));
    });
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const f = opened[0]!;
    expect(f.kind).toBe('scan');
    expect(f.subject).toEqual({ source: src, type: 'horizontal', ports: ['22/tcp'] });
    expect(f.startMs).toBe(T0 + 10 * MINUTE_MS);
    // The 20th address arrives in the 4th minute (minute 13): threshold max(20, 0.009 × 1024).
    expect(f.detectedMs).toBe(T0 + 14 * MINUTE_MS);
    expect(f.evidence.trigger).toEqual({ type: 'horizontal', window_min: 10, count: 20, threshold: 20 });
    expect(f.evidence.targets).toBe(20);
    // One episode: updates with the same key and one end after 60 idle minutes.
    expect(new Set(fs.map((x) => x.key))).toEqual(new Set([f.key]));
    const ended = fs.filter((x) => x.phase === 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.evidence.targets).toBe(100);
    expect(ended[0]!.lastMs).toBe(T0 + 30 * MINUTE_MS);
    expect(ended[0]!.evidence.end).toBe(new Date(T0 + 30 * MINUTE_MS).toISOString());
  });

  it('finds a vertical scan: one source, many ports of one address', () => {
    const src = '198.51.100.23';
    const ports = [21, 22, 23, 25, 80, 110, 143, 443];
    const fs = run(100, (i, m) =>
      i >= 2 && i < 2 + ports.length ? [probe(m, src, addr(7), ports[i - 2]!)] : [],
    );
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    const f = opened[0]!;
    expect(f.subject.source).toBe(src);
    expect(f.subject.type).toBe('vertical');
    // Found at its 5th port (verticalPorts 60: 5).
    expect(f.detectedMs).toBe(T0 + 7 * MINUTE_MS);
    expect([...(f.subject.ports as string[])].sort()).toEqual([
      '21/tcp',
      '22/tcp',
      '23/tcp',
      '25/tcp',
      '80/tcp',
    ]);
    expect(f.evidence.sample_targets).toEqual([addr(7)]);
    expect(f.title).toContain(`ports of ${addr(7)}`);
    // Ports probed after detection join the episode, which ends after 60 idle minutes.
    const last = fs.filter((x) => x.key === f.key).at(-1)!;
    expect(last.phase).toBe('ended');
    expect(last.subject.ports as string[]).toHaveLength(ports.length);
    expect(last.evidence.distinct_ports).toBe(ports.length);
  });

  it('does not report a normal source touching two addresses, nor one just below the threshold', () => {
    const fs = run(400, (i, m) => {
      const rows: ProbeRow[] = [];
      if (i === 5) rows.push(probe(m, '192.0.2.1', addr(1), 445), probe(m, '192.0.2.1', addr(2), 445));
      // 19 addresses on 3389/tcp over six hours: below every window's threshold (20, 20, 21).
      if (i % 18 === 0 && i / 18 < 19) rows.push(probe(m, '192.0.2.2', addr(i / 18), 3389));
      // 4 ports of one address: below the vertical threshold of 5.
      if (i >= 100 && i < 104) rows.push(probe(m, '192.0.2.3', addr(3), 8000 + i));
      return rows;
    });
    expect(fs).toEqual([]);
  });

  it('does not count UDP datagrams carrying a payload as probes', () => {
    const fs = run(20, (i, m) =>
      i === 3
        ? Array.from({ length: 60 }, (_, k) =>
            probe(m, '192.0.2.77', addr(k), 1026, { proto: 'udp', udpPayload: true }),
          )
        : [],
    );
    expect(fs).toEqual([]);
  });

  it('scales the horizontal threshold with the monitored addresses', () => {
    // A /16 fleet: 100 addresses in a minute is 0.15 % of it, not a scan.
    const big = new Map([['s1', 65_536]]);
    const sweep = (i: number, m: number) =>
      i === 3
        ? Array.from({ length: 100 }, (_, k) => probe(m, '192.0.2.9', addr(k), 23, { sensor: 's1' }))
        : [];
    expect(run(10, sweep, big)).toEqual([]);
    expect(run(10, sweep).filter((f) => f.phase === 'opened')).toHaveLength(1);
    const d = new ScanDetector({ minTargets: FLOOR });
    expect(d.horizontalThreshold(10, 1024)).toBe(20);
    expect(d.horizontalThreshold(10, 65_536)).toBe(590);
    expect(d.horizontalThreshold(360, 65_536)).toBe(1311);
  });

  it('reports a later scan by the same source as a new episode', () => {
    const src = '192.0.2.60';
    const sweep = (from: number) => (i: number, m: number) =>
      i === from ? Array.from({ length: 25 }, (_, k) => probe(m, src, addr(k + from), 80)) : [];
    const fs = run(300, (i, m) => [...sweep(5)(i, m), ...sweep(200)(i, m)]);
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened.map((f) => f.startMs)).toEqual([T0 + 5 * MINUTE_MS, T0 + 200 * MINUTE_MS]);
    expect(new Set(opened.map((f) => f.key)).size).toBe(2);
    expect(fs.filter((f) => f.phase === 'ended')).toHaveLength(2);
  });

  it('does not reopen an ended scan from its old contacts when the source probes once more', () => {
    const src = '192.0.2.62';
    const fs = run(200, (i, m) => {
      if (i === 5) return Array.from({ length: 25 }, (_, k) => probe(m, src, addr(k), 80));
      return i === 120 ? [probe(m, src, addr(40), 80)] : [];
    });
    expect(fs.map((f) => f.phase)).toEqual(['opened', 'ended']);
  });

  it('survives one source hitting every TCP and UDP port of an address within a minute', () => {
    const src = '192.0.2.63';
    const dst = addr(3);
    const fs = run(3, (i, m) => {
      if (i !== 1) return [];
      const out: ProbeRow[] = [];
      for (let p = 0; p < 65536; p++) {
        out.push(probe(m, src, dst, p));
        out.push(probe(m, src, dst, p, { proto: 'udp' }));
      }
      return out;
    });
    const opened = fs.filter((f) => f.phase === 'opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.subject).toMatchObject({ source: src });
    expect(opened[0]!.subject.type).toBe('vertical');
  });

  it('holds at most two generations of maxSources sources under a flood of spoofed ones', () => {
    const d = new ScanDetector({ minTargets: FLOOR, maxSources: 1000 });
    const cov = new Coverage({ addresses: ADDRESSES });
    for (let i = 0; i < 10; i++) {
      const m = T0 + i * MINUTE_MS;
      const probes = Array.from({ length: 5000 }, (_, k) =>
        probe(m, `10.${i}.${k >> 8}.${k & 255}`, addr(k % 500), 445),
      );
      const volume: SensorVolumeRow[] = SENSORS.map((sensor) => ({
        minuteMs: m,
        sensor,
        kind: 'firewall',
        packets: 1250,
      }));
      d.step({ minuteMs: m, probes, backscatter: [], payloads: [], ids: [], volume }, cov.observe(m, volume));
    }
    expect(d.stateSize()).toBeLessThanOrEqual(2000);
    expect(d.earlyTurnovers).toBeGreaterThanOrEqual(49);
  });

  it('counts idle time in covered minutes: a silent fleet does not end a scan', () => {
    // The scanner's sensors and the rest of the fleet stop reporting for 3 hours after the sweep;
    // the idle clock stops with them (coverage drops to 0 once the silence is established).
    const d = new ScanDetector({ minTargets: FLOOR });
    const cov = new Coverage({ addresses: ADDRESSES, learnMin: 30 });
    const ends: number[] = [];
    let opened = 0;
    for (let i = 0; i < 420; i++) {
      const m = T0 + i * MINUTE_MS;
      const silent = i >= 100 && i < 280;
      const volume: SensorVolumeRow[] = silent
        ? []
        : SENSORS.map((sensor) => ({ minuteMs: m, sensor, kind: 'firewall', packets: 30 }));
      const probes =
        i === 90 ? Array.from({ length: 30 }, (_, k) => probe(m, '192.0.2.61', addr(k), 23)) : [];
      const rows = { minuteMs: m, probes, backscatter: [], payloads: [], ids: [], volume };
      for (const f of d.step(rows, cov.observe(m, volume))) {
        if (f.phase === 'ended') ends.push(i);
        if (f.phase === 'opened') opened++;
      }
    }
    expect(opened).toBe(1);
    // 9 covered idle minutes before the outage (91–99), 4 more before coverage calls the whole
    // fleet's silence a gap in the data (100–103: five silent minutes are implausible for the fleet
    // at 120 events a minute), none while it lasts, and the remaining 47 after the fleet is back at
    // minute 280.
    expect(ends).toEqual([326]);
  });
});
