// Distinct-address sets of backscatter rows: exact while few, a HyperLogLog sketch beyond; merged
// across rows and minutes. Keys are made up here (no real data).
import { describe, expect, it } from 'vitest';
import {
  AddressUnion,
  estimateRegisters,
  HLL_REGISTERS,
  hllEntry,
  mix32,
  registersFromEntries,
  SKETCH_EXACT_MAX,
  sketchCount,
  sketchOf,
} from './address-sketch.js';

const range = (from: number, n: number, step = 1) =>
  Array.from({ length: n }, (_, i) => (from + i * step) >>> 0);

describe('mix32', () => {
  it("is MurmurHash3's 32-bit finaliser", () => {
    expect(mix32(0)).toBe(0);
    expect(mix32(1)).toBe(0x514e28b7);
    expect(mix32(0xffffffff)).toBe(0x81f16f39);
  });
});

describe('hllEntry', () => {
  it('packs the register (top 10 bits of the mixed key) and the rank of the other 22', () => {
    for (const k of [1, 2, 0xcb007101, 0xffffffff]) {
      const h = mix32(k);
      const rest = h & 0x3fffff;
      const rank = rest === 0 ? 23 : 22 - Math.floor(Math.log2(rest));
      expect(hllEntry(k)).toBe((h >>> 22) * 32 + rank);
    }
  });
});

describe('AddressUnion', () => {
  it('counts each address once, however often and in however many rows it comes', () => {
    const u = new AddressUnion();
    for (let minute = 0; minute < 14; minute++) u.add(sketchOf([0xcb007107]));
    u.add({ keys: [0xcb007107, 0xcb007108] });
    expect(u.count()).toBe(2);
    expect(u.exact).toBe(true);
  });

  it(`stays exact up to ${SKETCH_EXACT_MAX} addresses and turns into registers beyond`, () => {
    expect(sketchOf(range(0x0a000000, SKETCH_EXACT_MAX))).toEqual({
      keys: range(0x0a000000, SKETCH_EXACT_MAX),
    });
    const big = sketchOf(range(0x0a000000, SKETCH_EXACT_MAX + 1));
    expect('registers' in big && big.registers.length).toBe(HLL_REGISTERS);
  });

  it('merges exact sets and sketches into the sketch of the union', () => {
    const a = range(0x0a000000, 3000);
    const b = range(0x0a000000 + 2000, 3000);
    const u = new AddressUnion();
    u.add(sketchOf(a));
    for (const k of range(0x0a000000 + 2000, 40)) u.addKey(k);
    u.add(sketchOf(b));
    expect(u.sketch()).toEqual(sketchOf([...a, ...b]));
    // 5,000 distinct addresses: within three standard errors (3 × 1.04/√1024).
    expect(Math.abs(u.count() - 5000)).toBeLessThanOrEqual(5000 * 0.1);
  });

  it('estimates counts from the exact limit to a /16 within a few per cent', () => {
    for (const n of [300, 3000, 65536]) {
      const est = sketchCount(sketchOf(range(0xcb000000, n)));
      expect(Math.abs(est - n) / n).toBeLessThan(0.08);
    }
  });
});

describe('registersFromEntries', () => {
  it('keeps the largest rank per register, ignoring out-of-range entries', () => {
    const reg = registersFromEntries([
      3 * 32 + 2,
      3 * 32 + 5,
      3 * 32 + 1,
      7 * 32 + 1,
      HLL_REGISTERS * 32 + 4,
    ]);
    expect(reg[3]).toBe(5);
    expect(reg[7]).toBe(1);
    expect(reg.reduce((a, b) => a + b, 0)).toBe(6);
    expect(estimateRegisters(new Uint8Array(HLL_REGISTERS))).toBe(0);
  });
});
