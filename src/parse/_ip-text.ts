/**
 * Address text straight from packet bytes, in the canonical forms of `core/ip.ts`: dotted quad
 * for IPv4, RFC 5952 for IPv6 (IPv4-mapped addresses as plain IPv4, as `canonicalIp` gives them).
 */
import { ipv6ToString } from '../core/index.js';

// A darknet sees the same few sources and its own prefix as destinations over and over: a small
// direct-mapped cache of dotted-quad strings saves most string building and shares the strings.
const V4_CACHE_SIZE = 4096;
const v4Keys = new Int32Array(V4_CACHE_SIZE);
const v4Vals: (string | undefined)[] = new Array<string | undefined>(V4_CACHE_SIZE).fill(undefined);

/** Dotted-quad text of the 4 address bytes at `i`, built from the bytes without an integer detour. */
export function ipv4At(b: Uint8Array, i: number): string {
  const a = (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  const h = Math.imul(a, 0x9e3779b1) >>> 20;
  const cached = v4Vals[h];
  if (cached !== undefined && v4Keys[h] === a) return cached;
  const s = `${b[i]}.${b[i + 1]}.${b[i + 2]}.${b[i + 3]}`;
  v4Keys[h] = a;
  v4Vals[h] = s;
  return s;
}

/** RFC 5952 text of the 16 address bytes at `i`; an IPv4-mapped address becomes plain IPv4 as `canonicalIp` does. */
export function ipv6At(b: Uint8Array, i: number): string {
  if (
    b[i + 10] === 0xff &&
    b[i + 11] === 0xff &&
    (b[i]! | b[i + 1]! | b[i + 2]! | b[i + 3]! | b[i + 4]! | b[i + 5]! | b[i + 6]! | b[i + 7]!) === 0 &&
    (b[i + 8]! | b[i + 9]!) === 0
  ) {
    return ipv4At(b, i + 12);
  }
  return ipv6ToString(b, i);
}
