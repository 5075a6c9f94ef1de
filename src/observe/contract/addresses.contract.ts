/**
 * The contract of the reads that count monitored addresses (ports/detection-rows.ts `hits`,
 * ports/destinations.ts), on hand-built events written for this test: a victim's addresses are
 * carried so that they can be counted once across rows and minutes, and the destinations each
 * sensor has seen are summarised per /24.
 */
import { expect } from 'vitest';
import { ev } from '../../../test/events.js';
import { ipv4ToString } from '../../core/index.js';
import { AddressUnion, sketchCount, sketchOf } from '../address-sketch.js';
import type { ContractCase } from '../event-store.contract.js';

const T0 = Date.UTC(2006, 7, 18, 0, 0);
const M = 60_000;
const all = { fromMs: T0 - M, toMs: T0 + 10 * M };

/** A SYN-ACK from `victim`:`port` to our address `dst` at `timeMs`. */
const synAck = (timeMs: number, dst: string, port = 80, victim = '192.0.2.80') =>
  ev({ timeMs, src: victim, srcPort: port, dst, dstPort: 3000, tcpFlags: 0x12 });

export const ADDRESS_CASES: readonly ContractCase[] = [
  {
    name: 'carries the addresses a victim hit so that rows of other minutes and ports merge into one count',
    async run(ctx) {
      const { store } = ctx;
      // The same address, from two ports, in three minutes: one address.
      await store.append([
        synAck(T0 + 1_000, '203.0.113.7', 80),
        synAck(T0 + 2_000, '203.0.113.7', 443),
        synAck(T0 + M + 1_000, '203.0.113.7', 80),
        synAck(T0 + 2 * M + 1_000, '203.0.113.7', 80),
      ]);
      const rows = await store.detectionRows('backscatter', all);
      expect(rows.map((r) => [r.minuteMs - T0, r.port, r.targets])).toEqual(
        expect.arrayContaining([
          [0, 80, 1],
          [0, 443, 1],
          [M, 80, 1],
          [2 * M, 80, 1],
        ]),
      );
      expect(rows).toHaveLength(4);
      const union = new AddressUnion();
      for (const r of rows) union.add(r.hits);
      expect(union.count()).toBe(1);
    },
  },
  {
    name: 'sketches more addresses than the exact limit as the registers the same keys give',
    async run(ctx) {
      const { store } = ctx;
      // 300 addresses of 10.1.0.0/16 hit in one minute, 100 of them again in the next.
      const events = Array.from({ length: 300 }, (_, i) =>
        synAck(T0 + 1_000 + i, ipv4ToString(0x0a010000 + i * 7)),
      );
      for (let i = 0; i < 100; i++) events.push(synAck(T0 + M + i, ipv4ToString(0x0a010000 + i * 7)));
      await store.append(events);
      const rows = (await store.detectionRows('backscatter', all)).sort((a, b) => a.minuteMs - b.minuteMs);
      expect(rows.map((r) => r.targets)).toEqual([300, 100]);
      const [first, second] = rows as [(typeof rows)[0], (typeof rows)[0]];
      // The store's registers are those of the same keys sketched here (same mix, same rule).
      const mine = sketchOf(Array.from({ length: 300 }, (_, i) => 0x0a010000 + i * 7));
      if (!('registers' in first.hits) || !('registers' in mine)) throw new Error('expected registers');
      expect([...first.hits.registers]).toEqual([...mine.registers]);
      const union = new AddressUnion();
      union.add(first.hits);
      union.add(second.hits);
      expect(union.count()).toBe(sketchCount(first.hits));
      expect(Math.abs(union.count() - 300)).toBeLessThanOrEqual(9);
      expect(first.blocks16).toEqual([0x0a01]);
    },
  },
  {
    name: 'summarises the destinations of each sensor per /24: extent, addresses, sources, events',
    async run(ctx) {
      const { store } = ctx;
      await store.append([
        ev({ timeMs: T0 + 1_000, src: '198.51.100.1', dst: '203.0.113.17' }),
        ev({ timeMs: T0 + 2_000, src: '198.51.100.2', dst: '203.0.113.30' }),
        ev({ timeMs: T0 + M, src: '198.51.100.2', dst: '203.0.113.30' }),
        ev({ timeMs: T0 + 3_000, src: '198.51.100.3', dst: '192.0.2.5', sensor: 's2', kind: 'darknet' }),
        // IDS alerts and IPv6 destinations are left out.
        ev({ timeMs: T0 + 4_000, dst: '198.18.0.1', kind: 'ids' }),
        ev({ timeMs: T0 + 5_000, src: '2001:db8::1', dst: '2001:db8::2' }),
      ]);
      const rows = await store.destinationBlocks(all);
      const brief = rows
        .map((r) => [
          r.sensor,
          ipv4ToString(r.network),
          ipv4ToString(r.lowest),
          ipv4ToString(r.highest),
          r.addresses,
          r.sources,
          r.events,
          r.firstMs - T0,
          r.lastMs - T0,
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(brief).toEqual([
        ['s1', '203.0.113.0', '203.0.113.17', '203.0.113.30', 2, 2, 3, 1_000, M],
        ['s2', '192.0.2.0', '192.0.2.5', '192.0.2.5', 1, 1, 1, 3_000, 3_000],
      ]);
      const mark = await store.latestBatch();
      await store.append([ev({ timeMs: T0 + 2 * M, src: '198.51.100.9', dst: '203.0.114.1' })]);
      const later = await store.destinationBlocks({ afterBatch: mark, upToBatch: await store.latestBatch() });
      expect(later.map((r) => [r.sensor, ipv4ToString(r.network), r.events])).toEqual([
        ['s1', '203.0.114.0', 1],
      ]);
    },
  },
];
