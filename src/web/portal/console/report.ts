/**
 * `/console/reports/:id`: one report as the analyst may read it — the shared content, the private
 * part marked as such (read through `privatePart`, so the read is audited and the private-part rule
 * applies), the extracted indicators with their counts, the evidence file's hash and chain of
 * custody, linked reports and the campaign — with the analyst's actions (report-actions.ts).
 * Everything is read through intel's services with the signed-in analyst as the actor; a report
 * they may not read (a RED one not addressed to them) is "not found".
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { type Actor, hasScope, type ReportView, readableCampaign } from '../../../intel/index.js';
import { idParam, orNotFound } from '../member/inbox.js';
import { jsonTree, tlpLabel } from '../member/views.js';
import type { PortalContext } from '../page.js';
import { type ConsolePage, consolePage, frame } from './frame.js';
import { doneOfReport, mountReportActions, reportActions } from './report-actions.js';
import { TRIAGE_PATH, triageForm } from './triage.js';

function observables(page: ConsolePage, r: ReportView) {
  const t = page.m.report;
  if (r.indicators.length === 0) return html`<p>${t.none}</p>`;
  return html`<table><thead><tr><th scope="col">${t.type}</th><th scope="col">${t.value}</th><th scope="col">${t.role}</th><th scope="col">${t.confidence}</th><th scope="col">${t.reports}</th><th scope="col">${t.orgs}</th><th scope="col">${t.warning}</th></tr></thead>
<tbody>${r.indicators.map(
    (
      i,
    ) => html`<tr><td>${i.type}</td><td><a href="${page.href('/console/indicators', { q: i.value })}"><code>${i.value}</code></a></td><td>${i.role}</td>
<td class="n">${i.confidence}</td><td class="n">${i.reportCount}</td><td class="n">${i.orgCount}</td><td>${i.warning ?? ''}</td></tr>`,
  )}</tbody></table>`;
}

/** The private part: for the center it is always open (labels/access.ts `privateOpenTo`). */
async function privateSection(ctx: PortalContext, page: ConsolePage, r: ReportView) {
  const t = page.m.report;
  const content =
    r.reporter === null ? null : await orNotFound(ctx.intel.reports.privatePart(page.actor, r.id));
  if (content === null) return '';
  return html`<section class="private" aria-labelledby="private-h"><h2 id="private-h">${t.private}<span class="not-shared">${t.notShared}</span></h2>
<p class="notice">${t.privateNote}</p>${jsonTree(content)}</section>`;
}

async function evidence(ctx: PortalContext, page: ConsolePage, actor: Actor, sha256: string | null) {
  const t = page.m.report;
  if (sha256 === null) return html`<h2>${t.evidence}</h2><p>${t.noEvidence}</p>`;
  const custody = await ctx.intel.evidence.custody(actor, sha256);
  return html`<h2>${t.evidence}</h2><p>${t.sha256}: <code>${sha256}</code></p>
<table><thead><tr><th scope="col">${t.custodyAt}</th><th scope="col">${t.custodyWho}</th><th scope="col">${t.custodyAction}</th></tr></thead>
<tbody>${custody.map(
    (e) =>
      html`<tr><td>${page.fmt.dateTime(e.atMs)}</td><td>${e.actorLabel}</td><td>${e.action}${e.reportId === null ? '' : ` (#${e.reportId})`}</td></tr>`,
  )}</tbody></table>`;
}

/**
 * Who read or changed the report, from the audit log: center admins only (`audit:read`; intel's
 * `auditLog` refuses anyone else), so an analyst's page leaves it out.
 */
async function accessLog(ctx: PortalContext, page: ConsolePage, id: number) {
  const t = page.m.report;
  if (!hasScope(page.actor, 'audit:read') || page.actor.role !== 'center-admin') return '';
  const rows = await ctx.intel.auditLog(page.actor, {
    targetType: 'report',
    targetId: String(id),
    limit: 50,
  });
  return html`<h3>${t.accessLog}</h3><table><thead><tr><th scope="col">${t.custodyAt}</th><th scope="col">${t.custodyWho}</th><th scope="col">${t.custodyAction}</th></tr></thead>
<tbody>${rows.map((e) => html`<tr><td>${page.fmt.dateTime(e.atMs)}</td><td>${e.actorLabel}</td><td>${e.action}</td></tr>`)}</tbody></table>`;
}

async function campaignPart(ctx: PortalContext, page: ConsolePage, r: ReportView) {
  const t = page.m.report;
  const now = (ctx.options.now ?? Date.now)();
  const c = r.campaignId === null ? null : await readableCampaign(ctx.intel, page.actor, r.campaignId, now);
  return html`<h2>${t.campaign}</h2>${
    c
      ? html`<p>${tlpLabel(c.tlp)} <a href="${page.href(`/console/campaigns/${c.id}`)}">#${c.id} ${c.name}</a></p>`
      : html`<p>${t.noCampaign}</p>`
  }`;
}

function links(page: ConsolePage, r: ReportView) {
  const t = page.m.report;
  if (r.links.length === 0) return '';
  return html`<h2>${t.links}</h2><ul>${r.links.map(
    (l) =>
      html`<li><a href="${page.href(`/console/reports/${l.reportId}`)}">#${l.reportId}</a> (${t.weight} ${l.weight})</li>`,
  )}</ul>`;
}

async function reportPage(c: Context, ctx: PortalContext) {
  const page = consolePage(c, ctx);
  const t = page.m.report;
  const id = idParam(c);
  const r = id === null ? null : await orNotFound(ctx.intel.reports.get(page.actor, id));
  if (!r)
    return frame(c, ctx, page, {
      title: t.notFound,
      main: html`<h1>${t.notFound}</h1><p><a href="${page.href(TRIAGE_PATH)}">${t.back}</a></p>`,
      code: 404,
    });
  const reporter = r.reporter
    ? html` · ${t.reporter}: ${r.reporter.orgName} · ${r.consent ? t.consent : t.noConsent}`
    : '';
  const main = html`<article><h1>#${r.id} ${r.title}</h1>
${doneOfReport(page, c.req.query('done'))}
<p class="notice">${tlpLabel(r.tlp)} ${t.kind}: ${r.kind} · ${t.received}: ${page.fmt.dateTime(r.receivedMs)} · ${t.observed}: ${page.fmt.dateTime(r.observedMs)}${reporter}</p>
<div class="triage">${t.triage}: ${triageForm(page, r.id, r.triage, `/console/reports/${r.id}`)}</div>
<h2>${t.shared}</h2>${jsonTree(r.shared)}
${await privateSection(ctx, page, r)}
<h2>${t.observables}</h2>${observables(page, r)}
${await evidence(ctx, page, page.actor, r.evidenceSha256)}
${await accessLog(ctx, page, r.id)}
${links(page, r)}
${await campaignPart(ctx, page, r)}
${await reportActions(ctx, page, r)}
<p><a href="${page.href(TRIAGE_PATH)}">${t.back}</a></p></article>`;
  return frame(c, ctx, page, { title: r.title, main, tlp: r.tlp });
}

export function mountConsoleReport(app: Hono, ctx: PortalContext): void {
  app.get('/console/reports/:id', (c) => reportPage(c, ctx));
  mountReportActions(app, ctx);
}
