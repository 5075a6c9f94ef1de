/**
 * The organisation's reports (`/member/reports`: newest first, with their label, campaign and
 * consent) and one report (`/member/reports/:id`): its shareable view, the indicators extracted and
 * the campaigns it joined as far as the member may see them. Read through intel's report and
 * campaign services with the signed-in user as the actor: another organisation's report that the
 * member may not read is "not found".
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { CampaignView } from '../../../intel/index.js';
import type { PortalContext } from '../page.js';
import { idParam, orNotFound } from './inbox.js';
import { orgName, type SignedInPage, shell, signedInPage } from './shell.js';
import { jsonTree, tlpLabel } from './views.js';

const LISTED = 200;

/** The campaign part of a report's status: none yet, one the member may read, or one they may not. */
function campaignText(page: SignedInPage, campaignId: number | null, campaign: CampaignView | null): string {
  const t = page.t.member.reports;
  if (campaignId === null) return t.notLinked;
  return campaign ? t.inCampaign(campaign.name) : t.noCampaign;
}

function status(
  page: SignedInPage,
  campaignId: number | null,
  campaign: CampaignView | null,
  consent?: boolean,
) {
  const t = page.t.member.reports;
  const parts = [campaignText(page, campaignId, campaign)];
  if (consent !== undefined) parts.push(consent ? t.consent : t.noConsent);
  return parts.join(' · ');
}

async function campaignOf(ctx: PortalContext, page: SignedInPage, id: number | null) {
  return id === null ? null : orNotFound(ctx.intel.campaigns.get(page.actor, id));
}

async function listPage(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  const t = page.t.member.reports;
  const list = await ctx.intel.reports.list(page.actor, { ownOrganisation: true, limit: LISTED });
  const names = new Map<number, CampaignView | null>();
  for (const r of list)
    if (r.campaignId !== null && !names.has(r.campaignId))
      names.set(r.campaignId, await campaignOf(ctx, page, r.campaignId));
  const main = html`<h1>${t.title}</h1><p>${t.intro(await orgName(ctx, page.actor))}</p>
${
  list.length === 0
    ? html`<p>${t.none}</p>`
    : html`<table class="reports"><thead><tr><th scope="col">${t.id}</th><th scope="col">TLP</th><th scope="col">${t.kind}</th><th scope="col">${t.titleCol}</th><th scope="col">${t.received}</th><th scope="col">${t.status}</th></tr></thead>
<tbody>${list.map(
        (r) =>
          html`<tr><td class="n">${r.id}</td><td>${tlpLabel(r.tlp)}</td><td>${r.kind}</td><td><a href="${page.href(`/member/reports/${r.id}`)}">${r.title}</a></td><td>${page.fmt.dateTime(r.receivedMs)}</td><td>${status(page, r.campaignId, r.campaignId === null ? null : (names.get(r.campaignId) ?? null))}</td></tr>`,
      )}</tbody></table>`
}`;
  return shell(c, ctx, page, { title: t.title, main });
}

async function detailPage(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  const t = page.t.member.reports;
  const id = idParam(c);
  const r = id === null ? null : await orNotFound(ctx.intel.reports.get(page.actor, id));
  if (!r)
    return shell(c, ctx, page, {
      title: t.notFound,
      main: html`<h1>${t.notFound}</h1><p><a href="${page.href('/member/reports')}">${t.back}</a></p>`,
      code: 404,
    });
  const campaign = await campaignOf(ctx, page, r.campaignId);
  const main = html`<article><h1>#${r.id} ${r.title}</h1>
${c.req.query('stored') === '1' ? html`<p class="done" role="status">${t.stored}</p>` : ''}
<p class="notice">${t.kind}: ${r.kind} · ${t.received}: ${page.fmt.dateTime(r.receivedMs)} · ${status(page, r.campaignId, campaign, r.consent)}</p>
<h2>${t.sharedView}</h2>
${jsonTree(r.shared)}
${
  r.indicators.length > 0
    ? html`<h2>${page.t.member.submit.indicators}</h2><table><thead><tr><th scope="col">${page.t.advisories.indicatorType}</th><th scope="col">${page.t.advisories.indicatorValue}</th></tr></thead>
<tbody>${r.indicators.map((i) => html`<tr><td>${i.type} (${i.role})</td><td><code>${i.value}</code></td></tr>`)}</tbody></table>`
    : ''
}
<h2>${t.campaigns}</h2>
${
  campaign
    ? html`<ul><li>${tlpLabel(campaign.tlp)} ${campaign.name} — ${t.campaignReports(campaign.reportCount)}</li></ul>`
    : html`<p>${campaignText(page, r.campaignId, null)}</p>`
}
<p><a href="${page.href('/member/reports')}">${t.back}</a></p></article>`;
  return shell(c, ctx, page, { title: r.title, main, tlp: r.tlp });
}

export function mountMemberReports(app: Hono, ctx: PortalContext): void {
  app.get('/member/reports', (c) => listPage(c, ctx));
  app.get('/member/reports/:id', (c) => detailPage(c, ctx));
}
