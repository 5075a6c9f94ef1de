/**
 * The monthly observation release's data, read through the observe views and made public by the
 * rules of public-stats.ts (small counts withheld; the month is complete before the public cutoff,
 * which the caller checks). Every table and figure is a `Dataset`: the same rows feed the page's
 * table or chart and its CSV and JSON downloads, so the three never disagree.
 */
import { bucketStart, EVENT_KINDS, formatInOffset, parseUtcOffset, TECHNIQUES } from '../../../core/index.js';
import { type EventStore, runView, type ViewOptions, type ViewRow } from '../../../observe/index.js';
import type { WebContext } from '../../context.js';
import { thresholdCells, thresholdRows } from '../../public-stats.js';
import { addMonths, daysOf, type MonthId, monthRange } from './month.js';
import { compareTop, portRanking, type Ranked, TOP_N, type TopRow, topPorts } from './top.js';
import { neighboursDataset, wormCountriesDataset } from './worm-datasets.js';

export const DATASET_IDS = [
  'daily',
  'top-ports',
  'top-countries',
  'top-techniques',
  'kinds',
  'countries',
  'techniques',
  'ports',
  'port-series',
  'worm-countries',
  'neighbours',
] as const;
export type DatasetId = (typeof DATASET_IDS)[number];

export interface Dataset {
  readonly id: DatasetId;
  readonly columns: readonly string[];
  readonly rows: readonly ViewRow[];
}

/**
 * What a release covers: its range, the range it is compared with (top 5s' change), and its rows'
 * unit — a day for the monthly release, a month for a periodic report's half year or year
 * (docs/portal.md#periodic-reports).
 */
export interface Span {
  readonly range: { readonly fromMs: number; readonly toMs: number };
  readonly previous: { readonly fromMs: number; readonly toMs: number };
  readonly bucket: 'day' | 'month';
  /** The start of each row's bucket (UTC ms), in order. */
  readonly starts: readonly number[];
}

/** A release over any span: the month's release and the periodic reports' observation chapter. */
export interface SpanRelease {
  readonly bucket: Span['bucket'];
  /** Monitored IPv4 addresses (the per-address denominators). */
  readonly addresses: number;
  /** The port of the port-series figure ("445/tcp"), or null when the month has no port. */
  readonly seriesPort: string | null;
  readonly datasets: Readonly<Record<DatasetId, Dataset>>;
}

export interface Release extends SpanRelease {
  readonly month: MonthId;
}

/** A calendar month by day, compared with the month before. */
export function monthSpan(month: MonthId, utcOffsetMinutes: number): Span {
  return {
    range: monthRange(month, utcOffsetMinutes),
    previous: monthRange(addMonths(month, -1), utcOffsetMinutes),
    bucket: 'day',
    starts: daysOf(month, utcOffsetMinutes),
  };
}

export type ReleaseContext = Pick<
  WebContext,
  'events' | 'operatorAlerts' | 'monitored' | 'publicStats' | 'observation'
>;

/** Figures' rankings show this many rows. */
const FIGURE_TOP = 10;
/** Backscatter alerts read for one month at most (a month of a national fleet has far fewer). */
const MAX_BACKSCATTER_ALERTS = 50_000;
const TOP_COLUMNS = ['rank', 'key', 'count', 'previous_rank', 'previous_count', 'change'] as const;

const dayKey = (ms: number, off: number) => formatInOffset(ms, off).slice(0, 10);
const perAddress = (n: unknown, addresses: number) =>
  typeof n === 'number' && addresses > 0 ? Math.round((n / addresses) * 100) / 100 : null;

/** A day-by-column grid of zeros, filled by `add`. */
function grid(days: readonly number[], off: number, columns: readonly string[]) {
  const rows = new Map<string, ViewRow>();
  for (const d of days)
    rows.set(dayKey(d, off), { date: dayKey(d, off), ...Object.fromEntries(columns.map((c) => [c, 0])) });
  return {
    add(bucket: unknown, column: string, n: unknown) {
      const row = rows.get(String(bucket).slice(0, 10));
      if (row && typeof n === 'number') row[column] = ((row[column] as number) ?? 0) + n;
    },
    rows: () => [...rows.values()],
  };
}

/**
 * Top rows as the public sees them: small ones left out; a small previous count withheld with its
 * rank and the change (0 stays: "new" tells no small number).
 */
function publicTop(rows: readonly TopRow[], min: number): ViewRow[] {
  return rows
    .filter((r) => r.count >= min)
    .map((r) =>
      r.previous_count !== null && r.previous_count > 0 && r.previous_count < min
        ? { ...r, previous_rank: null, previous_count: null, change: null }
        : { ...r },
    );
}

async function backscatterPerBucket(ctx: ReleaseContext, span: Span, off: number) {
  const range = span.range;
  const alerts = await ctx.operatorAlerts.list({
    kind: 'backscatter',
    firstFromMs: range.fromMs,
    firstToMs: range.toMs,
    limit: MAX_BACKSCATTER_ALERTS,
  });
  const perDay = new Map<string, number>();
  for (const a of alerts) {
    const key = dayKey(bucketStart(a.firstMs, span.bucket, off), off);
    perDay.set(key, (perDay.get(key) ?? 0) + 1);
  }
  return perDay;
}

const top = (id: DatasetId, rows: ViewRow[]): Dataset => ({ id, columns: TOP_COLUMNS, rows });
const ranked = (rows: readonly ViewRow[], key: (r: ViewRow) => string): Ranked[] =>
  rows.map((r) => ({ key: key(r), count: r.count as number }));

type Port = { readonly port: number; readonly proto: 'tcp' | 'udp' };
type Reads = { readonly days: readonly number[]; readonly off: number; readonly min: number };
const SERIES_COLUMNS = ['domestic', 'foreign', 'unattributed', 'count'] as const;

/** Accesses, sources, IDS and backscatter detections per day, and the per-address rates. */
function dailyDataset(
  r: Reads,
  total: readonly ViewRow[],
  sources: readonly ViewRow[],
  backscatter: ReadonlyMap<string, number>,
  addresses: number,
): Dataset {
  const daily = grid(r.days, r.off, ['accesses', 'sources', 'ids', 'backscatter']);
  for (const x of total) daily.add(x.bucket, x.kind === 'ids' ? 'ids' : 'accesses', x.count);
  for (const x of sources) daily.add(x.bucket, 'sources', x.count);
  for (const [day, n] of backscatter) daily.add(day, 'backscatter', n);
  const rows = thresholdCells(daily.rows(), ['accesses', 'sources', 'ids', 'backscatter'], r.min).map(
    (x) => ({
      date: x.date ?? null,
      accesses: x.accesses ?? null,
      accesses_per_address: perAddress(x.accesses, addresses),
      sources: x.sources ?? null,
      ids: x.ids ?? null,
      ids_per_address: perAddress(x.ids, addresses),
      backscatter: x.backscatter ?? null,
    }),
  );
  const columns = [
    'date',
    'accesses',
    'accesses_per_address',
    'sources',
    'ids',
    'ids_per_address',
    'backscatter',
  ];
  return { id: 'daily', columns, rows };
}

function kindsDataset(r: Reads, total: readonly ViewRow[]): Dataset {
  const kinds = grid(r.days, r.off, EVENT_KINDS);
  for (const x of total) kinds.add(x.bucket, String(x.kind), x.count);
  return {
    id: 'kinds',
    columns: ['date', ...EVENT_KINDS],
    rows: thresholdCells(kinds.rows(), EVENT_KINDS, r.min),
  };
}

/** One column per technique seen in the month, in the catalogue's order. */
function techniquesDataset(r: Reads, techniques: readonly ViewRow[]): Dataset {
  const present = TECHNIQUES.filter((t) => techniques.some((x) => x.technique === t));
  const g = grid(r.days, r.off, present);
  for (const x of techniques)
    for (const s of (x.series as ViewRow[]) ?? []) g.add(s.bucket, String(x.technique), s.count);
  return { id: 'techniques', columns: ['date', ...present], rows: thresholdCells(g.rows(), present, r.min) };
}

async function portSeriesDataset(store: EventStore, r: Reads, cur: ViewOptions, port: Port | null) {
  const g = grid(r.days, r.off, SERIES_COLUMNS);
  if (port) {
    const s = await runView(store, 'port-series', { ...cur, port });
    for (const x of s.rows) for (const c of SERIES_COLUMNS) g.add(x.bucket, c, x[c]);
  }
  const rows = thresholdCells(g.rows(), SERIES_COLUMNS, r.min);
  return { id: 'port-series' as const, columns: ['date', ...SERIES_COLUMNS], rows };
}

const countryKey = (r: ViewRow) => String(r.label);
const techniqueKey = (r: ViewRow) => String(r.technique);
const portKey = (r: ViewRow) => `${r.port}/${r.proto}`;

export async function gatherRelease(
  ctx: ReleaseContext,
  month: MonthId,
  opts: { readonly port?: Port | undefined } = {},
): Promise<Release> {
  const off = parseUtcOffset(ctx.observation.utcOffset);
  return { month, ...(await gatherSpan(ctx, monthSpan(month, off), opts)) };
}

/**
 * The month's release with the port-series figure of another port: only that view is read — the
 * rest of `base` (the month's release for its busiest port) is the same whatever port is asked, so
 * a visitor asking a port nobody asked before costs one view, not the dozen of a whole release.
 */
export async function withSeriesPort(ctx: ReleaseContext, base: Release, port: Port): Promise<Release> {
  const off = parseUtcOffset(ctx.observation.utcOffset);
  const span = monthSpan(base.month, off);
  const base0: ViewOptions = { utcOffsetMinutes: off, domesticCountry: ctx.observation.domesticCountry };
  const series: ViewOptions = { ...base0, ...span.range, bucket: span.bucket };
  const reads: Reads = { days: span.starts, off, min: ctx.publicStats.minCount };
  const portSeries = await portSeriesDataset(ctx.events, reads, series, port);
  return {
    ...base,
    seriesPort: `${port.port}/${port.proto}`,
    datasets: { ...base.datasets, 'port-series': portSeries },
  };
}

/** The release's datasets over a span, one row per bucket of the span. */
export async function gatherSpan(
  ctx: ReleaseContext,
  span: Span,
  opts: { readonly port?: Port | undefined } = {},
): Promise<SpanRelease> {
  const store = ctx.events;
  const off = parseUtcOffset(ctx.observation.utcOffset);
  const min = ctx.publicStats.minCount;
  const base: ViewOptions = { utcOffsetMinutes: off, domesticCountry: ctx.observation.domesticCountry };
  const cur: ViewOptions = { ...base, ...span.range };
  // Series views count per row of the span; rankings are over the whole span.
  const series: ViewOptions = { ...cur, bucket: span.bucket };
  const prev: ViewOptions = { ...base, ...span.previous };
  const [
    total,
    sources,
    techniques,
    prevTechniques,
    countries,
    prevCountries,
    ports,
    spaces,
    backscatter,
    worm,
    neighbours,
  ] = await Promise.all([
    runView(store, 'total', series),
    runView(store, 'sources', series),
    runView(store, 'techniques', series),
    runView(store, 'techniques', prev),
    runView(store, 'countries', { ...cur, top: 0 }),
    runView(store, 'countries', { ...prev, top: 0 }),
    portRanking(store, cur, FIGURE_TOP),
    ctx.monitored.inEffect(),
    backscatterPerBucket(ctx, span, off),
    runView(store, 'worm-countries', series),
    runView(store, 'neighbours', cur),
  ]);
  const addresses = spaces.reduce((n, x) => n + x.addresses, 0);
  const reads: Reads = { days: span.starts, off, min };
  const first = ports[0];
  const seriesPort =
    opts.port ?? (first ? { port: first.port as number, proto: first.proto as Port['proto'] } : null);
  const [topPortRows, portSeries] = await Promise.all([
    topPorts(store, ports.slice(0, TOP_N), prev),
    portSeriesDataset(store, reads, series, seriesPort),
  ]);
  const datasets: Record<DatasetId, Dataset> = {
    daily: dailyDataset(reads, total.rows, sources.rows, backscatter, addresses),
    'top-ports': top('top-ports', publicTop(topPortRows, min)),
    'top-countries': top(
      'top-countries',
      publicTop(compareTop(ranked(countries.rows, countryKey), ranked(prevCountries.rows, countryKey)), min),
    ),
    'top-techniques': top(
      'top-techniques',
      publicTop(
        compareTop(ranked(techniques.rows, techniqueKey), ranked(prevTechniques.rows, techniqueKey)),
        min,
      ),
    ),
    kinds: kindsDataset(reads, total.rows),
    countries: {
      id: 'countries',
      columns: ['label', 'country', 'count', 'share'],
      rows: thresholdRows(countries.rows.slice(0, FIGURE_TOP), min).map((r) => ({
        label: r.label ?? null,
        country: r.country ?? null,
        count: r.count ?? null,
        share: r.share ?? null,
      })),
    },
    techniques: techniquesDataset(reads, techniques.rows),
    ports: {
      id: 'ports',
      columns: ['port', 'service', 'count'],
      rows: thresholdRows(ports, min).map((r) => ({
        port: portKey(r),
        service: r.service ?? null,
        count: r.count ?? null,
      })),
    },
    'port-series': portSeries,
    'worm-countries': wormCountriesDataset(
      span.starts.map((d) => dayKey(d, off)),
      worm.rows,
      min,
    ),
    neighbours: neighboursDataset(neighbours.rows, min),
  };
  return {
    bucket: span.bucket,
    addresses,
    seriesPort: seriesPort ? `${seriesPort.port}/${seriesPort.proto}` : null,
    datasets,
  };
}
