/**
 * Distinct monitored addresses, mergeable across rows and minutes (docs/methods.md#backscatter):
 * the exact addresses while they are few, a HyperLogLog sketch beyond (Flajolet, Fusy, Gandouet and
 * Meunier, "HyperLogLog: the analysis of a near-optimal cardinality estimation algorithm", AofA
 * 2007, with its small-range correction, linear counting: about 2.5 % standard error from the exact
 * range up to thousands). Per-minute distinct counts cannot be added up over a window: an address hit in
 * fourteen minutes is one address, not fourteen. Sketches can be merged instead.
 *
 * A key is a 32-bit number: an IPv4 address itself; an IPv6 address hashed by the store (any hash
 * that gives one address one key). Keys are mixed with MurmurHash3's 32-bit finaliser before they
 * pick a register, so that consecutive addresses (one block) spread over the registers; an event
 * store that builds registers itself must use the same mix and register rule (`hllEntry`).
 */

/** Rows and unions keep the exact keys up to this many; beyond, a HyperLogLog sketch. */
export const SKETCH_EXACT_MAX = 64;
/** Register-index bits: 2^10 registers, a standard error of 1.04/√1024 ≈ 3.3 % above the exact range. */
export const HLL_PRECISION = 10;
export const HLL_REGISTERS = 1 << HLL_PRECISION;
const RANK_BITS = 32 - HLL_PRECISION;

/**
 * The distinct addresses of one aggregate row: their keys when at most {@link SKETCH_EXACT_MAX},
 * otherwise the HyperLogLog registers (each the largest rank seen; {@link HLL_REGISTERS} of them).
 */
export type AddressSketch = { readonly keys: readonly number[] } | { readonly registers: Uint8Array };

/** MurmurHash3's fmix32: every input bit affects every output bit. */
export function mix32(key: number): number {
  let h = key >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A key's register and rank as one number, `register × 32 + rank`: the register is the top
 * {@link HLL_PRECISION} bits of the mixed key, the rank the position of the first 1 bit in the
 * rest (1 … 23, 23 when the rest is zero).
 */
export function hllEntry(key: number): number {
  const h = mix32(key);
  const rest = h & ((1 << RANK_BITS) - 1);
  // clz32 of the 22-bit rest counts the 10 bits above it too.
  return (h >>> RANK_BITS) * 32 + (Math.clz32(rest) - HLL_PRECISION + 1);
}

/** Registers from `register × 32 + rank` entries (an event store's output; repeats allowed). */
export function registersFromEntries(entries: Iterable<number>): Uint8Array {
  const reg = new Uint8Array(HLL_REGISTERS);
  for (const e of entries) {
    const i = e >>> 5;
    const rank = e & 31;
    if (i < HLL_REGISTERS && rank > reg[i]!) reg[i] = rank;
  }
  return reg;
}

/** The cardinality estimate of a register array (with the small- and large-range corrections). */
export function estimateRegisters(reg: Uint8Array): number {
  const m = reg.length;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < m; i++) {
    sum += 2 ** -reg[i]!;
    if (reg[i] === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / m);
  let e = (alpha * m * m) / sum;
  if (e <= 2.5 * m && zeros > 0) e = m * Math.log(m / zeros);
  else if (e > 2 ** 32 / 30) e = -(2 ** 32) * Math.log(1 - e / 2 ** 32);
  return Math.round(e);
}

/** The number of distinct addresses a sketch holds (exact, or estimated). */
export function sketchCount(s: AddressSketch): number {
  return 'keys' in s ? s.keys.length : estimateRegisters(s.registers);
}

/** A sketch of `keys` (deduplicated): exact while few, registers beyond. */
export function sketchOf(keys: Iterable<number>): AddressSketch {
  const u = new AddressUnion();
  for (const k of keys) u.addKey(k);
  return u.sketch();
}

/** The union of sketches, merged in place: exact while the keys are few, a sketch beyond. */
export class AddressUnion {
  private keys: number[] | null = [];
  private reg: Uint8Array | null = null;

  addKey(key: number): void {
    const k = key >>> 0;
    if (this.keys) {
      if (this.keys.includes(k)) return;
      this.keys.push(k);
      if (this.keys.length > SKETCH_EXACT_MAX) this.toRegisters();
      return;
    }
    const e = hllEntry(k);
    const i = e >>> 5;
    if ((e & 31) > this.reg![i]!) this.reg![i] = e & 31;
  }

  add(s: AddressSketch): void {
    if ('keys' in s) {
      for (const k of s.keys) this.addKey(k);
      return;
    }
    this.toRegisters();
    const reg = this.reg!;
    const other = s.registers;
    for (let i = 0; i < HLL_REGISTERS; i++) if (other[i]! > reg[i]!) reg[i] = other[i]!;
  }

  merge(u: AddressUnion): void {
    this.add(u.sketch());
  }

  /** Distinct addresses: exact while at most {@link SKETCH_EXACT_MAX}, estimated beyond. */
  count(): number {
    return this.keys ? this.keys.length : estimateRegisters(this.reg!);
  }

  get exact(): boolean {
    return this.keys !== null;
  }

  /** The union as a sketch (shares this union's storage: read it before adding more). */
  sketch(): AddressSketch {
    return this.keys ? { keys: this.keys } : { registers: this.reg! };
  }

  private toRegisters(): void {
    if (this.reg) return;
    this.reg = new Uint8Array(HLL_REGISTERS);
    const keys = this.keys!;
    this.keys = null;
    for (const k of keys) this.addKey(k);
  }
}
