/**
 * The contract of the `inbound` detection family (ports/inbound-rows.ts), on hand-built events
 * written for this test: which vector each packet belongs to, the port that names it, the distinct
 * counts per minute, sensor and monitored address, and the groups too small to be returned.
 */
import { expect } from 'vitest';
import { ev } from '../../../test/events.js';
import type { EnrichedEvent } from '../../core/index.js';
import type { ContractCase } from '../event-store.contract.js';
import { INBOUND_MIN_PACKETS } from '../ports/inbound-rows.js';

const T0 = Date.UTC(2024, 4, 1, 10, 0);
const M = 60_000;
const all = { fromMs: T0 - M, toMs: T0 + 10 * M };
const VICTIM = '203.0.113.9';
const N = INBOUND_MIN_PACKETS;

const syn = (t: number, src: string, srcPort: number, dstPort = 80, over: Partial<EnrichedEvent> = {}) =>
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
/** `n` events made by `make(k)`, k = 0 … n − 1. */
const times = (n: number, make: (k: number) => EnrichedEvent): EnrichedEvent[] =>
  Array.from({ length: n }, (_, k) => make(k));

export const INBOUND_CASES: readonly ContractCase[] = [
  {
    name: 'counts what reaches each address per minute and vector: packets, bytes, distinct sources, /16s, source ports, unroutable sources',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        // 20 SYNs to 80 from 16 sources (4 of them twice; one SYN with ECE+CWR is a SYN too), half a
        // second apart from 10:00:01, and two to 443 (one from a private address) at 10:00:15-16.
        ...times(N, (k) =>
          syn(1_000 + 500 * k, `198.51.100.${(k % 16) + 1}`, 1000 + (k % 16), 80, {
            tcpFlags: k === 3 ? 0xc2 : 0x02,
          }),
        ),
        syn(15_000, '192.0.2.3', 2000, 443),
        syn(16_000, '10.0.0.4', 2001, 443, { srcScope: 'private', srcCountry: null, srcAsn: null }),
        // An IDS alert about one is not a packet; 19 SYNs at another address are too few for a row.
        syn(8_000, '198.51.100.7', 1006, 80, { kind: 'ids' }),
        ...times(N - 1, (k) => syn(2_000 + k, '198.51.100.9', 3000 + k, 80, { dst: '203.0.113.10' })),
        // The next minute is its own row; IPv6 is counted by source, not by /16.
        ...times(N, (k) => syn(M + 500 + k, '198.51.100.8', 1007 + k)),
        ...times(N, (k) => syn(9_000 + k, `2001:db8::${k + 1}`, 1008, 80, { dst: '2001:db8::1' })),
      ]);
      const rows = await store.detectionRows('inbound', all);
      expect(rows.find((r) => r.minuteMs === T0 && r.dst === VICTIM)).toEqual({
        minuteMs: T0,
        sensor: 's1',
        dst: VICTIM,
        proto: 'tcp',
        vector: 'syn',
        port: 80,
        ports: 2,
        packets: 22,
        bytes: 22 * 60,
        sources: 18,
        sources16: 3,
        sourcePorts: 18,
        unroutable: 1,
        firstMs: T0 + 1_000,
        lastMs: T0 + 16_000,
        // 10:00:01.0–10:00:09.5 holds 18 of them, 10:00:10–19 the other four.
        tenSeconds: [18, 4, 0, 0, 0, 0],
        topSourcePorts: [
          { value: 1000, packets: 2 },
          { value: 1001, packets: 2 },
          { value: 1002, packets: 2 },
        ],
        // The private source has no country.
        topCountries: [{ value: 'JP', packets: 21 }],
      });
      expect(rows.map((r) => [r.minuteMs - T0, r.dst, r.packets, r.sources, r.sources16]).sort()).toEqual([
        [0, '2001:db8::1', 20, 20, 0],
        [0, VICTIM, 22, 18, 3],
        [M, VICTIM, 20, 1, 1],
      ]);
    },
  },
  {
    name: 'names replies by the service that sent them: SYN-ACKs by source port, UDP from reflector ports one row per service',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        // SYN-ACKs from three reflectors' web servers (two on 80, one on 443) to an address that sent no SYN.
        ...times(N, (k) =>
          syn(1_000 + k, `192.0.2.${80 + (k % 3)}`, k % 3 === 1 ? 443 : 80, 41000 + k, { tcpFlags: 0x12 }),
        ),
        // NTP (123) and DNS (53) answers, and UDP from an ordinary port to 1434.
        ...times(N, (k) => udp(4_000 + k, `192.0.2.${123 + (k % 2)}`, 123, 50000 + k, 468)),
        ...times(N, (k) => udp(5_000 + k, '192.0.2.53', 53, 50000 + k, 3000)),
        ...times(N, (k) => udp(6_000 + k, '192.0.2.9', 40000, 1434, 404)),
        // Echo requests; ACKs to 22 and TCP lines without flags (a log that records none) to 23.
        ...times(N, (k) =>
          ev({
            timeMs: T0 + 8_000 + k,
            dst: VICTIM,
            protocol: 'icmp',
            protocolNumber: 1,
            srcPort: null,
            dstPort: null,
            tcpFlags: null,
            icmpType: 8,
            icmpCode: 0,
          }),
        ),
        ...times(N / 2 + 1, (k) => syn(9_000 + k, '192.0.2.10', 40000, 22, { tcpFlags: 0x10 })),
        ...times(N / 2 - 1, (k) => syn(9_500 + k, '192.0.2.11', 40001, 23, { tcpFlags: null })),
      ]);
      const rows = await store.detectionRows('inbound', all);
      const brief = rows
        .map((r) => [r.vector, r.proto, r.port, r.ports, r.packets, r.sources, r.bytes])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[2]) - Number(b[2]));
      expect(brief).toEqual([
        ['icmp', 'icmp', null, 0, 20, 1, 20 * 48],
        ['syn-ack', 'tcp', 80, 2, 20, 3, 20 * 60],
        ['tcp', 'tcp', 22, 2, 20, 2, 20 * 60],
        ['udp', 'udp', 1434, 1, 20, 1, 20 * 404],
        ['udp-reflection', 'udp', 53, 1, 20, 1, 20 * 3000],
        ['udp-reflection', 'udp', 123, 1, 20, 2, 20 * 468],
      ]);
    },
  },
  {
    name: 'names the busiest source ports and source countries of each row, by packets, the smaller port first on a tie',
    async run(ctx) {
      const { store } = ctx;
      // SYN-ACKs at the victim: 9 from 443, 7 from 80, 7 from 8080, 1 from 22; sources in four
      // countries (one unknown, which is left out).
      const from = (k: number): [number, string | null] =>
        k < 9 ? [443, 'US'] : k < 16 ? [80, k < 13 ? 'CN' : 'BR'] : k < 23 ? [8080, 'DE'] : [22, null];
      await store.append(
        times(24, (k) =>
          syn(1_000 + k, `192.0.2.${k + 1}`, from(k)[0], 50_000 + k, {
            tcpFlags: 0x12,
            srcCountry: from(k)[1],
          }),
        ),
      );
      const [row] = await store.detectionRows('inbound', all);
      expect([row!.vector, row!.port, row!.topSourcePorts, row!.topCountries]).toEqual([
        'syn-ack',
        443,
        [
          { value: 443, packets: 9 },
          { value: 80, packets: 7 },
          { value: 8080, packets: 7 },
        ],
        [
          { value: 'US', packets: 9 },
          { value: 'DE', packets: 7 },
          { value: 'CN', packets: 4 },
        ],
      ]);
    },
  },
  {
    name: 'counts packets per 10-second slot of the minute (a burst, whatever strays come before or after it)',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        syn(500, '198.51.100.1', 1000),
        ...times(25, (k) => syn(12_000 + 300 * k, `198.51.100.${k + 2}`, 1001 + k)),
        syn(20_000, '198.51.100.40', 1100),
        syn(59_999, '198.51.100.41', 1101),
      ]);
      const rows = await store.detectionRows('inbound', all);
      expect(rows.map((r) => [r.packets, r.tenSeconds, r.firstMs - T0, r.lastMs - T0])).toEqual([
        [28, [1, 25, 1, 0, 0, 1], 500, 59_999],
      ]);
    },
  },
  {
    name: 'reads inbound rows by batches after a cursor, as live detection does',
    async run(ctx) {
      const { store } = ctx;
      await store.append(times(N, (k) => syn(1_000 + k, '198.51.100.1', 1000 + k)));
      const first = await store.latestBatch();
      await store.append(times(N, (k) => syn(2_000 + k, `198.51.100.${k + 2}`, 2000 + k)));
      const later = await store.detectionRows('inbound', {
        afterBatch: first,
        upToBatch: await store.latestBatch(),
      });
      expect(later.map((r) => [r.dst, r.vector, r.packets, r.sources, r.firstMs - T0])).toEqual([
        [VICTIM, 'syn', N, N, 2_000],
      ]);
    },
  },
];
