/**
 * The in-memory index the DNS server and the HTTP check answer from: intervals by address, and the
 * few CIDR blocks (rbldnsd lists) scanned after an exact miss. Queries are pure over it; the clock
 * and the freshness limit come in as arguments (docs/anonymizer.md#freshness).
 */
import { addrBytes, type Cidr, cidrContains, KobanError, parseCidr } from '../core/index.js';
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

interface Indexed {
  readonly row: IntervalRow;
  readonly policy: PolicySummary | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class AnonymizerIndex {
  private readonly byAddress = new Map<string, Indexed[]>();
  private readonly blocks: { cidr: Cidr; item: Indexed }[] = [];
  /** Newest and oldest publication over every list; null when nothing was imported. */
  readonly newestMs: number | null;
  /** Where the history starts: the first list, or the earliest time one says it saw an address. */
  readonly oldestMs: number | null;

  constructor(rows: readonly IntervalRow[], coverage: { oldestMs: number; newestMs: number }[]) {
    for (const row of rows) {
      const item = { row, policy: row.policy === null ? null : policyFromSummary(JSON.parse(row.policy)) };
      const cidr = row.address.includes('/') ? parseCidr(row.address) : null;
      if (cidr !== null) this.blocks.push({ cidr, item });
      else {
        const list = this.byAddress.get(row.address);
        if (list) list.push(item);
        else this.byAddress.set(row.address, [item]);
      }
    }
    this.newestMs = coverage.length === 0 ? null : Math.max(...coverage.map((c) => c.newestMs));
    // The history reaches back to the first list, or to the earliest time a list says it saw an
    // address (TorDNSEL's ExitAddress times precede the list's own).
    let oldest = coverage.length === 0 ? null : Math.min(...coverage.map((c) => c.oldestMs));
    if (oldest !== null) for (const row of rows) oldest = Math.min(oldest, row.fromMs);
    this.oldestMs = oldest;
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

  /** Whether `ip` was on a list at `atMs` (and, with a port, whether an exit there lets it out). */
  check(ip: string, atMs: number, port: number | null = null): CheckAnswer {
    const bytes = addrBytes(ip);
    const candidates = [...(this.byAddress.get(ip) ?? [])];
    if (bytes !== null) for (const b of this.blocks) if (cidrContains(b.cidr, bytes)) candidates.push(b.item);
    const evidence: Evidence[] = [];
    for (const { row, policy } of candidates) {
      if (row.fromMs > atMs || (row.toMs !== null && row.toMs <= atMs)) continue;
      evidence.push({
        list: row.list,
        kind: row.kind,
        entry: row.address,
        fingerprint: row.fingerprint === '' ? null : row.fingerprint,
        policy: row.policy === null ? null : (JSON.parse(row.policy) as Record<string, string[]>),
        portAllowed: port === null || policy === null ? null : policyAllows(policy, port),
        reason: row.reason,
        from: iso(row.fromMs),
        to: row.toMs === null ? null : iso(row.toMs),
        firstList: { source: row.firstSource, published: iso(row.firstPublishedMs) },
        lastList: { source: row.lastSource, published: iso(row.lastPublishedMs) },
      });
    }
    // A port query lists the address unless every matching exit's policy refuses the port; an
    // exit whose list carries no policy (TorDNSEL, bulk) may allow it (docs/anonymizer.md#ip-port).
    const listed = evidence.some((e) => e.portAllowed !== false);
    return { ip, at: iso(atMs), port, listed, evidence };
  }

  /** Addresses and blocks on some list now (an open interval), sorted: for the rbldnsd export. */
  listedNow(list?: string): string[] {
    const out = new Set<string>();
    for (const [address, items] of this.byAddress)
      if (items.some((i) => i.row.toMs === null && (list === undefined || i.row.list === list)))
        out.add(address);
    for (const b of this.blocks)
      if (b.item.row.toMs === null && (list === undefined || b.item.row.list === list))
        out.add(b.item.row.address);
    return [...out].sort();
  }
}
