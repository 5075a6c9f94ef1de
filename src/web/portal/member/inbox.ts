/**
 * The member's inbox: advisories sent to their organisation (newest first, unread marked, each with
 * its TLP label), one advisory with its TLP banner, "mark read" and "we received this too" (an
 * optional note and one of the organisation's reports). Everything goes through intel's advisory
 * service with the signed-in user as the actor: what they may not read is "not found".
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { isKobanError, KobanError } from '../../../core/index.js';
import type { AdvisoryView, ReportSummary } from '../../../intel/index.js';
import { advisoryContent } from '../advisories/pages.js';
import { csrfField, requireCsrf } from '../csrf.js';
import type { PortalContext } from '../page.js';
import { orgName, type SignedInPage, shell, signedInPage } from './shell.js';
import { tlpLabel } from './views.js';

export const ID_RE = /^[1-9]\d{0,11}$/;
/** Reports offered in the "received too" form (the organisation's newest). */
const REPORT_CHOICES = 50;

/** The id of the path, or null (then the page is "not found"). */
export function idParam(c: Context): number | null {
  const id = c.req.param('id') ?? '';
  return ID_RE.test(id) ? Number(id) : null;
}

/** A read that intel refuses as absent (or not the reader's) is null: the page says "not found". */
export async function orNotFound<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (isKobanError(e) && e.code === 'E_NOT_FOUND') return null;
    throw e;
  }
}

async function inboxPage(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  const t = page.t.member.inbox;
  const items = await ctx.intel.advisories.inbox(page.actor, { limit: 200 });
  const main = html`<h1>${t.title}</h1><p>${t.intro(await orgName(ctx, page.actor))}</p>
${
  items.length === 0
    ? html`<p>${t.none}</p>`
    : html`<ul class="advisories inbox">${items.map(
        (
          a,
        ) => html`<li${a.unread ? raw(' class="unread"') : ''}>${tlpLabel(a.tlp)} ${a.unread ? html`<strong class="badge">${t.unread}</strong> ` : ''}<a href="${page.href(`/member/advisories/${a.id}`)}">${a.title}</a>
<br><small>${t.received}: ${a.sentMs === null ? '' : page.fmt.dateTime(a.sentMs)}${a.status === 'withdrawn' ? html` · ${t.withdrawn}` : ''}${a.receivedToo ? html` · ${t.answered}` : ''}</small></li>`,
      )}</ul>`
}`;
  return shell(c, ctx, page, { title: t.title, main });
}

function notFound(c: Context, ctx: PortalContext, page: SignedInPage) {
  const t = page.t.member.advisory;
  return shell(c, ctx, page, {
    title: t.notFound,
    main: html`<h1>${t.notFound}</h1><p><a href="${page.href('/member/')}">${t.back}</a></p>`,
    code: 404,
  });
}

function actions(page: SignedInPage, v: AdvisoryView, reports: readonly ReportSummary[]) {
  const t = page.t.member.advisory;
  const base = `/member/advisories/${v.id}`;
  const read = v.unread
    ? html`<form method="post" action="${page.href(`${base}/read`)}">${csrfField(page.csrf)}<button type="submit">${t.markRead}</button></form>`
    : html`<p class="notice">${t.isRead}</p>`;
  const answer = v.receivedToo
    ? html`<p class="done">${t.answered(page.fmt.dateTime(v.receivedToo.atMs))}</p>`
    : html`<form method="post" action="${page.href(`${base}/received-too`)}">${csrfField(page.csrf)}
<p>${t.receivedTooIntro}</p>
<p><label for="rt-note">${t.note}</label><br><textarea id="rt-note" name="note" rows="3" cols="60" maxlength="2000"></textarea></p>
<p><label for="rt-report">${t.report}</label><br><select id="rt-report" name="reportId"><option value="">${t.noReport}</option>${reports.map(
        (r) => html`<option value="${r.id}">#${r.id} ${r.title}</option>`,
      )}</select></p>
<p><button type="submit">${t.receivedToo}</button></p></form>`;
  return html`<section class="actions" aria-label="${t.receivedToo}">${read}<h2>${t.receivedToo}</h2>${answer}</section>`;
}

async function advisoryPage(c: Context, ctx: PortalContext) {
  const page = signedInPage(c, ctx);
  const id = idParam(c);
  const v = id === null ? null : await orNotFound(ctx.intel.advisories.get(page.actor, id));
  if (!v) return notFound(c, ctx, page);
  const reports = await ctx.intel.reports.list(page.actor, { ownOrganisation: true, limit: REPORT_CHOICES });
  const t = page.t.member.advisory;
  const main = html`<article><h1>${v.title}</h1>
${advisoryContent(page, v)}
${actions(page, v, reports)}
<p><a href="${page.href('/member/')}">${t.back}</a></p></article>`;
  return shell(c, ctx, page, { title: v.title, main, tlp: v.tlp });
}

function formText(form: Record<string, unknown>, name: string): string | undefined {
  const v = form[name];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

async function answer(c: Context, ctx: PortalContext, what: 'read' | 'received-too') {
  const page = signedInPage(c, ctx);
  const id = idParam(c);
  if (id === null) return notFound(c, ctx, page);
  if (what === 'read') {
    if ((await orNotFound(ctx.intel.advisories.markRead(page.actor, id))) === null)
      return notFound(c, ctx, page);
  } else {
    const form = (await c.req.parseBody()) as Record<string, unknown>;
    const reportId = formText(form, 'reportId');
    if (reportId !== undefined && !ID_RE.test(reportId))
      throw new KobanError('E_USAGE', 'reportId must be a report number');
    const done = await orNotFound(
      ctx.intel.advisories.receivedToo(page.actor, id, {
        note: formText(form, 'note'),
        reportId: reportId === undefined ? undefined : Number(reportId),
      }),
    );
    if (done === null) return notFound(c, ctx, page);
  }
  // Post/redirect/get: a reload does not send the form again.
  return c.redirect(page.href(`/member/advisories/${id}`), 303);
}

export function mountInbox(app: Hono, ctx: PortalContext): void {
  app.get('/member/', (c) => inboxPage(c, ctx));
  app.get('/member/advisories/:id', (c) => advisoryPage(c, ctx));
  app.post('/member/advisories/:id/read', requireCsrf(ctx.options), (c) => answer(c, ctx, 'read'));
  app.post('/member/advisories/:id/received-too', requireCsrf(ctx.options), (c) =>
    answer(c, ctx, 'received-too'),
  );
}
