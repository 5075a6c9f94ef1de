/**
 * `/console/advisories`: every advisory center staff may read (drafts too), newest first, with its
 * status, label, the organisations it was sent to and those that answered "we received this too";
 * `/console/advisories/:id` for a sent one: its content as recipients see it, who received it
 * (the inbox deliveries of the delivery log) and who answered, with their notes. A draft's page
 * (preview per audience, send) is advisory-draft.ts. Everything goes through intel's advisory
 * service with the signed-in analyst as the actor.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { AdvisoryView, DeliveryRecord } from '../../../intel/index.js';
import { advisoryContent } from '../advisories/pages.js';
import { idParam, orNotFound } from '../member/inbox.js';
import { tlpLabel } from '../member/views.js';
import type { PortalContext } from '../page.js';
import { draftPage, mountAdvisoryDrafting } from './advisory-draft.js';
import { ADVISORY_MESSAGES } from './advisory-messages.js';
import { type DeskPage, deskPage, deskShell, notFoundPage } from './desk.js';

export const ADVISORIES_PATH = '/console/advisories';
const PAGE_SIZE = 50;
/** Recipients named on an advisory's page (a sector-wide advisory reaches hundreds). */
const NAMED_RECIPIENTS = 500;

async function listPage(c: Context, ctx: PortalContext) {
  const page = deskPage(c, ctx);
  const t = page.m.adv;
  const before = c.req.query('before');
  const beforeId = before !== undefined && /^[1-9]\d{0,11}$/.test(before) ? Number(before) : undefined;
  const rows = await ctx.intel.advisories.listTallied(page.actor, { limit: PAGE_SIZE, beforeId });
  const last = rows.at(-1);
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
<p><a href="${page.href(`${ADVISORIES_PATH}/new`)}">${t.newLink}</a> · <a href="${page.href(`${ADVISORIES_PATH}/new`, { source: 'none' })}">${ADVISORY_MESSAGES[page.lang].blankLink}</a></p>
${
  rows.length === 0
    ? html`<p>${page.m.common.none}</p>`
    : html`<table class="advisory-list"><thead><tr><th scope="col">${t.colTitle}</th><th scope="col">${t.colTlp}</th><th scope="col">${t.colStatus}</th>
<th scope="col" class="num">${t.colReceived}</th><th scope="col" class="num">${t.colAnswered}</th><th scope="col">${t.colUpdated}</th></tr></thead>
<tbody>${rows.map(
        (
          a,
        ) => html`<tr><td><a href="${page.href(`${ADVISORIES_PATH}/${a.id}`)}">${a.title}</a></td><td>${tlpLabel(a.tlp)}</td>
<td>${t.status[a.status] ?? a.status}</td><td class="num">${page.fmt.count(a.recipients)}</td><td class="num">${page.fmt.count(a.answered)}</td>
<td>${page.fmt.dateTime(a.updatedMs)}</td></tr>`,
      )}</tbody></table>`
}
${rows.length === PAGE_SIZE && last ? html`<p><a href="${page.href(ADVISORIES_PATH, { before: String(last.id) })}">${page.m.common.next}</a></p>` : ''}`;
  return deskShell(c, ctx, page, { title: t.title, main });
}

/** The organisations (and named users) the inbox deliveries of the current version went to. */
async function recipientsTable(ctx: PortalContext, page: DeskPage, v: AdvisoryView) {
  const t = page.m.adv;
  const log: DeliveryRecord[] = await ctx.intel.advisories.deliveries(page.actor, v.id);
  const current = log
    .filter((d) => d.version === v.version && d.channel === 'inbox')
    .slice(0, NAMED_RECIPIENTS);
  const names = new Map<number, string>();
  for (const d of current)
    if (d.orgId !== null && !names.has(d.orgId))
      names.set(d.orgId, (await ctx.intel.orgs.get(d.orgId))?.name ?? `#${d.orgId}`);
  const r = v.analysis?.recipients ?? { organisations: 0, users: 0 };
  return html`<h2>${t.recipientsHeading}</h2><p>${t.recipientsCount(page.fmt.count(r.organisations), page.fmt.count(r.users))}</p>
${
  current.length === 0
    ? ''
    : html`<table class="recipients"><thead><tr><th scope="col">${t.colOrg}</th><th scope="col">${t.colChannel}</th><th scope="col">${t.colDelivery}</th></tr></thead>
<tbody>${current.map(
        (d) =>
          html`<tr><td>${d.orgId === null ? `user:${d.userId}` : names.get(d.orgId)}</td><td>${d.channel}</td><td>${t.delivery[d.status] ?? d.status}${
            d.deliveredMs === null ? '' : html` (${page.fmt.dateTime(d.deliveredMs)})`
          }</td></tr>`,
      )}</tbody></table>`
}`;
}

function answersTable(page: DeskPage, v: AdvisoryView) {
  const t = page.m.adv;
  const answers = v.analysis?.sightings ?? [];
  return html`<h2>${t.answersHeading}</h2>${
    answers.length === 0
      ? html`<p>${t.noAnswers}</p>`
      : html`<table class="answers"><thead><tr><th scope="col">${t.colOrg}</th><th scope="col">${t.colAt}</th><th scope="col">${t.colNote}</th><th scope="col">${t.colReport}</th></tr></thead>
<tbody>${answers.map(
          (s) =>
            html`<tr><td>${s.orgName}</td><td>${page.fmt.dateTime(s.atMs)}</td><td>${s.note ?? ''}</td><td>${s.reportId === null ? '' : `#${s.reportId}`}</td></tr>`,
        )}</tbody></table>`
  }`;
}

async function detailPage(c: Context, ctx: PortalContext) {
  const page = deskPage(c, ctx);
  const id = idParam(c);
  const v = id === null ? null : await orNotFound(ctx.intel.advisories.get(page.actor, id));
  if (!v) return notFoundPage(c, ctx, page, ADVISORIES_PATH);
  if (v.status === 'draft') return draftPage(c, ctx, page, v);
  const t = page.m.adv;
  const main = html`<article><h1>${v.title}</h1>
<p class="notice">${t.status[v.status]}${v.sentMs === null ? '' : html` · ${t.detailSent(page.fmt.dateTime(v.sentMs))}`}</p>
${await recipientsTable(ctx, page, v)}
${answersTable(page, v)}
<h2>${t.content}</h2>
${advisoryContent(page, v)}
<p><a href="${page.href(ADVISORIES_PATH)}">${page.m.common.back}</a></p></article>`;
  return deskShell(c, ctx, page, { title: v.title, main, tlp: v.tlp });
}

export function mountConsoleAdvisories(app: Hono, ctx: PortalContext): void {
  app.get(ADVISORIES_PATH, (c) => listPage(c, ctx));
  // Before `/:id`: `new` is a page of its own.
  mountAdvisoryDrafting(app, ctx);
  app.get(`${ADVISORIES_PATH}/:id`, (c) => detailPage(c, ctx));
}
