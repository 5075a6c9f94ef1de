/**
 * The public site's front page: the monthly observation release (`/?month=YYYY-MM`, default the
 * newest month complete before the public cutoff that holds data), with links to the neighbouring
 * months, and each table's and figure's data as CSV and JSON (`/release/YYYY-MM/<dataset>.csv`).
 * Only published months are served: a month ending after the public cutoff is "not yet published".
 * A published month's data and page are kept a while (docs/portal.md#caching): its data has settled.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { parseUtcOffset } from '../../../core/index.js';
import { publicCutoffMs } from '../../public-stats.js';
import { SettledCache } from '../cache.js';
import { renderChart } from '../charts.js';
import { layout } from '../layout.js';
import { type PageRequest, type PortalContext, pageRequest } from '../page.js';
import { fleetStatus, statusText } from '../status.js';
import { portalSummary } from '../summary.js';
import { toCsv } from './csv.js';
import { DATASET_IDS, type DatasetId, gatherRelease, type Release, withSeriesPort } from './data.js';
import { FIGURE_WIDTH, FIGURES } from './figures.js';
import {
  addMonths,
  isPublished,
  latestPublishedMonth,
  type MonthId,
  monthKey,
  monthOf,
  parseMonth,
} from './month.js';
import { dailyTable, dataLinks, topTable } from './tables.js';

const PORT_RE = /^(\d{1,5})\/(tcp|udp)$/;

type Port = { readonly port: number; readonly proto: 'tcp' | 'udp' };

function parsePort(s: string | undefined): Port | undefined | null {
  if (s === undefined) return undefined;
  const m = PORT_RE.exec(s);
  if (!m || Number(m[1]) > 65535) return null;
  return { port: Number(m[1]), proto: m[2] as 'tcp' | 'udp' };
}

async function figures(page: PageRequest, release: Release) {
  const out = [];
  for (const f of FIGURES) {
    const captionId = `fig-${f.id}`;
    const svg = await renderChart(
      f.option(release.datasets[f.id], page),
      { width: FIGURE_WIDTH, height: f.height },
      {
        prefix: `c-${f.id}`,
        labelledBy: captionId,
      },
    );
    out.push(html`<figure><figcaption id="${captionId}">${f.caption(page, release)}</figcaption>
${raw(svg)}${dataLinks(page, release, f.id)}</figure>`);
  }
  return out;
}

function monthNav(
  page: PageRequest,
  month: MonthId,
  bounds: { first: MonthId | null; last: MonthId | null },
) {
  const prev = addMonths(month, -1);
  const next = addMonths(month, 1);
  const le = (a: MonthId, b: MonthId) => monthKey(a) <= monthKey(b);
  return html`<nav class="months" aria-label="${page.t.release.monthNav}">
${bounds.first && le(bounds.first, prev) ? html`<a rel="prev" href="${page.href('/', { month: monthKey(prev) })}">← ${page.t.release.previous} (${page.fmt.monthName(prev.year, prev.month)})</a>` : ''}
${bounds.last && le(next, bounds.last) ? html`<a rel="next" href="${page.href('/', { month: monthKey(next) })}">${page.t.release.next} (${page.fmt.monthName(next.year, next.month)}) →</a>` : ''}
</nav>`;
}

async function releaseMain(
  page: PageRequest,
  ctx: PortalContext,
  release: Release,
  bounds: { first: MonthId | null; last: MonthId | null },
) {
  const t = page.t.release;
  const monthName = page.fmt.monthName(release.month.year, release.month.month);
  const d = release.datasets;
  return html`<h1>${t.title(monthName)}</h1>
${monthNav(page, release.month, bounds)}
<p>${t.intro}</p>
<p class="notice">${page.t.publicNotice(ctx.publicStats.delayHours, ctx.publicStats.minCount)}
${t.monitoredAddresses(page.fmt.count(release.addresses))}</p>
<h2>${t.dailyTitle}</h2>
${dailyTable(page, release)}${dataLinks(page, release, 'daily')}
<h2>${t.topTitle}</h2>
<div class="tops">${topTable(page, release, 'top-ports', t.topPorts, d['top-ports'])}
${topTable(page, release, 'top-countries', t.topCountries, d['top-countries'])}
${topTable(page, release, 'top-techniques', t.topTechniques, d['top-techniques'])}</div>
<h2>${t.figuresTitle}</h2>
${await figures(page, release)}`;
}

/** Which month a request is about, or the reason none is served. */
async function chosenMonth(ctx: PortalContext, monthParam: string | undefined) {
  const nowMs = (ctx.options.now ?? Date.now)();
  const cutoff = publicCutoffMs(nowMs, ctx.publicStats);
  const off = parseUtcOffset(ctx.observation.utcOffset);
  const summary = await portalSummary(ctx);
  const last = latestPublishedMonth(cutoff, summary, off);
  const first = summary.firstMs === null ? null : monthOf(summary.firstMs, off);
  if (monthParam === undefined) return { month: last, first, last, error: null };
  const month = parseMonth(monthParam);
  if (!month) return { month: null, first, last, error: 'bad' as const };
  if (!isPublished(month, cutoff, off)) return { month: null, first, last, error: 'unpublished' as const };
  // Before the first event there is nothing to show, not a month of withheld zeros.
  if (!first || monthKey(month) < monthKey(first)) return { month: null, first, last, error: null };
  return { month, first, last, error: null };
}

async function serveRelease(c: Context, ctx: PortalContext, caches: ReleaseCaches) {
  const page = pageRequest(c, ctx);
  const monthParam = c.req.query('month');
  const port = parsePort(c.req.query('port'));
  const chosen = await chosenMonth(ctx, monthParam);
  const status = statusText(await fleetStatus(ctx, (ctx.options.now ?? Date.now)()), page);
  const shell = (title: string, main: ReturnType<typeof html>, code: 200 | 400 | 404) =>
    c.html(layout(page, { title, status, simulated: ctx.simulated, main }), code);
  if (chosen.error === 'bad' || port === null)
    return shell(page.t.release.badMonth, html`<h1>${page.t.release.badMonth}</h1>`, 400);
  if (chosen.error === 'unpublished') {
    const msg = page.t.release.notPublished(monthParam ?? '');
    return shell(msg, html`<h1>${msg}</h1>`, 404);
  }
  if (!chosen.month)
    return shell(
      page.t.nav.release,
      html`<h1>${page.t.nav.release}</h1><p>${page.t.release.noData}</p>`,
      200,
    );
  const month = chosen.month;
  const title = page.t.release.title(page.fmt.monthName(month.year, month.month));
  // The page's links keep `?lang=` or not (page.href) and name the months around: both in the key.
  const bounds = `${chosen.first ? monthKey(chosen.first) : ''}..${chosen.last ? monthKey(chosen.last) : ''}`;
  const key = `${releaseKey(ctx, month, port)}|${page.lang}|${page.href('')}|${bounds}`;
  const main = await caches.pages.get(key, async () => {
    const release = await releaseFor(ctx, caches, month, port);
    return (await releaseMain(page, ctx, release, chosen)).toString();
  });
  return c.html(layout(page, { title, status, simulated: ctx.simulated, main: raw(main) }));
}

/**
 * The month's release, for `port` when one is asked: the release without a port is gathered once
 * (its port figure shows the month's busiest port) and another port's release is that one with
 * only its port figure read again (data.ts `withSeriesPort`).
 */
async function releaseFor(
  ctx: PortalContext,
  caches: ReleaseCaches,
  month: MonthId,
  port: Port | undefined,
): Promise<Release> {
  const base = await caches.releases.get(releaseKey(ctx, month, undefined), () => gatherRelease(ctx, month));
  if (!port || base.seriesPort === `${port.port}/${port.proto}`) return base;
  return caches.releases.get(releaseKey(ctx, month, port), () => withSeriesPort(ctx, base, port));
}

/** The release's data depends on the month, the port asked for and the public threshold. */
function releaseKey(ctx: PortalContext, month: MonthId, port: Port | undefined): string {
  const p = port ? `${port.port}/${port.proto}` : '';
  return `${monthKey(month)}|${p}|${ctx.publicStats.minCount}|${ctx.publicStats.delayHours}`;
}

/**
 * Published months' releases (data: the page, CSV and JSON) and pages. A quarter of an hour bounds
 * how long a late import into an old month goes unseen; the bounds keep `?port=` from growing them.
 */
export interface ReleaseCaches {
  readonly releases: SettledCache<Release>;
  readonly pages: SettledCache<string>;
}

export const RELEASE_CACHE_TTL_MS = 15 * 60_000;

export function releaseCaches(now: () => number): ReleaseCaches {
  return {
    releases: new SettledCache<Release>({ maxEntries: 32, ttlMs: RELEASE_CACHE_TTL_MS, now }),
    pages: new SettledCache<string>({ maxEntries: 64, ttlMs: RELEASE_CACHE_TTL_MS, now }),
  };
}

async function serveDataset(c: Context, ctx: PortalContext, caches: ReleaseCaches) {
  const file = /^([a-z-]+)\.(csv|json)$/.exec(c.req.param('file') ?? '');
  const id = file?.[1] as DatasetId | undefined;
  const port = parsePort(c.req.query('port'));
  const monthParam = c.req.param('month');
  const chosen = await chosenMonth(ctx, monthParam);
  if (
    !file ||
    !id ||
    !(DATASET_IDS as readonly string[]).includes(id) ||
    port === null ||
    chosen.error ||
    !chosen.month
  )
    return c.text(chosen.error === 'unpublished' ? 'not published yet\n' : 'not found\n', 404);
  const month = chosen.month;
  const release = await releaseFor(ctx, caches, month, port);
  const data = release.datasets[id];
  const name = `koban-${monthKey(chosen.month)}-${id}.${file[2]}`;
  c.header('Content-Disposition', `inline; filename="${name}"`);
  if (file[2] === 'json')
    return c.json({
      month: monthKey(chosen.month),
      dataset: id,
      port: id === 'port-series' ? release.seriesPort : undefined,
      columns: data.columns,
      rows: data.rows,
    });
  c.header('Content-Type', 'text/csv; charset=utf-8');
  return c.body(toCsv(data.columns, data.rows));
}

export function mountRelease(app: Hono, ctx: PortalContext): void {
  const caches = releaseCaches(ctx.options.now ?? Date.now);
  app.get('/', (c) => serveRelease(c, ctx, caches));
  app.get('/release/:month/:file', (c) => serveDataset(c, ctx, caches));
}
