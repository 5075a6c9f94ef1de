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
import { addrBytes, type Cidr, cidrContains, KobanError, parseCidr, parseIPv4 } from '../core/index.js';
import { type PolicySummary, policyAllows, policyFromSummary } from './lists/policy.js';
import type { IntervalRow } from './store.js';

export interface Evidence {
  readonly list: string;
  readonly kind: string;
  /** The entry that matched: the address, or the block holding it. */
  readonly entry: string;
  readonly fingerprint: string | null;
  readonly policy: Record<string, string[]> | null;
  /** For a port query: whether the policy lets the port out; null when the list has no policy. */
  readonly portAllowed: boolean | null;
  readonly reason: string | null;
  readonly from: string;
  /** null: still on the newest list. */
  readonly to: string | null;
  readonly firstList: { readonly source: string; readonly published: string };
  readonly lastList: { readonly source: string; readonly published: string };
}

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

const iso = (ms: number) => new Date(ms).toISOString();
const NONE = -1;

/** Strings stored once, referred to by number (lists, kinds, sources, reasons repeat on every row). */
class StringTable {
  private readonly values: string[] = [];
  private readonly ids = new Map<string, number>();

  id(s: string | null): number {
    if (s === null) return NONE;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  get(id: number): string | null {
    return id === NONE ? null : this.values[id]!;
  }

  /** Drops the lookup map once every row is in (a later `id` refills it): `get` needs none. */
  seal(): void {
    this.ids.clear();
  }
}

/** A typed array of twice the length holding `a`'s values (columns grow as pages arrive). */
function grown<T extends Int32Array | Uint32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(1024, a.length * 2));
  b.set(a);
  return b;
}

const dotted = (k: number) => `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;

/**
 * The intervals as columns, filled row by row (a page at a time from the store, so that the rows
 * themselves never all sit in memory at once). An IPv4 single address is kept as its number only;
 * other entries (IPv6 addresses, blocks) as interned text.
 */
class Columns {
  readonly text = new StringTable();
  length = 0;
  /** Entry text id; NONE for an IPv4 single address, whose number is in `v4`. */
  entry = new Int32Array(0);
  v4 = new Uint32Array(0);
  list = new Int32Array(0);
  kind = new Int32Array(0);
  fingerprint = new Int32Array(0);
  policy = new Int32Array(0);
  reason = new Int32Array(0);
  firstSource = new Int32Array(0);
  lastSource = new Int32Array(0);
  fromMs = new Float64Array(0);
  /** NaN: the interval is open (still on the newest list). */
  toMs = new Float64Array(0);
  firstPublishedMs = new Float64Array(0);
  lastPublishedMs = new Float64Array(0);
  /** Parsed policy summaries by the policy text's id, parsed once. */
  private readonly policies = new Map<number, PolicySummary | null>();

  private grow(): void {
    this.entry = grown(this.entry);
    this.v4 = grown(this.v4);
    this.list = grown(this.list);
    this.kind = grown(this.kind);
    this.fingerprint = grown(this.fingerprint);
    this.policy = grown(this.policy);
    this.reason = grown(this.reason);
    this.firstSource = grown(this.firstSource);
    this.lastSource = grown(this.lastSource);
    this.fromMs = grown(this.fromMs);
    this.toMs = grown(this.toMs);
    this.firstPublishedMs = grown(this.firstPublishedMs);
    this.lastPublishedMs = grown(this.lastPublishedMs);
  }

  /** Appends a row; its index. `v4` is the address's number for an IPv4 single address, else -1. */
  push(r: IntervalRow, v4: number): number {
    if (this.length === this.entry.length) this.grow();
    const i = this.length++;
    const t = this.text;
    this.entry[i] = v4 >= 0 ? NONE : t.id(r.address);
    this.v4[i] = Math.max(v4, 0);
    this.list[i] = t.id(r.list);
    this.kind[i] = t.id(r.kind);
    this.fingerprint[i] = t.id(r.fingerprint === '' ? null : r.fingerprint);
    this.policy[i] = t.id(r.policy);
    this.reason[i] = t.id(r.reason);
    this.firstSource[i] = t.id(r.firstSource);
    this.lastSource[i] = t.id(r.lastSource);
    this.fromMs[i] = r.fromMs;
    this.toMs[i] = r.toMs ?? Number.NaN;
    this.firstPublishedMs[i] = r.firstPublishedMs;
    this.lastPublishedMs[i] = r.lastPublishedMs;
    if (r.policy !== null && !this.policies.has(this.policy[i]!))
      this.policies.set(this.policy[i]!, policyFromSummary(JSON.parse(r.policy)));
    return i;
  }

  /** The entry as listed: the address, or the block. */
  entryText(i: number): string {
    const e = this.entry[i]!;
    return e === NONE ? dotted(this.v4[i]!) : this.text.get(e)!;
  }

  /** Whether interval `i` covers the instant (`from ≤ at < to`). */
  covers(i: number, atMs: number): boolean {
    const to = this.toMs[i]!;
    return this.fromMs[i]! <= atMs && (Number.isNaN(to) || to > atMs);
  }

  /** For a port query: whether interval `i`'s exit lets the port out; null without a policy. */
  portAllowed(i: number, port: number | null): boolean | null {
    if (port === null) return null;
    const p = this.policies.get(this.policy[i]!);
    return p === undefined || p === null ? null : policyAllows(p, port);
  }

  evidence(i: number, port: number | null): Evidence {
    const t = this.text;
    const policy = t.get(this.policy[i]!);
    const to = this.toMs[i]!;
    return {
      list: t.get(this.list[i]!)!,
      kind: t.get(this.kind[i]!)!,
      entry: this.entryText(i),
      fingerprint: t.get(this.fingerprint[i]!),
      policy: policy === null ? null : (JSON.parse(policy) as Record<string, string[]>),
      portAllowed: this.portAllowed(i, port),
      reason: t.get(this.reason[i]!),
      from: iso(this.fromMs[i]!),
      to: Number.isNaN(to) ? null : iso(to),
      firstList: { source: t.get(this.firstSource[i]!)!, published: iso(this.firstPublishedMs[i]!) },
      lastList: { source: t.get(this.lastSource[i]!)!, published: iso(this.lastPublishedMs[i]!) },
    };
  }

  /** The TXT reason for interval `i` listing `ip` (RFC 5782 §2.2: at most 255 characters). */
  reasonText(i: number, ip: string): string {
    const t = this.text;
    const what =
      t.get(this.reason[i]!)?.replace(/\$/g, ip) ?? `${t.get(this.kind[i]!)} on ${t.get(this.list[i]!)}`;
    const fp = t.get(this.fingerprint[i]!);
    const relay = fp === null ? '' : ` relay ${fp}`;
    return `${what}${relay} since ${iso(this.fromMs[i]!)}`.slice(0, 255);
  }
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

export class AnonymizerIndex {
  private readonly cols = new Columns();
  /** The IPv4 single addresses' rows, by address (then load order), and their addresses. */
  private v4Rows = new Uint32Array(0);
  private v4Keys = new Uint32Array(0);
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

  /** Sorts the IPv4 rows by address (ties in load order) for the bisection. */
  private finish(): void {
    const c = this.cols;
    let n = 0;
    for (let i = 0; i < c.length; i++) if (c.entry[i] === NONE) n++;
    const rows = new Uint32Array(n);
    n = 0;
    for (let i = 0; i < c.length; i++) if (c.entry[i] === NONE) rows[n++] = i;
    const v4 = c.v4;
    rows.sort((a, b) => v4[a]! - v4[b]! || a - b);
    this.v4Rows = rows;
    this.v4Keys = rows.map((r) => v4[r]!);
    c.text.seal();
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
