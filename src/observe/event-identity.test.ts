import { describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import type { EnrichedEvent } from '../core/index.js';
import { IdentityHasher } from './event-identity.js';

const T0 = Date.UTC(2026, 2, 20, 14, 49, 24, 202);
const hasher = new IdentityHasher();
const id = (e: EnrichedEvent): string => {
  hasher.of(e);
  return `${hasher.h1.toString(16)}:${hasher.h2.toString(16)}`;
};

describe('event identity', () => {
  const base = ev({ timeMs: T0, ipId: 4321 });

  it('is the same for the same record read twice, whatever its sensor and enrichment', () => {
    expect(id(ev({ timeMs: T0, ipId: 4321 }))).toBe(id(base));
    expect(id(ev({ timeMs: T0, ipId: 4321, sensor: 'other', srcCountry: 'CN', srcAsn: 1 }))).toBe(id(base));
  });

  it('differs when any field that tells two packets apart differs', () => {
    const variants: Partial<EnrichedEvent>[] = [
      { timeMs: T0 + 1 },
      { timeMs: T0 + 2 ** 32 },
      { kind: 'darknet' },
      { protocolNumber: 17 },
      { src: '198.51.100.2' },
      { dst: '203.0.113.2' },
      { srcPort: 40001 },
      { dstPort: 446 },
      { srcPort: null },
      { tcpFlags: 0x12 },
      { icmpType: 3 },
      { icmpCode: 1 },
      { length: 49 },
      { ttl: 112 },
      { ipId: 4322 },
      { ipId: null },
      {
        ids: {
          generatorId: 1,
          signatureId: 2,
          signatureRev: 1,
          signature: 's',
          classtype: null,
          technique: 'Scan',
          priority: 2,
        },
      },
      { payload: { length: 4, hash: 7 } },
      { quoted: { src: '203.0.113.1', dst: '198.51.100.1', protocol: 'udp', srcPort: 53, dstPort: 9 } },
    ];
    const ids = variants.map((v) => id({ ...base, ...v } as EnrichedEvent));
    expect(new Set([id(base), ...ids]).size).toBe(variants.length + 1);
  });

  it('does not confuse addresses split differently between source and destination', () => {
    const a = id({ ...base, src: '1.1.1.11', dst: '1.1.1.1' });
    const b = id({ ...base, src: '1.1.1.1', dst: '11.1.1.1' });
    expect(a).not.toBe(b);
  });

  it('spreads 100,000 near-identical records over distinct values of each half', () => {
    const h1 = new Set<number>();
    const h2 = new Set<number>();
    const both = new Set<string>();
    const e = { ...base } as { -readonly [K in keyof EnrichedEvent]: EnrichedEvent[K] };
    for (let i = 0; i < 100_000; i++) {
      e.timeMs = T0 + (i >> 4);
      e.srcPort = 1024 + (i & 15);
      e.ipId = i & 0xffff;
      hasher.of(e);
      h1.add(hasher.h1);
      h2.add(hasher.h2);
      both.add(`${hasher.h1}:${hasher.h2}`);
    }
    // Each 32-bit half alone: n²/2^33 ≈ 1.2 chance collisions expected; these inputs give 2 and 1.
    // Both halves at once would collide with probability about 2^-64: none.
    expect([h1.size, h2.size, both.size]).toEqual([99_998, 99_999, 100_000]);
  });
});
