/**
 * `/console/indicators?q=`: the analysts' indicator search — values containing the text (as typed
 * or in canonical form) among the reports the analyst may read, each with its aggregates (reports,
 * organisations, first and last seen), the campaigns holding it and links to its reports. Reads go
 * through intel's indicator, report and campaign services as the analyst (one access check;
 * AMBER-or-stricter reads are audited there).
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { campaignsOfIndicator, type IndicatorView } from '../../../intel/index.js';
import { tlpLabel } from '../member/views.js';
import type { PortalContext } from '../page.js';
import { type ConsolePage, consolePage, frame, strictest } from './frame.js';

const RESULTS = 50;
/** Reports linked per value (the newest); the count beside them says how many there are. */
const REPORTS_PER_VALUE = 10;
const MAX_QUERY = 500;

async function resultRow(ctx: PortalContext, page: ConsolePage, v: IndicatorView, nowMs: number) {
  const campaigns = await campaignsOfIndicator(ctx.intel, page.actor, v.id, nowMs);
  const reports = await ctx.intel.reports.list(page.actor, { indicatorId: v.id, limit: REPORTS_PER_VALUE });
  return html`<tr><td>${tlpLabel(v.readAs)}</td><td>${v.type}</td><td><code>${v.value}</code>${
    v.warning ? html` <small class="why">(${page.m.indicators.warning}: ${v.warning})</small>` : ''
  }</td>
<td class="n">${v.reportCount}</td><td class="n">${v.orgCount}</td><td>${page.fmt.dateTime(v.firstSeenMs)}</td><td>${page.fmt.dateTime(v.lastSeenMs)}</td>
<td>${campaigns.map((c) => html`<a href="${page.href(`/console/campaigns/${c.id}`)}">#${c.id} ${c.name}</a> `)}</td>
<td>${reports.map((r) => html`<a href="${page.href(`/console/reports/${r.id}`)}">#${r.id}</a> `)}</td></tr>`;
}

async function searchPage(c: Context, ctx: PortalContext) {
  const page = consolePage(c, ctx);
  const t = page.m.indicators;
  const q = (c.req.query('q') ?? '').trim().slice(0, MAX_QUERY);
  const found =
    q === ''
      ? []
      : await ctx.intel.indicators.list(page.actor, {
          contains: q,
          current: false,
          includeWarningListed: true,
          limit: RESULTS,
        });
  const nowMs = (ctx.options.now ?? Date.now)();
  const rows = [];
  for (const v of found) rows.push(await resultRow(ctx, page, v, nowMs));
  const main = html`<h1>${t.title}</h1>
<form method="get" action="/console/indicators" role="search">
${new URL(page.here, 'http://x').searchParams.has('lang') ? html`<input type="hidden" name="lang" value="${page.lang}">` : ''}
<label for="q">${t.query}</label> <input id="q" name="q" value="${q}" size="50" maxlength="${MAX_QUERY}">
<button type="submit">${t.search}</button></form>
${
  q === ''
    ? ''
    : found.length === 0
      ? html`<p>${t.none}</p>`
      : html`<p class="notice">${t.intro}</p><table><thead><tr><th scope="col">TLP</th><th scope="col">${t.type}</th><th scope="col">${t.value}</th><th scope="col">${t.reports}</th><th scope="col">${t.orgs}</th><th scope="col">${t.firstSeen}</th><th scope="col">${t.lastSeen}</th><th scope="col">${t.campaigns}</th><th scope="col">${t.reportLinks}</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
  return frame(c, ctx, page, { title: t.title, main, tlp: strictest(found.map((v) => v.readAs)) });
}

export function mountIndicatorSearch(app: Hono, ctx: PortalContext): void {
  app.get('/console/indicators', (c) => searchPage(c, ctx));
}
