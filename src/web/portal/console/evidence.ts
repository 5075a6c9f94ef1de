/**
 * `/console/evidence`: what websites under `allow-and-record` posted about requests from listed
 * addresses (docs/anonymizer.md#site-evidence), newest first, filtered by address and site, a page
 * at a time (keyset: `before` is the last id shown); `/console/evidence/:id`: one record in full
 * with the center's listing then. Read only through intel's site-evidence service with the
 * signed-in user as the actor — the one access check (center staff holding `evidence:read`; anyone
 * else is refused with 403, as through `GET /api/v1/anonymizer/evidence`) — so every record shown
 * is a `viewed` custody entry and each read an audit row, exactly as through the API and the CLI.
 * A page fetches no more records than it shows: a record not shown is not marked viewed.
 * What the site wrote (account, headers, note) is hostile: control, bidi and invisible characters
 * are shown as `<U+…>` (as the CLI does) and everything is escaped by the `html` template.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { canonicalIp } from '../../../core/index.js';
import type { IntelService } from '../../../intel/index.js';
import { escapeForDisplay } from '../../../mail/index.js';
import type { Markup } from '../layout.js';
import { idParam, orNotFound } from '../member/inbox.js';
import type { PortalContext } from '../page.js';
import { type DeskPage, deskPage, deskShell, errorBox, notFoundPage } from './desk.js';
import { EVIDENCE_MESSAGES, type EvidenceMessages } from './evidence-messages.js';

export const EVIDENCE_PATH = '/console/evidence';
const PAGE_SIZE = 50;
const MAX_LIMIT = 500;
const ID = /^[1-9]\d{0,11}$/;

type View = Awaited<ReturnType<IntelService['siteEvidence']['get']>>;

interface EvidencePage extends DeskPage {
  readonly e: EvidenceMessages;
}

function evidencePage(c: Context, ctx: PortalContext): EvidencePage {
  const page = deskPage(c, ctx);
  return Object.assign(page, { e: EVIDENCE_MESSAGES[page.lang] });
}

interface Query {
  readonly ip: string;
  readonly site: string;
  readonly limit: number;
  readonly before?: number;
}

/** The URL's filters as typed (shown back in the form); a bad limit or cursor is the default. */
function readQuery(c: Context): Query {
  const q = (n: string) => (c.req.query(n) ?? '').trim().slice(0, 200);
  const limit = ID.test(q('limit')) ? Math.min(Number(q('limit')), MAX_LIMIT) : PAGE_SIZE;
  return {
    ip: q('ip'),
    site: q('site'),
    limit,
    ...(ID.test(q('before')) ? { before: Number(q('before')) } : {}),
  };
}

function params(q: Query, before?: number): Record<string, string> {
  return {
    ...(q.ip ? { ip: q.ip } : {}),
    ...(q.site ? { site: q.site } : {}),
    ...(q.limit !== PAGE_SIZE ? { limit: String(q.limit) } : {}),
    ...(before !== undefined ? { before: String(before) } : {}),
  };
}

/** Text a site wrote, made safe to look at: hidden and control characters shown as `<U+…>`. */
function shown(s: string): string {
  return escapeForDisplay(s);
}

function at(page: DeskPage, ms: number): Markup {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}" title="${iso}">${page.fmt.dateTime(ms)}</time>`;
}

function address(v: View): string {
  if (v.port === null) return v.ip;
  return v.ip.includes(':') ? `[${v.ip}]:${v.port}` : `${v.ip}:${v.port}`;
}

function hash(sha256: string, short = true): Markup {
  return short ? html`<code title="${sha256}">${sha256.slice(0, 16)}…</code>` : html`<code>${sha256}</code>`;
}

/** The evidence entries of the center's answer kept with the record (anon's `Evidence`). */
function entries(listing: Record<string, unknown>): Record<string, unknown>[] {
  return Array.isArray(listing.evidence)
    ? (listing.evidence as unknown[]).filter(
        (e): e is Record<string, unknown> => typeof e === 'object' && e !== null,
      )
    : [];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The lists and kinds that listed the address then (as the CLI's `listedBy`). */
function listedBy(page: EvidencePage, listing: Record<string, unknown>): string {
  const ev = entries(listing);
  if (ev.length === 0) return listing.listed === true ? page.e.listed : page.e.notListed;
  return [...new Set(ev.map((e) => `${String(e.kind)} (${String(e.list)})`))].join(', ');
}

/** The sites' names, read once per site shown. */
async function siteNames(ctx: PortalContext, views: readonly View[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  for (const id of new Set(views.map((v) => v.siteOrgId))) {
    const org = await ctx.intel.orgs.get(id);
    names.set(id, org?.name ?? `#${id}`);
  }
  return names;
}

/** The organisation a `site=` names: its exact name, else its number; null when none. */
async function siteOf(ctx: PortalContext, text: string): Promise<number | null> {
  const byName = await ctx.intel.orgs.byName(text);
  if (byName) return byName.id;
  if (!ID.test(text)) return null;
  return (await ctx.intel.orgs.get(Number(text)))?.id ?? null;
}

function filterForm(page: EvidencePage, q: Query): Markup {
  const t = page.e;
  const inUrl = new URL(page.here, 'http://x').searchParams.has('lang');
  return html`<form class="filters" method="get" action="${EVIDENCE_PATH}">
${inUrl ? html`<input type="hidden" name="lang" value="${page.lang}">` : ''}
<label for="f-ip">${t.ip}</label> <input id="f-ip" name="ip" size="24" maxlength="64" value="${q.ip}">
<label for="f-site">${t.site}</label> <input id="f-site" name="site" size="24" maxlength="200" value="${q.site}">
<label for="f-limit">${t.limit}</label> <input id="f-limit" name="limit" type="number" min="1" max="${MAX_LIMIT}" value="${q.limit}">
<button type="submit">${page.m.common.filter}</button></form>`;
}

function row(page: EvidencePage, v: View, site: string): Markup {
  return html`<tr><td>${at(page, v.receivedMs)}</td><td>${site}</td><td><code>${address(v)}</code></td>
<td>${v.account === null ? '' : shown(v.account)}</td><td>${listedBy(page, v.listing)}</td><td>${hash(v.contentSha256)}</td>
<td><a href="${page.href(`${EVIDENCE_PATH}/${v.id}`)}">${page.e.open(v.id)}</a></td></tr>`;
}

function table(page: EvidencePage, views: readonly View[], names: Map<number, string>): Markup {
  const t = page.e;
  if (views.length === 0) return html`<p>${t.none}</p>`;
  return html`<table class="evidence"><thead><tr><th scope="col">${t.colReceived}</th><th scope="col">${t.colSite}</th><th scope="col">${t.colAddress}</th>
<th scope="col">${t.colAccount}</th><th scope="col">${t.colListedBy}</th><th scope="col">${t.colContent}</th><th scope="col">${t.colRecord}</th></tr></thead>
<tbody>${views.map((v) => row(page, v, names.get(v.siteOrgId) ?? `#${v.siteOrgId}`))}</tbody></table>`;
}

/** The filters for the service, or the reason they cannot be (shown on the form, nothing read). */
async function filterOf(
  ctx: PortalContext,
  page: EvidencePage,
  q: Query,
): Promise<{ ip?: string; siteOrgId?: number } | string> {
  const out: { ip?: string; siteOrgId?: number } = {};
  if (q.ip !== '') {
    const ip = canonicalIp(q.ip);
    if (ip === null) return page.e.badIp(q.ip);
    out.ip = ip;
  }
  if (q.site !== '') {
    const id = await siteOf(ctx, q.site);
    if (id === null) return page.e.unknownSite(q.site);
    out.siteOrgId = id;
  }
  return out;
}

async function listPage(c: Context, ctx: PortalContext) {
  const page = evidencePage(c, ctx);
  const t = page.e;
  const q = readQuery(c);
  const filter = await filterOf(ctx, page, q);
  if (typeof filter === 'string') {
    const main = html`<h1>${t.title}</h1><p>${t.intro}</p>${filterForm(page, q)}${errorBox(filter)}`;
    return deskShell(c, ctx, page, { title: t.title, main, code: 400 });
  }
  const views = await ctx.intel.siteEvidence.list(page.actor, {
    ...filter,
    ...(q.before !== undefined ? { beforeId: q.before } : {}),
    limit: q.limit,
  });
  const names = await siteNames(ctx, views);
  const last = views.at(-1);
  const more = views.length === q.limit && last !== undefined;
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
${filterForm(page, q)}
${table(page, views, names)}
<nav class="months" aria-label="${t.title}">${
    q.before !== undefined
      ? html`<a href="${page.href(EVIDENCE_PATH, params(q))}">${page.m.common.first}</a> `
      : ''
  }${more ? html`<a rel="next" href="${page.href(EVIDENCE_PATH, params(q, last.id))}">${page.m.common.next} →</a>` : ''}</nav>`;
  return deskShell(c, ctx, page, { title: t.title, main });
}

function interval(page: EvidencePage, from: unknown, to: unknown): Markup {
  const when = (v: unknown) => {
    const s = str(v);
    const ms = s === null ? Number.NaN : Date.parse(s);
    return Number.isNaN(ms) ? (s ?? '-') : at(page, ms);
  };
  return html`${when(from)} – ${str(to) === null ? page.e.stillListed : when(to)}`;
}

function listingPart(page: EvidencePage, listing: Record<string, unknown>): Markup {
  const t = page.e;
  const ev = entries(listing);
  const atText = str(listing.at);
  const atMs = atText === null ? Number.NaN : Date.parse(atText);
  const listed = listing.listed === true ? t.listed : t.notListed;
  const head = Number.isNaN(atMs)
    ? html`<p>${listed}</p>`
    : html`<p title="${new Date(atMs).toISOString()}">${t.listingAt(page.fmt.dateTime(atMs), listed)}</p>`;
  if (ev.length === 0) return html`<h2>${t.listingHeading}</h2>${head}<p>${t.noEvidence}</p>`;
  return html`<h2>${t.listingHeading}</h2>${head}
<table class="listing"><thead><tr><th scope="col">${t.colList}</th><th scope="col">${t.colKind}</th><th scope="col">${t.colEntry}</th><th scope="col">${t.colInterval}</th><th scope="col">${t.colRelay}</th></tr></thead>
<tbody>${ev.map(
    (
      e,
    ) => html`<tr><td>${String(e.list ?? '')}</td><td>${String(e.kind ?? '')}</td><td><code>${String(e.entry ?? '')}</code></td>
<td>${interval(page, e.from, e.to)}</td><td>${str(e.fingerprint) === null ? '-' : html`<code>${String(e.fingerprint)}</code>`}</td></tr>`,
  )}</tbody></table>`;
}

function headersPart(page: EvidencePage, headers: Record<string, string>): Markup {
  const t = page.e;
  const rows = Object.entries(headers);
  if (rows.length === 0) return html`<h2>${t.headers}</h2><p>${t.noHeaders}</p>`;
  return html`<h2>${t.headers}</h2><table class="headers"><thead><tr><th scope="col">${t.headerName}</th><th scope="col">${t.headerValue}</th></tr></thead>
<tbody>${rows.map(([k, v]) => html`<tr><td><code>${shown(k)}</code></td><td><code>${shown(v)}</code></td></tr>`)}</tbody></table>`;
}

function notePart(page: EvidencePage, note: string | null): Markup {
  const t = page.e;
  if (note === null) return html`<h2>${t.note}</h2><p>${t.noNote}</p>`;
  const lines = note.split(/\r?\n/);
  return html`<h2>${t.note}</h2><p class="note">${lines.map((l, i) => html`${i > 0 ? html`<br>` : ''}${shown(l)}`)}</p>`;
}

async function recordPage(c: Context, ctx: PortalContext) {
  const page = evidencePage(c, ctx);
  const t = page.e;
  const id = idParam(c);
  // E_FORBIDDEN (no `evidence:read`) goes up as the 403 the API gives; a missing id is "not found".
  const v = id === null ? null : await orNotFound(ctx.intel.siteEvidence.get(page.actor, id));
  if (v === null) return notFoundPage(c, ctx, page, EVIDENCE_PATH);
  const site = (await siteNames(ctx, [v])).get(v.siteOrgId) ?? `#${v.siteOrgId}`;
  const fact = (dt: string, dd: Markup | string) => html`<div><dt>${dt}</dt><dd>${dd}</dd></div>`;
  const exact = (ms: number) => html`${at(page, ms)} (<code>${new Date(ms).toISOString()}</code>)`;
  const main = html`<article><h1>${t.recordTitle(v.id)}</h1>
<p class="notice">${t.viewedNote}</p>
<dl class="facts">${fact(t.colSite, html`<a href="${page.href(EVIDENCE_PATH, { site: String(v.siteOrgId) })}">${site}</a>`)}
${fact(t.requestTime, exact(v.requestMs))}${fact(t.received, exact(v.receivedMs))}
${fact(t.address, html`<code>${address(v)}</code>`)}${fact(t.account, v.account === null ? t.noAccount : shown(v.account))}
${fact(t.content, hash(v.contentSha256, false))}${fact(t.record, hash(v.recordSha256, false))}
${fact(t.postedBy, shown(v.postedBy))}</dl>
${headersPart(page, v.headers)}
${notePart(page, v.note)}
${listingPart(page, v.listing)}
<p><a href="${page.href(EVIDENCE_PATH)}">${page.m.common.back}</a></p></article>`;
  return deskShell(c, ctx, page, { title: t.recordTitle(v.id), main });
}

export function mountConsoleEvidence(app: Hono, ctx: PortalContext): void {
  app.get(EVIDENCE_PATH, (c) => listPage(c, ctx));
  app.get(`${EVIDENCE_PATH}/:id`, (c) => recordPage(c, ctx));
}
