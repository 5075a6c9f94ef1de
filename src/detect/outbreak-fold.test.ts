// Hand-built findings of the scan and worm detectors (the shapes scan-finding.ts and worm.ts
// produce), and hand-built rows of a TCP worm whose hosts sweep addresses (seeded PRNG); no real data.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/prng.js';
import type { PayloadRow, ProbeRow, SensorVolumeRow } from '../observe/index.js';
import { type Finding, HOUR_MS, MINUTE_MS } from './finding.js';
import { OutbreakFold } from './outbreak-fold.js';
import { DetectorSet } from './runner.js';
import type { ScannerSighting } from './scanners.js';

const T0 = Date.UTC(2024, 6, 1);
const OUTBREAK = 'worm-outbreak:445/tcp:fp:376:deadbeef:1719792000000';

function outbreak(phase: Finding['phase'], hosts: readonly string[]): Finding {
  return {
    detector: 'worm',
    kind: 'worm-outbreak',
    key: OUTBREAK,
    phase,
    subject: { proto: 'tcp', port: 445, fingerprints: ['376:deadbeef'], signatures: [] },
    members: new Set(hosts),
    startMs: T0,
    detectedMs: T0,
    lastMs: T0,
    severity: 'high',
    title: 'Worm outbreak on 445/tcp',
    evidence: { sources_total: hosts.length },
  };
}

function scan(source: string, port: string): Finding {
  const record: ScannerSighting = {
    source,
    episodeKey: `scan:${source}:${T0}`,
    firstMs: T0,
    lastMs: T0 + 60_000,
    type: 'horizontal',
    reach: 240,
    distinctPorts: 1,
    packets: 480,
    ports: [port],
    sensors: ['d1'],
    country: 'JP',
    asn: null,
    tags: [],
    alertReasons: ['large new campaign: 240 of 900 monitored addresses (threshold 90)'],
  };
  return {
    detector: 'scan',
    kind: 'scan',
    key: record.episodeKey,
    phase: 'opened',
    subject: { source, type: 'horizontal', ports: [port] },
    startMs: T0,
    detectedMs: T0,
    lastMs: T0 + 60_000,
    severity: 'medium',
    title: `Large new scan campaign from ${source} (horizontal): 240 addresses on ${port}`,
    alert: true,
    record,
    evidence: { alert_rules: ['large-campaign'], alert_reasons: record.alertReasons },
  };
}

describe('OutbreakFold', () => {
  it('keeps the scan of an infected host of an open outbreak as data, tagged, and lists it in the outbreak', () => {
    const fold = new OutbreakFold();
    const [o, s] = fold.apply([outbreak('opened', ['10.1.2.3', '10.1.9.9']), scan('10.1.2.3', '445/tcp')]);
    expect(s!.alert).toBe(false);
    expect(s!.severity).toBe('low');
    expect(s!.record!.tags).toEqual([`worm-outbreak:${OUTBREAK}`]);
    expect(s!.record!.alertReasons).toEqual([]);
    expect(s!.evidence.folded_into).toBe(OUTBREAK);
    expect(s!.evidence.alert_rules).toEqual([]);
    expect(o!.evidence.scanning_sources).toBe(1);
    expect(o!.evidence.scanners).toEqual([{ source: '10.1.2.3', ports: ['445/tcp'] }]);
  });

  it('folds a host the outbreak counts later, in a later minute, and lists it in the next outbreak update', () => {
    const fold = new OutbreakFold();
    const hosts = new Set(['10.1.2.3']);
    fold.apply([{ ...outbreak('opened', []), members: hosts }]);
    hosts.add('10.7.7.7'); // the worm detector's episode grows its set of hosts as they are seen
    const [s] = fold.apply([scan('10.7.7.7', '445/tcp')]);
    expect(s!.alert).toBe(false);
    const [o] = fold.apply([{ ...outbreak('updated', []), members: hosts }]);
    expect(o!.evidence.scanners).toEqual([{ source: '10.7.7.7', ports: ['445/tcp'] }]);
  });

  it('still alerts on a large scan by a source outside the outbreak', () => {
    const fold = new OutbreakFold();
    const other = scan('203.0.113.5', '445/tcp');
    const [o, s] = fold.apply([outbreak('opened', ['10.1.2.3']), other]);
    expect(s).toBe(other);
    expect(o!.evidence.scanners).toBeUndefined();
  });

  it('still alerts on an infected host’s scan of another port than the outbreak’s', () => {
    const fold = new OutbreakFold();
    const other = scan('10.1.2.3', '22/tcp');
    expect(fold.apply([outbreak('opened', ['10.1.2.3']), other])[1]).toBe(other);
  });

  it('stops folding once the outbreak has ended', () => {
    const fold = new OutbreakFold();
    fold.apply([outbreak('opened', ['10.1.2.3'])]);
    expect(fold.apply([scan('10.1.2.3', '445/tcp')])[0]!.alert).toBe(false);
    fold.apply([outbreak('ended', ['10.1.2.3'])]);
    expect(fold.stateSize()).toBe(0);
    expect(fold.apply([scan('10.1.2.3', '445/tcp')])[0]!.alert).toBe(true);
  });
});

const SURGE = 'port-surge:139/tcp:1719792000000';

function surge(phase: Finding['phase']): Finding {
  return {
    detector: 'port-surge',
    kind: 'port-surge',
    key: SURGE,
    phase,
    subject: { proto: 'tcp', port: 139, splits: ['domestic'] },
    startMs: T0,
    detectedMs: T0,
    lastMs: T0,
    severity: 'high',
    title: 'Surge on 139/tcp (netbios-ssn)',
    evidence: { distinct_sources: 400 },
  };
}

describe('a port surge folds the large scans on its port (a botnet ordered to spread)', () => {
  it('keeps a large scan whose main port is surging as data, tagged, and lists it in the surge', () => {
    const fold = new OutbreakFold();
    fold.apply([surge('opened')]);
    const [s, u] = fold.apply([scan('150.29.123.81', '139/tcp'), surge('updated')]);
    expect(s!.alert).toBe(false);
    expect(s!.severity).toBe('low');
    expect(s!.title).toContain('a source of the surge on 139/tcp');
    expect(s!.record!.tags).toEqual(['port-surge:139/tcp']);
    expect(s!.evidence.folded_into).toBe(SURGE);
    expect(u!.evidence.scanning_sources).toBe(1);
    expect(u!.evidence.scanners).toEqual([{ source: '150.29.123.81', ports: ['139/tcp'] }]);
  });

  it('still alerts on a scan of another main port, of critical infrastructure or of the domestic space', () => {
    const fold = new OutbreakFold();
    fold.apply([surge('opened')]);
    const other = scan('150.29.1.1', '445/tcp');
    const ci = scan('150.29.1.2', '139/tcp');
    const domestic = scan('150.29.1.3', '139/tcp');
    const [a, b, c] = fold.apply([
      other,
      { ...ci, evidence: { ...ci.evidence, alert_rules: ['critical-infrastructure', 'large-campaign'] } },
      { ...domestic, evidence: { ...domestic.evidence, alert_rules: ['domestic-space'] } },
    ]);
    expect([a!.alert, b!.alert, c!.alert]).toEqual([true, true, true]);
  });

  it('stops folding once the surge has ended', () => {
    const fold = new OutbreakFold();
    fold.apply([surge('opened')]);
    fold.apply([surge('ended')]);
    const [s] = fold.apply([scan('150.29.123.81', '139/tcp')]);
    expect(s!.alert).toBe(true);
    expect(fold.stateSize()).toBe(0);
  });
});

describe('the detectors run together', () => {
  const SENSORS = ['d1', 'd2'] as const;
  /** Two darknet /24s: 512 addresses, so a large campaign reaches 64 of them. */
  const ADDRESSES = new Map(SENSORS.map((s) => [s, 256]));
  const WORM = { proto: 'tcp', port: 445, payloadLength: 376, payloadHash: 0xdeadbeef } as const;
  const OUTSIDER = '198.51.100.7';

  function probe(m: number, src: string, i: number): ProbeRow {
    const sensor = SENSORS[i % 2]!;
    return {
      ...{ minuteMs: m, sensor, kind: 'darknet', proto: 'tcp', port: 445, src },
      ...{
        dst: `192.0.${i % 2}.${Math.floor(i / 2)}`,
        country: 'JP',
        asn: 64512,
        packets: 1,
        udpPayload: false,
      },
    };
  }

  /**
   * A worm on 445/TCP (infected hosts I(t) = 500 / (1 + e^(−(t − 40))), t in hours) seen by two
   * darknets; once the worm detector reports it, one of its infected hosts and one other source
   * each sweep 120 addresses on 445/TCP in 12 minutes.
   */
  function run(): { findings: Finding[]; bot: string } {
    const set = new DetectorSet({ addresses: ADDRESSES, only: ['scan', 'worm'] });
    const rng = mulberry32(7);
    const findings: Finding[] = [];
    let bot: string | null = null;
    let sweepFrom = 0;
    for (
      let m = Date.UTC(2024, 6, 1);
      findings.length === 0 || m < sweepFrom + 40 * MINUTE_MS;
      m += MINUTE_MS
    ) {
      const t = (m - Date.UTC(2024, 6, 1)) / HOUR_MS;
      const infected = Math.floor(500 / (1 + Math.exp(-(t - 40))));
      const payloads: PayloadRow[] = [];
      for (let h = 0; h < infected; h++) {
        if (rng() < 0.05)
          payloads.push({
            minuteMs: m,
            ...WORM,
            src: `10.16.${h >> 8}.${h & 255}`,
            country: 'JP',
            sensor: SENSORS[h % 2]!,
            packets: 1,
          });
      }
      const minute = Math.round((m - sweepFrom) / MINUTE_MS);
      const probes: ProbeRow[] = [];
      if (bot !== null && minute < 12) {
        for (let i = minute * 10; i < minute * 10 + 10; i++)
          probes.push(probe(m, bot, i), probe(m, OUTSIDER, i));
      }
      const volume: SensorVolumeRow[] = SENSORS.map((sensor) => ({
        minuteMs: m,
        sensor,
        kind: 'darknet',
        packets: 100,
      }));
      const out = set.feed({ minuteMs: m, probes, backscatter: [], payloads, ids: [], volume });
      findings.push(...out);
      const opened = out.find((f) => f.kind === 'worm-outbreak' && f.phase === 'opened');
      if (opened) {
        bot = [...opened.members!][0]!;
        sweepFrom = m + MINUTE_MS;
      }
    }
    return { findings, bot: bot! };
  }

  it('keeps an infected host’s sweep as data folded into the outbreak, and alerts on the other source’s', () => {
    const { findings, bot } = run();
    const scans = (src: string) => findings.filter((f) => f.kind === 'scan' && f.subject.source === src);
    const ofBot = scans(bot);
    expect(ofBot.length).toBeGreaterThan(0);
    expect(ofBot.filter((f) => f.alert !== false)).toEqual([]);
    expect(new Set(ofBot.map((f) => f.evidence.folded_into))).toEqual(
      new Set(findings.filter((f) => f.kind === 'worm-outbreak').map((f) => f.key)),
    );
    const ofOutsider = scans(OUTSIDER);
    // It reached 64 of the 512 addresses (a large campaign) in its seventh minute.
    expect(ofOutsider.find((f) => f.alert === true)?.title).toBe(
      'Large new scan campaign from 198.51.100.7 (horizontal): 70 addresses on 445/tcp',
    );
  });
});

describe("OutbreakFold: a flood at a sensor and that sensor's volume jump", () => {
  const FLOOD = 'inbound-flood:192.0.2.7:443/tcp:spoofed-syn:1719792600000';
  function flood(phase: Finding['phase'], lastMs: number): Finding {
    return {
      detector: 'inbound-flood',
      kind: 'inbound-flood',
      key: FLOOD,
      phase,
      subject: { victim: '192.0.2.7', signature: 'spoofed-syn', vector: 'syn', port: 443, protocol: 'tcp' },
      startMs: T0 + 10 * MINUTE_MS,
      detectedMs: T0 + 10 * MINUTE_MS,
      lastMs,
      severity: 'high',
      title: 'SYN flood at 192.0.2.7:443/tcp',
      evidence: { victim: '192.0.2.7', sensors: ['fw-tochigi'] },
    };
  }
  function health(
    sensor: string,
    problem: 'jump' | 'drop',
    hourStart: number,
    phase: Finding['phase'],
  ): Finding {
    return {
      detector: 'sensor-health',
      kind: 'sensor-health',
      key: `sensor-health:${sensor}/firewall:${problem}:${hourStart}`,
      phase,
      subject: { sensor, stream: 'firewall', problem },
      startMs: hourStart,
      detectedMs: hourStart + HOUR_MS,
      lastMs: hourStart + HOUR_MS,
      severity: problem === 'drop' ? 'high' : 'medium',
      title: `Sensor ${sensor}: firewall volume ${problem === 'jump' ? 'jumped' : 'collapsed'}`,
      evidence: { sensor, problem },
    };
  }

  it("keeps the jump of the flooded sensor over the flood's hour as data, listed in the flood", () => {
    const fold = new OutbreakFold();
    fold.apply([flood('opened', T0 + 10 * MINUTE_MS)]);
    fold.apply([flood('ended', T0 + 12 * MINUTE_MS)]);
    const [jump, other, drop] = fold.apply([
      health('fw-tochigi', 'jump', T0, 'opened'),
      health('fw-tokyo', 'jump', T0, 'opened'),
      health('fw-tochigi', 'drop', T0, 'opened'),
    ]);
    expect(jump).toMatchObject({ alert: false, severity: 'low', evidence: { folded_into: FLOOD } });
    expect(jump!.title).toContain('the flood at its address');
    // Another sensor's jump, and the flooded sensor's drop, are not the flood's.
    expect(other!.alert).toBeUndefined();
    expect(drop!.alert).toBeUndefined();
    // Its later phases follow it; the flood, when it reports again, lists it.
    const [again] = fold.apply([health('fw-tochigi', 'jump', T0, 'updated')]);
    expect(again!.alert).toBe(false);
    const [listed] = fold.apply([flood('updated', T0 + 13 * MINUTE_MS)]);
    expect(listed!.evidence.volume_jumps).toEqual([`sensor-health:fw-tochigi/firewall:jump:${T0}`]);
  });

  it('lets a jump in an hour the flood did not touch alert', () => {
    const fold = new OutbreakFold();
    fold.apply([flood('opened', T0 + 10 * MINUTE_MS), flood('ended', T0 + 12 * MINUTE_MS)]);
    const [later] = fold.apply([health('fw-tochigi', 'jump', T0 + 3 * HOUR_MS, 'opened')]);
    expect(later!.alert).toBeUndefined();
    // Before the flood began: not its either.
    const [before] = fold.apply([health('fw-tochigi', 'jump', T0 - HOUR_MS, 'opened')]);
    expect(before!.alert).toBeUndefined();
  });
});
