/**
 * Drawing IPv4 addresses by country and by neighbourhood, from the /16 table in
 * `country-blocks.ts`. All draws are stateless functions of hashes, so a host slot names the same
 * address in every worker.
 */
import { COUNTRY_BLOCKS, NEIGHBOUR_BLOCKS } from './country-blocks.js';
import { cumulative, pickCumulativeAt } from './prng.js';

/**
 * The /8s where simulated sensors are placed: the ones with the most Japanese /16s in the
 * bundled country database (APNIC allocations 58–61/8, 106/8, 114/8, 118/8, 121–126/8, 202/8,
 * 210/8, 211/8, 218–222/8, and the legacy 133/8, 150/8 and 153/8).
 */
export const SENSOR_SLASH8S: readonly number[] = [
  133, 126, 219, 153, 221, 60, 220, 150, 210, 202, 218, 61, 211, 59, 222, 58, 124, 125, 118, 114, 122, 121,
  106,
];

/** The domestic country of the simulated observation center. */
export const DOMESTIC_COUNTRY = 'JP';

interface Tables {
  /** Global-draw /16s per country. */
  readonly byCountry: ReadonlyMap<string, Uint16Array>;
  /** /16s inside the sensor /8s per country. */
  readonly nearByCountry: ReadonlyMap<string, Uint16Array>;
  /** Every /16 inside a sensor /8 (any country), by first octet. */
  readonly bySlash8: ReadonlyMap<number, Uint16Array>;
  readonly countryOf16: ReadonlyMap<number, string>;
}

let tables: Tables | null = null;

function unpack(chunks: readonly string[]): Uint16Array {
  const hex = chunks.join('');
  const arr = new Uint16Array(hex.length / 4);
  for (let i = 0; i < arr.length; i++) arr[i] = Number.parseInt(hex.slice(i * 4, i * 4 + 4), 16);
  return arr;
}

function load(): Tables {
  if (tables) return tables;
  const byCountry = new Map<string, Uint16Array>();
  const nearByCountry = new Map<string, Uint16Array>();
  const countryOf16 = new Map<number, string>();
  const by8 = new Map<number, number[]>();
  for (const [cc, chunks] of Object.entries(COUNTRY_BLOCKS)) {
    const arr = unpack(chunks);
    for (const v of arr) countryOf16.set(v, cc);
    byCountry.set(cc, arr);
  }
  for (const [cc, chunks] of Object.entries(NEIGHBOUR_BLOCKS)) {
    const arr = unpack(chunks);
    for (const v of arr) {
      countryOf16.set(v, cc);
      const l = by8.get(v >>> 8);
      if (l) l.push(v);
      else by8.set(v >>> 8, [v]);
    }
    nearByCountry.set(cc, arr);
  }
  const bySlash8 = new Map<number, Uint16Array>();
  for (const [k, v] of by8) bySlash8.set(k, Uint16Array.from(v.sort((a, b) => a - b)));
  tables = { byCountry, nearByCountry, bySlash8, countryOf16 };
  return tables;
}

/** Countries with address blocks in the table. */
export function knownCountries(): string[] {
  return [...load().byCountry.keys()];
}

/** The /16 prefixes (value = first two octets as a 16-bit number) of a country. */
export function countryPrefixes(cc: string): Uint16Array {
  const p = load().byCountry.get(cc);
  if (!p) throw new Error(`no address blocks for country ${cc}`);
  return p;
}

/** A country's /16s inside the sensor /8s (where sensors are placed); empty when none. */
export function nearPrefixes(cc: string): Uint16Array {
  return load().nearByCountry.get(cc) ?? new Uint16Array(0);
}

/** Stored /16s inside a sensor /8 (any country); empty when none. */
export function prefixesIn8(octet: number): Uint16Array {
  return load().bySlash8.get(octet) ?? new Uint16Array(0);
}

/** Country of a stored /16, or null. */
export function countryOfPrefix16(prefix16: number): string | null {
  return load().countryOf16.get(prefix16) ?? null;
}

/**
 * The host part of a hashed address: never .0 or .255 in the last octet, so a simulated source
 * never looks like a network or broadcast address.
 */
function hostBits(h: number): number {
  return (h & 0xff00) | (1 + ((h & 0xff) % 254));
}

/** An address inside a /16 prefix, from a hash. */
export function addressIn16(prefix16: number, h: number): number {
  return ((prefix16 << 16) | hostBits(h)) >>> 0;
}

/** An address of country `cc`, from two hashes (one picks the /16, the other the host). */
export function addressInCountry(cc: string, h1: number, h2: number): number {
  const p = countryPrefixes(cc);
  return addressIn16(p[h1 % p.length]!, h2);
}

/** An address in the same /8 as `octet` (any country the table knows there); -1 if none. */
export function addressIn8(octet: number, h1: number, h2: number): number {
  const p = prefixesIn8(octet);
  if (p.length === 0) return -1;
  return addressIn16(p[h1 % p.length]!, h2);
}

/** A weighted country mix, ready for stateless picks. */
export interface CountryMix {
  readonly codes: readonly string[];
  readonly cum: Float64Array;
}

export function countryMix(weights: Readonly<Record<string, number>>): CountryMix {
  const codes = Object.keys(weights).filter((c) => (weights[c] ?? 0) > 0);
  for (const c of codes) countryPrefixes(c);
  return { codes, cum: cumulative(codes.map((c) => weights[c]!)) };
}

/** Country picked from a mix by a uniform `u` in [0, 1). */
export function pickCountry(mix: CountryMix, u: number): string {
  return mix.codes[pickCumulativeAt(mix.cum, u)]!;
}
