/**
 * Public advisories: the list (`/advisories`), one advisory (`/advisories/:id`) and the Atom feed
 * (atom.ts). Everything is read as the anonymous public through intel's one access check
 * (`ANONYMOUS`: sent TLP:CLEAR alerts only; anything else is "not found", as for every reader),
 * and carries the TLP:CLEAR banner.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { KobanError } from '../../../core/index.js';
import { type AdvisoryView, ANONYMOUS } from '../../../intel/index.js';
import { layout } from '../layout.js';
import { type PageRequest, type PortalContext, pageRequest } from '../page.js';
import { fleetStatus, statusText } from '../status.js';
import { tlpBanner } from '../tlp.js';

/** Advisories listed on the page and in the feed (newest first). */
export const PUBLIC_ADVISORIES = 50;
const ID_RE = /^[1-9]\d{0,11}$/;

/** The body in the page's language, else the other one with a note (in either direction). */
export function advisoryBody(
  page: PageRequest,
  v: Pick<AdvisoryView, 'content'>,
): { text: string | null; note: string | null } {
  const own = page.lang === 'ja' ? v.content.bodyJa : v.content.bodyEn;
  if (own) return { text: own, note: null };
  const other = page.lang === 'ja' ? v.content.bodyEn : v.content.bodyJa;
  return { text: other, note: other ? page.t.advisories.noBody : null };
}

/** An advisory as its readers see it (public site and member portal): dates, body, indicators, lures. */
export function advisoryContent(page: PageRequest, v: AdvisoryView) {
  const t = page.t.advisories;
  const body = advisoryBody(page, v);
  return html`<p class="notice">${t.published}: ${v.sentMs === null ? '' : page.fmt.dateTime(v.sentMs)} · ${t.updated}: ${page.fmt.dateTime(v.updatedMs)} · ${t.version(v.version)}</p>
${v.withdrawn ? html`<p class="withdrawn" role="alert">${t.withdrawn(v.withdrawn.reason)}</p>` : ''}
${body.note ? html`<p class="notice">${body.note}</p>` : ''}
${body.text ? html`<div class="body">${body.text}</div>` : ''}
${
  v.content.indicators.length > 0
    ? html`<h2>${t.indicators}</h2><table><thead><tr><th scope="col">${t.indicatorType}</th><th scope="col">${t.indicatorValue}</th></tr></thead>
<tbody>${v.content.indicators.map((i) => html`<tr><td>${i.type}</td><td><code>${i.value}</code></td></tr>`)}</tbody></table>`
    : ''
}
${v.content.lures.some((l) => l.subject) ? html`<h2>${t.lures}</h2><ul>${v.content.lures.filter((l) => l.subject).map((l) => html`<li>${l.subject}</li>`)}</ul>` : ''}`;
}

async function shell(
  c: Context,
  ctx: PortalContext,
  page: PageRequest,
  title: string,
  main: ReturnType<typeof html>,
  code: 200 | 404 = 200,
) {
  const status = statusText(await fleetStatus(ctx, (ctx.options.now ?? Date.now)()), page);
  return c.html(
    layout(page, {
      title,
      status,
      simulated: ctx.simulated,
      main,
      tlpBanner: code === 200 ? tlpBanner(page, 'CLEAR') : undefined,
    }),
    code,
  );
}

async function listPage(c: Context, ctx: PortalContext) {
  const page = pageRequest(c, ctx);
  const t = page.t.advisories;
  const list = await ctx.intel.advisories.list(ANONYMOUS, { limit: PUBLIC_ADVISORIES });
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
${
  list.length === 0
    ? html`<p>${t.none}</p>`
    : html`<ul class="advisories">${list.map(
        (a) => html`<li><a href="${page.href(`/advisories/${a.id}`)}">${a.title}</a>
<br><small>${t.published}: ${a.sentMs === null ? '' : page.fmt.dateTime(a.sentMs)}${a.status === 'withdrawn' ? html` · ${t.withdrawn('')}` : ''}</small></li>`,
      )}</ul>`
}`;
  return shell(c, ctx, page, t.title, main);
}

async function detailPage(c: Context, ctx: PortalContext) {
  const page = pageRequest(c, ctx);
  const t = page.t.advisories;
  const id = c.req.param('id') ?? '';
  let v: AdvisoryView | null = null;
  if (ID_RE.test(id)) {
    try {
      v = await ctx.intel.advisories.get(ANONYMOUS, Number(id));
    } catch (e) {
      if (!(e instanceof KobanError && e.code === 'E_NOT_FOUND')) throw e;
    }
  }
  if (!v)
    return shell(
      c,
      ctx,
      page,
      t.notFound,
      html`<h1>${t.notFound}</h1><p><a href="${page.href('/advisories')}">${t.back}</a></p>`,
      404,
    );
  const main = html`<article><h1>${v.title}</h1>
${advisoryContent(page, v)}
<p><a href="${page.href('/advisories')}">${t.back}</a></p></article>`;
  return shell(c, ctx, page, v.title, main);
}

export function mountAdvisoryPages(app: Hono, ctx: PortalContext): void {
  app.get('/advisories', (c) => listPage(c, ctx));
  app.get('/advisories/:id', (c) => detailPage(c, ctx));
}
