/**
 * A periodic report as one HTML document: the cover (title, the period in the Japanese era and
 * Gregorian forms, date of issue), the observation chapter (the release's tables and figures over
 * the period: release/data.ts) and the sharing network's chapter (sharing.ts). Every figure is the
 * public view's (delayed, thresholded), so the report says nothing the site would not.
 */
import { html, raw } from 'hono/html';
import { parseUtcOffset } from '../../../core/index.js';
import { renderChart } from '../charts.js';
import { CATALOGUES, Formatter, type Lang } from '../i18n/index.js';
import type { Markup } from '../layout.js';
import type { PageRequest, PortalContext } from '../page.js';
import { gatherSpan, type SpanRelease } from '../release/data.js';
import { FIGURE_WIDTH, FIGURES } from '../release/figures.js';
import { dailyTable, topTable } from '../release/tables.js';
import { eraLabel, type Period, periodKey, periodMonths, periodRange, periodSpan } from './period.js';
import { gatherSharing, type SharingChapter } from './sharing.js';
import { REPORT_CSS, REPORT_CSS_PATH } from './style.js';

export interface ReportOptions {
  readonly lang: Lang;
  /** `inline` for a file (a `<style>` element), `link` for the site (its CSP forbids inline style). */
  readonly stylesheet: 'inline' | 'link';
  readonly nowMs: number;
}

/** A page request without an HTTP request: a report has no forms and links within itself only. */
export function reportPage(lang: Lang, utcOffsetMinutes: number): PageRequest {
  return {
    lang,
    t: CATALOGUES[lang],
    fmt: new Formatter(lang, utcOffsetMinutes),
    here: '/reports',
    csrf: '',
    href: (path, params = {}) => {
      const q = new URLSearchParams(params).toString();
      return q ? `${path}?${q}` : path;
    },
  };
}

/** The period in Gregorian form: 2026年11月 / November 2026, 2026年上半期 / First half of 2026. */
export function gregorianLabel(page: PageRequest, p: Period): string {
  if (p.kind === 'monthly') return page.fmt.monthName(p.year, p.index);
  return p.kind === 'semiannual'
    ? page.t.report.gregorianHalf(p.year, p.index)
    : page.t.report.gregorianYear(p.year);
}

export function reportTitle(page: PageRequest, p: Period): string {
  const period = page.lang === 'ja' ? eraLabel(p) : gregorianLabel(page, p);
  return page.t.report.documentTitle(period, page.t.report.kind[p.kind]);
}

const cell = (page: PageRequest, n: number | null) => (n === null ? page.t.suppressed : page.fmt.count(n));

async function figures(page: PageRequest, release: SpanRelease) {
  const out: Markup[] = [];
  for (const f of FIGURES) {
    const id = `fig-${f.id}`;
    const svg = await renderChart(
      f.option(release.datasets[f.id], page, release.bucket),
      { width: FIGURE_WIDTH, height: f.height },
      { prefix: `c-${f.id}`, labelledBy: id },
    );
    out.push(
      html`<figure><figcaption id="${id}">${f.caption(page, release)}</figcaption>${raw(svg)}</figure>`,
    );
  }
  return out;
}

async function observationChapter(page: PageRequest, ctx: PortalContext, p: Period, release: SpanRelease) {
  const t = page.t;
  const d = release.datasets;
  // "Previous month" in a monthly report, the previous half year or year otherwise.
  const heads = { previousRank: t.report.previousRank[p.kind], change: t.report.change[p.kind] };
  return html`<section class="chapter"><h2>${t.report.observationChapter}</h2>
<p>${t.report.observationIntro}</p>
<p class="notice">${t.publicNotice(ctx.publicStats.delayHours, ctx.publicStats.minCount)}
${t.release.monitoredAddresses(page.fmt.count(release.addresses))}</p>
${p.kind === 'monthly' ? '' : html`<p class="notice">${t.report.byMonthNote}</p>`}
<h3>${p.kind === 'monthly' ? t.release.dailyTitle : t.report.byMonthTitle}</h3>
${dailyTable(page, release)}
<h3>${t.report.topTitle[p.kind]}</h3>
<div class="tops">${topTable(page, release, 'top-ports', t.release.topPorts, d['top-ports'], heads)}
${topTable(page, release, 'top-countries', t.release.topCountries, d['top-countries'], heads)}
${topTable(page, release, 'top-techniques', t.release.topTechniques, d['top-techniques'], heads)}</div>
<h3>${t.release.figuresTitle}</h3>
${await figures(page, release)}</section>`;
}

function sharingChapter(page: PageRequest, s: SharingChapter) {
  const r = page.t.report;
  const n = (v: number | null) => cell(page, v);
  return html`<section class="chapter"><h2>${r.sharingChapter}</h2>
<p>${r.sharingIntro}</p>
<h3>${r.reportsTitle}</h3>
<table><thead><tr><th scope="col">${r.month}</th><th scope="col">${r.reportsCol}</th><th scope="col">${r.emailsCol}</th></tr></thead>
<tbody>${s.months.map(
    (m) =>
      html`<tr><th scope="row">${page.fmt.monthName(Number(m.month.slice(0, 4)), Number(m.month.slice(5, 7)))}</th><td class="n">${n(m.reports)}</td><td class="n">${n(m.emails)}</td></tr>`,
  )}<tr><th scope="row">${r.total}</th><td class="n">${n(s.reports)}</td><td class="n">${n(s.emails)}</td></tr></tbody></table>
<h3>${r.c2Title}</h3>
<p>${r.c2Summary(n(s.c2.destinations), n(s.c2.addresses))}</p>
${
  s.c2.byCountry.length === 0
    ? html`<p>${r.noRows}</p>`
    : html`<table><thead><tr><th scope="col">${r.country}</th><th scope="col">${r.destinations}</th><th scope="col">${r.share}</th></tr></thead>
<tbody>${s.c2.byCountry.map(
        (c) =>
          html`<tr><th scope="row">${page.fmt.country(c.country)}</th><td class="n">${page.fmt.count(c.destinations)}</td><td class="n">${page.fmt.percent(c.share)}</td></tr>`,
      )}</tbody></table>`
}
<h3>${r.campaignsTitle}</h3>
<p>${r.campaigns(n(s.campaigns), n(s.campaignReports))}</p>
<h3>${r.advisoriesTitle}</h3>
<p>${r.advisoriesSent(n(s.advisoriesSent))}</p></section>`;
}

function cover(page: PageRequest, ctx: PortalContext, p: Period, nowMs: number) {
  const t = page.t;
  const range = periodRange(p, page.fmt.utcOffsetMinutes);
  const era = eraLabel(p);
  const gregorian = gregorianLabel(page, p);
  return html`<section class="cover">
<p class="org">${t.siteName}</p>
<h1>${t.report.kind[p.kind]}</h1>
<p class="era" lang="ja">${era}</p>
<p class="gregorian">${gregorian} ${t.report.gregorianRange(page.fmt.date(range.fromMs), page.fmt.date(range.toMs - 1))}</p>
<p>${t.report.issued(page.fmt.date(nowMs))}</p>
${ctx.simulated ? html`<p class="sim" role="note"><strong>SIMULATED</strong> ${t.simulated}</p>` : ''}
</section>`;
}

/** The report's HTML, from the center's data as the public may see it. */
export async function renderReport(ctx: PortalContext, p: Period, o: ReportOptions): Promise<string> {
  const off = parseUtcOffset(ctx.observation.utcOffset);
  const page = reportPage(o.lang, off);
  const [release, sharing] = await Promise.all([
    gatherSpan(ctx, periodSpan(p, off)),
    gatherSharing(ctx, periodMonths(p), periodRange(p, off), off),
  ]);
  const style =
    o.stylesheet === 'inline'
      ? html`<style>${raw(REPORT_CSS)}</style>`
      : html`<link rel="stylesheet" href="${REPORT_CSS_PATH}">`;
  const doc = html`<!doctype html>
<html lang="${page.t.htmlLang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${reportTitle(page, p)} — ${page.t.siteName}</title>
<meta name="koban-period" content="${periodKey(p)}">
${style}
</head><body class="report"><main id="main">
${cover(page, ctx, p, o.nowMs)}
${await observationChapter(page, ctx, p, release)}
${sharingChapter(page, sharing)}
</main></body></html>`;
  return (await doc).toString();
}
