/**
 * The inbound-flood scenario, read back through the parsers: each episode's packets reach the
 * victim address of a firewall site, in its time, shaped as truth.json says (SIMULATED data).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addrBytes, addressScope, cidrContains, type ObservationEvent, parseCidr } from '../../core/index.js';
import { readBack } from '../read-back.js';
import { simulate } from '../simulate.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('inbound-flood scenario', () => {
  it('writes a spoofed SYN flood, a SYN-ACK reflection and a UDP reflection at firewall sites’ own addresses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-sim-inbound-'));
    dirs.push(dir);
    const r = await simulate({
      outDir: dir,
      sensors: 8,
      days: 2,
      ratePerSensorPerDay: 1000,
      seed: 3,
      scenarios: [{ kind: 'inbound-flood', episodes: 3, strength: 0 }],
    });
    const events: ObservationEvent[] = [];
    const files = await readBack(dir, (e) => events.push(e));
    for (const f of files) expect(f.rejections, f.path).toEqual([]);
    const episodes = r.truth.episodes;
    expect(episodes.map((e) => [e.kind, e.id, e.magnitude, e.magnitude_unit])).toEqual([
      ['inbound-flood', 'inbound-flood-1', 150, 'packets per second at the victim address'],
      ['inbound-flood', 'inbound-flood-2', 150, 'packets per second at the victim address'],
      ['inbound-flood', 'inbound-flood-3', 150, 'packets per second at the victim address'],
    ]);
    const attacks: string[] = [];
    for (const ep of episodes) {
      if (ep.kind !== 'inbound-flood') throw new Error('wrong kind');
      const s = ep.subject;
      attacks.push(s.attack);
      const sensor = r.manifest.sensors.find((x) => x.name === s.sensor)!;
      expect(sensor.site).toBe('firewall-ids');
      expect(cidrContains(parseCidr(sensor.blocks[0]!)!, addrBytes(s.victim)!)).toBe(true);
      const start = Date.parse(ep.start);
      const end = Date.parse(ep.end);
      const mine = events.filter(
        (e) => e.kind === 'firewall' && e.dst === s.victim && e.timeMs >= start && e.timeMs < end,
      );
      const flood = mine.filter((e) =>
        s.attack === 'udp-reflection' ? e.protocol === 'udp' && e.srcPort === s.port : e.protocol === 'tcp',
      );
      // Every flood packet is logged by the victim's firewall (a packet or two of background may share the address).
      expect(flood.length).toBe(ep.observed.events);
      expect(ep.observed.sensors).toEqual([s.sensor]);
      const durationS = (end - start) / 1000;
      expect(Math.abs(flood.length - 150 * durationS)).toBeLessThanOrEqual(2);
      const sources = new Set(flood.map((e) => e.src));
      expect(sources.size).toBe(ep.observed.sources);
      if (s.attack === 'spoofed-syn-flood') {
        expect(flood.every((e) => e.tcpFlags === 0x02 && e.dstPort === s.port)).toBe(true);
        // One packet or so per forged source, about 14 % of them in private, reserved or bogon space.
        expect(sources.size / flood.length).toBeGreaterThan(0.99);
        const unroutable = [...sources].filter((a) => addressScope(a) !== 'public').length / sources.size;
        expect(unroutable).toBeGreaterThan(0.11);
        expect(unroutable).toBeLessThan(0.17);
      } else if (s.attack === 'syn-ack-reflection') {
        expect(flood.every((e) => e.tcpFlags === 0x12 && e.srcPort === s.port)).toBe(true);
        expect([80, 443]).toContain(s.port);
        expect(sources.size).toBeLessThanOrEqual(ep.details.sources as number);
        expect([...sources].every((a) => addressScope(a) === 'public')).toBe(true);
      } else {
        // Answers from the service's port, bigger than any request.
        expect(flood.every((e) => e.length! > 300)).toBe(true);
        expect(sources.size).toBeLessThanOrEqual(ep.details.sources as number);
      }
    }
    expect(attacks).toEqual(['spoofed-syn-flood', 'syn-ack-reflection', 'udp-reflection']);
  }, 60_000);
});
