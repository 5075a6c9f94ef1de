/**
 * The release's figures (the annual report's: accesses per kind over time, source countries,
 * techniques over time, port ranking, one port's series split domestic/foreign, worm detections by
 * country, the neighbour-octet share): each is a dataset
 * of data.ts drawn by one ECharts option, so the chart shows exactly the rows its CSV and JSON
 * links give. Labels come from the page's catalogue; withheld counts (null) draw as gaps.
 */
import type { EChartsOption } from 'echarts';
import type { EventKind, Technique } from '../../../core/index.js';
import type { ViewRow } from '../../../observe/index.js';
import type { PageRequest } from '../page.js';
import type { Dataset, DatasetId, SpanRelease } from './data.js';
import { FIGURE_MESSAGES } from './figure-messages.js';
import { OTHER } from './worm-datasets.js';

export interface FigureSpec {
  readonly id: DatasetId;
  caption(page: PageRequest, release: SpanRelease): string;
  /** `bucket`: what a row of a series is (a day in the monthly release, a month in a half year's report). */
  option(data: Dataset, page: PageRequest, bucket?: SpanRelease['bucket']): EChartsOption;
  readonly height: number;
}

export const FIGURE_WIDTH = 760;

/** A row's x label: its day of the month, or its month (YYYY-MM-DD dates). */
const xLabel = (bucket: SpanRelease['bucket']) =>
  bucket === 'month'
    ? (r: ViewRow) => String(r.date).slice(5, 7)
    : (r: ViewRow) => String(r.date).slice(8, 10);
const values = (rows: readonly ViewRow[], c: string) =>
  rows.map((r) => (typeof r[c] === 'number' ? r[c] : null));
const grid = { left: 16, right: 32, top: 56, bottom: 40, containLabel: true };
/** Axis names under the axis, centred: at the end (ECharts' default) they run off the canvas. */
const below = (name: string) => ({ name, nameLocation: 'middle' as const, nameGap: 30 });

/** Days on x, one series per column; stacked bars or lines. */
function dailyOption(
  data: Dataset,
  page: PageRequest,
  series: readonly { column: string; name: string }[],
  type: 'bar' | 'line',
  bucket: SpanRelease['bucket'] = 'day',
): EChartsOption {
  const axis = bucket === 'month' ? page.t.report.axisMonth : page.t.figure.axisDay;
  return {
    grid,
    legend: { top: 8 },
    xAxis: { type: 'category', ...below(axis), data: data.rows.map(xLabel(bucket)) },
    yAxis: { type: 'value', name: page.t.figure.axisCount },
    series: series.map((s) => ({
      type,
      name: s.name,
      data: values(data.rows, s.column),
      ...(type === 'bar' ? { stack: 'all' } : { showSymbol: false, connectNulls: false }),
    })),
  };
}

/** A ranking as horizontal bars, the first at the top. */
function rankingOption(data: Dataset, page: PageRequest, label: (r: ViewRow) => string): EChartsOption {
  const rows = [...data.rows].reverse();
  return {
    // Room on the right for the longest bar's label (seven digits at 100 M events).
    grid: { ...grid, top: 16, right: 80 },
    xAxis: { type: 'value', ...below(page.t.figure.axisCount) },
    yAxis: { type: 'category', data: rows.map(label) },
    series: [
      {
        type: 'bar',
        name: page.t.release.count,
        data: values(rows, 'count'),
        label: { show: true, position: 'right' },
      },
    ],
  };
}

/** Shares in percent, one decimal; a withheld share stays a gap. */
const percent = (rows: readonly ViewRow[], c: string) =>
  rows.map((r) => (typeof r[c] === 'number' ? Math.round((r[c] as number) * 1000) / 10 : null));

/** The neighbour classes on y, the share of accesses and of sources in each as bars. */
function neighboursOption(data: Dataset, page: PageRequest): EChartsOption {
  const m = FIGURE_MESSAGES[page.lang];
  const label = (r: ViewRow) => m.match[r.match as keyof typeof m.match] ?? String(r.match);
  // Category axes run upwards: reversed, the dataset's first row (two octets shared) is on top.
  const rows = [...data.rows].reverse();
  return {
    grid: { ...grid, right: 56 },
    legend: { top: 8 },
    xAxis: { type: 'value', max: 100, ...below(m.axisShare) },
    yAxis: { type: 'category', data: rows.map(label) },
    series: [
      { column: 'share', name: m.accessShare },
      { column: 'source_share', name: m.sourceShare },
    ].map((s) => ({
      type: 'bar' as const,
      name: s.name,
      data: percent(rows, s.column),
      label: { show: true, position: 'right' as const },
    })),
  };
}

export function countryName(page: PageRequest, r: ViewRow): string {
  return typeof r.country === 'string' ? page.fmt.country(r.country) : page.t.unknownCountry;
}

export const FIGURES: readonly FigureSpec[] = [
  {
    id: 'kinds',
    height: 340,
    caption: (p) => p.t.figure.kinds,
    option: (d, p, b) =>
      dailyOption(
        d,
        p,
        d.columns.slice(1).map((k) => ({ column: k, name: p.t.kind[k as EventKind] })),
        'line',
        b,
      ),
  },
  {
    id: 'countries',
    height: 380,
    caption: (p) => p.t.figure.countries,
    option: (d, p) => rankingOption(d, p, (r) => countryName(p, r)),
  },
  {
    id: 'techniques',
    height: 340,
    caption: (p) => p.t.figure.techniques,
    option: (d, p, b) =>
      dailyOption(
        d,
        p,
        d.columns.slice(1).map((k) => ({ column: k, name: p.t.technique[k as Technique] })),
        'bar',
        b,
      ),
  },
  {
    id: 'ports',
    height: 380,
    caption: (p) => p.t.figure.ports,
    option: (d, p) => rankingOption(d, p, (r) => (r.service ? `${r.port} (${r.service})` : String(r.port))),
  },
  {
    id: 'port-series',
    height: 340,
    caption: (p, release) => p.t.figure.portSeries(release.seriesPort ?? '-'),
    option: (d, p, b) =>
      dailyOption(
        d,
        p,
        [
          { column: 'domestic', name: p.t.figure.domestic },
          { column: 'foreign', name: p.t.figure.foreign },
          { column: 'unattributed', name: p.t.figure.unattributed },
        ],
        'bar',
        b,
      ),
  },
  {
    id: 'worm-countries',
    height: 340,
    caption: (p) => FIGURE_MESSAGES[p.lang].wormCountries,
    option: (d, p, b) =>
      dailyOption(
        d,
        p,
        d.columns.slice(1).map((c) => ({
          column: c,
          name: c === OTHER ? FIGURE_MESSAGES[p.lang].other : p.fmt.country(c),
        })),
        'bar',
        b,
      ),
  },
  {
    id: 'neighbours',
    height: 260,
    caption: (p) => FIGURE_MESSAGES[p.lang].neighbours,
    option: neighboursOption,
  },
];
