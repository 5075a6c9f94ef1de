/**
 * Drafting an advisory in the console: `/console/advisories/new` (from `?report=ID` or
 * `?campaign=ID`, or written from scratch with `?source=none`), then the draft's page — its fields
 * to edit, an audience (advisory-audience.ts: sectors, named organisations, all members, the
 * public) and, for each part of that audience, the advisory exactly as those recipients will see
 * it in each language (advisory-preview.ts). "Preview" re-renders on the server (no script);
 * "send" sends to the whole audience. Forms carry the CSRF token; errors of the service are shown
 * on the form (400) with what was typed kept.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { type AdvisoryPreview, type AdvisoryView, TlpSchema } from '../../../intel/index.js';
import { csrfField, requireCsrf } from '../csrf.js';
import { idParam } from '../member/inbox.js';
import type { PortalContext } from '../page.js';
import {
  type AudienceFields,
  audienceInput,
  audienceInputs,
  audienceOf,
  audienceParams,
  audienceParts,
} from './advisory-audience.js';
import { ADVISORY_MESSAGES } from './advisory-messages.js';
import { previews } from './advisory-preview.js';
import { type DeskPage, deskPage, deskShell, errorBox, fixable, formText } from './desk.js';

const BASE = '/console/advisories';
const ID_RE = /^[1-9]\d{0,11}$/;
const checked = (on: boolean) => (on ? raw(' checked') : '');

interface DraftFields {
  /** `none`: written from scratch (`/new?source=none`), quoting no report. */
  readonly sourceType: 'report' | 'campaign' | 'none';
  readonly sourceId: string;
  readonly title: string;
  readonly bodyJa: string;
  readonly bodyEn: string;
  readonly tlp: string;
  readonly downgradeReason: string;
}

/** The fields shared by the new-draft form and a draft's edit form. */
function contentInputs(page: DeskPage, f: Omit<DraftFields, 'sourceType' | 'sourceId'>, blank = false) {
  const t = page.m.adv;
  // Without a source there is no floor to follow: the label is chosen, and never lowered.
  const first = blank
    ? html`<option value="">${ADVISORY_MESSAGES[page.lang].tlpChoose}</option>`
    : html`<option value="">${t.tlpFloor}</option>`;
  return html`<p><label for="f-title">${t.fieldTitle}</label><br><input id="f-title" name="title" size="60" maxlength="300" required value="${f.title}"></p>
<p><label for="f-body-ja">${t.bodyJa}</label><br><textarea id="f-body-ja" name="bodyJa" rows="6" cols="70" maxlength="20000">${f.bodyJa}</textarea></p>
<p><label for="f-body-en">${t.bodyEn}</label><br><textarea id="f-body-en" name="bodyEn" rows="6" cols="70" maxlength="20000">${f.bodyEn}</textarea></p>
<p><label for="f-tlp">${t.tlp}</label><br><select id="f-tlp" name="tlp"${blank ? raw(' required') : ''}>${first}${TlpSchema.options.map(
    (l) => html`<option value="${l}"${l === f.tlp ? raw(' selected') : ''}>TLP:${l}</option>`,
  )}</select></p>
${
  blank
    ? ''
    : html`<p><label for="f-reason">${t.downgradeReason}</label><br><input id="f-reason" name="downgradeReason" size="60" maxlength="2000" value="${f.downgradeReason}"></p>`
}`;
}

/** What the draft quotes: a report or campaign by number, or (written from scratch) nothing. */
function sourceInputs(page: DeskPage, f: DraftFields) {
  const t = page.m.adv;
  const m = ADVISORY_MESSAGES[page.lang];
  if (f.sourceType === 'none')
    return html`<input type="hidden" name="sourceType" value="none">
<p><a href="${page.href(`${BASE}/new`)}">${m.fromSourceLink}</a></p>`;
  return html`<fieldset><legend>${t.sourceType}</legend>
<p><input type="radio" id="f-src-report" name="sourceType" value="report"${checked(f.sourceType === 'report')}> <label for="f-src-report">${t.sourceReport}</label>
<input type="radio" id="f-src-campaign" name="sourceType" value="campaign"${checked(f.sourceType === 'campaign')}> <label for="f-src-campaign">${t.sourceCampaign}</label></p>
<p><label for="f-src-id">${t.sourceId}</label><br><input id="f-src-id" name="sourceId" inputmode="numeric" size="10" maxlength="12" required value="${f.sourceId}"></p>
</fieldset>
<p><a href="${page.href(`${BASE}/new`, { source: 'none' })}">${m.blankLink}</a></p>`;
}

function newForm(
  c: Context,
  ctx: PortalContext,
  page: DeskPage,
  f: DraftFields,
  a: AudienceFields,
  error?: string,
) {
  const t = page.m.adv;
  const blank = f.sourceType === 'none';
  const title = blank ? ADVISORY_MESSAGES[page.lang].blankTitle : t.newTitle;
  const intro = blank ? ADVISORY_MESSAGES[page.lang].blankIntro : t.newIntro;
  const main = html`<h1>${title}</h1><p>${intro}</p>${error ? errorBox(t.error(error)) : ''}
<form method="post" action="${page.href(BASE)}">${csrfField(page.csrf)}
${sourceInputs(page, f)}
${contentInputs(page, f, blank)}
${audienceInputs(page, a)}
<p><button type="submit">${t.draftSubmit}</button></p></form>`;
  return deskShell(c, ctx, page, { title, main, code: error ? 400 : 200 });
}

function newPage(c: Context, ctx: PortalContext) {
  const page = deskPage(c, ctx);
  const campaign = c.req.query('campaign');
  const report = c.req.query('report');
  const fromCampaign = campaign !== undefined && ID_RE.test(campaign);
  const id = fromCampaign ? campaign : report !== undefined && ID_RE.test(report) ? report : '';
  const blank = c.req.query('source') === 'none' && id === '';
  const f: DraftFields = {
    sourceType: blank ? 'none' : fromCampaign ? 'campaign' : 'report',
    sourceId: id,
    title: '',
    bodyJa: '',
    bodyEn: '',
    tlp: '',
    downgradeReason: '',
  };
  return newForm(
    c,
    ctx,
    page,
    f,
    audienceOf((n) => c.req.query(n)),
  );
}

function sourceTypeOf(s: string | undefined): DraftFields['sourceType'] {
  return s === 'campaign' || s === 'none' ? s : 'report';
}

async function create(c: Context, ctx: PortalContext) {
  const page = deskPage(c, ctx);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const text = (n: string) => formText(form, n);
  const f: DraftFields = {
    sourceType: sourceTypeOf(text('sourceType')),
    sourceId: text('sourceId') ?? '',
    title: text('title') ?? '',
    bodyJa: text('bodyJa') ?? '',
    bodyEn: text('bodyEn') ?? '',
    tlp: text('tlp') ?? '',
    downgradeReason: text('downgradeReason') ?? '',
  };
  const a = audienceOf(text);
  if (f.sourceType !== 'none' && !ID_RE.test(f.sourceId))
    return newForm(c, ctx, page, f, a, `${page.m.adv.sourceId}: ${f.sourceId || '-'}`);
  try {
    const d = await ctx.intel.advisories.draft(page.actor, {
      source: f.sourceType === 'none' ? { type: 'none' } : { type: f.sourceType, id: Number(f.sourceId) },
      title: f.title,
      bodyJa: f.bodyJa || undefined,
      bodyEn: f.bodyEn || undefined,
      tlp: (f.tlp || undefined) as AdvisoryPreview['content']['tlp'] | undefined,
      downgradeReason: f.downgradeReason || undefined,
    });
    return c.redirect(page.href(`${BASE}/${d.alertId}`, audienceParams(a)), 303);
  } catch (e) {
    const why = fixable(e);
    if (why === null) throw e;
    return newForm(c, ctx, page, f, a, why);
  }
}

/** A draft's page (also after a refused edit or send: `error`, answered 400). */
export async function draftPage(
  c: Context,
  ctx: PortalContext,
  page: DeskPage,
  v: AdvisoryView,
  opts: { error?: string; audience?: AudienceFields } = {},
) {
  const t = page.m.adv;
  const a = opts.audience ?? audienceOf((n) => c.req.query(n));
  const p = await ctx.intel.advisories.preview(page.actor, v.id);
  const f = {
    title: v.title,
    bodyJa: v.content.bodyJa ?? '',
    bodyEn: v.content.bodyEn ?? '',
    tlp: v.tlp,
    downgradeReason: p.downgradeReason ?? '',
  };
  const main = html`<h1>${v.title} <small>(${t.status.draft})</small></h1>
${opts.error ? errorBox(t.error(opts.error)) : ''}
<p class="notice">${v.analysis?.source.type === 'none' ? ADVISORY_MESSAGES[page.lang].noSource : t.floor(p.tlpFloor)} · ${t.excluded(page.fmt.count(p.excluded.length))} · ${t.redactions(page.fmt.count(p.redactions))}</p>
<form method="post" action="${page.href(`${BASE}/${v.id}/edit`)}">${csrfField(page.csrf)}
${contentInputs(page, f, v.analysis?.source.type === 'none')}
${Object.entries(audienceParams(a)).map(([k, val]) => html`<input type="hidden" name="${k}" value="${val}">`)}
<p><button type="submit">${t.saveSubmit}</button></p></form>
<form method="post" action="${page.href(`${BASE}/${v.id}/send`)}">${csrfField(page.csrf)}
${audienceInputs(page, a)}
<p><button type="submit" name="do" value="preview">${t.previewSubmit}</button> <button type="submit" name="do" value="send">${t.sendSubmit}</button></p></form>
<h2>${t.previewHeading}</h2>
${await previews(ctx, page, v.id, p, await audienceParts(ctx, page, a))}
<p><a href="${page.href(BASE)}">${page.m.common.back}</a></p>`;
  return deskShell(c, ctx, page, { title: v.title, main, tlp: v.tlp, code: opts.error ? 400 : 200 });
}

async function act(c: Context, ctx: PortalContext, what: 'edit' | 'send') {
  const page = deskPage(c, ctx);
  const id = idParam(c);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const text = (n: string) => formText(form, n);
  const a = audienceOf(text);
  const back = () => c.redirect(page.href(`${BASE}/${id}`, audienceParams(a)), 303);
  try {
    if (id === null) return c.redirect(page.href(BASE), 303);
    if (what === 'edit') {
      await ctx.intel.advisories.edit(page.actor, id, {
        title: text('title'),
        bodyJa: text('bodyJa') ?? null,
        bodyEn: text('bodyEn') ?? null,
        ...(text('tlp') ? { tlp: text('tlp') as AdvisoryPreview['content']['tlp'] } : {}),
        downgradeReason: text('downgradeReason') ?? null,
      });
      return back();
    }
    if (text('do') !== 'send') return back();
    const input = await audienceInput(ctx, a);
    if ('unknown' in input) {
      const v = await ctx.intel.advisories.get(page.actor, id);
      const error = ADVISORY_MESSAGES[page.lang].orgUnknown(input.unknown);
      if (v.status === 'draft') return draftPage(c, ctx, page, v, { error, audience: a });
      return back();
    }
    await ctx.intel.advisories.send(page.actor, id, input);
    ctx.options.afterAdvisorySent?.();
    return c.redirect(page.href(`${BASE}/${id}`), 303);
  } catch (e) {
    const why = fixable(e);
    if (why === null || id === null) throw e;
    const v = await ctx.intel.advisories.get(page.actor, id);
    if (v.status !== 'draft') throw e;
    return draftPage(c, ctx, page, v, { error: why, audience: a });
  }
}

export function mountAdvisoryDrafting(app: Hono, ctx: PortalContext): void {
  app.get(`${BASE}/new`, (c) => newPage(c, ctx));
  app.post(BASE, requireCsrf(ctx.options), (c) => create(c, ctx));
  app.post(`${BASE}/:id/edit`, requireCsrf(ctx.options), (c) => act(c, ctx, 'edit'));
  app.post(`${BASE}/:id/send`, requireCsrf(ctx.options), (c) => act(c, ctx, 'send'));
}
