/**
 * DDoS victims kept as statistics (docs/methods.md#what-deserves-an-alert): a backscatter episode
 * whose estimated reply rate stays below `detection.backscatter.minVictimRatePps` raises no alert,
 * but the victim is listed — one row per episode in the relational store, with its estimated rate,
 * the monitored addresses its replies hit, the attacked ports, packets and first and last sighting —
 * the sibling of the scanner list (scanners.ts). An episode that grows past the rate becomes an
 * alert and leaves the list. Newest first, paged on a keyset over (last sighting, episode key).
 */
import { KobanError } from '../core/index.js';
import type { RelationalDb } from '../db/index.js';
import type { Finding } from './finding.js';

/** One victim below the alerting rate, over one attack episode. */
export interface VictimStatistic {
  readonly episodeKey: string;
  readonly victim: string;
  /** `syn-flood`, `ping-flood`, `udp-flood`, … */
  readonly attackType: string;
  /** Attacked services as `80/tcp`, the most hit first. */
  readonly ports: readonly string[];
  readonly firstMs: number;
  readonly lastMs: number;
  /** Replies the sensors logged. */
  readonly packets: number;
  /** Distinct monitored addresses the replies hit. */
  readonly addressesHit: number;
  /** Estimated replies a second at the victim (null: no monitored space known). */
  readonly ratePps: number | null;
  readonly title: string;
}

/** A backscatter finding marked `statistic` as the row it leaves (null for any other finding). */
export function victimStatistic(f: Finding): VictimStatistic | null {
  if (f.kind !== 'backscatter' || !f.statistic) return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const ports = Array.isArray(f.subject.ports) ? f.subject.ports.map(String) : [];
  return {
    episodeKey: f.key,
    victim: String(f.subject.victim),
    attackType: String(f.subject.attack_type ?? 'unknown'),
    ports: ports.slice(0, 10),
    firstMs: f.startMs,
    lastMs: f.lastMs,
    packets: num(f.evidence.packets) ?? 0,
    addressesHit: num(f.evidence.addresses_hit) ?? 0,
    ratePps: num(f.evidence.estimated_rate_pps),
    title: f.title,
  };
}

export interface VictimFilter {
  /** Seen at or after this time. */
  readonly sinceMs?: number | undefined;
  readonly victim?: string | undefined;
}

interface Position {
  readonly lastMs: number;
  readonly key: string;
}

export function victimCursor(v: VictimStatistic): string {
  return `${v.lastMs}-${Buffer.from(v.episodeKey).toString('base64url')}`;
}

function parseVictimCursor(c: string): Position {
  const m = /^(\d{1,15})-([A-Za-z0-9_-]{1,200})$/.exec(c);
  if (!m) throw new KobanError('E_USAGE', `cursor: not a cursor of this list ("${c.slice(0, 40)}")`);
  return { lastMs: Number(m[1]), key: Buffer.from(m[2]!, 'base64url').toString() };
}

type Row = {
  episode_key: string;
  victim: string;
  attack_type: string;
  ports: string;
  first_ms: number;
  last_ms: number;
  packets: number;
  addresses_hit: number;
  rate_pps: number | null;
  title: string;
};

function toStatistic(r: Row): VictimStatistic {
  const ports = JSON.parse(r.ports) as unknown;
  return {
    episodeKey: r.episode_key,
    victim: r.victim,
    attackType: r.attack_type,
    ports: Array.isArray(ports) ? ports.map(String) : [],
    firstMs: Number(r.first_ms),
    lastMs: Number(r.last_ms),
    packets: Number(r.packets),
    addressesHit: Number(r.addresses_hit),
    ratePps: r.rate_pps === null ? null : Number(r.rate_pps),
    title: r.title,
  };
}

export class BackscatterStatistics {
  constructor(private readonly db: RelationalDb) {}

  /** Keeps the latest state of an episode below the rate (created on its first finding). */
  async record(s: VictimStatistic): Promise<void> {
    const values = {
      victim: s.victim,
      attack_type: s.attackType,
      ports: JSON.stringify(s.ports),
      first_ms: s.firstMs,
      last_ms: s.lastMs,
      packets: s.packets,
      addresses_hit: s.addressesHit,
      rate_pps: s.ratePps,
      title: s.title.slice(0, 500),
    };
    await this.db
      .insertInto('backscatter_statistics')
      .values({ episode_key: s.episodeKey, ...values })
      .onConflict((oc) => oc.column('episode_key').doUpdateSet(values))
      .execute();
  }

  /** An episode that became an alert leaves the list. */
  async forget(episodeKey: string): Promise<void> {
    await this.db.deleteFrom('backscatter_statistics').where('episode_key', '=', episodeKey).execute();
  }

  /** Drops the episodes last seen before `beforeMs` (retention); returns how many. */
  async prune(beforeMs: number): Promise<number> {
    const r = await this.db
      .deleteFrom('backscatter_statistics')
      .where('last_ms', '<', beforeMs)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** One page, the most recently seen first, with the number of victims the filter selects. */
  async page(
    filter: VictimFilter & { limit: number; cursor?: string | undefined },
  ): Promise<{ victims: VictimStatistic[]; total: number; nextCursor: string | null }> {
    const after = filter.cursor === undefined ? undefined : parseVictimCursor(filter.cursor);
    let q = this.filtered(filter).selectAll();
    if (after)
      q = q.where((eb) =>
        eb.or([
          eb('last_ms', '<', after.lastMs),
          eb.and([eb('last_ms', '=', after.lastMs), eb('episode_key', '>', after.key)]),
        ]),
      );
    const [rows, count] = await Promise.all([
      q
        .orderBy('last_ms', 'desc')
        .orderBy('episode_key', 'asc')
        .limit(filter.limit + 1)
        .execute(),
      this.filtered(filter)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    const victims = rows.slice(0, filter.limit).map((r) => toStatistic(r as Row));
    const last = victims.at(-1);
    return {
      victims,
      total: Number(count.n),
      nextCursor: rows.length > victims.length && last ? victimCursor(last) : null,
    };
  }

  private filtered(f: VictimFilter) {
    let q = this.db.selectFrom('backscatter_statistics');
    if (f.sinceMs !== undefined) q = q.where('last_ms', '>=', f.sinceMs);
    if (f.victim !== undefined) q = q.where('victim', '=', f.victim);
    return q;
  }
}

/** A victim as `koban backscatter --json` and the operator API show it (times as ISO 8601). */
export interface VictimStatisticDocument {
  readonly victim: string;
  readonly attack_type: string;
  readonly ports: readonly string[];
  readonly first: string;
  readonly last: string;
  readonly packets: number;
  readonly addresses_hit: number;
  readonly estimated_rate_pps: number | null;
  readonly title: string;
}

export function victimStatisticDocument(v: VictimStatistic): VictimStatisticDocument {
  return {
    victim: v.victim,
    attack_type: v.attackType,
    ports: v.ports,
    first: new Date(v.firstMs).toISOString(),
    last: new Date(v.lastMs).toISOString(),
    packets: v.packets,
    addresses_hit: v.addressesHit,
    estimated_rate_pps: v.ratePps,
    title: v.title,
  };
}
