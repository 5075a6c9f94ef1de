/**
 * Addresses hit by hand-built backscatter rows (the `targets`, `hits` and `blocks16` of a
 * `BackscatterRow`): `count` distinct addresses of 10.0.0.0/8, new ones every minute.
 */
import { type AddressSketch, sketchOf } from '../src/observe/index.js';

const BASE = 0x0a000000;

export function hitsOf(
  count: number,
  minuteMs: number,
): { targets: number; hits: AddressSketch; blocks16: number[] } {
  const first = (Math.floor(minuteMs / 60_000) * count) % 0x1000000;
  const keys = Array.from({ length: count }, (_, k) => BASE + ((first + k) % 0x1000000));
  return { targets: count, hits: sketchOf(keys), blocks16: [...new Set(keys.map((k) => k >>> 16))] };
}
