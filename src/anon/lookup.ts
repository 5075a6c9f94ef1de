/**
 * The in-memory index the DNS server and the HTTP check answer from: intervals by address, and the
 * few CIDR blocks (rbldnsd lists) scanned after an exact miss. Queries are pure over it; the clock
 * and the freshness limit come in as arguments (docs/anonymizer.md#freshness).
 *
 * Compact by design (docs/anonymizer.md#index): the intervals are held as columns (typed arrays,
 * strings interned once), IPv4 addresses as a sorted `Uint32Array` searched by bisection, and an
 * answer's evidence is built only for the intervals that match. A DNS answer needs only whether the
 * address is listed and one reason (`listing`), so it builds no evidence at all.
 */
import {
  addrBytes,
  type Cidr,
  canonicalIp,
  cidrContains,
  KobanError,
  parseCidr,
  parseIPv4,
} from '../core/index.js';
import { type ColumnArrays, Columns, type Evidence, iso, NONE } from './columns.js';
import type { PolicySummary } from './lists/policy.js';
import type { IntervalRow } from './store.js';

export type { Evidence } from './columns.js';

export interface CheckAnswer {
  readonly ip: string;
  readonly at: string;
  readonly port: number | null;
  readonly listed: boolean;
  readonly evidence: readonly Evidence[];
}

/** What a DNS answer needs: listed or not, and the TXT reason of the interval that decided it. */
export interface Listing {
  readonly listed: boolean;
  readonly reason: string | null;
}

/** Lower bound of `key` in the sorted `keys`. */
function lowerBound(keys: Uint32Array, key: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An index as another thread receives it (`AnonymizerIndex.share`): the columns and the IPv4 keys
 * in shared memory; the string table, the IPv6 addresses and the blocks (few, or small) cloned.
 */
export interface IndexShare {
  readonly columns: ColumnArrays;
  readonly texts: readonly string[];
  readonly policies: Map<number, PolicySummary | null>;
  readonly v4Rows: Uint32Array;
  readonly v4Keys: Uint32Array;
  readonly byText: Map<string, number[]>;
  readonly blocks: readonly { readonly cidr: Cidr; readonly row: number }[];
  readonly newestMs: number | null;
  readonly oldestMs: number | null;
}

export class AnonymizerIndex {
  private readonly cols = new Columns();
  /** The IPv4 single addresses' rows, by address (then load order), and their addresses. */
  private v4Rows: Uint32Array = new Uint32Array(0);
  private v4Keys: Uint32Array = new Uint32Array(0);
  /** Other single addresses (IPv6) by canonical text → rows. */
  private readonly byText = new Map<string, number[]>();
  private readonly blocks: { readonly cidr: Cidr; readonly row: number }[] = [];
  /** Newest and oldest publication over every list; null when nothing was imported. */
  readonly newestMs: number | null;
  /** Where the history starts: the first list, or the earliest time one says it saw an address. */
  readonly oldestMs: number | null;

  constructor(rows: readonly IntervalRow[], coverage: { oldestMs: number; newestMs: number }[]) {
    for (const row of rows) this.add(row);
    this.finish();
    this.newestMs = coverage.length === 0 ? null : Math.max(...coverage.map((c) => c.newestMs));
    // The history reaches back to the first list, or to the earliest time a list says it saw an
    // address (TorDNSEL's ExitAddress times precede the list's own).
    let oldest = coverage.length === 0 ? null : Math.min(...coverage.map((c) => c.oldestMs));
    if (oldest !== null)
      for (let i = 0; i < this.cols.length; i++) oldest = Math.min(oldest, this.cols.fromMs[i]!);
    this.oldestMs = oldest;
  }

  /** The index built from the store's pages of rows, so that no more than a page is held at once. */
  static async fromPages(
    pages: AsyncIterable<readonly IntervalRow[]>,
    coverage: { oldestMs: number; newestMs: number }[],
  ): Promise<AnonymizerIndex> {
    const index = new AnonymizerIndex([], coverage);
    for await (const page of pages) for (const row of page) index.add(row);
    index.finish();
    let oldest = index.oldestMs;
    if (oldest !== null)
      for (let i = 0; i < index.cols.length; i++) oldest = Math.min(oldest, index.cols.fromMs[i]!);
    return Object.assign(index, { oldestMs: oldest });
  }

  private add(row: IntervalRow): void {
    const address = row.address;
    const v4 = address.includes('/') || address.includes(':') ? -1 : parseIPv4(address);
    const i = this.cols.push(row, v4);
    if (v4 >= 0) return;
    const cidr = address.includes('/') ? parseCidr(address) : null;
    if (cidr !== null) this.blocks.push({ cidr, row: i });
    else {
      const list = this.byText.get(address);
      if (list) list.push(i);
      else this.byText.set(address, [i]);
    }
  }

  /**
   * Sorts the IPv4 rows by address (ties in load order) for the bisection, in shared memory like
   * the columns: worker threads answer from them without a copy (`share`).
   */
  private finish(): void {
    const c = this.cols;
    let n = 0;
    for (let i = 0; i < c.length; i++) if (c.entry[i] === NONE) n++;
    const rows = new Uint32Array(new SharedArrayBuffer(n * 4));
    n = 0;
    for (let i = 0; i < c.length; i++) if (c.entry[i] === NONE) rows[n++] = i;
    const v4 = c.v4;
    rows.sort((a, b) => v4[a]! - v4[b]! || a - b);
    const keys = new Uint32Array(new SharedArrayBuffer(n * 4));
    for (let i = 0; i < n; i++) keys[i] = v4[rows[i]!]!;
    this.v4Rows = rows;
    this.v4Keys = keys;
    c.text.seal();
  }

  /** The index for another thread: its typed arrays shared, not copied (`IndexShare`). */
  share(): IndexShare {
    return {
      columns: this.cols.arrays(),
      texts: this.cols.text.all(),
      policies: this.cols.policies,
      v4Rows: this.v4Rows,
      v4Keys: this.v4Keys,
      byText: this.byText,
      blocks: this.blocks,
      newestMs: this.newestMs,
      oldestMs: this.oldestMs,
    };
  }

  /** The index another thread shared: answers as that thread's does. */
  static fromShare(s: IndexShare): AnonymizerIndex {
    const index = new AnonymizerIndex([], []);
    return Object.assign(index, {
      cols: Columns.over(s.columns, s.texts, s.policies),
      v4Rows: s.v4Rows,
      v4Keys: s.v4Keys,
      byText: s.byText,
      blocks: [...s.blocks],
      newestMs: s.newestMs,
      oldestMs: s.oldestMs,
    });
  }

  /**
   * Refuses what the data cannot answer: nothing imported; a time later than the newest list plus
   * the freshness limit ("now" included — rbldnsd's `$TIMESTAMP` expiry); a time before the first.
   */
  assertCovers(atMs: number, staleHours: number): void {
    if (this.newestMs === null || this.oldestMs === null)
      throw new KobanError('E_STALE', 'no anonymizer list has been imported');
    if (atMs - this.newestMs > staleHours * 3_600_000)
      throw new KobanError(
        'E_STALE',
        `the newest anonymizer list is of ${iso(this.newestMs)}, more than ${staleHours} h before ${iso(atMs)}`,
      );
    if (atMs < this.oldestMs)
      throw new KobanError(
        'E_STALE',
        `the anonymizer history starts at ${iso(this.oldestMs)}, after ${iso(atMs)}`,
      );
  }

  /** Calls `visit` with every interval of `ip` or of a block holding it, covering `atMs` or not. */
  private forEachCandidate(ip: string, visit: (row: number) => void): void {
    const v4 = ip.includes(':') ? -1 : parseIPv4(ip);
    if (v4 >= 0) {
      const keys = this.v4Keys;
      for (let i = lowerBound(keys, v4); i < keys.length && keys[i] === v4; i++) visit(this.v4Rows[i]!);
    } else for (const i of this.byText.get(ip) ?? []) visit(i);
    if (this.blocks.length === 0) return;
    const bytes = addrBytes(ip);
    if (bytes !== null) for (const b of this.blocks) if (cidrContains(b.cidr, bytes)) visit(b.row);
  }

  /** Whether `ip` was on a list at `atMs` (and, with a port, whether an exit there lets it out). */
  check(ip: string, atMs: number, port: number | null = null): CheckAnswer {
    const evidence: Evidence[] = [];
    this.forEachCandidate(ip, (i) => {
      if (this.cols.covers(i, atMs)) evidence.push(this.cols.evidence(i, port));
    });
    // A port query lists the address unless every matching exit's policy refuses the port; an
    // exit whose list carries no policy (TorDNSEL, bulk) may allow it (docs/anonymizer.md#ip-port).
    const listed = evidence.some((e) => e.portAllowed !== false);
    return { ip, at: iso(atMs), port, listed, evidence };
  }

  /**
   * `check`'s verdict without the evidence: listed or not, and the reason of the first interval
   * that lets the port out (else of the first matching one) — what a DNS answer says.
   */
  listing(ip: string, atMs: number, port: number | null = null): Listing {
    let first = NONE;
    let allowing = NONE;
    this.forEachCandidate(ip, (i) => {
      if (allowing !== NONE || !this.cols.covers(i, atMs)) return;
      if (first === NONE) first = i;
      if (this.cols.portAllowed(i, port) !== false) allowing = i;
    });
    if (first === NONE) return { listed: false, reason: null };
    const listed = allowing !== NONE;
    return { listed, reason: this.cols.reasonText(listed ? allowing : first, ip) };
  }

  /**
   * The DNS answer's listing at `atMs` for an address as asked (any form `canonicalIp` reads):
   * E_USAGE for one that is not an address, E_STALE when the lists do not cover the time.
   */
  listingAt(ipText: string, atMs: number, staleHours: number, port: number | null): Listing {
    const ip = canonicalIp(ipText.trim());
    if (ip === null) throw new KobanError('E_USAGE', `not an IP address: ${ipText.slice(0, 80)}`);
    this.assertCovers(atMs, staleHours);
    return this.listing(ip, atMs, port);
  }

  /** Addresses and blocks on some list now (an open interval), sorted: for the rbldnsd export. */
  listedNow(list?: string): string[] {
    const c = this.cols;
    const out = new Set<string>();
    for (let i = 0; i < c.length; i++) {
      if (!Number.isNaN(c.toMs[i]!)) continue;
      if (list !== undefined && c.text.get(c.list[i]!) !== list) continue;
      out.add(c.entryText(i));
    }
    return [...out].sort();
  }
}
