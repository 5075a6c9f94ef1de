/**
 * `/console/triage`: the queue of incoming member reports, newest first, filtered by triage
 * status, kind, reporting organisation and label, a page at a time (keyset: `before` is the last
 * id shown, so pages neither skip nor repeat while reports arrive); each row's status is changed in
 * place (`POST /console/reports/:id/triage`). Reads and changes go through intel's report service
 * with the signed-in analyst as the actor: the one access check decides what is listed.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { KobanError } from '../../../core/index.js';
import {
  type ReportSummary,
  TlpSchema,
  TRIAGE_STATUSES,
  type TriageStatus,
  TriageStatusSchema,
} from '../../../intel/index.js';
import { csrfField, requireCsrf } from '../csrf.js';
import { idParam } from '../member/inbox.js';
import { tlpLabel } from '../member/views.js';
import type { PortalContext } from '../page.js';
import { act, type ConsolePage, consolePage, frame, readForm, strictest } from './frame.js';

const PAGE = 50;
const KINDS = ['email', 'incident', 'c2', 'malware', 'text'] as const;
export const TRIAGE_PATH = '/console/triage';

interface Query {
  readonly status?: TriageStatus;
  readonly kind?: string;
  readonly org?: number;
  readonly tlp?: (typeof TlpSchema.options)[number];
  readonly before?: number;
}

/** The filters of the URL; a value that is not one of the choices is ignored, as no filter. */
function readQuery(c: Context): Query {
  const q = (n: string) => c.req.query(n) ?? '';
  const id = (s: string) => (/^[1-9]\d{0,11}$/.test(s) ? Number(s) : undefined);
  const status = TriageStatusSchema.safeParse(q('status'));
  const tlp = TlpSchema.safeParse(q('tlp'));
  return {
    ...(status.success ? { status: status.data } : {}),
    ...((KINDS as readonly string[]).includes(q('kind')) ? { kind: q('kind') } : {}),
    ...(id(q('org')) !== undefined ? { org: id(q('org')) } : {}),
    ...(tlp.success ? { tlp: tlp.data } : {}),
    ...(id(q('before')) !== undefined ? { before: id(q('before')) } : {}),
  };
}

function params(q: Query): Record<string, string> {
  const out: Record<string, string> = {};
  if (q.status) out.status = q.status;
  if (q.kind) out.kind = q.kind;
  if (q.org !== undefined) out.org = String(q.org);
  if (q.tlp) out.tlp = q.tlp;
  if (q.before !== undefined) out.before = String(q.before);
  return out;
}

function choice(
  name: string,
  label: string,
  any: string,
  options: readonly [string, string][],
  chosen?: string,
) {
  return html`<label for="f-${name}">${label}</label>
<select id="f-${name}" name="${name}"><option value="">${any}</option>${options.map(
    ([v, text]) => html`<option value="${v}"${v === chosen ? raw(' selected') : ''}>${text}</option>`,
  )}</select>`;
}

async function filters(ctx: PortalContext, page: ConsolePage, q: Query) {
  const t = page.m.triage;
  const orgs = await ctx.intel.orgs.list(page.actor);
  return html`<form class="filters" method="get" action="${TRIAGE_PATH}" aria-label="${t.filters}">
${langInUrl(page) ? html`<input type="hidden" name="lang" value="${page.lang}">` : ''}
${choice(
  'status',
  t.status,
  t.any,
  TRIAGE_STATUSES.map((s) => [s, t.statuses[s]]),
  q.status,
)}
${choice(
  'kind',
  t.kind,
  t.any,
  KINDS.map((k) => [k, k]),
  q.kind,
)}
${choice(
  'org',
  t.org,
  t.any,
  orgs.map((o) => [String(o.id), o.name]),
  q.org === undefined ? undefined : String(q.org),
)}
${choice(
  'tlp',
  t.tlp,
  t.any,
  TlpSchema.options.map((l) => [l, `TLP:${l}`]),
  q.tlp,
)}
<button type="submit">${t.apply}</button></form>`;
}

/** Whether this page's language came from the URL (then the filter form keeps it). */
function langInUrl(page: ConsolePage): boolean {
  return new URL(page.here, 'http://x').searchParams.has('lang');
}

/** The status form of one row (also on the report's page). */
export function triageForm(page: ConsolePage, id: number, status: TriageStatus | null, back: string) {
  const t = page.m.triage;
  return html`<form class="inline" method="post" action="${page.href(`/console/reports/${id}/triage`)}">${csrfField(page.csrf)}
<input type="hidden" name="back" value="${back}">
<select name="status" aria-label="${t.changeFor(id)}">${TRIAGE_STATUSES.map(
    (s) => html`<option value="${s}"${s === status ? raw(' selected') : ''}>${t.statuses[s]}</option>`,
  )}</select> <button type="submit">${t.change}</button></form>`;
}

function row(page: ConsolePage, r: ReportSummary) {
  return html`<tr><td class="n">${r.id}</td><td>${tlpLabel(r.tlp)}</td><td>${r.kind}</td>
<td><a href="${page.href(`/console/reports/${r.id}`)}">${r.title}</a></td><td>${r.reporter?.orgName ?? ''}</td>
<td>${page.fmt.dateTime(r.receivedMs)}</td><td>${triageForm(page, r.id, r.triage, page.here)}</td></tr>`;
}

async function queuePage(c: Context, ctx: PortalContext) {
  const page = consolePage(c, ctx);
  const t = page.m.triage;
  const q = readQuery(c);
  const rows = await ctx.intel.reports.list(page.actor, {
    limit: PAGE + 1,
    ...(q.status ? { triage: q.status } : {}),
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.org !== undefined ? { orgId: q.org } : {}),
    ...(q.tlp ? { tlp: q.tlp } : {}),
    ...(q.before !== undefined ? { beforeId: q.before } : {}),
  });
  const list = rows.slice(0, PAGE);
  const last = list.at(-1);
  const more = rows.length > PAGE && last !== undefined;
  const done = doneNote(page, c.req.query('done'));
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>${done}
${await filters(ctx, page, q)}
${
  list.length === 0
    ? html`<p>${t.none}</p>`
    : html`<table class="reports"><thead><tr><th scope="col">${t.id}</th><th scope="col">TLP</th><th scope="col">${t.kind}</th><th scope="col">${t.titleCol}</th><th scope="col">${t.org}</th><th scope="col">${t.received}</th><th scope="col">${t.status}</th></tr></thead>
<tbody>${list.map((r) => row(page, r))}</tbody></table>`
}
<nav class="months" aria-label="${t.title}">${
    q.before !== undefined
      ? html`<a href="${page.href(TRIAGE_PATH, params({ ...q, before: undefined }))}">${t.first}</a>`
      : ''
  }${more ? html`<a rel="next" href="${page.href(TRIAGE_PATH, params({ ...q, before: last.id }))}">${t.next} →</a>` : ''}</nav>`;
  return frame(c, ctx, page, { title: t.title, main, tlp: strictest(list.map((r) => r.tlp)) });
}

/** `done=<id>:<status>` after a change: said on the page it returns to. */
export function doneNote(page: ConsolePage, done: string | undefined) {
  const m = /^(\d{1,12}):(new|in-review|done)$/.exec(done ?? '');
  if (!m) return '';
  const status = m[2] as TriageStatus;
  return html`<p class="done" role="status">${page.m.triage.changed(Number(m[1]), page.m.triage.statuses[status])}</p>`;
}

/** Where a form may send the analyst back: a console page, nothing else (no open redirect). */
export function consoleBack(back: unknown, fallback: string): string {
  if (typeof back !== 'string' || back.length > 500) return fallback;
  return /^\/console\/[A-Za-z0-9/_?=&%.:-]*$/.test(back) && !back.includes('//') ? back : fallback;
}

async function changeStatus(c: Context, ctx: PortalContext) {
  const id = idParam(c);
  return act(c, ctx, TRIAGE_PATH, async (page) => {
    if (id === null) throw new KobanError('E_NOT_FOUND', 'no such report');
    const form = await readForm(c);
    const status = TriageStatusSchema.safeParse([form.status].flat()[0]);
    if (!status.success)
      throw new KobanError('E_USAGE', `status must be one of ${TRIAGE_STATUSES.join(', ')}`);
    await ctx.intel.reports.setTriage(page.actor, id, status.data);
    const back = new URL(consoleBack([form.back].flat()[0], TRIAGE_PATH), 'http://x');
    back.searchParams.set('done', `${id}:${status.data}`);
    return c.redirect(back.pathname + back.search, 303);
  });
}

export function mountTriage(app: Hono, ctx: PortalContext): void {
  app.get(TRIAGE_PATH, (c) => queuePage(c, ctx));
  app.post('/console/reports/:id/triage', requireCsrf(ctx.options), (c) => changeStatus(c, ctx));
}
