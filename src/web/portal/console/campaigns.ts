/**
 * `/console/campaigns`: the campaigns the analyst may read, most recently changed first (keyset
 * paging on update time and id, as the API's list); `/console/campaigns/:id`: one campaign with
 * its reports, the values they share, its bridges to other campaigns, a timeline, and the
 * curation forms (campaign-actions.ts: rename, merge, split, label). Read through intel's
 * campaign service as the analyst.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { CampaignView } from '../../../intel/index.js';
import { idParam, orNotFound } from '../member/inbox.js';
import { tlpLabel } from '../member/views.js';
import type { PortalContext } from '../page.js';
import { campaignActions, doneOfCampaign, mountCampaignActions, splitBoxes } from './campaign-actions.js';
import { type ConsolePage, consolePage, frame, strictest } from './frame.js';
import { timeline } from './timeline.js';

const PAGE = 50;
export const CAMPAIGNS_PATH = '/console/campaigns';

function parseAfter(s: string | undefined): { updatedMs: number; id: number } | undefined {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(s ?? '');
  return m ? { updatedMs: Number(m[1]), id: Number(m[2]) } : undefined;
}

async function listPage(c: Context, ctx: PortalContext) {
  const page = consolePage(c, ctx);
  const t = page.m.campaigns;
  const rows = await ctx.intel.campaigns.list(page.actor, {
    after: parseAfter(c.req.query('after')),
    limit: PAGE + 1,
  });
  const list = rows.slice(0, PAGE);
  const last = list.at(-1);
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
${
  list.length === 0
    ? html`<p>${t.none}</p>`
    : html`<table><thead><tr><th scope="col">${t.id}</th><th scope="col">TLP</th><th scope="col">${t.name}</th><th scope="col">${t.reports}</th><th scope="col">${t.updated}</th></tr></thead>
<tbody>${list.map(
        (k) =>
          html`<tr><td class="n">${k.id}</td><td>${tlpLabel(k.tlp)}</td><td><a href="${page.href(`${CAMPAIGNS_PATH}/${k.id}`)}">${k.name}</a></td><td class="n">${k.reportCount}</td><td>${page.fmt.dateTime(k.updatedMs)}</td></tr>`,
      )}</tbody></table>`
}
${rows.length > PAGE && last ? html`<p><a rel="next" href="${page.href(CAMPAIGNS_PATH, { after: `${last.updatedMs}-${last.id}` })}">${t.next} →</a></p>` : ''}`;
  return frame(c, ctx, page, { title: t.title, main, tlp: strictest(list.map((k) => k.tlp)) });
}

function reportsTable(page: ConsolePage, v: CampaignView) {
  const m = page.m;
  return html`<h2>${m.campaigns.reports} (${v.reportCount})</h2>
<table><thead><tr><th scope="col">${m.campaigns.select}</th><th scope="col">${m.triage.id}</th><th scope="col">TLP</th><th scope="col">${m.triage.kind}</th><th scope="col">${m.triage.titleCol}</th><th scope="col">${m.triage.org}</th><th scope="col">${m.report.observed}</th></tr></thead>
<tbody>${v.reports.map(
    (
      r,
    ) => html`<tr><td>${splitBoxes(page, r.id)}</td><td class="n">${r.id}</td><td>${tlpLabel(r.tlp)}</td><td>${r.kind}</td>
<td><a href="${page.href(`/console/reports/${r.id}`)}">${r.title}</a></td><td>${r.reporter?.orgName ?? ''}</td><td>${page.fmt.dateTime(r.observedMs)}</td></tr>`,
  )}</tbody></table>`;
}

function sharedValues(page: ConsolePage, v: CampaignView) {
  const t = page.m.campaigns;
  if (v.indicators.length === 0) return '';
  return html`<h2>${t.values}</h2><ul>${v.indicators.map(
    (i) =>
      html`<li>${i.type} <a href="${page.href('/console/indicators', { q: i.value })}"><code>${i.value}</code></a> — ${page.m.report.reports} ${i.reports} · ${page.m.report.orgs} ${i.orgCount}</li>`,
  )}</ul>`;
}

function bridges(page: ConsolePage, v: CampaignView) {
  const t = page.m.campaigns;
  if (v.bridges.length === 0) return '';
  return html`<h2>${t.bridges}</h2><ul>${v.bridges.map(
    (b) =>
      html`<li><a href="${page.href(`${CAMPAIGNS_PATH}/${b.otherCampaignId}`)}">${t.bridge(b.otherCampaignId, b.reportId)}</a></li>`,
  )}</ul>`;
}

async function detailPage(c: Context, ctx: PortalContext) {
  const page = consolePage(c, ctx);
  const t = page.m.campaigns;
  const id = idParam(c);
  const v = id === null ? null : await orNotFound(ctx.intel.campaigns.get(page.actor, id));
  if (!v)
    return frame(c, ctx, page, {
      title: t.notFound,
      main: html`<h1>${t.notFound}</h1><p><a href="${page.href(CAMPAIGNS_PATH)}">${t.back}</a></p>`,
      code: 404,
    });
  const main = html`<article><h1>#${v.id} ${v.name}</h1>
${doneOfCampaign(page, c.req.query('done'))}
<p class="notice">${tlpLabel(v.tlp)} ${t.created}: ${page.fmt.dateTime(v.createdMs)} · ${t.updated}: ${page.fmt.dateTime(v.updatedMs)}</p>
${await timeline(page, v.reports, page.fmt.utcOffsetMinutes * 60_000)}
${reportsTable(page, v)}
${sharedValues(page, v)}
${bridges(page, v)}
${await campaignActions(ctx, page, v)}
<p><a href="${page.href(CAMPAIGNS_PATH)}">${t.back}</a></p></article>`;
  // The banner names the strictest label on the page: the campaign's or one of its reports'.
  return frame(c, ctx, page, {
    title: v.name,
    main,
    tlp: strictest([v.tlp, ...v.reports.map((r) => r.tlp)]),
  });
}

export function mountCampaignPages(app: Hono, ctx: PortalContext): void {
  app.get(CAMPAIGNS_PATH, (c) => listPage(c, ctx));
  app.get(`${CAMPAIGNS_PATH}/:id`, (c) => detailPage(c, ctx));
  mountCampaignActions(app, ctx);
}
