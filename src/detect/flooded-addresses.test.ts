// One attack, one alert: a flood at one monitored address is the inbound-flood detector's, not a
// port surge. Hand-built probe rows (seeded PRNG; documentation and random addresses). No real data.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/prng.js';
import type { ProbeRow, SensorVolumeRow } from '../observe/index.js';
import { DAY_MS, type Finding, MINUTE_MS, type MinuteRows } from './finding.js';
import { floodedAddresses } from './flooded-addresses.js';
import { DetectorSet } from './runner.js';

const T0 = Date.UTC(2024, 0, 1);
const SENSORS = ['s1', 's2', 's3', 's4'] as const;
const VICTIM = '203.0.0.9';

const ip = (rng: () => number): string =>
  `${1 + Math.floor(rng() * 222)}.${Math.floor(rng() * 256)}.${Math.floor(rng() * 256)}.${1 + Math.floor(rng() * 254)}`;

function row(
  m: number,
  src: string,
  dst: string,
  port: number,
  proto: 'tcp' | 'udp',
  packets: number,
): ProbeRow {
  return {
    minuteMs: m,
    sensor: 's1',
    kind: 'firewall',
    proto,
    port,
    src,
    dst,
    country: 'US',
    asn: 64500 + (src.length % 7),
    packets,
    udpPayload: proto === 'udp',
  };
}

describe('floodedAddresses', () => {
  it('names an address with at least 1,000 probe packets from at least 5 sources in the minute', () => {
    const rows = [
      ...Array.from({ length: 5 }, (_, k) => row(T0, `198.51.100.${k + 1}`, VICTIM, 80, 'tcp', 200)),
      // 999 packets from 10 sources at another address; 5,000 from one source (a scanner) at a third.
      ...Array.from({ length: 9 }, (_, k) => row(T0, `198.51.100.${k + 1}`, '203.0.0.10', 80, 'tcp', 100)),
      row(T0, '198.51.100.99', '203.0.0.10', 80, 'tcp', 99),
      row(T0, '198.51.100.77', '203.0.0.11', 22, 'tcp', 5_000),
    ];
    expect([...floodedAddresses(rows)]).toEqual([VICTIM]);
    expect(floodedAddresses(rows.slice(1)).size).toBe(0);
  });
});

/**
 * Port-surge alone over `days`: four sensors' background probing of 445, 22 and 80 (random sources
 * and addresses), plus `inject`'s rows.
 */
function surges(days: number, inject: (m: number, rng: () => number, out: ProbeRow[]) => void): Finding[] {
  const set = new DetectorSet({ addresses: new Map(SENSORS.map((s) => [s, 256])), only: ['port-surge'] });
  const rng = mulberry32(11);
  const out: Finding[] = [];
  for (let m = T0; m < T0 + days * DAY_MS; m += MINUTE_MS) {
    const probes: ProbeRow[] = [];
    for (const [port, perMinute] of [
      [445, 0.5],
      [22, 0.2],
      [80, 0.1],
    ] as const) {
      if (rng() < perMinute) {
        const sensor = SENSORS[Math.floor(rng() * 4)]!;
        probes.push({
          ...row(m, ip(rng), `203.0.${SENSORS.indexOf(sensor)}.${Math.floor(rng() * 256)}`, port, 'tcp', 1),
          sensor,
        });
      }
    }
    inject(m, rng, probes);
    const volume: SensorVolumeRow[] = SENSORS.map((sensor) => ({
      minuteMs: m,
      sensor,
      kind: 'firewall',
      packets: 40 + probes.filter((p) => p.sensor === sensor).reduce((a, p) => a + p.packets, 0),
    }));
    const rows: MinuteRows = { minuteMs: m, probes, backscatter: [], payloads: [], ids: [], volume };
    out.push(...set.feed(rows).filter((f) => f.phase === 'opened'));
  }
  return out;
}

describe('port-surge leaves a flood at one address to the inbound-flood detector', () => {
  const FLOOD = T0 + 8 * DAY_MS + 10 * 3_600_000;
  const during = (m: number) => m >= FLOOD && m < FLOOD + 5 * MINUTE_MS;

  it('a spoofed SYN flood at one address (2,000 forged sources a minute to 80/tcp) is no surge of 80/tcp', () => {
    const fs = surges(9, (m, rng, out) => {
      if (during(m)) for (let k = 0; k < 2_000; k++) out.push(row(m, ip(rng), VICTIM, 80, 'tcp', 1));
    });
    expect(fs).toEqual([]);
  });

  it('a UDP reflection at one address (200 reflectors answering to 500 of its ports) is no surge of those ports', () => {
    const reflectors = Array.from({ length: 200 }, (_, k) => `198.18.${k >> 4}.${k & 15}`);
    const fs = surges(9, (m, rng, out) => {
      if (!during(m)) return;
      for (let k = 0; k < 6_000; k++) {
        out.push(
          row(m, reflectors[Math.floor(rng() * 200)]!, VICTIM, 1024 + Math.floor(rng() * 500), 'udp', 1),
        );
      }
    });
    expect(fs).toEqual([]);
  });

  it('the same forged sources spread over the sensors’ addresses (a few packets at each) are a surge of 80/tcp', () => {
    const fs = surges(9, (m, rng, out) => {
      if (!during(m)) return;
      for (let k = 0; k < 2_000; k++) {
        const s = k % 4;
        out.push({ ...row(m, ip(rng), `203.0.${s}.${k % 256}`, 80, 'tcp', 1), sensor: SENSORS[s]! });
      }
    });
    expect(fs.map((f) => [f.detector, f.subject.port, f.subject.proto])).toEqual([['port-surge', 80, 'tcp']]);
  });
});
