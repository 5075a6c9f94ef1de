/**
 * Persistent hosts as stateless functions: a host slot's address on a given day is a hash of the
 * seed, its pool, its slot number and its generation (which changes every few days), so every worker
 * agrees on who is infected when, without shared state. A host's stack (Windows or Linux-like), its
 * distance in hops and its ephemeral-port and IP-ID counters are hashes of its address, so the same
 * host looks the same wherever it appears.
 */
import { DAY_MS } from '../core/index.js';
import { addressIn8, addressIn16, addressInCountry, type CountryMix, pickCountry } from './country-space.js';
import { hash2, hash3, hash4, hashFloat, mix32 } from './prng.js';

/** Slot drawn with popularity skew: ⌊n · u^skew⌋ (skew 1 is uniform). */
export function skewedSlot(u: number, n: number, skew: number): number {
  const s = Math.floor(n * u ** skew);
  return s >= n ? n - 1 : s;
}

/** Generation of a slot at `tMs`: its address changes every `lifetime` days, at a slot-specific phase. */
export function generation(key: number, tMs: number, minDays: number, maxDays: number): number {
  const h = mix32(key ^ 0x11fe);
  const life = minDays + (h % (maxDays - minDays + 1));
  const phase = hashFloat(mix32(h)) * life;
  return Math.floor((tMs / DAY_MS + phase) / life);
}

/** A global-pool host: its country from the mix, then a /16 of that country and a host part. */
export function poolHost(seed: number, pool: number, slot: number, gen: number, mix: CountryMix): number {
  const h = hash4(seed, pool, slot, gen);
  const cc = pickCountry(mix, hashFloat(h));
  return addressInCountry(cc, mix32(h ^ 0x51ed), mix32(h ^ 0xa11c));
}

/** A host in the /16 `prefix16` (first two octets), never inside the block [base, base + size). */
export function neighbour16Host(
  seed: number,
  pool: number,
  prefix16: number,
  slot: number,
  gen: number,
  base: number,
  size: number,
): number {
  const h = hash4(seed, pool ^ 0x1616, (prefix16 << 8) ^ slot, gen);
  let a = addressIn16(prefix16, h);
  if (a >= base && a < base + size) a = (a ^ 0x8000) >>> 0;
  return a;
}

/** A host in the /8 `octet` (any /16 the table knows there); -1 when the table has none. */
export function neighbour8Host(seed: number, pool: number, octet: number, slot: number, gen: number): number {
  const h = hash4(seed, pool ^ 0x0808, (octet << 16) ^ slot, gen);
  return addressIn8(octet, mix32(h ^ 0x0801), mix32(h ^ 0x0802));
}

/** A stable per-address hash that host traits are read from. */
export function hostHash(seed: number, addr: number): number {
  return hash2(seed ^ 0x4057, addr);
}

/** True when the host runs a Windows stack, given the family's Windows share. */
export function isWindows(hh: number, windowsShare: number): boolean {
  return hashFloat(mix32(hh ^ 0x3111)) < windowsShare;
}

/** Hops between the host and the sensors (6–23). */
export function hops(hh: number): number {
  return 6 + (mix32(hh ^ 0x4095) % 18);
}

/** TTL of a packet from the host: initial TTL (128 Windows, 64 otherwise) less the hops. */
export function hostTtl(hh: number, windows: boolean): number {
  return (windows ? 128 : 64) - hops(hh);
}

/**
 * An ephemeral source port for the host's `n`-th connection of a visit: Windows counts up from a
 * base in 1025–5000 (its default dynamic range before Vista), Linux picks from 32768–61000.
 */
export function ephemeralPort(hh: number, windows: boolean, visitKey: number, n: number): number {
  if (windows) return 1025 + ((mix32(hh ^ visitKey) + n) % 3976);
  return 32768 + (hash3(hh, visitKey, n) % 28233);
}
