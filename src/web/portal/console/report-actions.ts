/**
 * The analyst's actions on a report's page: add indicators (intake's `addIndicators`: recorded on
 * the report and correlated at once), link it to a campaign (`campaigns.link`), and change its
 * label — which, since only the reporter decides a label (TLP 2.0), is a request for a lower label
 * (`declassifications.request`), approved by the reporting organisation or a second center admin.
 * The rules are intel's: this file only reads forms and calls the services as the analyst.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { KobanError } from '../../../core/index.js';
import { INDICATOR_ROLES, type ReportView, type Tlp, TlpSchema } from '../../../intel/index.js';
import { csrfField, requireCsrf } from '../csrf.js';
import { idParam } from '../member/inbox.js';
import type { PortalContext } from '../page.js';
import { act, type ConsolePage, formIds, formText, readForm, redirectDone } from './frame.js';
import { doneNote } from './triage.js';

/** Values added at once from the form (the API takes more; a form is typed by hand). */
const MAX_VALUES = 100;
const CAMPAIGN_CHOICES = 200;

function lowerLabels(tlp: Tlp): Tlp[] {
  const order = TlpSchema.options;
  return order.slice(0, order.indexOf(tlp));
}

function addForm(page: ConsolePage, r: ReportView) {
  const t = page.m.report;
  return html`<form method="post" action="${page.href(`/console/reports/${r.id}/indicators`)}">${csrfField(page.csrf)}
<h3>${t.addIndicators}</h3>
<p><label for="add-values">${t.addValues}</label><br><textarea id="add-values" name="values" rows="4" cols="60" required></textarea></p>
<p><label for="add-role">${t.addRole}</label> <select id="add-role" name="role">${INDICATOR_ROLES.map(
    (role) => html`<option value="${role}"${role === 'c2' ? raw(' selected') : ''}>${role}</option>`,
  )}</select></p>
<p><label for="add-note">${t.addNote}</label><br><input id="add-note" name="note" maxlength="2000" size="60"></p>
<p><button type="submit">${t.add}</button></p></form>`;
}

async function linkForm(ctx: PortalContext, page: ConsolePage, r: ReportView) {
  const t = page.m.report;
  const campaigns = (await ctx.intel.campaigns.list(page.actor, { limit: CAMPAIGN_CHOICES })).filter(
    (c) => c.id !== r.campaignId,
  );
  if (campaigns.length === 0) return html`<h3>${t.link}</h3><p>${t.noCampaigns}</p>`;
  return html`<form method="post" action="${page.href(`/console/reports/${r.id}/campaign`)}">${csrfField(page.csrf)}
<h3>${t.link}</h3>
<p><label for="link-campaign">${t.linkTo}</label> <select id="link-campaign" name="campaignId">${campaigns.map(
    (c) => html`<option value="${c.id}">#${c.id} ${c.name} (TLP:${c.tlp})</option>`,
  )}</select> <button type="submit">${t.linkSubmit}</button></p></form>`;
}

async function labelForm(ctx: PortalContext, page: ConsolePage, r: ReportView) {
  const t = page.m.report;
  const lower = lowerLabels(r.tlp);
  const requests = await ctx.intel.declassifications.list(page.actor, { reportId: r.id });
  const history =
    requests.length === 0
      ? ''
      : html`<h4>${t.requests}</h4><ul>${requests.map(
          (d) =>
            html`<li>TLP:${d.fromTlp} → TLP:${d.toTlp} · ${t.requestStatus[d.status]} · ${page.fmt.dateTime(d.requestedMs)} · ${d.reason}</li>`,
        )}</ul>`;
  const form =
    lower.length === 0
      ? html`<p>${t.lowest}</p>`
      : html`<form method="post" action="${page.href(`/console/reports/${r.id}/label`)}">${csrfField(page.csrf)}
<p><label for="label-tlp">${t.labelTo}</label> <select id="label-tlp" name="tlp">${lower.map(
          (l) => html`<option value="${l}">TLP:${l}</option>`,
        )}</select></p>
<p><label for="label-reason">${t.reason}</label><br><textarea id="label-reason" name="reason" rows="2" cols="60" minlength="3" maxlength="2000" required></textarea></p>
<p><button type="submit">${t.request}</button></p></form>`;
  return html`<h3>${t.label}</h3><p class="notice">${t.labelIntro}</p>${form}${history}`;
}

export async function reportActions(ctx: PortalContext, page: ConsolePage, r: ReportView) {
  return html`<section class="actions" aria-labelledby="actions-h"><h2 id="actions-h">${page.m.report.actions}</h2>
${addForm(page, r)}${await linkForm(ctx, page, r)}${await labelForm(ctx, page, r)}</section>`;
}

/** The note after an action (`done=`), or nothing; the triage status's note is triage.ts's. */
export function doneOfReport(page: ConsolePage, done: string | undefined) {
  const t = page.m.report;
  const added = /^added:(\d{1,4})$/.exec(done ?? '');
  const text = added
    ? t.added(Number(added[1]))
    : done === 'linked'
      ? t.linked
      : done === 'requested'
        ? t.requested
        : null;
  return text === null ? doneNote(page, done) : html`<p class="done" role="status">${text}</p>`;
}

async function addIndicators(c: Context, ctx: PortalContext, id: number, page: ConsolePage) {
  const form = await readForm(c);
  const values = (formText(form, 'values') ?? '')
    .split(/\r?\n/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (values.length === 0) throw new KobanError('E_USAGE', 'give at least one value');
  if (values.length > MAX_VALUES) throw new KobanError('E_USAGE', `at most ${MAX_VALUES} values at once`);
  const role = formText(form, 'role') ?? 'c2';
  const note = formText(form, 'note');
  const r = await ctx.intel.intake.addIndicators(
    page.actor,
    id,
    values.map((value) => ({
      value,
      role: role as (typeof INDICATOR_ROLES)[number],
      ...(note ? { note } : {}),
    })),
  );
  return redirectDone(c, page, `/console/reports/${id}`, `added:${r.indicators.length}`);
}

async function linkCampaign(c: Context, ctx: PortalContext, id: number, page: ConsolePage) {
  const [campaignId] = formIds(await readForm(c), 'campaignId');
  if (campaignId === undefined) throw new KobanError('E_USAGE', 'choose a campaign');
  await ctx.intel.campaigns.link(page.actor, campaignId, id);
  return redirectDone(c, page, `/console/reports/${id}`, 'linked');
}

async function requestLabel(c: Context, ctx: PortalContext, id: number, page: ConsolePage) {
  const form = await readForm(c);
  const tlp = TlpSchema.safeParse(formText(form, 'tlp'));
  if (!tlp.success) throw new KobanError('E_USAGE', 'choose a TLP label');
  await ctx.intel.declassifications.request(page.actor, {
    reportIds: [id],
    tlp: tlp.data,
    reason: formText(form, 'reason') ?? '',
  });
  return redirectDone(c, page, `/console/reports/${id}`, 'requested');
}

type Action = (c: Context, ctx: PortalContext, id: number, page: ConsolePage) => Promise<Response>;

function post(app: Hono, ctx: PortalContext, path: string, action: Action): void {
  app.post(`/console/reports/:id/${path}`, requireCsrf(ctx.options), (c) => {
    const id = idParam(c);
    return act(c, ctx, id === null ? '/console/triage' : `/console/reports/${id}`, (page) => {
      if (id === null) throw new KobanError('E_NOT_FOUND', 'no such report');
      return action(c, ctx, id, page);
    });
  });
}

export function mountReportActions(app: Hono, ctx: PortalContext): void {
  post(app, ctx, 'indicators', addIndicators);
  post(app, ctx, 'campaign', linkCampaign);
  post(app, ctx, 'label', requestLabel);
}
