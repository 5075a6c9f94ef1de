// Floods at a sensor's own address, and traffic that is not one: packets made by the project
// (test/inbound-traffic.ts) turned into the event store's `inbound` rows, or rows built directly
// for days of busy traffic; victims and reflectors in documentation ranges. No real data.
import { afterEach, describe, expect, it } from 'vitest';
import { inboundRows, type Packet, reflection, spoofedSynFlood } from '../../../test/inbound-traffic.js';
import { mulberry32 } from '../../../test/prng.js';
import { openRelational, type RelationalDb } from '../../db/index.js';
import { type InboundRow, REFLECTOR_SERVICES, type SensorVolumeRow } from '../../observe/index.js';
import { AlertSink } from '../alert-sink.js';
import { AlertStore, type OperatorAlert } from '../alerts.js';
import { type Finding, MINUTE_MS, type MinuteRows } from '../finding.js';
import { DetectorSet } from '../runner.js';
import { InboundFloodDetector } from './detector.js';

const T0 = Date.UTC(2024, 4, 1, 9, 0);
const VICTIM = '203.0.113.9';
const SENSOR = 'fw1';
const at = (i: number) => T0 + i * MINUTE_MS;

interface Scenario {
  readonly minutes: number;
  /** Inbound rows of minute index `i`. */
  readonly rows: (i: number, m: number) => readonly InboundRow[];
  /** Minutes in which the sensor delivers nothing (a gap). */
  readonly silent?: (i: number) => boolean;
  /** The first minute (default T0, 09:00 UTC). */
  readonly t0?: number;
}

const dbs: RelationalDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.destroy();
});

/** Steps the inbound-flood detector alone over the minutes, raising alerts in an in-memory store. */
async function run(s: Scenario): Promise<{ findings: Finding[]; alerts: OperatorAlert[] }> {
  const set = new DetectorSet({ only: ['inbound-flood'] });
  const db = await openRelational(':memory:');
  dbs.push(db);
  const store = new AlertStore(db);
  const sink = new AlertSink(store);
  const findings: Finding[] = [];
  for (let i = 0; i < s.minutes; i++) {
    const m = (s.t0 ?? T0) + i * MINUTE_MS;
    const silent = s.silent?.(i) ?? false;
    const volume: SensorVolumeRow[] = silent
      ? []
      : [{ minuteMs: m, sensor: SENSOR, kind: 'firewall', packets: 60 }];
    const rows: MinuteRows = {
      minuteMs: m,
      probes: [],
      backscatter: [],
      payloads: [],
      ids: [],
      volume,
      inbound: silent ? [] : s.rows(i, m),
    };
    for (const f of set.feed(rows)) {
      findings.push(f);
      await sink.accept(f);
    }
  }
  return { findings, alerts: await store.list({ limit: 1000 }) };
}

/** Rows by minute from packets. */
function byMinute(packets: readonly Packet[]): Map<number, InboundRow[]> {
  const out = new Map<number, InboundRow[]>();
  for (const r of inboundRows(packets, SENSOR)) {
    const list = out.get(r.minuteMs) ?? [];
    list.push(r);
    out.set(r.minuteMs, list);
  }
  return out;
}

/**
 * Background at the sensor's /28: each minute a dozen scanners probe a few of its addresses (the
 * victim among them) on the usual ports, a packet or two each.
 */
function background(i: number): Packet[] {
  const rnd = mulberry32(1000 + i);
  const out: Packet[] = [];
  for (let k = 0; k < 12; k++) {
    const src = `198.51.100.${1 + Math.floor(rnd() * 200)}`;
    const dport = [22, 23, 445, 3389, 80][Math.floor(rnd() * 5)]!;
    for (let n = 0; n < 3; n++) {
      out.push({
        timeMs: at(i) + Math.floor(rnd() * 60_000),
        src,
        sport: 40000 + k,
        dst: `203.0.113.${1 + Math.floor(rnd() * 14)}`,
        dport,
        proto: 'tcp',
        flags: 0x02,
        bytes: 44,
      });
    }
  }
  return out;
}

/** Background every minute, plus `extra` packets: rows by minute, grouped together as the store groups them. */
function withBackground(extra: readonly Packet[]): (i: number, m: number) => InboundRow[] {
  const flood = new Map<number, Packet[]>();
  for (const p of extra) {
    const m = Math.floor(p.timeMs / MINUTE_MS) * MINUTE_MS;
    const list = flood.get(m) ?? [];
    list.push(p);
    flood.set(m, list);
  }
  return (i, m) => inboundRows([...background(i), ...(flood.get(m) ?? [])], SENSOR);
}

const opened = (fs: readonly Finding[]) => fs.filter((f) => f.phase === 'opened');

describe('inbound-flood: floods at the sensor’s own address', () => {
  it('a spoofed SYN flood of 37,841 packets at one address and port raises one alert naming victim, port and signature', async () => {
    // An hour of background, then the flood at 10:00:30 for 75 s (≈ 505 packets/s), then quiet.
    const flood = spoofedSynFlood(7, VICTIM, 80, 37_841, at(60) + 30_000, 75_000);
    const { findings, alerts } = await run({ minutes: 80, rows: withBackground(flood) });
    expect(opened(findings)).toHaveLength(1);
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a.kind).toBe('inbound-flood');
    expect(a.evidence.subject).toEqual({
      victim: VICTIM,
      signature: 'spoofed-syn-flood',
      vector: 'syn',
      port: 80,
      protocol: 'tcp',
    });
    const f = opened(findings)[0]!;
    // Opened on the flood's first minute (10:00:30–10:00:59), from 15,137 packets over 29.98 s.
    expect(f.title).toBe(
      'Spoofed SYN flood on 203.0.113.9 port 80/tcp: 505 pps from 15,139 sources/min since 2024-05-01 10:00:30 UTC',
    );
    expect(f.severity).toBe('low');
    expect(f.startMs).toBe(at(60) + 30_000);
    expect(f.detectedMs).toBe(at(60) + 59_999);
    expect(f.evidence).toMatchObject({ trigger: 'rate', spoofed: true, threshold_pps: 100 });
    // The episode ends after three quiet minutes, with every packet counted: the flood's and four
    // background probes of the address that fell in its minutes.
    expect(findings.map((x) => x.phase)).toEqual(['opened', 'ended']);
    expect(a.evidence).toMatchObject({ phase: 'ended', packets: 37_845, minutes: 2, peak_pps: 505 });
    expect(a.title).toBe(
      'Spoofed SYN flood on 203.0.113.9 port 80/tcp: 505 pps from 22,706 sources/min since 2024-05-01 10:00:30 UTC',
    );
  });

  it('a 5-second burst reads at its own rate though a stray probe of the address comes 18 s later', async () => {
    // 1,500 forged SYNs (300/s) from 10:00:05, and one SYN at 10:00:23: over the first-to-last span
    // that is 82 packets/s, under the 100/s floor; the minute's first 10-second slot holds all of
    // them: 150/s.
    const flood = [
      ...spoofedSynFlood(5, VICTIM, 80, 1_500, at(60) + 5_000, 5_000),
      {
        timeMs: at(60) + 23_301,
        src: '198.51.100.7',
        sport: 40_000,
        dst: VICTIM,
        dport: 22,
        proto: 'tcp' as const,
        flags: 2,
        bytes: 44,
      },
    ];
    const { findings } = await run({
      minutes: 70,
      rows: (i) => (i === 60 ? inboundRows(flood, SENSOR) : []),
    });
    expect(findings.map((f) => [f.phase, f.subject.signature, f.evidence.pps])).toEqual([
      ['opened', 'spoofed-syn-flood', 150],
      ['ended', 'spoofed-syn-flood', 150],
    ]);
  });

  it('the same flood at a sensor that has just started (no baseline) is raised on its signature', async () => {
    const flood = spoofedSynFlood(7, VICTIM, 80, 37_841, at(0) + 30_000, 75_000);
    const { findings, alerts } = await run({ minutes: 10, rows: withBackground(flood) });
    expect(alerts).toHaveLength(1);
    expect(opened(findings)[0]!.evidence).toMatchObject({
      trigger: 'signature',
      normal_peak: 'none yet (the sensor has just started): raised on the signature',
    });
  });

  it.each([
    [123, 'NTP', 468],
    [53, 'DNS', 3000],
    [11211, 'memcached', 1400],
    [1900, 'SSDP', 300],
    [389, 'CLDAP', 1500],
    [500, 'IKE', 400],
    [19, 'CharGEN', 1000],
  ])('UDP reflection from port %i names the reflector protocol (%s)', async (port, name, bytes) => {
    // 400 reflectors answering 5 requests a second each for 2 minutes from 10:00:20.
    const flood = reflection(port, VICTIM, 'udp', port, 400, 5, at(60) + 20_000, 120_000, bytes);
    const { findings, alerts } = await run({ minutes: 70, rows: withBackground(flood) });
    expect(alerts).toHaveLength(1);
    const f = opened(findings)[0]!;
    expect(f.subject).toEqual({
      victim: VICTIM,
      signature: 'udp-reflection',
      vector: 'udp-reflection',
      port,
      protocol: 'udp',
    });
    expect(f.title).toBe(
      `${name} reflection on 203.0.113.9 (UDP from port ${port}): 2,000 pps from 400 reflectors/min since 2024-05-01 10:00:20 UTC`,
    );
  });

  it('a SYN-ACK reflection (replies from web servers to SYNs sent in the victim’s name) raises one alert', async () => {
    // Reflectors in two countries: every third answer from the US, the rest from Germany.
    const flood = [
      ...reflection(1, VICTIM, 'tcp', 80, 300, 3, at(60), 180_000, 44),
      ...reflection(2, VICTIM, 'tcp', 443, 100, 3, at(60), 180_000, 44),
    ].map((p, i) => ({ ...p, country: i % 3 === 0 ? 'US' : 'DE' }));
    const { findings, alerts } = await run({ minutes: 70, rows: withBackground(flood) });
    expect(alerts).toHaveLength(1);
    const f = opened(findings)[0]!;
    expect(f.subject).toEqual({
      victim: VICTIM,
      signature: 'syn-ack-reflection',
      vector: 'syn-ack',
      port: 80,
      protocol: 'tcp',
    });
    expect(f.title).toBe(
      'SYN-ACK reflection on 203.0.113.9 (SYN-ACKs from port 80/tcp and 1 more): 1,200 pps from 400 reflectors/min since 2024-05-01 10:00:00 UTC',
    );
    // The evidence names the reflectors' ports and countries over the whole episode (3 minutes).
    expect(alerts[0]!.evidence).toMatchObject({
      packets: 216_000,
      top_source_ports: [
        { port: 80, packets: 162_000 },
        { port: 443, packets: 54_000 },
      ],
      countries: [
        { country: 'DE', packets: 144_000 },
        { country: 'US', packets: 72_000 },
      ],
      peak_mbps: 0.422,
    });
  });
});

/** A busy address's rows for minute `m`: `pps` of SYNs to 443 from `clients` real clients. */
function busy(m: number, pps: number, clients: number): InboundRow {
  return {
    minuteMs: m,
    sensor: SENSOR,
    dst: '203.0.113.5',
    proto: 'tcp',
    vector: 'syn',
    port: 443,
    ports: 2,
    packets: Math.round(pps * 60),
    bytes: Math.round(pps * 60) * 60,
    sources: clients,
    sources16: Math.round(clients * 0.8),
    sourcePorts: Math.round(pps * 50),
    unroutable: 0,
    firstMs: m + 50,
    lastMs: m + 59_950,
    tenSeconds: new Array<number>(6).fill(Math.round(pps * 10)),
    topSourcePorts: [],
    topCountries: [{ value: 'JP', packets: Math.round(pps * 60) }],
  };
}

/** Working-day cycle: 2.3× from 09:00 to 18:00 (UTC here), ±20 % minute to minute. */
function busyLevel(m: number, rnd: () => number): number {
  const hour = new Date(m).getUTCHours();
  return 400 * (hour >= 9 && hour < 18 ? 2.3 : 1) * (0.8 + 0.4 * rnd());
}

/** A scanner sweeping every address of a /20 darknet on 445 (one SYN each), as rows. */
function sweep(m: number, src: number): InboundRow[] {
  const out: InboundRow[] = [];
  for (let a = 0; a < 4096; a += 1) {
    out.push({
      minuteMs: m,
      sensor: SENSOR,
      dst: `10.${src}.${a >> 8}.${a & 255}`,
      proto: 'tcp',
      vector: 'syn',
      port: 445,
      ports: 1,
      packets: 1,
      bytes: 44,
      sources: 1,
      sources16: 1,
      sourcePorts: 1,
      unroutable: 0,
      firstMs: m + (a % 60) * 1000,
      lastMs: m + (a % 60) * 1000,
      tenSeconds: [1, 0, 0, 0, 0, 0],
      topSourcePorts: [{ value: 40_000 + src, packets: 1 }],
      topCountries: [],
    });
  }
  return out;
}

describe('inbound-flood: what is not a flood', () => {
  it('background scans across many addresses, a fast vertical scan and a busy address with a daily cycle raise nothing', async () => {
    const rnd = mulberry32(5);
    // Three days from midnight, the busy address busy from the first minute (learnt, not alerted),
    // 2.3 times busier from 09:00 on the first day than anything before.
    const { findings } = await run({
      t0: Date.UTC(2024, 4, 1),
      minutes: 3 * 1440,
      rows: (i, m) => {
        const out = [busy(m, busyLevel(m, rnd), 2000 + Math.floor(400 * rnd()))];
        if (i % 60 === 7) out.push(...sweep(m, i % 5));
        // A vertical scan of one address by one source at 2,000 SYNs a second, every 6 hours.
        if (i % 360 === 100) {
          out.push({
            ...busy(m, 2000, 1),
            dst: VICTIM,
            ports: 60_000,
            sources16: 1,
            sourcePorts: 1,
            port: 1,
          });
        }
        return out;
      },
    });
    expect(findings).toEqual([]);
  });

  it('one host sending SYN-ACKs to one address for 14 minutes (at 200 a second) is not a reflection flood', async () => {
    const synAcks = reflection(4, VICTIM, 'tcp', 443, 1, 200, at(60) + 10_000, 14 * MINUTE_MS, 44);
    const { findings } = await run({ minutes: 90, rows: withBackground(synAcks) });
    expect(findings).toEqual([]);
  });

  it('a gap in the data, then the same traffic again, raises nothing; a flood after it still does', async () => {
    const rnd = mulberry32(9);
    const flood = byMinute(spoofedSynFlood(3, '203.0.113.5', 443, 60_000, at(4 * 1440 + 300), 60_000));
    const { findings } = await run({
      minutes: 4 * 1440 + 400,
      // A day of data, nearly three days without any (sensor and store silent), then data again.
      silent: (i) => i >= 1440 && i < 4 * 1440,
      rows: (_i, m) => [busy(m, busyLevel(m, rnd), 2000), ...(flood.get(m) ?? [])],
    });
    // The flood (1,000 packets/s) is under 3× the address's busy-hour peak rate, but its 60,000
    // forged sources a minute are 25 times its usual distinct clients.
    expect(findings.map((f) => [f.phase, f.subject.signature, f.startMs, f.evidence.trigger])).toEqual([
      ['opened', 'spoofed-syn-flood', at(4 * 1440 + 300), 'sources'],
      ['ended', 'spoofed-syn-flood', at(4 * 1440 + 300), 'sources'],
    ]);
  });
});

describe('inbound-flood: a lasting level', () => {
  it('a flood that goes on for `adaptAfterMin` becomes the address’s normal: it ends, and no new alert follows', async () => {
    // An hour of a quiet busy address (400/s), then 3,000/s from a botnet for five hours.
    const set = new DetectorSet({ only: ['inbound-flood'], inboundFlood: { adaptAfterMin: 120 } });
    const findings: Finding[] = [];
    for (let i = 0; i < 6 * 60; i++) {
      const m = at(i);
      const row = busy(m, i < 60 ? 400 : 3000, i < 60 ? 2000 : 2500);
      const volume: SensorVolumeRow[] = [{ minuteMs: m, sensor: SENSOR, kind: 'firewall', packets: 60 }];
      findings.push(
        ...set.feed({
          minuteMs: m,
          probes: [],
          backscatter: [],
          payloads: [],
          ids: [],
          volume,
          inbound: [row],
        }),
      );
    }
    expect(findings.map((f) => [f.phase, f.subject.signature, (f.lastMs - at(0)) / MINUTE_MS])).toEqual([
      ['opened', 'syn-flood', 60.999_166_666_666_67],
      // Updated every 5 minutes for the two hours…
      ...Array.from({ length: 24 }, (_, k) => ['updated', 'syn-flood', 65.999_166_666_666_67 + 5 * k]),
      // …then the level is the normal: three minutes under the new bar end it, and nothing follows.
      ['ended', 'syn-flood', 180.999_166_666_666_67],
    ]);
  });
});

describe('inbound-flood: early judgement of a minute in progress (live)', () => {
  it('opens the flood from the first seconds of a minute, then counts the complete minute without a second alert', () => {
    const d = new InboundFloodDetector();
    const flood = spoofedSynFlood(7, VICTIM, 80, 10_000, at(0) + 10_000, 20_000);
    const partial = inboundRows(
      flood.filter((p) => p.timeMs < at(0) + 15_000),
      SENSOR,
    );
    const minute = (inbound: InboundRow[]): MinuteRows => ({
      minuteMs: at(0),
      probes: [],
      backscatter: [],
      payloads: [],
      ids: [],
      volume: [],
      inbound,
    });
    const early = d.early(minute(partial));
    expect(early.map((f) => [f.phase, f.subject.signature, f.detectedMs])).toEqual([
      ['opened', 'spoofed-syn-flood', at(0) + 14_998],
    ]);
    // Polled again before the minute ends: nothing new.
    expect(d.early(minute(partial))).toEqual([]);
    const cov = new DetectorSet().coverage.observe(at(0), [
      { minuteMs: at(0), sensor: SENSOR, kind: 'firewall', packets: 10_000 },
    ]);
    const full = d.step(minute(inboundRows(flood, SENSOR)), cov);
    expect(full.map((f) => [f.phase, f.key, f.evidence.packets])).toEqual([
      ['updated', early[0]!.key, 10_000],
    ]);
  });
});

describe('inbound-flood: the reflector services', () => {
  it('lists each reflection port once', () => {
    const ports = REFLECTOR_SERVICES.map((r) => r.port);
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).toEqual(expect.arrayContaining([19, 53, 123, 161, 389, 500, 1900, 4500, 11211]));
  });
});
