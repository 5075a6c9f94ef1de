/**
 * The fixed-point observation analyses (docs/background.md#observation), each a named view over
 * the event store: totals per period and kind (figure 2.1), per-sensor rates, source countries (2.2), IDS
 * techniques and their series (2.3, 2.4), Worm detections by country (2.5), destination ports
 * (2.6, 2.10), one port's series split domestic/foreign (2.7–2.9, 2.11) and the worm habit of
 * probing neighbouring addresses (§2.1.1), and the distinct sources per period (the monthly
 * observation release's "sources per day"). Rows are plain JSON objects with snake_case fields;
 * every row carries its `count`.
 */
import {
  type Bucket,
  DAY_MS,
  type EventKind,
  formatInOffset,
  HOUR_MS,
  KobanError,
  type Protocol,
  TECHNIQUES,
  type Technique,
} from '../core/index.js';
import type { AggregateFilter, AggregateRow } from './ports/aggregates.js';
import type { EventStore } from './ports/event-store.js';
import { serviceName } from './services.js';

export const VIEW_NAMES = [
  'total',
  'sensor-rate',
  'countries',
  'techniques',
  'worm-countries',
  'ports',
  'port-series',
  'neighbours',
  'sources',
] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

export interface ViewOptions {
  readonly fromMs?: number | undefined;
  readonly toMs?: number | undefined;
  /** Defaults to `day`, except sensor-rate (per sensor over the whole range unless a bucket is given). */
  readonly bucket?: Bucket | undefined;
  readonly utcOffsetMinutes: number;
  /** Country that counts as domestic in port-series (the annual report's: Japan). */
  readonly domesticCountry: string;
  /** Event kinds counted as accesses; defaults per view (firewall + darknet for access views). */
  readonly kinds?: readonly EventKind[] | undefined;
  readonly proto?: 'tcp' | 'udp' | undefined;
  readonly port?: { readonly port: number; readonly proto: Protocol } | undefined;
  /** Rows kept in rankings (ports, countries); 0 = all. */
  readonly top?: number | undefined;
  readonly sensor?: string | undefined;
}

export type ViewRow = Record<string, string | number | null | ViewRow[]>;

export interface ViewResult {
  readonly view: ViewName;
  readonly rows: ViewRow[];
}

const ACCESS_KINDS: readonly EventKind[] = ['firewall', 'darknet'];

export function isViewName(s: string): s is ViewName {
  return (VIEW_NAMES as readonly string[]).includes(s);
}

export async function runView(store: EventStore, view: ViewName, o: ViewOptions): Promise<ViewResult> {
  const rows = await VIEWS[view](store, o);
  return { view, rows };
}

const share = (n: number, total: number): number => (total === 0 ? 0 : Math.round((n / total) * 1e6) / 1e6);
const bucketText = (o: ViewOptions, r: AggregateRow): string =>
  formatInOffset(r.bucketMs ?? 0, o.utcOffsetMinutes);

function filter(o: ViewOptions, kinds: readonly EventKind[] | undefined): AggregateFilter {
  return { fromMs: o.fromMs, toMs: o.toMs, kinds: o.kinds ?? kinds, sensor: o.sensor };
}

function topN<T>(rows: T[], o: ViewOptions, fallback: number): T[] {
  const n = o.top ?? fallback;
  return n > 0 ? rows.slice(0, n) : rows;
}

const VIEWS: Record<ViewName, (store: EventStore, o: ViewOptions) => Promise<ViewRow[]>> = {
  async total(store, o) {
    const rows = await store.aggregate({
      ...filter(o, undefined),
      groupBy: ['kind'],
      bucket: o.bucket ?? 'day',
      utcOffsetMinutes: o.utcOffsetMinutes,
    });
    return rows
      .map((r) => ({ bucket: bucketText(o, r), kind: r.kind ?? null, count: r.count }))
      .sort((a, b) =>
        a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : String(a.kind) < String(b.kind) ? -1 : 1,
      );
  },

  async 'sensor-rate'(store, o) {
    if (o.bucket) {
      const rows = await store.aggregate({
        ...filter(o, ACCESS_KINDS),
        groupBy: ['sensor'],
        bucket: o.bucket,
        utcOffsetMinutes: o.utcOffsetMinutes,
      });
      return rows.map((r) => {
        const seconds = bucketSeconds(o.bucket!, r.bucketMs ?? 0, o.utcOffsetMinutes);
        return {
          bucket: bucketText(o, r),
          sensor: r.sensor ?? null,
          count: r.count,
          interval_s: r.count === 0 ? null : round(seconds / r.count, 3),
        };
      });
    }
    const activity = await store.sensorActivity(filter(o, ACCESS_KINDS), o.utcOffsetMinutes);
    return activity.map((a) => {
      const perDay = a.activeDays === 0 ? 0 : a.events / a.activeDays;
      return {
        sensor: a.sensor,
        count: a.events,
        active_days: a.activeDays,
        active_hours: a.activeHours,
        per_day: round(perDay, 3),
        // "one access every N seconds" over the sensor's active hours (silent hours excluded).
        interval_s: a.events === 0 ? null : round((a.activeHours * 3600) / a.events, 3),
        first: formatInOffset(a.firstMs, o.utcOffsetMinutes),
        last: formatInOffset(a.lastMs, o.utcOffsetMinutes),
      };
    });
  },

  async countries(store, o) {
    const rows = await store.aggregate({ ...filter(o, ACCESS_KINDS), groupBy: ['country', 'scope'] });
    const merged = new Map<string, { country: string | null; scope: string; count: number }>();
    let total = 0;
    for (const r of rows) {
      total += r.count;
      const key = r.country ?? `(${r.scope === 'public' ? 'unknown' : r.scope})`;
      const m = merged.get(key) ?? { country: r.country ?? null, scope: r.scope ?? 'public', count: 0 };
      m.count += r.count;
      merged.set(key, m);
    }
    const out = [...merged.entries()]
      .map(([label, m]) => ({
        country: m.country,
        label,
        scope: m.scope,
        count: m.count,
        share: share(m.count, total),
      }))
      .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
    return topN(out, o, 0);
  },

  async techniques(store, o) {
    const base = { ...filter(o, ['ids']), technique: 'any' as const };
    const totals = await store.aggregate({ ...base, groupBy: ['technique'] });
    const series = await store.aggregate({
      ...base,
      groupBy: ['technique'],
      bucket: o.bucket ?? 'day',
      utcOffsetMinutes: o.utcOffsetMinutes,
    });
    const total = totals.reduce((s, r) => s + r.count, 0);
    return totals
      .map((r) => ({
        technique: r.technique ?? null,
        count: r.count,
        share: share(r.count, total),
        series: series
          .filter((s) => s.technique === r.technique)
          .map((s) => ({ bucket: bucketText(o, s), count: s.count })),
      }))
      .sort((a, b) => b.count - a.count || techniqueOrder(a.technique) - techniqueOrder(b.technique));
  },

  async 'worm-countries'(store, o) {
    const rows = await store.aggregate({
      ...filter(o, ['ids']),
      technique: 'Worm',
      groupBy: ['country'],
      bucket: o.bucket ?? 'day',
      utcOffsetMinutes: o.utcOffsetMinutes,
    });
    return rows.map((r) => ({ bucket: bucketText(o, r), country: r.country ?? null, count: r.count }));
  },

  async ports(store, o) {
    const proto = o.proto ?? 'tcp';
    const rows = await store.aggregate({ ...filter(o, ACCESS_KINDS), proto, groupBy: ['port'] });
    const total = rows.reduce((s, r) => s + r.count, 0);
    const out = rows
      .filter((r) => r.port !== null && r.port !== undefined)
      .map((r) => ({
        proto,
        port: r.port as number,
        service: serviceName(r.port as number, proto),
        count: r.count,
        share: share(r.count, total),
      }))
      .sort((a, b) => b.count - a.count || a.port - b.port);
    return topN(out, o, 20);
  },

  async 'port-series'(store, o) {
    if (!o.port) throw new KobanError('E_USAGE', 'port-series needs --port PORT/PROTO, e.g. --port 139/tcp');
    const { port, proto } = o.port;
    const rows = await store.aggregate({
      ...filter(o, ACCESS_KINDS),
      proto,
      port,
      groupBy: ['country', 'scope'],
      bucket: o.bucket ?? 'day',
      utcOffsetMinutes: o.utcOffsetMinutes,
    });
    const byBucket = new Map<number, { domestic: number; foreign: number; unattributed: number }>();
    for (const r of rows) {
      const b = r.bucketMs ?? 0;
      const acc = byBucket.get(b) ?? { domestic: 0, foreign: 0, unattributed: 0 };
      // Private, reserved and bogon sources, and public ones without a known country, are neither.
      if (r.country === o.domesticCountry) acc.domestic += r.count;
      else if (r.country) acc.foreign += r.count;
      else acc.unattributed += r.count;
      byBucket.set(b, acc);
    }
    return [...byBucket.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([b, acc]) => ({
        bucket: formatInOffset(b, o.utcOffsetMinutes),
        proto,
        port,
        domestic: acc.domestic,
        foreign: acc.foreign,
        unattributed: acc.unattributed,
        count: acc.domestic + acc.foreign + acc.unattributed,
      }));
  },

  async neighbours(store, o) {
    const f = filter(o, ACCESS_KINDS);
    const accesses = await store.aggregate({ ...f, groupBy: ['neighbour'] });
    const sources = await store.aggregate({ ...f, groupBy: ['neighbour'], measure: 'sources' });
    const allSources = await store.aggregate({ ...f, groupBy: [], measure: 'sources' });
    const totalAccesses = accesses.reduce((s, r) => s + r.count, 0);
    const totalSources = allSources[0]?.count ?? 0;
    const labels = ['none', 'first-octet', 'first-two-octets'] as const;
    return [2, 1, 0].map((cls) => {
      const a = accesses.find((r) => r.neighbour === cls)?.count ?? 0;
      const s = sources.find((r) => r.neighbour === cls)?.count ?? 0;
      return {
        match: labels[cls]!,
        sources: s,
        source_share: share(s, totalSources),
        count: a,
        share: share(a, totalAccesses),
      };
    });
  },

  sources: sourcesView,
};

/**
 * Distinct source addresses of accesses per bucket (`count`: how many), exact. Kept like the
 * rollups for whole-hour ranges at a whole-hour UTC offset (ports/aggregates.ts); otherwise read
 * from raw events, so only within the retention period. A bucket without accesses has no row.
 */
async function sourcesView(store: EventStore, o: ViewOptions): Promise<ViewRow[]> {
  const rows = await store.aggregate({
    ...filter(o, ACCESS_KINDS),
    groupBy: [],
    measure: 'sources',
    bucket: o.bucket ?? 'day',
    utcOffsetMinutes: o.utcOffsetMinutes,
  });
  return rows
    .map((r) => ({ bucket: bucketText(o, r), count: r.count }))
    .sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
}

function techniqueOrder(t: Technique | null): number {
  return t === null ? 99 : TECHNIQUES.indexOf(t);
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function bucketSeconds(bucket: Bucket, startMs: number, offsetMinutes: number): number {
  switch (bucket) {
    case 'hour':
      return HOUR_MS / 1000;
    case 'day':
      return DAY_MS / 1000;
    case 'week':
      return (7 * DAY_MS) / 1000;
    case 'month': {
      const d = new Date(startMs + offsetMinutes * 60_000);
      const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - offsetMinutes * 60_000;
      return (next - startMs) / 1000;
    }
  }
}
