/**
 * The release's tables (day by day, the three top 5s) and the data links every table and figure
 * carries. Cells are formatted by the page's locale; a withheld count shows as the "suppressed"
 * mark. Values are escaped by Hono's `html` template.
 */
import { html } from 'hono/html';
import type { Technique } from '../../../core/index.js';
import type { ViewRow } from '../../../observe/index.js';
import type { PageRequest } from '../page.js';
import type { Dataset, DatasetId, Release, SpanRelease } from './data.js';
import { monthKey } from './month.js';

const num = (page: PageRequest, v: unknown, rate = false) =>
  typeof v === 'number' ? (rate ? page.fmt.rate(v) : page.fmt.count(v)) : page.t.suppressed;

export function dataHref(page: PageRequest, release: Release, id: DatasetId, ext: 'csv' | 'json'): string {
  const port = id === 'port-series' && release.seriesPort ? { port: release.seriesPort } : undefined;
  return page.href(`/release/${monthKey(release.month)}/${id}.${ext}`, port);
}

export function dataLinks(page: PageRequest, release: Release, id: DatasetId) {
  return html`<p class="data">${page.t.release.data}: <a href="${dataHref(page, release, id, 'csv')}" type="text/csv">CSV</a>
· <a href="${dataHref(page, release, id, 'json')}" type="application/json">JSON</a></p>`;
}

/** The day-by-day table; a periodic report's half year or year has a row per month instead. */
export function dailyTable(page: PageRequest, release: SpanRelease) {
  const t = page.t.release;
  const byMonth = release.bucket === 'month';
  const rowHead = (date: string) =>
    byMonth
      ? page.fmt.monthName(Number(date.slice(0, 4)), Number(date.slice(5, 7)))
      : page.fmt.date(Date.parse(`${date}T12:00:00Z`));
  const rows = release.datasets.daily.rows;
  const cols = [
    'accesses',
    'accesses_per_address',
    'sources',
    'ids',
    'ids_per_address',
    'backscatter',
  ] as const;
  const heads = [t.accesses, t.accessesPerAddress, t.sources, t.ids, t.idsPerAddress, t.backscatter];
  return html`<table>
<caption>${byMonth ? page.t.report.monthlyCaption : t.dailyCaption}</caption>
<thead><tr><th scope="col">${byMonth ? page.t.report.month : t.date}</th>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><th scope="row">${rowHead(String(r.date))}</th>${cols.map(
        (c) => html`<td class="n">${num(page, r[c], c.endsWith('_per_address'))}</td>`,
      )}</tr>`,
  )}</tbody>
</table>`;
}

function changeText(page: PageRequest, r: ViewRow): string {
  if (r.previous_count === 0) return page.t.release.newEntry;
  return typeof r.change === 'number' ? page.fmt.percent(r.change, true) : page.t.suppressed;
}

/** How a top row's key reads: a port as is, a country by name, a technique in the page's language. */
export function topLabel(page: PageRequest, id: DatasetId, key: string): string {
  if (id === 'top-techniques') return page.t.technique[key as Technique] ?? key;
  if (id === 'top-countries') return /^[A-Z]{2}$/.test(key) ? page.fmt.country(key) : page.t.unknownCountry;
  return key;
}

/**
 * A top-5 table; the monthly release's carries its data links (a report's span has none). A
 * report of a half year or a year names its previous period in `heads`.
 */
export function topTable(
  page: PageRequest,
  release: Release | SpanRelease,
  id: DatasetId,
  title: string,
  data: Dataset,
  heads: { readonly previousRank: string; readonly change: string } = page.t.release,
) {
  const t = page.t.release;
  return html`<section><h3>${title}</h3><table>
<thead><tr><th scope="col">${t.rank}</th><th scope="col">${t.item}</th><th scope="col">${t.count}</th>
<th scope="col">${heads.previousRank}</th><th scope="col">${heads.change}</th></tr></thead>
<tbody>${data.rows.map(
    (r) => html`<tr><td class="n">${r.rank}</td><th scope="row">${topLabel(page, id, String(r.key))}</th>
<td class="n">${num(page, r.count)}</td><td class="n">${typeof r.previous_rank === 'number' ? r.previous_rank : t.outOfRank}</td>
<td class="n">${changeText(page, r)}</td></tr>`,
  )}</tbody></table>${'month' in release ? dataLinks(page, release, id) : ''}</section>`;
}
