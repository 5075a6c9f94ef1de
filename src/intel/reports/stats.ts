/**
 * Statistics of the sharing network, as the half-year document publishes them
 * (docs/background.md#sharing-network): targeted e-mails (reports) per
 * period (552 in the first half of 2012), and the connection destinations of the malware they
 * carried by country (China 36 %, Japan 11 %, Thailand 9 %). Counted over the reports the actor
 * may read (the center: all but RED), so a statistic never leaks what its reader could not see.
 * The country of an address comes from a lookup the caller provides (the observe context's
 * `Enricher`, offline); domains are counted as unresolved, since resolving them would tell the
 * attacker we are looking.
 */
import { type Bucket, bucketStart, formatInOffset } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import type { Actor } from '../identity/actor.js';
import { asLabelReader, readableWhere, requireScope } from '../labels/access.js';

export interface PeriodCount {
  readonly startMs: number;
  readonly start: string;
  readonly reports: number;
  readonly emails: number;
}

export interface CountryShare {
  readonly country: string;
  readonly destinations: number;
  /** Share of the destinations whose country is known (0–1). */
  readonly share: number;
}

export interface C2Countries {
  /** Distinct C2 destinations (addresses and domains) in the period. */
  readonly destinations: number;
  readonly addresses: number;
  /** Domains and URLs on names: no country without resolving them. */
  readonly unresolved: number;
  readonly byCountry: readonly CountryShare[];
}

export interface StatsWindow {
  readonly sinceMs?: number;
  readonly untilMs?: number;
}

export class StatsService {
  constructor(private readonly db: RelationalDb) {}

  async reportsPerPeriod(
    actor: Actor,
    opts: StatsWindow & { bucket: Bucket; utcOffsetMinutes?: number },
  ): Promise<PeriodCount[]> {
    requireScope(actor, 'reports:read');
    const off = opts.utcOffsetMinutes ?? 0;
    let q = this.db
      .selectFrom('reports as r')
      .select(['r.received_ms', 'r.kind'])
      .where(readableWhere(actor, 'report', 'r'));
    if (opts.sinceMs !== undefined) q = q.where('r.received_ms', '>=', opts.sinceMs);
    if (opts.untilMs !== undefined) q = q.where('r.received_ms', '<', opts.untilMs);
    const counts = new Map<number, { reports: number; emails: number }>();
    for (const r of await q.execute()) {
      const start = bucketStart(Number(r.received_ms), opts.bucket, off);
      const c = counts.get(start) ?? { reports: 0, emails: 0 };
      c.reports++;
      if (r.kind === 'email') c.emails++;
      counts.set(start, c);
    }
    return [...counts]
      .sort((a, b) => a[0] - b[0])
      .map(([startMs, c]) => ({ startMs, start: formatInOffset(startMs, off), ...c }));
  }

  async c2ByCountry(
    actor: Actor,
    countryOf: (ip: string) => string | null,
    window: StatsWindow = {},
  ): Promise<C2Countries> {
    requireScope(actor, 'indicators:read');
    const reader = asLabelReader(actor, 'indicators:read');
    let q = this.db
      .selectFrom('report_indicators as ri')
      .innerJoin('reports as r', 'r.id', 'ri.report_id')
      .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
      .select(['i.id', 'i.type', 'i.value'])
      .distinct()
      .where('ri.role', '=', 'c2')
      .where('i.type', 'in', ['ipv4', 'ipv6', 'domain', 'url'])
      .where(readableWhere(reader, 'report', 'r'));
    if (window.sinceMs !== undefined) q = q.where('r.received_ms', '>=', window.sinceMs);
    if (window.untilMs !== undefined) q = q.where('r.received_ms', '<', window.untilMs);
    const rows = await q.execute();
    // A destination is a host: a URL counts as its host, once, however many URLs name it.
    const hosts = new Set<string>();
    for (const r of rows) {
      if (r.type !== 'url') hosts.add(r.value);
      else hosts.add(new URL(r.value).hostname.replace(/^\[|\]$/g, ''));
    }
    const byCountry = new Map<string, number>();
    let addresses = 0;
    let unresolved = 0;
    for (const h of hosts) {
      if (!/^[\d.]+$/.test(h) && !h.includes(':')) {
        unresolved++;
        continue;
      }
      addresses++;
      const cc = countryOf(h) ?? 'unknown';
      byCountry.set(cc, (byCountry.get(cc) ?? 0) + 1);
    }
    const known = [...byCountry].filter(([cc]) => cc !== 'unknown').reduce((s, [, n]) => s + n, 0);
    return {
      destinations: hosts.size,
      addresses,
      unresolved,
      byCountry: [...byCountry]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([country, n]) => ({
          country,
          destinations: n,
          share: country === 'unknown' || known === 0 ? 0 : n / known,
        })),
    };
  }
}
