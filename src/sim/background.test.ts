/**
 * The background model's statistical targets (the annual report §2, docs/background.md#observation), counted from the generated files as
 * Koban's parsers read them — not from the generator's state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservationEvent } from '../core/index.js';
import { Enricher } from '../observe/index.js';
import { readBack } from './read-back.js';
import { simulate } from './simulate.js';

let dir: string;
const packets: ObservationEvent[] = [];
const alerts: ObservationEvent[] = [];
const blockOf = new Map<string, [number, number]>();
let files: Awaited<ReturnType<typeof readBack>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-sim-bg-'));
  const r = await simulate({ outDir: dir, days: 7, ratePerSensorPerDay: 400, seed: 11 });
  for (const s of r.manifest.sensors) {
    const [a, b] = s.blocks[0]!.split('.').map(Number) as [number, number];
    blockOf.set(s.name, [a, b]);
  }
  files = await readBack(dir, (e) => (e.kind === 'ids' ? alerts : packets).push(e));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function shares<K>(items: Iterable<K>): Map<K, number> {
  const m = new Map<K, number>();
  let n = 0;
  for (const k of items) {
    m.set(k, (m.get(k) ?? 0) + 1);
    n++;
  }
  for (const [k, v] of m) m.set(k, v / n);
  return m;
}

function ranking<K>(m: Map<K, number>): K[] {
  return [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
}

describe('background traffic', () => {
  it('parses with zero rejections, each file strictly in time order', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.rejections, f.path).toEqual([]);
      expect(f.outOfOrder, f.path).toBe(0);
    }
    expect(packets.length).toBeGreaterThan(100_000);
  });

  it('comes about half from Japan, then China, the USA and Korea (figure 2.2)', async () => {
    const enricher = await Enricher.open();
    const cc = shares(packets.map((e) => enricher.lookup(e.src).country ?? '??'));
    expect(ranking(cc).slice(0, 4)).toEqual(['JP', 'CN', 'US', 'KR']);
    expect(cc.get('JP')).toBeGreaterThan(0.42);
    expect(cc.get('JP')).toBeLessThan(0.58);
    expect(cc.get('CN')).toBeGreaterThan(0.1);
    expect(cc.get('US')).toBeGreaterThan(0.08);
    expect(cc.get('??') ?? 0).toBeLessThan(0.002);
  });

  it('hits 135, 445, 139/TCP most and 1026, 1027, 137, 1434/UDP most; ports 0–9 almost never', () => {
    const syn = packets.filter((e) => e.protocol === 'tcp' && e.tcpFlags === 0x02);
    expect(ranking(shares(syn.map((e) => e.dstPort))).slice(0, 3)).toEqual([135, 445, 139]);
    const udp = packets.filter((e) => e.protocol === 'udp');
    expect(ranking(shares(udp.map((e) => e.dstPort))).slice(0, 4)).toEqual([1026, 1027, 137, 1434]);
    const low = packets.filter((e) => e.dstPort !== null && e.dstPort <= 9 && e.protocol !== 'icmp').length;
    expect(low / packets.length).toBeLessThan(0.002);
  });

  it('classifies IDS detections ≈ 92 % Worm, ≈ 7 % Scan (figure 2.3)', () => {
    const t = shares(alerts.map((e) => e.ids!.technique));
    expect(t.get('Worm')).toBeGreaterThan(0.89);
    expect(t.get('Worm')).toBeLessThan(0.95);
    expect(t.get('Scan')).toBeGreaterThan(0.05);
    expect(t.get('Scan')).toBeLessThan(0.09);
    expect((t.get('Exploit') ?? 0) + (t.get('DoS') ?? 0) + (t.get('Trojan/Backdoor') ?? 0)).toBeLessThan(
      0.02,
    );
    const slammer = alerts.filter((e) => e.ids!.signatureId === 2003);
    expect(slammer.every((e) => e.protocol === 'udp' && e.dstPort === 1434)).toBe(true);
  });

  it('carries the one 376-byte Slammer-like payload to 1434/UDP at darknet sensors', () => {
    const slam = packets.filter((e) => e.kind === 'darknet' && e.protocol === 'udp' && e.dstPort === 1434);
    expect(slam.length).toBeGreaterThan(100);
    expect(new Set(slam.map((e) => `${e.payload!.length}:${e.payload!.hash}`)).size).toBe(1);
    expect(slam[0]!.payload!.length).toBe(376);
    expect(slam[0]!.length).toBe(404);
  });

  it('has far more sources sharing the sensor’s first (two) octets than chance (§2.1.1)', () => {
    let s8 = 0;
    let s16 = 0;
    for (const e of packets) {
      const [a, b] = blockOf.get(e.sensor)!;
      const [x, y] = e.src.split('.').map(Number);
      if (x === a) {
        s8++;
        if (y === b) s16++;
      }
    }
    // Chance is about 1/220 for the first octet and 1/56,000 for the first two.
    expect(s8 / packets.length).toBeGreaterThan(0.15);
    expect(s16 / packets.length).toBeGreaterThan(0.05);
  });

  it('peaks in the JST evening and dips before dawn', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const e of packets) byHour[new Date(e.timeMs + 9 * 3_600_000).getUTCHours()]!++;
    const evening = byHour[20]! + byHour[21]! + byHour[22]! + byHour[23]!;
    const dawn = byHour[3]! + byHour[4]! + byHour[5]! + byHour[6]!;
    expect(evening / dawn).toBeGreaterThan(1.35);
    expect(evening / dawn).toBeLessThan(1.9);
  });

  it('has as many packets as --rate asks, within Poisson and activity noise', () => {
    const perSensorDay = packets.length / 57 / 7;
    expect(perSensorDay).toBeGreaterThan(400 * 0.85);
    expect(perSensorDay).toBeLessThan(400 * 1.15);
  });
});
