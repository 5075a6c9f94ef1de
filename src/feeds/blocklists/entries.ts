/**
 * The C2 destinations of a sharing snapshot (what one reader may see, read through intel's one
 * access check) as blocklist entries — pure. A C2 destination is a value a report or a sent
 * advisory holds in the `c2` role (intel's indicator roles: where in a report a value was found),
 * of a type a network device can block: an address, a network, a domain, a URL. Each entry carries
 * the highest confidence of its sources and its expiry (`validUntilMs`: the newest sighting plus
 * the type's lifetime, intel's `indicatorTtlMs`), so that a list does not grow forever: a value past
 * its expiry leaves the list. Withdrawn advisories count for nothing.
 */
import {
  type AtomicType,
  indicatorTtlMs,
  type SharedValue,
  type SharingSnapshot,
} from '../../intel/index.js';

export const BLOCKABLE_TYPES = ['ipv4', 'ipv6', 'cidr', 'domain', 'url'] as const;
export type BlockableType = (typeof BLOCKABLE_TYPES)[number];

export interface BlocklistEntry {
  readonly type: BlockableType;
  readonly value: string;
  readonly confidence: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Null: no lifetime (never the case for blockable types today, kept for the type's sake). */
  readonly validUntilMs: number | null;
  /** When the center last learned of it (newest report received, advisory sent or updated). */
  readonly changedMs: number;
  readonly campaigns: readonly string[];
}

interface Acc {
  type: BlockableType;
  value: string;
  confidence: number;
  firstSeenMs: number;
  lastSeenMs: number;
  changedMs: number;
  campaigns: Set<string>;
}

const isBlockable = (t: AtomicType): t is BlockableType => (BLOCKABLE_TYPES as readonly string[]).includes(t);

/**
 * Every C2 destination of the snapshot, expired or not, sorted by type then value. `listed` and
 * `expiredBetween` split them by expiry.
 */
export function c2Destinations(snap: SharingSnapshot): BlocklistEntry[] {
  const campaignName = new Map(snap.campaigns.map((c) => [c.id, c.name]));
  const acc = new Map<string, Acc>();
  const add = (v: SharedValue, seenMs: number, changedMs: number, campaignId: number | null) => {
    if (v.role !== 'c2' || !isBlockable(v.type)) return;
    const key = `${v.type}\u0000${v.value}`;
    const a = acc.get(key) ?? {
      type: v.type,
      value: v.value,
      confidence: 0,
      firstSeenMs: seenMs,
      lastSeenMs: seenMs,
      changedMs,
      campaigns: new Set<string>(),
    };
    a.confidence = Math.max(a.confidence, v.confidence);
    a.firstSeenMs = Math.min(a.firstSeenMs, seenMs);
    a.lastSeenMs = Math.max(a.lastSeenMs, seenMs);
    a.changedMs = Math.max(a.changedMs, changedMs);
    const c = campaignId === null ? undefined : campaignName.get(campaignId);
    if (c !== undefined) a.campaigns.add(c);
    acc.set(key, a);
  };
  // A value a report gave later (an analysis, a source's newer version) changed the list then.
  for (const r of snap.reports)
    for (const v of r.values) add(v, r.observedMs, Math.max(r.receivedMs, v.addedMs ?? 0), r.campaignId);
  for (const a of snap.advisories)
    if (a.withdrawnMs === null) for (const v of a.values) add(v, a.sentMs, a.updatedMs, a.campaignId);
  return [...acc.values()]
    .map((a) => {
      const ttl = indicatorTtlMs(a.type);
      return {
        type: a.type,
        value: a.value,
        confidence: a.confidence,
        firstSeenMs: a.firstSeenMs,
        lastSeenMs: a.lastSeenMs,
        validUntilMs: ttl === null ? null : a.lastSeenMs + ttl,
        changedMs: a.changedMs,
        campaigns: [...a.campaigns].sort(),
      };
    })
    .sort((x, y) =>
      x.type === y.type ? (x.value < y.value ? -1 : x.value > y.value ? 1 : 0) : x.type < y.type ? -1 : 1,
    );
}

/** The entries still valid at `nowMs`. */
export function listed(all: readonly BlocklistEntry[], nowMs: number): BlocklistEntry[] {
  return all.filter((e) => e.validUntilMs === null || e.validUntilMs > nowMs);
}

/** The entries that expired after `sinceMs` and by `nowMs`: they left the list in that window. */
export function expiredBetween(
  all: readonly BlocklistEntry[],
  sinceMs: number,
  nowMs: number,
): BlocklistEntry[] {
  return all.filter((e) => e.validUntilMs !== null && e.validUntilMs > sinceMs && e.validUntilMs <= nowMs);
}

/**
 * When the list as of `nowMs` last changed: the newest entry learned of, or the newest expiry that
 * has passed. It dates the list (RPZ serial, headers) from the data, so the same list gives the
 * same bytes and ETag.
 */
export function listVersionMs(all: readonly BlocklistEntry[], nowMs: number): number {
  let v = 0;
  for (const e of all) {
    if (e.validUntilMs !== null && e.validUntilMs <= nowMs) v = Math.max(v, e.validUntilMs);
    else v = Math.max(v, e.changedMs);
  }
  return v;
}
