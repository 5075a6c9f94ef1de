/**
 * Enrichment: the source's country (ISO 3166-1 alpha-2) and AS number, offline, and its address
 * scope. Private, reserved and bogon sources get no country and are never counted as foreign.
 *
 * Country: any MMDB file (default: the bundled CC0 `@ip-location-db/geo-whois-asn-country-mmdb`;
 * MaxMind GeoLite2/GeoIP2 Country files work too). ASN: the bundled `@ip-location-db/asn` CSV
 * (CC BY 4.0: RouteViews, DB-IP, NRO), or an MMDB with `autonomous_system_number`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import maxmind, { type AsnResponse, type CountryResponse, type Reader } from 'maxmind';
import {
  type AddressScope,
  type EnrichedEvent,
  ipv4Scope,
  ipv6Scope,
  KobanError,
  type ObservationEvent,
  parseIPv4,
  parseIPv6,
} from '../core/index.js';

const require = createRequire(import.meta.url);

export interface GeoOptions {
  readonly countryMmdb?: string | undefined;
  readonly asnCsv?: string | undefined;
  readonly asnMmdb?: string | undefined;
}

/** Where the bundled databases live. */
export function bundledGeoPaths(): { countryMmdb: string; asnCsv: string; asnCsv6: string } {
  const country = require.resolve('@ip-location-db/geo-whois-asn-country-mmdb/package.json');
  const asn = require.resolve('@ip-location-db/asn/package.json');
  return {
    countryMmdb: country.replace(/package\.json$/, 'geo-whois-asn-country.mmdb'),
    asnCsv: asn.replace(/package\.json$/, 'asn-ipv4-num.csv'),
    asnCsv6: asn.replace(/package\.json$/, 'asn-ipv6.csv'),
  };
}

/** ip-location-db's country MMDBs carry a flat `country_code`; MaxMind's a `country.iso_code`. */
type CountryRecord = CountryResponse & { country_code?: string };
type AsnRecord = AsnResponse;

/** IPv4 ASN ranges as sorted typed arrays (binary search, ~5 MB for 400 k ranges). */
export class Ipv4AsnTable {
  private constructor(
    private readonly starts: Uint32Array,
    private readonly ends: Uint32Array,
    private readonly asns: Uint32Array,
  ) {}

  /** Reads `start,end,asn,org` lines; start/end numeric or dotted (ip-location-db's two CSV forms). */
  static fromCsv(text: string): Ipv4AsnTable {
    const starts: number[] = [];
    const ends: number[] = [];
    const asns: number[] = [];
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl === -1) nl = text.length;
      const c1 = text.indexOf(',', pos);
      const c2 = c1 === -1 ? -1 : text.indexOf(',', c1 + 1);
      const c3 = c2 === -1 ? -1 : text.indexOf(',', c2 + 1);
      if (c3 !== -1 && c3 < nl) {
        const a = text.slice(pos, c1);
        const b = text.slice(c1 + 1, c2);
        const s = a.includes('.') ? parseIPv4(a) : Number(a);
        const e = b.includes('.') ? parseIPv4(b) : Number(b);
        const asn = Number(text.slice(c2 + 1, c3));
        if (s >= 0 && e >= s && e <= 0xffffffff && Number.isFinite(asn)) {
          starts.push(s);
          ends.push(e);
          asns.push(asn);
        }
      }
      pos = nl + 1;
    }
    const order = starts.map((_, i) => i).sort((x, y) => starts[x]! - starts[y]!);
    return new Ipv4AsnTable(
      Uint32Array.from(order, (i) => starts[i]!),
      Uint32Array.from(order, (i) => ends[i]!),
      Uint32Array.from(order, (i) => asns[i]!),
    );
  }

  get size(): number {
    return this.starts.length;
  }

  /** True when the /24 `block` (an address >>> 8) lies inside one range, or in none. */
  coversBlock(block: number): boolean {
    const first = block * 256;
    const last = first + 255;
    const i = this.indexOf(first);
    if (i >= 0 && this.ends[i]! >= first) return this.ends[i]! >= last;
    // No range holds the first address: the block is uniform only if none starts inside it.
    const next = i + 1;
    return next >= this.starts.length || this.starts[next]! > last;
  }

  /** Index of the last range starting at or before `ip`, or -1. */
  private indexOf(ip: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= ip) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi;
  }

  lookup(ip: number): number | null {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= ip) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return null;
    return ip <= this.ends[hi]! ? this.asns[hi]! : null;
  }
}

/**
 * IPv6 ASN ranges keyed on the upper 64 bits (routed prefixes are /64 or shorter), loaded on
 * the first IPv6 lookup: most observation data is IPv4.
 */
export class Ipv6AsnTable {
  private constructor(
    private readonly starts: BigUint64Array,
    private readonly ends: BigUint64Array,
    private readonly asns: Uint32Array,
  ) {}

  static fromCsv(text: string): Ipv6AsnTable {
    const rows: [bigint, bigint, number][] = [];
    for (const line of text.split('\n')) {
      const [a, b, asn] = line.split(',', 3);
      if (!a || !b || !asn) continue;
      const s = parseIPv6(a);
      const e = parseIPv6(b);
      const n = Number(asn);
      if (s && e && Number.isFinite(n)) rows.push([upper64(s), upper64(e), n]);
    }
    rows.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    return new Ipv6AsnTable(
      BigUint64Array.from(rows, (r) => r[0]),
      BigUint64Array.from(rows, (r) => r[1]),
      Uint32Array.from(rows, (r) => r[2]),
    );
  }

  lookup(address: Uint8Array): number | null {
    const key = upper64(address);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid]! <= key) lo = mid + 1;
      else hi = mid - 1;
    }
    if (hi < 0) return null;
    return key <= this.ends[hi]! ? this.asns[hi]! : null;
  }
}

function upper64(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < 8; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** The enrichment of one address. */
export interface AddressInfo {
  readonly country: string | null;
  readonly asn: number | null;
  readonly scope: AddressScope;
}

const CACHE_LIMIT = 1 << 19;

function readAsn4(path: string): Ipv4AsnTable {
  try {
    return Ipv4AsnTable.fromCsv(readFileSync(path, 'latin1'));
  } catch (e) {
    throw new KobanError('E_CONFIG', `cannot read ASN table ${path}: ${(e as Error).message}`);
  }
}

/**
 * The bundled IPv4 ASN table, read once per process: it ships with the package and never changes,
 * and reading its 21 MB takes a second or more — for each center or import a process opens (a test
 * file opens dozens). The table is immutable, so enrichers share it. A table given by path is read
 * on each open: the operator may have replaced the file.
 */
let bundledAsn4Table: Ipv4AsnTable | null = null;
function bundledAsn4(path: string): Ipv4AsnTable {
  bundledAsn4Table ??= readAsn4(path);
  return bundledAsn4Table;
}

/**
 * Looks addresses up with a bounded cache (darknet sources repeat: most lookups hit the cache).
 * Create one with `Enricher.open()`; it reads the databases once.
 */
export class Enricher {
  private cache = new Map<string, AddressInfo>();
  /** Public IPv4 /24s whose country and AS are the same for every address in them. */
  private cache24 = new Map<number, AddressInfo>();
  private asn6: Ipv6AsnTable | null | undefined;

  private constructor(
    private readonly country: Reader<CountryResponse>,
    private readonly asn4: Ipv4AsnTable | null,
    private readonly asnReader: Reader<AsnRecord> | null,
    private readonly asnCsv6: string | null,
  ) {}

  static async open(options: GeoOptions = {}): Promise<Enricher> {
    const bundled = bundledGeoPaths();
    const countryPath = options.countryMmdb ?? bundled.countryMmdb;
    let country: Reader<CountryResponse>;
    try {
      country = await maxmind.open<CountryResponse>(countryPath, { watchForUpdates: false });
    } catch (e) {
      throw new KobanError(
        'E_CONFIG',
        `cannot open country database ${countryPath}: ${(e as Error).message}`,
      );
    }
    if (options.asnMmdb) {
      try {
        const reader = await maxmind.open<AsnRecord>(options.asnMmdb, { watchForUpdates: false });
        return new Enricher(country, null, reader, null);
      } catch (e) {
        throw new KobanError(
          'E_CONFIG',
          `cannot open ASN database ${options.asnMmdb}: ${(e as Error).message}`,
        );
      }
    }
    const table = options.asnCsv === undefined ? bundledAsn4(bundled.asnCsv) : readAsn4(options.asnCsv);
    return new Enricher(country, table, null, options.asnCsv ? null : bundled.asnCsv6);
  }

  /** Country, ASN and scope of an address in canonical text form. */
  lookup(address: string): AddressInfo {
    let info = this.cache.get(address);
    if (info !== undefined) return info;
    info = this.resolve(address);
    if (this.cache.size >= CACHE_LIMIT) this.cache = new Map();
    this.cache.set(address, info);
    return info;
  }

  /** Adds the enrichment fields to an event in place and returns it typed as enriched. */
  enrich(e: ObservationEvent): EnrichedEvent {
    const info = this.lookup(e.src);
    const out = e as EnrichedEvent;
    out.srcCountry = info.country;
    out.srcAsn = info.asn;
    out.srcScope = info.scope;
    return out;
  }

  private resolve(address: string): AddressInfo {
    let scope: AddressScope;
    let v4 = -1;
    if (address.includes(':')) {
      const b = parseIPv6(address);
      scope = b ? ipv6Scope(b) : 'bogon';
    } else {
      v4 = parseIPv4(address);
      scope = v4 < 0 ? 'bogon' : ipv4Scope(v4);
    }
    if (scope !== 'public') return { country: null, asn: null, scope };
    if (v4 >= 0) {
      const hit = this.cache24.get(v4 >>> 8);
      if (hit) return hit;
    }
    const [rec, prefix] = this.country.getWithPrefixLength(address) as [CountryRecord | null, number];
    const cc = rec?.country_code ?? rec?.country?.iso_code ?? rec?.registered_country?.iso_code ?? null;
    const info: AddressInfo = {
      country: cc && /^[A-Z]{2}$/.test(cc) ? cc : null,
      asn: this.asnOf(address, v4),
      scope,
    };
    // Neighbouring addresses share the answer when the country network and the AS range both
    // cover the whole /24 (most of the address space), so one lookup serves all 256.
    if (v4 >= 0 && prefix <= 24 && (this.asnReader || this.asn4?.coversBlock(v4 >>> 8))) {
      if (this.cache24.size >= CACHE_LIMIT) this.cache24 = new Map();
      this.cache24.set(v4 >>> 8, info);
    }
    return info;
  }

  private asnOf(address: string, v4: number): number | null {
    if (this.asnReader) return this.asnReader.get(address)?.autonomous_system_number ?? null;
    if (v4 >= 0) return this.asn4?.lookup(v4) ?? null;
    if (this.asn6 === undefined) {
      this.asn6 = this.asnCsv6 ? Ipv6AsnTable.fromCsv(readFileSync(this.asnCsv6, 'latin1')) : null;
    }
    const b = parseIPv6(address);
    return b && this.asn6 ? this.asn6.lookup(b) : null;
  }
}
