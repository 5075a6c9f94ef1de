/**
 * Scanners kept as data (docs/methods.md#what-deserves-an-alert): every scan episode the scan
 * detector finds — an alert or not — updates one row per source in the relational store, with
 * its ports, reach, first and last sighting, country, AS and known-scanner tags. The list is
 * ranked by breadth (the larger of the addresses one episode reached and the ports it probed),
 * then by recency, and searchable by port, country, AS and time; it pages on a keyset over
 * (breadth, last sighting, source), like the alert list.
 */
import { KobanError } from '../core/index.js';
import type { RelationalDb } from '../db/index.js';

/** What one scan finding tells of its source (the detector's `Finding.record`). */
export interface ScannerSighting {
  readonly source: string;
  /** The episode's key: its later sightings replace, not add to, its packets. */
  readonly episodeKey: string;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly type: string;
  /** Distinct monitored addresses the episode reached. */
  readonly reach: number;
  readonly distinctPorts: number;
  readonly packets: number;
  /** `445/tcp`, `-/icmp`…, the most probed first. */
  readonly ports: readonly string[];
  readonly sensors: readonly string[];
  readonly country: string | null;
  readonly asn: number | null;
  readonly tags: readonly string[];
  /** Why the episode is an alert (empty: data only). */
  readonly alertReasons: readonly string[];
}

/** A source over all its scan episodes. */
export interface Scanner {
  readonly source: string;
  readonly firstMs: number;
  readonly lastMs: number;
  readonly episodes: number;
  /** The larger of `reach` and `distinctPorts`: what the list ranks by. */
  readonly breadth: number;
  /** Most distinct monitored addresses one episode reached. */
  readonly reach: number;
  /** Most distinct ports one episode probed. */
  readonly distinctPorts: number;
  readonly packets: number;
  readonly type: string;
  /** Its most probed ports (at most 20). */
  readonly ports: readonly string[];
  readonly sensors: readonly string[];
  readonly country: string | null;
  readonly asn: number | null;
  readonly tags: readonly string[];
  readonly alertReasons: readonly string[];
}

export interface ScannerFilter {
  /** Probed this port (any protocol, or `proto`'s). */
  readonly port?: number | undefined;
  readonly proto?: string | undefined;
  /** ISO 3166-1 alpha-2. */
  readonly country?: string | undefined;
  readonly asn?: number | undefined;
  /** Seen at or after this time. */
  readonly sinceMs?: number | undefined;
}

interface Position {
  readonly breadth: number;
  readonly lastMs: number;
  readonly source: string;
}

/** The cursor of the page after `s`. */
export function scannerCursor(s: Scanner): string {
  return `${s.breadth}-${s.lastMs}-${Buffer.from(s.source).toString('base64url')}`;
}

function parseScannerCursor(c: string): Position {
  const m = /^(\d{1,9})-(\d{1,15})-([A-Za-z0-9_-]{1,80})$/.exec(c);
  const source = m ? Buffer.from(m[3]!, 'base64url').toString() : '';
  if (!m || !/^[0-9A-Fa-f:.]{2,45}$/.test(source))
    throw new KobanError('E_USAGE', `cursor: not a cursor of this list ("${c.slice(0, 40)}")`);
  return { breadth: Number(m[1]), lastMs: Number(m[2]), source };
}

/** `445/tcp` → [tcp, 445]; `-/icmp` → [icmp, −1]. */
function splitPort(label: string): [string, number] | null {
  const m = /^(-|\d{1,5})\/([a-z0-9-]{1,16})$/.exec(label);
  return m ? [m[2]!, m[1] === '-' ? -1 : Number(m[1])] : null;
}

const json = (v: unknown): string => JSON.stringify(v);
const strings = (text: string): string[] => {
  const v = JSON.parse(text) as unknown;
  return Array.isArray(v) ? v.map(String) : [];
};
const merged = (first: readonly string[], then: readonly string[], cap: number): string[] =>
  [...new Set([...first, ...then])].slice(0, cap);

type Row = {
  source: string;
  first_ms: number;
  last_ms: number;
  episodes: number;
  breadth: number;
  reach: number;
  distinct_ports: number;
  packets: number;
  type: string;
  ports: string;
  sensors: string;
  country: string | null;
  asn: number | null;
  tags: string;
  alert_reasons: string;
  episode_key: string;
  episode_packets: number;
};

function toScanner(r: Row): Scanner {
  return {
    source: r.source,
    firstMs: Number(r.first_ms),
    lastMs: Number(r.last_ms),
    episodes: Number(r.episodes),
    breadth: Number(r.breadth),
    reach: Number(r.reach),
    distinctPorts: Number(r.distinct_ports),
    packets: Number(r.packets),
    type: r.type,
    ports: strings(r.ports),
    sensors: strings(r.sensors),
    country: r.country,
    asn: r.asn === null ? null : Number(r.asn),
    tags: strings(r.tags),
    alertReasons: strings(r.alert_reasons),
  };
}

export class ScannerStore {
  constructor(private readonly db: RelationalDb) {}

  /** Adds one sighting to its source's row (created on the first). */
  async record(s: ScannerSighting): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const cur = (await tx
        .selectFrom('scanners')
        .selectAll()
        .where('source', '=', s.source)
        .executeTakeFirst()) as Row | undefined;
      const breadth = Math.max(s.reach, s.distinctPorts);
      if (!cur) {
        await tx
          .insertInto('scanners')
          .values({
            source: s.source,
            first_ms: s.firstMs,
            last_ms: s.lastMs,
            episodes: 1,
            breadth,
            reach: s.reach,
            distinct_ports: s.distinctPorts,
            packets: s.packets,
            type: s.type,
            ports: json(s.ports.slice(0, 20)),
            sensors: json(s.sensors.slice(0, 20)),
            country: s.country,
            asn: s.asn,
            tags: json(s.tags),
            alert_reasons: json(s.alertReasons.slice(0, 10)),
            episode_key: s.episodeKey,
            episode_packets: s.packets,
          })
          .execute();
      } else {
        const same = cur.episode_key === s.episodeKey;
        await tx
          .updateTable('scanners')
          .set({
            first_ms: Math.min(Number(cur.first_ms), s.firstMs),
            last_ms: Math.max(Number(cur.last_ms), s.lastMs),
            episodes: Number(cur.episodes) + (same ? 0 : 1),
            breadth: Math.max(Number(cur.breadth), breadth),
            reach: Math.max(Number(cur.reach), s.reach),
            distinct_ports: Math.max(Number(cur.distinct_ports), s.distinctPorts),
            packets: Number(cur.packets) - (same ? Number(cur.episode_packets) : 0) + s.packets,
            type: s.type,
            ports: json(merged(s.ports.slice(0, 20), strings(cur.ports), 20)),
            sensors: json(merged(s.sensors, strings(cur.sensors), 20)),
            country: s.country ?? cur.country,
            asn: s.asn ?? cur.asn,
            tags: json(merged(s.tags, strings(cur.tags), 20)),
            alert_reasons: json(merged(s.alertReasons, strings(cur.alert_reasons), 10)),
            episode_key: s.episodeKey,
            episode_packets: s.packets,
          })
          .where('source', '=', s.source)
          .execute();
      }
      const ports = s.ports.map(splitPort).filter((p): p is [string, number] => p !== null);
      // Bounded by the detector (1,000 a sighting); in slices that stay under any dialect's
      // limit of bound parameters.
      for (let i = 0; i < ports.length; i += 250) {
        await tx
          .insertInto('scanner_ports')
          .values(ports.slice(i, i + 250).map(([proto, port]) => ({ source: s.source, proto, port })))
          .onConflict((oc) => oc.columns(['source', 'proto', 'port']).doNothing())
          .execute();
      }
    });
  }

  /**
   * Drops the scanners last seen before `beforeMs` with their ports (retention: the same cut-off as
   * the raw events'); returns how many.
   */
  async prune(beforeMs: number): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('scanner_ports')
        .where('source', 'in', (eb) =>
          eb.selectFrom('scanners').select('scanners.source').where('scanners.last_ms', '<', beforeMs),
        )
        .execute();
      const r = await tx.deleteFrom('scanners').where('last_ms', '<', beforeMs).executeTakeFirst();
      return Number(r.numDeletedRows);
    });
  }

  /** The scanners a filter selects, broadest first, then the most recently seen. */
  async list(filter: ScannerFilter & { limit?: number; after?: Position } = {}): Promise<Scanner[]> {
    let q = this.filtered(filter).selectAll();
    const after = filter.after;
    if (after)
      q = q.where((eb) =>
        eb.or([
          eb('breadth', '<', after.breadth),
          eb.and([eb('breadth', '=', after.breadth), eb('last_ms', '<', after.lastMs)]),
          eb.and([
            eb('breadth', '=', after.breadth),
            eb('last_ms', '=', after.lastMs),
            eb('source', '>', after.source),
          ]),
        ]),
      );
    const rows = await q
      .orderBy('breadth', 'desc')
      .orderBy('last_ms', 'desc')
      .orderBy('source', 'asc')
      .limit(filter.limit ?? 1000)
      .execute();
    return rows.map((r) => toScanner(r as Row));
  }

  /** One page of {@link list}, with the number of scanners the filter selects. */
  async page(
    filter: ScannerFilter & { limit: number; cursor?: string | undefined },
  ): Promise<{ scanners: Scanner[]; total: number; nextCursor: string | null }> {
    const after = filter.cursor === undefined ? undefined : parseScannerCursor(filter.cursor);
    const [rows, count] = await Promise.all([
      this.list({ ...filter, limit: filter.limit + 1, ...(after ? { after } : {}) }),
      this.filtered(filter)
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    const scanners = rows.slice(0, filter.limit);
    const last = scanners.at(-1);
    return {
      scanners,
      total: Number(count.n),
      nextCursor: rows.length > scanners.length && last ? scannerCursor(last) : null,
    };
  }

  private filtered(f: ScannerFilter) {
    let q = this.db.selectFrom('scanners');
    if (f.country !== undefined) q = q.where('country', '=', f.country);
    if (f.asn !== undefined) q = q.where('asn', '=', f.asn);
    if (f.sinceMs !== undefined) q = q.where('last_ms', '>=', f.sinceMs);
    if (f.port !== undefined) {
      const port = f.port;
      const proto = f.proto;
      q = q.where('source', 'in', (eb) => {
        let sub = eb
          .selectFrom('scanner_ports')
          .select('scanner_ports.source')
          .where('scanner_ports.port', '=', port);
        if (proto !== undefined) sub = sub.where('scanner_ports.proto', '=', proto);
        return sub;
      });
    }
    return q;
  }
}

/** A scanner as the CLI's `--json`, the operator API and their tests show it (times as ISO 8601). */
export interface ScannerDocument {
  readonly source: string;
  readonly first: string;
  readonly last: string;
  readonly episodes: number;
  readonly breadth: number;
  readonly reach: number;
  readonly distinct_ports: number;
  readonly packets: number;
  readonly type: string;
  readonly ports: readonly string[];
  readonly sensors: readonly string[];
  readonly country: string | null;
  readonly asn: number | null;
  readonly tags: readonly string[];
  readonly alert_reasons: readonly string[];
}

export function scannerDocument(s: Scanner): ScannerDocument {
  return {
    source: s.source,
    first: new Date(s.firstMs).toISOString(),
    last: new Date(s.lastMs).toISOString(),
    episodes: s.episodes,
    breadth: s.breadth,
    reach: s.reach,
    distinct_ports: s.distinctPorts,
    packets: s.packets,
    type: s.type,
    ports: s.ports,
    sensors: s.sensors,
    country: s.country,
    asn: s.asn,
    tags: s.tags,
    alert_reasons: s.alertReasons,
  };
}

/** `445`, `445/tcp`, `-/icmp` (no port) as a filter; null when it is none of these. */
export function parsePortFilter(text: string): { port: number; proto?: string } | null {
  const m = /^(-|\d{1,5})(?:\/([a-z0-9-]{1,16}))?$/.exec(text.trim().toLowerCase());
  if (!m) return null;
  const port = m[1] === '-' ? -1 : Number(m[1]);
  if (port > 65535) return null;
  return m[2] === undefined ? { port } : { port, proto: m[2] };
}
