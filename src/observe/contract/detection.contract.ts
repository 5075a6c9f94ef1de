/**
 * The contract of the detectors' reads (ports/detection-rows.ts), on hand-built events written for
 * this test: which events each family keeps, how it groups them by minute, and where backscatter
 * finds its victim.
 */
import { expect } from 'vitest';
import { ev } from '../../../test/events.js';
import type { ContractCase } from '../event-store.contract.js';

const T0 = Date.UTC(2006, 7, 18, 0, 0);
const M = 60_000;

const all = { fromMs: T0 - M, toMs: T0 + 10 * M };

export const DETECTION_CASES: readonly ContractCase[] = [
  {
    name: 'keeps probes (SYN without ACK, UDP, echo requests), grouped per minute, source and target',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        ev({ timeMs: T0 + 1_000, src: '198.51.100.7', dst: '203.0.113.9', dstPort: 445 }),
        ev({ timeMs: T0 + 2_000, src: '198.51.100.7', dst: '203.0.113.9', dstPort: 445 }),
        ev({ timeMs: T0 + M + 5, src: '198.51.100.7', dst: '203.0.113.10', dstPort: 445, sensor: 's2' }),
        // A SYN-ACK is not a probe; an echo request is; a UDP datagram with 376 payload bytes is a delivery.
        ev({ timeMs: T0 + 3_000, tcpFlags: 0x12, srcPort: 80, dstPort: 40000 }),
        ev({
          timeMs: T0 + 4_000,
          protocol: 'icmp',
          protocolNumber: 1,
          srcPort: null,
          dstPort: null,
          tcpFlags: null,
          icmpType: 8,
          icmpCode: 0,
        }),
        ev({
          timeMs: T0 + 5_000,
          protocol: 'udp',
          protocolNumber: 17,
          tcpFlags: null,
          dstPort: 1434,
          length: 404,
          payload: { length: 376, hash: 0x1234 },
          srcCountry: 'CN',
          srcAsn: 4134,
        }),
        // IDS alerts are not probes.
        ev({ timeMs: T0 + 6_000, kind: 'ids' }),
      ]);
      const rows = await store.detectionRows('probes', all);
      const brief = rows.map((r) => [
        r.minuteMs - T0,
        r.sensor,
        r.proto,
        r.port,
        r.src,
        r.dst,
        r.packets,
        r.udpPayload,
      ]);
      expect(brief).toEqual(
        expect.arrayContaining([
          [0, 's1', 'tcp', 445, '198.51.100.7', '203.0.113.9', 2, false],
          [M, 's2', 'tcp', 445, '198.51.100.7', '203.0.113.10', 1, false],
          [0, 's1', 'icmp', null, '198.51.100.1', '203.0.113.1', 1, false],
          [0, 's1', 'udp', 1434, '198.51.100.1', '203.0.113.1', 1, true],
        ]),
      );
      expect(rows).toHaveLength(4);
      const udp = rows.find((r) => r.proto === 'udp')!;
      expect(udp).toMatchObject({ country: 'CN', asn: 4134, kind: 'firewall' });

      const payloads = await store.detectionRows('payloads', all);
      expect(
        payloads.map((p) => [p.proto, p.port, p.payloadLength, p.payloadHash, p.country, p.packets]),
      ).toEqual([['udp', 1434, 376, 0x1234, 'CN', 1]]);
    },
  },
  {
    name: 'names the victim of backscatter: the outer source, or the quoted destination of an ICMP error',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        // The victim 192.0.2.80 answers spoofed SYNs to three of our addresses from port 80.
        ev({
          timeMs: T0 + 1_000,
          src: '192.0.2.80',
          srcPort: 80,
          dst: '203.0.113.1',
          dstPort: 3000,
          tcpFlags: 0x12,
        }),
        ev({
          timeMs: T0 + 2_000,
          src: '192.0.2.80',
          srcPort: 80,
          dst: '203.0.113.2',
          dstPort: 3001,
          tcpFlags: 0x12,
        }),
        ev({
          timeMs: T0 + 3_000,
          src: '192.0.2.80',
          srcPort: 80,
          dst: '203.0.114.3',
          dstPort: 3002,
          tcpFlags: 0x12,
          sensor: 's2',
        }),
        // A router says 192.0.2.99:53/udp is unreachable, quoting a packet "from" our address.
        ev({
          timeMs: T0 + 4_000,
          protocol: 'icmp',
          protocolNumber: 1,
          src: '198.51.100.254',
          dst: '203.0.113.5',
          srcPort: null,
          dstPort: null,
          tcpFlags: null,
          icmpType: 3,
          icmpCode: 3,
          quoted: { src: '203.0.113.5', dst: '192.0.2.99', protocol: 'udp', srcPort: 5353, dstPort: 53 },
        }),
      ]);
      const rows = await store.detectionRows('backscatter', all);
      const byVictim = Object.fromEntries(rows.map((r) => [r.victim, r]));
      expect(Object.keys(byVictim).sort()).toEqual(['192.0.2.80', '192.0.2.99']);
      expect(byVictim['192.0.2.80']).toMatchObject({
        minuteMs: T0,
        proto: 'tcp',
        port: 80,
        reply: 'syn-ack',
        packets: 3,
        targets: 3,
        blocks16: [(203 << 8) | 0],
        sensors: 2,
        firstMs: T0 + 1_000,
        lastMs: T0 + 3_000,
        quoteMismatches: 0,
      });
      // The addresses hit, as their keys (IPv4: the address as a number), each once.
      const hits = byVictim['192.0.2.80']!.hits;
      expect('keys' in hits && [...hits.keys].sort((a, b) => a - b)).toEqual([
        0xcb007101, 0xcb007102, 0xcb007203,
      ]);
      expect(byVictim['192.0.2.99']).toMatchObject({ proto: 'udp', port: 53, reply: 'icmp-3', packets: 1 });
    },
  },
  {
    name: 'counts events per sensor, minute and kind, by time range or by batches after a cursor',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        ev({ timeMs: T0 }),
        ev({ timeMs: T0 + 10 }),
        ev({ timeMs: T0 + M, kind: 'darknet' }),
      ]);
      const first = await store.latestBatch();
      await store.append([ev({ timeMs: T0 + 2 * M, sensor: 's2' })]);
      const volume = await store.detectionRows('sensor-volume', all);
      expect(volume.map((v) => [v.minuteMs - T0, v.sensor, v.kind, v.packets])).toEqual([
        [0, 's1', 'firewall', 2],
        [M, 's1', 'darknet', 1],
        [2 * M, 's2', 'firewall', 1],
      ]);
      const later = await store.detectionRows('sensor-volume', {
        afterBatch: first,
        upToBatch: await store.latestBatch(),
      });
      expect(later.map((v) => v.sensor)).toEqual(['s2']);
    },
  },
  {
    name: 'groups IDS alerts per minute, signature and source, named by the signature’s text',
    async run(ctx) {
      const { store } = ctx;
      const sig = {
        generatorId: 1,
        signatureId: 2003,
        signatureRev: 8,
        signature: 'MS-SQL Worm propagation attempt',
        classtype: 'misc-attack',
        technique: 'Worm' as const,
        priority: 2,
      };
      await store.append([
        ev({ timeMs: T0 + 1_000, kind: 'ids', src: '192.0.2.7', dstPort: 1434, ids: sig, srcCountry: 'CN' }),
      ]);
      await store.append([
        ev({ timeMs: T0 + 2_000, kind: 'ids', src: '192.0.2.7', dstPort: 1434, ids: sig, srcCountry: 'CN' }),
        ev({
          timeMs: T0 + M,
          kind: 'ids',
          src: '2001:db8::9',
          dstPort: null,
          srcPort: null,
          protocol: 'icmp',
          protocolNumber: 1,
          tcpFlags: null,
          icmpType: 8,
          icmpCode: 0,
          ids: { ...sig, signatureId: 469, signature: 'ICMP PING NMAP', technique: 'Scan' },
          srcCountry: null,
          sensor: 's2',
        }),
        // Firewall events are not IDS rows.
        ev({ timeMs: T0 + 3_000 }),
      ]);
      const rows = await store.detectionRows('ids', all);
      expect(rows).toEqual([
        {
          minuteMs: T0,
          generatorId: 1,
          signatureId: 2003,
          signature: 'MS-SQL Worm propagation attempt',
          technique: 'Worm',
          proto: 'tcp',
          port: 1434,
          src: '192.0.2.7',
          country: 'CN',
          sensor: 's1',
          packets: 2,
        },
        {
          minuteMs: T0 + M,
          generatorId: 1,
          signatureId: 469,
          signature: 'ICMP PING NMAP',
          technique: 'Scan',
          proto: 'icmp',
          port: null,
          src: '2001:db8::9',
          country: null,
          sensor: 's2',
          packets: 1,
        },
      ]);
    },
  },
  {
    name: 'reads nothing outside the time range: from inclusive, to exclusive',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        ev({ timeMs: T0 - 1 }),
        ev({ timeMs: T0 }),
        ev({ timeMs: T0 + M - 1 }),
        ev({ timeMs: T0 + M }),
      ]);
      const volume = await store.detectionRows('sensor-volume', { fromMs: T0, toMs: T0 + M });
      expect(volume).toEqual([{ minuteMs: T0, sensor: 's1', kind: 'firewall', packets: 2 }]);
      expect(await store.detectionRows('probes', { fromMs: T0 + 2 * M, toMs: T0 + 3 * M })).toEqual([]);
    },
  },
];
