/**
 * The curation forms of a campaign's page and their routes: rename, merge another campaign into
 * this one, split the selected reports off into a new campaign, set the campaign's own label. The
 * rules (center staff with `campaigns:write`, live campaigns only, split reports must belong to the
 * campaign) are intel's `CampaignService`; this file reads forms and calls it as the analyst.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { KobanError } from '../../../core/index.js';
import { type CampaignView, TlpSchema } from '../../../intel/index.js';
import { csrfField, requireCsrf } from '../csrf.js';
import { idParam } from '../member/inbox.js';
import type { PortalContext } from '../page.js';
import { act, type ConsolePage, formIds, formText, readForm, redirectDone } from './frame.js';

const MERGE_CHOICES = 200;
const SPLIT_FORM = 'split-form';

/** A report's checkbox in the campaign's table, belonging to the split form (HTML `form` attribute). */
export function splitBoxes(page: ConsolePage, reportId: number) {
  return html`<input type="checkbox" name="reportIds" value="${reportId}" form="${SPLIT_FORM}" aria-label="${page.m.campaigns.selectReport(reportId)}">`;
}

async function mergeForm(ctx: PortalContext, page: ConsolePage, v: CampaignView) {
  const t = page.m.campaigns;
  const others = (await ctx.intel.campaigns.list(page.actor, { limit: MERGE_CHOICES })).filter(
    (k) => k.id !== v.id,
  );
  if (others.length === 0) return '';
  return html`<form method="post" action="${page.href(`/console/campaigns/${v.id}/merge`)}">${csrfField(page.csrf)}
<h3>${t.merge}</h3><p><label for="merge-source">${t.mergeSource}</label> <select id="merge-source" name="sourceId">${others.map(
    (k) => html`<option value="${k.id}">#${k.id} ${k.name} (TLP:${k.tlp})</option>`,
  )}</select> <button type="submit">${t.mergeSubmit}</button></p></form>`;
}

export async function campaignActions(ctx: PortalContext, page: ConsolePage, v: CampaignView) {
  const t = page.m.campaigns;
  const base = `/console/campaigns/${v.id}`;
  return html`<section class="actions" aria-labelledby="c-actions-h"><h2 id="c-actions-h">${page.m.report.actions}</h2>
<form method="post" action="${page.href(`${base}/rename`)}">${csrfField(page.csrf)}
<h3>${t.rename}</h3><p><label for="rename-name">${t.newName}</label> <input id="rename-name" name="name" value="${v.name}" maxlength="200" required> <button type="submit">${t.renameSubmit}</button></p></form>
${await mergeForm(ctx, page, v)}
<form id="${SPLIT_FORM}" method="post" action="${page.href(`${base}/split`)}">${csrfField(page.csrf)}
<h3>${t.split}</h3><p><label for="split-name">${t.splitName}</label> <input id="split-name" name="name" maxlength="200"> <button type="submit">${t.splitSubmit}</button></p></form>
<form method="post" action="${page.href(`${base}/label`)}">${csrfField(page.csrf)}
<h3>${t.label}</h3><p><label for="c-label">TLP</label> <select id="c-label" name="tlp">${TlpSchema.options.map(
    (l) => html`<option value="${l}"${l === v.tlp ? raw(' selected') : ''}>TLP:${l}</option>`,
  )}</select> <button type="submit">${t.labelSubmit}</button></p></form></section>`;
}

export function doneOfCampaign(page: ConsolePage, done: string | undefined) {
  const t = page.m.campaigns;
  const d = done ?? '';
  const merged = /^merged:(\d{1,12})$/.exec(d);
  const split = /^split:(\d{1,12})$/.exec(d);
  const text = merged
    ? t.merged(Number(merged[1]))
    : split
      ? t.splitDone(Number(split[1]))
      : d === 'renamed'
        ? t.renamed
        : d === 'relabelled'
          ? t.relabelled
          : null;
  return text === null ? '' : html`<p class="done" role="status">${text}</p>`;
}

type Action = (c: Context, ctx: PortalContext, id: number, page: ConsolePage) => Promise<Response>;

const rename: Action = async (c, ctx, id, page) => {
  await ctx.intel.campaigns.rename(page.actor, id, formText(await readForm(c), 'name') ?? '');
  return redirectDone(c, page, `/console/campaigns/${id}`, 'renamed');
};

const merge: Action = async (c, ctx, id, page) => {
  const [source] = formIds(await readForm(c), 'sourceId');
  if (source === undefined) throw new KobanError('E_USAGE', 'choose a campaign to merge');
  await ctx.intel.campaigns.merge(page.actor, id, [source]);
  return redirectDone(c, page, `/console/campaigns/${id}`, `merged:${source}`);
};

const split: Action = async (c, ctx, id, page) => {
  const form = await readForm(c);
  const ids = formIds(form, 'reportIds');
  if (ids.length === 0) throw new KobanError('E_USAGE', 'select the reports to split off');
  const created = await ctx.intel.campaigns.split(page.actor, id, ids, formText(form, 'name'));
  return redirectDone(c, page, `/console/campaigns/${created}`, `split:${created}`);
};

const label: Action = async (c, ctx, id, page) => {
  const tlp = TlpSchema.safeParse(formText(await readForm(c), 'tlp'));
  if (!tlp.success) throw new KobanError('E_USAGE', 'choose a TLP label');
  await ctx.intel.campaigns.setLabel(page.actor, id, tlp.data);
  return redirectDone(c, page, `/console/campaigns/${id}`, 'relabelled');
};

export function mountCampaignActions(app: Hono, ctx: PortalContext): void {
  const routes: [string, Action][] = [
    ['rename', rename],
    ['merge', merge],
    ['split', split],
    ['label', label],
  ];
  for (const [path, action] of routes)
    app.post(`/console/campaigns/:id/${path}`, requireCsrf(ctx.options), (c) => {
      const id = idParam(c);
      return act(c, ctx, id === null ? '/console/campaigns' : `/console/campaigns/${id}`, (page) => {
        if (id === null) throw new KobanError('E_NOT_FOUND', 'no such campaign');
        return action(c, ctx, id, page);
      });
    });
}
