/** Each figure draws exactly its dataset's rows: what the CSV and JSON links give. */
import { describe, expect, it } from 'vitest';
import { CATALOGUES, Formatter } from '../i18n/index.js';
import type { PageRequest } from '../page.js';
import type { Dataset, DatasetId } from './data.js';
import { FIGURES } from './figures.js';

const page: PageRequest = {
  lang: 'en',
  t: CATALOGUES.en,
  fmt: new Formatter('en', 540),
  here: '/',
  csrf: '',
  href: (p) => p,
};

const daily = (columns: string[]): Dataset['rows'] => [
  { date: '2012-01-01', ...Object.fromEntries(columns.map((c, i) => [c, 10 + i])) },
  { date: '2012-01-02', ...Object.fromEntries(columns.map((c) => [c, null])) },
];
const DATA: Record<string, Dataset> = {
  kinds: {
    id: 'kinds',
    columns: ['date', 'firewall', 'ids', 'darknet'],
    rows: daily(['firewall', 'ids', 'darknet']),
  },
  techniques: { id: 'techniques', columns: ['date', 'Worm'], rows: daily(['Worm']) },
  'port-series': {
    id: 'port-series',
    columns: ['date', 'domestic', 'foreign', 'unattributed', 'count'],
    rows: daily(['domestic', 'foreign', 'unattributed', 'count']),
  },
  countries: {
    id: 'countries',
    columns: ['label', 'country', 'count', 'share'],
    rows: [
      { label: 'JP', country: 'JP', count: 30, share: 0.75 },
      { label: '(unknown)', country: null, count: 10, share: 0.25 },
    ],
  },
  'worm-countries': {
    id: 'worm-countries',
    columns: ['date', 'CN', 'other'],
    rows: daily(['CN', 'other']),
  },
  neighbours: {
    id: 'neighbours',
    columns: ['match', 'count', 'share', 'sources', 'source_share'],
    rows: [
      { match: 'first-two-octets', count: 40, share: 0.04, sources: null, source_share: null },
      { match: 'none', count: 956, share: 0.956, sources: 90, source_share: 0.9 },
    ],
  },
  ports: {
    id: 'ports',
    columns: ['port', 'service', 'count'],
    rows: [
      { port: '445/tcp', service: 'microsoft-ds', count: 30 },
      { port: '23/tcp', service: 'telnet', count: 10 },
    ],
  },
};

type Series = { name: string; data: unknown[] };
const optionOf = (id: DatasetId) => {
  const f = FIGURES.find((x) => x.id === id)!;
  return f.option(DATA[id]!, page) as {
    series: Series[];
    xAxis: { data?: unknown[] };
    yAxis: { data?: unknown[] };
  };
};

describe('the release figures', () => {
  it('draws one series per column of a daily dataset, its values withheld as gaps', () => {
    const o = optionOf('kinds');
    expect(o.xAxis.data).toEqual(['01', '02']);
    expect(o.series.map((s) => [s.name, s.data])).toEqual([
      ['Firewall', [10, null]],
      ['IDS', [11, null]],
      ['Darknet', [12, null]],
    ]);
    expect(optionOf('port-series').series.map((s) => s.data)).toEqual([
      [10, null],
      [11, null],
      [12, null],
    ]);
    expect(optionOf('techniques').series.map((s) => [s.name, s.data])).toEqual([['Worm', [10, null]]]);
  });

  it('draws rankings top-down with names in the page’s language', () => {
    const countries = optionOf('countries');
    expect(countries.yAxis.data).toEqual(['Unknown', 'Japan']);
    expect(countries.series[0]!.data).toEqual([10, 30]);
    const ports = optionOf('ports');
    expect(ports.yAxis.data).toEqual(['23/tcp (telnet)', '445/tcp (microsoft-ds)']);
    expect(ports.series[0]!.data).toEqual([10, 30]);
  });

  it('draws worm detections per country with names in the page’s language, and the neighbour shares in percent', () => {
    expect(optionOf('worm-countries').series.map((s) => [s.name, s.data])).toEqual([
      ['China', [10, null]],
      ['Other', [11, null]],
    ]);
    const n = optionOf('neighbours');
    // Bottom to top: the first row (two octets shared) is drawn on top.
    expect(n.yAxis.data).toEqual(['None shared', 'First two octets shared']);
    expect(n.series.map((s) => [s.name, s.data])).toEqual([
      ['Accesses', [95.6, 4]],
      ['Sources', [90, null]],
    ]);
  });
});
