/**
 * Drafting an advisory in the console: `/console/advisories/new` (from `?report=ID` or
 * `?campaign=ID`), then the draft's page — its fields to edit, an audience (sectors, all members,
 * the public) and, for each part of that audience, the advisory exactly as those recipients will
 * see it: the member inbox's rendering (advisories/pages.ts `advisoryContent` under the TLP
 * banner) of the service's sanitisation preview, with whom it reaches or why the send would
 * refuse it (the service's own checks, `reach`). "Preview" re-renders on the server (no script);
 * "send" sends to the whole audience. Forms carry the CSRF token; errors of the service are shown
 * on the form (400) with what was typed kept.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { isKobanError } from '../../../core/index.js';
import {
  type AdvisoryAudienceInput,
  type AdvisoryPreview,
  type AdvisoryView,
  TlpSchema,
} from '../../../intel/index.js';
import { advisoryContent } from '../advisories/pages.js';
import { csrfField, requireCsrf } from '../csrf.js';
import type { Markup } from '../layout.js';
import { idParam } from '../member/inbox.js';
import type { PortalContext } from '../page.js';
import { tlpBanner } from '../tlp.js';
import { type DeskPage, deskPage, deskShell, errorBox, formText } from './desk.js';

const BASE = '/console/advisories';
const ID_RE = /^[1-9]\d{0,11}$/;

/** The audience as the forms and the draft page's URL carry it. */
interface AudienceFields {
  readonly sectors: readonly string[];
  readonly allMembers: boolean;
  readonly public: boolean;
}

function audienceOf(get: (name: string) => string | undefined): AudienceFields {
  const sectors = (get('sectors') ?? '')
    .split(/[,、\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .slice(0, 20);
  return {
    sectors: [...new Set(sectors)],
    allMembers: get('allMembers') === '1',
    public: get('public') === '1',
  };
}

function audienceParams(a: AudienceFields): Record<string, string> {
  return {
    ...(a.sectors.length ? { sectors: a.sectors.join(',') } : {}),
    ...(a.allMembers ? { allMembers: '1' } : {}),
    ...(a.public ? { public: '1' } : {}),
  };
}

function audienceInput(a: AudienceFields): AdvisoryAudienceInput {
  return { sectors: [...a.sectors], allMembers: a.allMembers, public: a.public };
}

const checked = (on: boolean) => (on ? raw(' checked') : '');

function audienceInputs(page: DeskPage, a: AudienceFields) {
  const t = page.m.adv;
  return html`<fieldset><legend>${t.audience}</legend>
<p><label for="f-sectors">${t.sectors}</label><br><input id="f-sectors" name="sectors" size="40" maxlength="400" value="${a.sectors.join(',')}"></p>
<p><input type="checkbox" id="f-all" name="allMembers" value="1"${checked(a.allMembers)}> <label for="f-all">${t.allMembers}</label></p>
<p><input type="checkbox" id="f-public" name="public" value="1"${checked(a.public)}> <label for="f-public">${t.public}</label></p>
</fieldset>`;
}

interface DraftFields {
  readonly sourceType: 'report' | 'campaign';
  readonly sourceId: string;
  readonly title: string;
  readonly bodyJa: string;
  readonly bodyEn: string;
  readonly tlp: string;
  readonly downgradeReason: string;
}

/** The fields shared by the new-draft form and a draft's edit form. */
function contentInputs(page: DeskPage, f: Omit<DraftFields, 'sourceType' | 'sourceId'>) {
  const t = page.m.adv;
  return html`<p><label for="f-title">${t.fieldTitle}</label><br><input id="f-title" name="title" size="60" maxlength="300" required value="${f.title}"></p>
<p><label for="f-body-ja">${t.bodyJa}</label><br><textarea id="f-body-ja" name="bodyJa" rows="6" cols="70" maxlength="20000">${f.bodyJa}</textarea></p>
<p><label for="f-body-en">${t.bodyEn}</label><br><textarea id="f-body-en" name="bodyEn" rows="6" cols="70" maxlength="20000">${f.bodyEn}</textarea></p>
<p><label for="f-tlp">${t.tlp}</label><br><select id="f-tlp" name="tlp"><option value="">${t.tlpFloor}</option>${TlpSchema.options.map(
    (l) => html`<option value="${l}"${l === f.tlp ? raw(' selected') : ''}>TLP:${l}</option>`,
  )}</select></p>
<p><label for="f-reason">${t.downgradeReason}</label><br><input id="f-reason" name="downgradeReason" size="60" maxlength="2000" value="${f.downgradeReason}"></p>`;
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
  const main = html`<h1>${t.newTitle}</h1><p>${t.newIntro}</p>${error ? errorBox(t.error(error)) : ''}
<form method="post" action="${page.href(BASE)}">${csrfField(page.csrf)}
<fieldset><legend>${t.sourceType}</legend>
<p><input type="radio" id="f-src-report" name="sourceType" value="report"${checked(f.sourceType === 'report')}> <label for="f-src-report">${t.sourceReport}</label>
<input type="radio" id="f-src-campaign" name="sourceType" value="campaign"${checked(f.sourceType === 'campaign')}> <label for="f-src-campaign">${t.sourceCampaign}</label></p>
<p><label for="f-src-id">${t.sourceId}</label><br><input id="f-src-id" name="sourceId" inputmode="numeric" size="10" maxlength="12" required value="${f.sourceId}"></p>
</fieldset>
${contentInputs(page, f)}
${audienceInputs(page, a)}
<p><button type="submit">${t.draftSubmit}</button></p></form>`;
  return deskShell(c, ctx, page, { title: t.newTitle, main, code: error ? 400 : 200 });
}

function newPage(c: Context, ctx: PortalContext) {
  const page = deskPage(c, ctx);
  const campaign = c.req.query('campaign');
  const report = c.req.query('report');
  const fromCampaign = campaign !== undefined && ID_RE.test(campaign);
  const id = fromCampaign ? campaign : report !== undefined && ID_RE.test(report) ? report : '';
  const f: DraftFields = {
    sourceType: fromCampaign ? 'campaign' : 'report',
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

/** A KobanError the analyst can fix in the form (bad input, refused label); anything else is thrown. */
function fixable(e: unknown): string | null {
  return isKobanError(e) && ['E_USAGE', 'E_FORBIDDEN', 'E_NOT_FOUND', 'E_CONFLICT'].includes(e.code)
    ? e.message
    : null;
}

async function create(c: Context, ctx: PortalContext) {
  const page = deskPage(c, ctx);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const text = (n: string) => formText(form, n);
  const f: DraftFields = {
    sourceType: text('sourceType') === 'campaign' ? 'campaign' : 'report',
    sourceId: text('sourceId') ?? '',
    title: text('title') ?? '',
    bodyJa: text('bodyJa') ?? '',
    bodyEn: text('bodyEn') ?? '',
    tlp: text('tlp') ?? '',
    downgradeReason: text('downgradeReason') ?? '',
  };
  const a = audienceOf(text);
  if (!ID_RE.test(f.sourceId))
    return newForm(c, ctx, page, f, a, `${page.m.adv.sourceId}: ${f.sourceId || '-'}`);
  try {
    const d = await ctx.intel.advisories.draft(page.actor, {
      source: { type: f.sourceType, id: Number(f.sourceId) },
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

/** The advisory as one audience's recipients will see it: their inbox page's article. */
function asRecipientsSee(page: DeskPage, p: AdvisoryPreview, nowMs: number): Markup {
  const view: AdvisoryView = {
    id: p.alertId,
    status: 'sent',
    version: p.version,
    tlp: p.content.tlp,
    title: p.content.title,
    content: p.content,
    sentMs: nowMs,
    updatedMs: nowMs,
    withdrawn: null,
    unread: true,
    receivedToo: null,
    analysis: null,
  };
  return html`<div class="preview-frame">${tlpBanner(page, view.tlp)}<article><h3>${view.title}</h3>${advisoryContent(page, view)}</article></div>`;
}

/** One panel per part of the audience: whom it reaches (or why not) and what they will see. */
async function previews(
  ctx: PortalContext,
  page: DeskPage,
  id: number,
  p: AdvisoryPreview,
  a: AudienceFields,
) {
  const t = page.m.adv;
  const parts: { label: (n: string) => string; audience: AdvisoryAudienceInput }[] = [
    ...a.sectors.map((s) => ({ label: (n: string) => t.previewSector(s, n), audience: { sectors: [s] } })),
    ...(a.allMembers ? [{ label: t.previewMembers, audience: { allMembers: true } }] : []),
    ...(a.public ? [{ label: () => t.previewPublic, audience: { public: true } }] : []),
  ];
  if (parts.length === 0) return html`<p>${t.noAudience}</p>`;
  const nowMs = (ctx.options.now ?? Date.now)();
  const panels: Markup[] = [];
  for (const [i, part] of parts.entries()) {
    let problem: string | null;
    let orgs = 0;
    try {
      const r = await ctx.intel.advisories.reach(page.actor, id, { audience: part.audience });
      problem = r.problem;
      orgs = r.recipients.orgIds.length;
    } catch (e) {
      problem = fixable(e);
      if (problem === null) throw e;
    }
    panels.push(html`<section class="preview" aria-labelledby="pv-${i}"><h3 id="pv-${i}">${part.label(page.fmt.count(orgs))}</h3>
${problem ? errorBox(t.refused(problem)) : asRecipientsSee(page, p, nowMs)}</section>`);
  }
  return html`<p>${t.previewIntro}</p>${panels}`;
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
<p class="notice">${t.floor(p.tlpFloor)} · ${t.excluded(page.fmt.count(p.excluded.length))} · ${t.redactions(page.fmt.count(p.redactions))}</p>
<form method="post" action="${page.href(`${BASE}/${v.id}/edit`)}">${csrfField(page.csrf)}
${contentInputs(page, f)}
${Object.entries(audienceParams(a)).map(([k, val]) => html`<input type="hidden" name="${k}" value="${val}">`)}
<p><button type="submit">${t.saveSubmit}</button></p></form>
<form method="post" action="${page.href(`${BASE}/${v.id}/send`)}">${csrfField(page.csrf)}
${audienceInputs(page, a)}
<p><button type="submit" name="do" value="preview">${t.previewSubmit}</button> <button type="submit" name="do" value="send">${t.sendSubmit}</button></p></form>
<h2>${t.previewHeading}</h2>
${await previews(ctx, page, v.id, p, a)}
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
    await ctx.intel.advisories.send(page.actor, id, { audience: audienceInput(a) });
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
