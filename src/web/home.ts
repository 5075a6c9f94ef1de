/**
 * The live observation page at `/live` (the center's front page before the portal's public site
 * took `/`; the analyst console will take its place): observation figures (refreshing), with links to the JSON views. The
 * operator and center staff (`observations:read`, e.g. signed in) see them live with the sensor
 * table; everyone else sees the public view of public-stats.ts — delayed, all sensors together,
 * small counts withheld — and no live counter. Every value is escaped by Hono's `html` template;
 * the page has no inline script or style (the Content-Security-Policy allows none); simulated
 * data says so on top.
 */
import type { Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { EVENT_KINDS, formatInOffset, HOUR_MS, parseUtcOffset } from '../core/index.js';
import { type EventStore, runView, VIEW_NAMES, type ViewOptions, type ViewRow } from '../observe/index.js';
import type { WebContext } from './context.js';
import { type ObservationAccess, type ObserverCredentials, observerAccess } from './observer-access.js';
import { isPublicView, publicCutoffMs, thresholdRows } from './public-stats.js';

export const HOME_PATH = '/live';
export const HOME_CSS_PATH = '/assets/home.css';
export const HOME_CSS =
  'body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}' +
  'td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#f3f3f3}' +
  '.sim{background:#fff3cd;border:1px solid #e0b100;padding:.6em;font-weight:bold}' +
  'section{display:inline-block;vertical-align:top;margin-right:2em}';

/** Hours in the "per hour" table. */
export const HOME_HOURS = 24;

/** Columns holding counts, written with thousands separators (a port or a year is not a count). */
const COUNT_COLUMNS: ReadonlySet<string> = new Set(['count', 'events', ...EVENT_KINDS]);

function tableOf(rows: ViewRow[], columns: readonly string[]) {
  return html`<table>
    <tr>${columns.map((c) => html`<th>${c}</th>`)}</tr>
    ${rows.map(
      (r) =>
        html`<tr>${columns.map((c) => {
          const v = r[c];
          const text =
            typeof v === 'number' && (c === 'share' || c.endsWith('_share')) ? `${(v * 100).toFixed(1)}%` : v;
          const shown =
            typeof text === 'number' && COUNT_COLUMNS.has(c) ? text.toLocaleString('en-US') : text;
          return html`<td>${shown ?? '-'}</td>`;
        })}</tr>`,
    )}
  </table>`;
}

/**
 * One row per hour of [endMs − 24 h, endMs), every hour present (an hour without events counts 0),
 * with the count of each event kind and their sum. (The `total` view has one row per hour and
 * kind, so its last 24 rows were 8 hours.)
 */
export async function hourlyRows(
  store: EventStore,
  endMs: number,
  base: Pick<ViewOptions, 'utcOffsetMinutes' | 'domesticCountry'>,
): Promise<ViewRow[]> {
  const fromMs = endMs - HOME_HOURS * HOUR_MS;
  const total = await runView(store, 'total', { ...base, bucket: 'hour', fromMs, toMs: endMs });
  const byBucket = new Map<string, ViewRow>();
  for (let h = fromMs; h < endMs; h += HOUR_MS) {
    const bucket = formatInOffset(h, base.utcOffsetMinutes);
    byBucket.set(bucket, { bucket, ...Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])), count: 0 });
  }
  for (const r of total.rows) {
    const row = byBucket.get(String(r.bucket));
    if (!row || typeof r.kind !== 'string' || typeof r.count !== 'number') continue;
    row[r.kind] = (row[r.kind] as number) + r.count;
    row.count = (row.count as number) + r.count;
  }
  return [...byBucket.values()];
}

/** What the front page reads. */
export type HomeContext = Pick<
  WebContext,
  'events' | 'observation' | 'publicStats' | 'simulated' | 'ingest' | 'sensors' | 'options'
>;

export async function renderHome(
  ctx: HomeContext,
  access: ObservationAccess,
): Promise<HtmlEscapedString | Promise<HtmlEscapedString>> {
  const store = ctx.events;
  const cfg = ctx.observation;
  const offset = parseUtcOffset(cfg.utcOffset);
  const nowMs = (ctx.options.now ?? Date.now)();
  const live = access === 'full';
  const summary = await store.summary();
  // Live: the 24 hours up to the newest event (never past now); public: up to the cutoff.
  const endMs = live
    ? Math.floor(Math.min(nowMs, summary.lastMs ?? nowMs) / HOUR_MS) * HOUR_MS + HOUR_MS
    : publicCutoffMs(nowMs, ctx.publicStats);
  const base = { utcOffsetMinutes: offset, domesticCountry: cfg.domesticCountry };
  const range = live ? base : { ...base, toMs: endMs };
  const [hours, countries, tcp, udp, techniques] = await Promise.all([
    hourlyRows(store, endMs, base),
    runView(store, 'countries', { ...range, top: 10 }),
    runView(store, 'ports', { ...range, proto: 'tcp', top: 10 }),
    runView(store, 'ports', { ...range, proto: 'udp', top: 10 }),
    runView(store, 'techniques', range),
  ]);
  const min = ctx.publicStats.minCount;
  const shown = (rows: ViewRow[], fixedRows = false) =>
    live ? rows : thresholdRows(rows, min, { fixedRows });
  const banner = ctx.simulated
    ? html`<p class="sim">SIMULATED DATA — fed by Koban's built-in simulator (koban serve --demo); no real sensor.</p>`
    : '';
  const intro = live
    ? html`<p>${summary.events.toLocaleString('en-US')} events from ${summary.sensors} sensors${
        summary.lastMs ? html`, newest ${formatInOffset(summary.lastMs, offset)}` : ''
      }. Ingested through the API since start: ${ctx.ingest.stats.events.toLocaleString('en-US')} events in
${ctx.ingest.stats.batches.toLocaleString('en-US')} batches. This page refreshes every 10 s.</p>`
    : html`<p>Public view: every sensor together, up to ${formatInOffset(endMs, offset)} (figures are
${ctx.publicStats.delayHours} h behind); counts below ${min} are not shown (-). Center staff sign in for the live view.</p>`;
  const sensors = live
    ? html`<section><h2>Sensors</h2>${tableOf(
        (await ctx.sensors.list()).map((s) => ({
          sensor: s.name,
          events: s.eventsTotal,
          last_seen: s.lastSeenMs ? formatInOffset(s.lastSeenMs, offset) : null,
          status: s.revokedMs ? 'revoked' : 'active',
        })),
        ['sensor', 'events', 'last_seen', 'status'],
      )}</section>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${live ? 10 : 300}">
<title>Koban center${ctx.simulated ? ' (simulated data)' : ''}</title>
<link rel="stylesheet" href="${HOME_CSS_PATH}"></head>
<body>
<h1>Koban observation center</h1>
${banner}
${intro}
<section><h2>Events per hour (last ${HOME_HOURS} hours)</h2>${tableOf(shown(hours, true), ['bucket', ...EVENT_KINDS, 'count'])}</section>
<section><h2>Source countries</h2>${tableOf(shown(countries.rows), ['label', 'count', 'share'])}</section>
<section><h2>TCP ports</h2>${tableOf(shown(tcp.rows), ['port', 'service', 'count', 'share'])}</section>
<section><h2>UDP ports</h2>${tableOf(shown(udp.rows), ['port', 'service', 'count', 'share'])}</section>
<section><h2>IDS techniques</h2>${tableOf(shown(techniques.rows), ['technique', 'count', 'share'])}</section>
${sensors}
<h2>Machine-readable</h2>
<ul>${VIEW_NAMES.filter((v) => live || isPublicView(v)).map((v) => html`<li><a href="/api/v1/stats/${v}${v === 'port-series' ? '?port=445/tcp' : ''}">/api/v1/stats/${v}</a></li>`)}
${live ? html`<li><a href="/metrics">/metrics</a> (Prometheus)</li>` : ''}<li><a href="/healthz">/healthz</a></li>
<li><a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (<a href="/api/docs">browse it</a>)</li></ul>
</body></html>`;
}

/** The live page and its stylesheet. */
export function mountHome(app: Hono, ctx: HomeContext, observer: ObserverCredentials): void {
  app.get(HOME_PATH, async (c) => c.html(await renderHome(ctx, await observerAccess(c, observer))));
  app.get(HOME_CSS_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'max-age=3600');
    return c.body(HOME_CSS);
  });
}
