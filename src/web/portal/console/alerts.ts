/**
 * `/console/alerts`: the detectors' and sensor-health operator alerts (detect's AlertStore, the
 * store `/api/v1/operator/alerts` and `koban alerts` read) for center staff with
 * `observations:read`: filters by kind, severity and state (a GET form: bookmarkable, no script),
 * a page at a time with the store's keyset cursor, counts per severity; `/console/alerts/:id` with
 * its evidence as charts (alert-charts.ts) and in full, and acknowledge / close — the store's own
 * transitions, recorded under the signed-in user's e-mail address.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { isKobanError } from '../../../core/index.js';
import {
  ALERT_STATUSES,
  type AlertStatus,
  episodeState,
  type OperatorAlert,
  SEVERITIES,
  type Severity,
} from '../../../detect/index.js';
import { csrfField, requireCsrf } from '../csrf.js';
import { idParam } from '../member/inbox.js';
import { jsonTree } from '../member/views.js';
import type { PortalContext } from '../page.js';
import { evidenceCharts } from './alert-charts.js';
import { type DeskPage, deskPage, deskShell, errorBox, notFoundPage, requireScope } from './desk.js';

export const ALERTS_PATH = '/console/alerts';
const PAGE_SIZE = 50;
const KIND_RE = /^[a-z][a-z0-9-]{0,59}$/;
const CURSOR_RE = /^[0-4]-\d{1,15}-\d{1,15}$/;

interface AlertQuery {
  readonly kind?: string;
  readonly severity?: Severity;
  readonly status?: AlertStatus;
  readonly cursor?: string;
}

/** The filter of the URL; a value that is not one of the choices is ignored (a bookmark gone stale). */
function queryOf(c: Context): AlertQuery {
  const q = (n: string) => c.req.query(n) ?? '';
  const kind = q('kind');
  const severity = q('severity') as Severity;
  const status = q('status') as AlertStatus;
  return {
    ...(KIND_RE.test(kind) ? { kind } : {}),
    ...(SEVERITIES.includes(severity) ? { severity } : {}),
    ...(ALERT_STATUSES.includes(status) ? { status } : {}),
    ...(CURSOR_RE.test(q('cursor')) ? { cursor: q('cursor') } : {}),
  };
}

function select(
  id: string,
  label: string,
  name: string,
  options: readonly [string, string][],
  value?: string,
) {
  return html`<label for="${id}">${label}</label> <select id="${id}" name="${name}">${options.map(
    ([v, text]) => html`<option value="${v}"${v === (value ?? '') ? raw(' selected') : ''}>${text}</option>`,
  )}</select>`;
}

function filterForm(page: DeskPage, q: AlertQuery, kinds: readonly string[]) {
  const t = page.m.alerts;
  const any: [string, string] = ['', page.m.common.any];
  return html`<form class="filters" method="get" action="${ALERTS_PATH}">
${page.href('/x').includes('lang=') ? html`<input type="hidden" name="lang" value="${page.lang}">` : ''}
${select('f-kind', t.kind, 'kind', [any, ...kinds.map((k): [string, string] => [k, k])], q.kind)}
${select('f-severity', t.severity, 'severity', [any, ...[...SEVERITIES].reverse().map((s): [string, string] => [s, s])], q.severity)}
${select('f-status', t.state, 'status', [any, ...ALERT_STATUSES.map((s): [string, string] => [s, t.states[s] ?? s])], q.status)}
<button type="submit">${page.m.common.filter}</button></form>`;
}

function filterParams(q: AlertQuery): Record<string, string> {
  return {
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.severity ? { severity: q.severity } : {}),
    ...(q.status ? { status: q.status } : {}),
  };
}

async function listPage(c: Context, ctx: PortalContext) {
  const page = deskPage(c, ctx);
  requireScope(page, 'observations:read');
  const t = page.m.alerts;
  const q = queryOf(c);
  const filter = {
    kind: q.kind,
    severity: q.severity ? [q.severity] : undefined,
    status: q.status ? [q.status] : undefined,
  };
  const [list, counts, all] = await Promise.all([
    ctx.operatorAlerts.page({ ...filter, limit: PAGE_SIZE, cursor: q.cursor }),
    ctx.operatorAlerts.counts(filter),
    ctx.operatorAlerts.counts({}),
  ]);
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
${filterForm(page, q, Object.keys(all.kind))}
<p>${t.total(page.fmt.count(counts.total))} (${[...SEVERITIES]
    .reverse()
    .map((s) => `${s} ${page.fmt.count(counts.severity[s])}`)
    .join(' · ')})</p>
${
  list.alerts.length === 0
    ? html`<p>${page.m.common.none}</p>`
    : html`<table class="alerts"><thead><tr><th scope="col">${t.severity}</th><th scope="col">${t.kind}</th><th scope="col">${t.colTitle}</th>
<th scope="col">${t.state}</th><th scope="col">${t.colEpisode}</th><th scope="col">${t.colLast}</th></tr></thead>
<tbody>${list.alerts.map(
        (a) => html`<tr><td><span class="sev sev-${a.severity}">${a.severity}</span></td><td>${a.kind}</td>
<td><a href="${page.href(`${ALERTS_PATH}/${a.id}`)}">${a.title}</a></td><td>${t.states[a.status] ?? a.status}</td>
<td>${t.episodes[episodeState(a)]}</td><td>${page.fmt.dateTime(a.lastMs)}</td></tr>`,
      )}</tbody></table>`
}
<p>${q.cursor ? html`<a href="${page.href(ALERTS_PATH, filterParams(q))}">${page.m.common.first}</a> ` : ''}${
    list.nextCursor
      ? html`<a href="${page.href(ALERTS_PATH, { ...filterParams(q), cursor: list.nextCursor })}">${page.m.common.next}</a>`
      : ''
  }</p>`;
  return deskShell(c, ctx, page, { title: t.title, main });
}

function decisions(page: DeskPage, a: OperatorAlert) {
  const t = page.m.alerts;
  const at = (ms: number | null) => (ms === null ? '' : page.fmt.dateTime(ms));
  const done = [
    a.ackedBy ? html`<li>${t.acked(a.ackedBy, at(a.ackedMs))}</li>` : '',
    a.closedBy ? html`<li>${t.closed(a.closedBy, at(a.closedMs))}</li>` : '',
  ];
  const form = (verb: 'ack' | 'close', label: string) =>
    html`<form class="inline" method="post" action="${page.href(`${ALERTS_PATH}/${a.id}/${verb}`)}">${csrfField(page.csrf)}<button type="submit">${label}</button></form>`;
  return html`<ul>${done}</ul>${
    a.status === 'closed'
      ? ''
      : html`<p>${a.status === 'open' ? form('ack', t.ack) : ''} ${form('close', t.close)}</p>`
  }`;
}

async function detailPage(c: Context, ctx: PortalContext, error?: string) {
  const page = deskPage(c, ctx);
  requireScope(page, 'observations:read');
  const id = idParam(c);
  const a = id === null ? null : await ctx.operatorAlerts.get(id);
  if (!a) return notFoundPage(c, ctx, page, ALERTS_PATH);
  const t = page.m.alerts;
  const charts = await evidenceCharts(page, a);
  const main = html`<article><h1>${a.title}</h1>
${error ? errorBox(error) : ''}
<dl class="facts"><div><dt>${t.severity}</dt><dd><span class="sev sev-${a.severity}">${a.severity}</span></dd></div>
<div><dt>${t.kind}</dt><dd>${a.kind}</dd></div><div><dt>${t.state}</dt><dd>${t.states[a.status] ?? a.status}</dd></div>
<div><dt>${t.colEpisode}</dt><dd>${t.episodes[episodeState(a)]}</dd></div>
<div><dt>${t.first}</dt><dd>${page.fmt.dateTime(a.firstMs)}</dd></div><div><dt>${t.last}</dt><dd>${page.fmt.dateTime(a.lastMs)}</dd></div></dl>
${decisions(page, a)}
<h2>${t.evidence}</h2>
${charts}
<details><summary>${t.details}</summary>${jsonTree(a.evidence)}</details>
<p><a href="${page.href(ALERTS_PATH)}">${page.m.common.back}</a></p></article>`;
  return deskShell(c, ctx, page, { title: a.title, main, code: error ? 409 : 200 });
}

async function decide(c: Context, ctx: PortalContext, verb: 'ack' | 'close') {
  const page = deskPage(c, ctx);
  requireScope(page, 'observations:read');
  const id = idParam(c);
  if (id === null) return notFoundPage(c, ctx, page, ALERTS_PATH);
  const user = page.actor.userId === null ? null : await ctx.intel.users.get(page.actor.userId);
  const by = user?.email ?? page.actor.label;
  try {
    if (verb === 'ack') await ctx.operatorAlerts.acknowledge(id, by);
    else await ctx.operatorAlerts.close(id, by);
  } catch (e) {
    if (isKobanError(e) && e.code === 'E_NOT_FOUND') return notFoundPage(c, ctx, page, ALERTS_PATH);
    if (isKobanError(e) && e.code === 'E_CONFLICT') return detailPage(c, ctx, page.m.alerts.conflict);
    throw e;
  }
  return c.redirect(page.href(`${ALERTS_PATH}/${id}`), 303);
}

export function mountConsoleAlerts(app: Hono, ctx: PortalContext): void {
  app.get(ALERTS_PATH, (c) => listPage(c, ctx));
  app.get(`${ALERTS_PATH}/:id`, (c) => detailPage(c, ctx));
  app.post(`${ALERTS_PATH}/:id/ack`, requireCsrf(ctx.options), (c) => decide(c, ctx, 'ack'));
  app.post(`${ALERTS_PATH}/:id/close`, requireCsrf(ctx.options), (c) => decide(c, ctx, 'close'));
}
