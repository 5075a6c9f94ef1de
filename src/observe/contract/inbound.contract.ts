/**
 * The contract of the `inbound` detection family (ports/inbound-rows.ts), on hand-built events
 * written for this test: which vector each packet belongs to, the port that names it, and the
 * distinct counts per minute, sensor and monitored address.
 */
import { expect } from 'vitest';
import { ev } from '../../../test/events.js';
import type { ContractCase } from '../event-store.contract.js';

const T0 = Date.UTC(2024, 4, 1, 10, 0);
const M = 60_000;
const all = { fromMs: T0 - M, toMs: T0 + 10 * M };
const VICTIM = '203.0.113.9';

const syn = (t: number, src: string, srcPort: number, dstPort = 80, over = {}) =>
  ev({ timeMs: T0 + t, src, srcPort, dst: VICTIM, dstPort, tcpFlags: 0x02, length: 60, ...over });
const udp = (t: number, src: string, srcPort: number, dstPort: number, length: number) =>
  ev({
    timeMs: T0 + t,
    src,
    srcPort,
    dst: VICTIM,
    dstPort,
    protocol: 'udp',
    protocolNumber: 17,
    tcpFlags: null,
    length,
  });

export const INBOUND_CASES: readonly ContractCase[] = [
  {
    name: 'counts what reaches each address per minute and vector: packets, bytes, distinct sources, /16s, source ports, unroutable sources',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        // SYNs to 80 from four sources (one private, three /16s), one twice, and one SYN to 443.
        syn(1_000, '198.51.100.1', 1000),
        syn(2_000, '198.51.100.1', 1000),
        syn(3_000, '198.51.100.2', 1001),
        syn(4_000, '192.0.2.3', 1002),
        syn(5_000, '10.0.0.4', 1003, 80, { srcScope: 'private', srcCountry: null, srcAsn: null }),
        syn(6_000, '198.51.100.5', 1004, 443),
        // A SYN with ECE+CWR is a SYN; an IDS alert about one is not a packet.
        syn(7_000, '198.51.100.6', 1005, 80, { tcpFlags: 0xc2 }),
        syn(8_000, '198.51.100.7', 1006, 80, { kind: 'ids' }),
        // The next minute is its own row.
        syn(M + 500, '198.51.100.8', 1007),
        // To IPv6.
        syn(9_000, '2001:db8::7', 1008, 80, { dst: '2001:db8::1' }),
      ]);
      const rows = await store.detectionRows('inbound', all);
      const synRows = rows.filter((r) => r.vector === 'syn');
      expect(synRows).toEqual(
        expect.arrayContaining([
          {
            minuteMs: T0,
            sensor: 's1',
            dst: VICTIM,
            proto: 'tcp',
            vector: 'syn',
            port: 80,
            ports: 2,
            packets: 7,
            bytes: 420,
            sources: 6,
            sources16: 3,
            sourcePorts: 6,
            unroutable: 1,
            firstMs: T0 + 1_000,
            lastMs: T0 + 7_000,
            peak10s: 7,
          },
          expect.objectContaining({ minuteMs: T0 + M, dst: VICTIM, packets: 1, sources: 1 }),
          expect.objectContaining({ minuteMs: T0, dst: '2001:db8::1', packets: 1, sources: 1, sources16: 0 }),
        ]),
      );
      expect(rows).toHaveLength(3);
    },
  },
  {
    name: 'names replies by the service that sent them: SYN-ACKs by source port, UDP from reflector ports one row per service',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        // SYN-ACKs from three reflectors' web servers to one address (never sent a SYN).
        syn(1_000, '192.0.2.80', 80, 41000, { tcpFlags: 0x12 }),
        syn(2_000, '192.0.2.81', 443, 41001, { tcpFlags: 0x12 }),
        syn(3_000, '192.0.2.82', 80, 41002, { tcpFlags: 0x12 }),
        // NTP (123) and DNS (53) replies, and UDP from an ordinary port to 1434.
        udp(4_000, '192.0.2.123', 123, 50000, 468),
        udp(5_000, '192.0.2.124', 123, 50001, 468),
        udp(6_000, '192.0.2.53', 53, 50002, 3000),
        udp(7_000, '192.0.2.9', 40000, 1434, 404),
        // An echo request, an ACK, and a TCP line without flags (a log that records none).
        ev({
          timeMs: T0 + 8_000,
          dst: VICTIM,
          protocol: 'icmp',
          protocolNumber: 1,
          srcPort: null,
          dstPort: null,
          tcpFlags: null,
          icmpType: 8,
          icmpCode: 0,
        }),
        syn(9_000, '192.0.2.10', 40000, 22, { tcpFlags: 0x10 }),
        syn(9_500, '192.0.2.10', 40000, 22, { tcpFlags: 0x10 }),
        syn(10_000, '192.0.2.11', 40001, 23, { tcpFlags: null }),
      ]);
      const rows = await store.detectionRows('inbound', all);
      const brief = rows
        .map((r) => [r.vector, r.proto, r.port, r.ports, r.packets, r.sources, r.bytes])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[2]) - Number(b[2]));
      expect(brief).toEqual([
        ['icmp', 'icmp', null, 0, 1, 1, 48],
        ['syn-ack', 'tcp', 80, 2, 3, 3, 180],
        ['tcp', 'tcp', 22, 2, 3, 2, 180],
        ['udp', 'udp', 1434, 1, 1, 1, 404],
        ['udp-reflection', 'udp', 53, 1, 1, 1, 3000],
        ['udp-reflection', 'udp', 123, 1, 2, 2, 936],
      ]);
    },
  },
  {
    name: 'counts the busiest 10-second slot of the minute (a burst, whatever strays come before or after it)',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        syn(500, '198.51.100.1', 1000),
        syn(12_000, '198.51.100.2', 1001),
        syn(12_500, '198.51.100.3', 1002),
        syn(19_999, '198.51.100.4', 1003),
        syn(20_000, '198.51.100.5', 1004),
        syn(59_999, '198.51.100.6', 1005),
      ]);
      const rows = await store.detectionRows('inbound', all);
      expect(rows.map((r) => [r.packets, r.peak10s, r.firstMs - T0, r.lastMs - T0])).toEqual([
        [6, 3, 500, 59_999],
      ]);
    },
  },
  {
    name: 'reads inbound rows by batches after a cursor, as live detection does',
    async run(ctx) {
      const { store } = ctx;
      await store.append([syn(1_000, '198.51.100.1', 1000)]);
      const first = await store.latestBatch();
      await store.append([syn(2_000, '198.51.100.2', 1001), syn(3_000, '198.51.100.3', 1002)]);
      const later = await store.detectionRows('inbound', {
        afterBatch: first,
        upToBatch: await store.latestBatch(),
      });
      expect(later.map((r) => [r.dst, r.vector, r.packets, r.sources, r.firstMs - T0])).toEqual([
        [VICTIM, 'syn', 2, 2, 2_000],
      ]);
    },
  },
];
