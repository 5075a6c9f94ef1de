/**
 * The center's front page: live observation figures (refreshing), with links to the JSON views
 * and metrics. Every value is escaped by Hono's `html` template; simulated data says so on top.
 */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { formatInOffset, isIdentifierField, parseUtcOffset } from '../core/index.js';
import { runView, VIEW_NAMES, type ViewRow } from '../observe/index.js';
import type { Center } from './center.js';

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
            typeof text === 'number' && !isIdentifierField(c) ? text.toLocaleString('en-US') : text;
          return html`<td>${shown ?? '-'}</td>`;
        })}</tr>`,
    )}
  </table>`;
}

export async function renderHome(center: Center): Promise<HtmlEscapedString | Promise<HtmlEscapedString>> {
  const store = center.observatory.store;
  const cfg = center.observatory.config;
  const offset = parseUtcOffset(cfg.utcOffset);
  const base = { utcOffsetMinutes: offset, domesticCountry: cfg.domesticCountry };
  const summary = await store.summary();
  const [total, countries, tcp, udp, techniques, sensors] = await Promise.all([
    runView(store, 'total', { ...base, bucket: 'hour' }),
    runView(store, 'countries', { ...base, top: 10 }),
    runView(store, 'ports', { ...base, proto: 'tcp', top: 10 }),
    runView(store, 'ports', { ...base, proto: 'udp', top: 10 }),
    runView(store, 'techniques', base),
    center.registry.list(),
  ]);
  const banner = center.simulated
    ? html`<p class="sim">SIMULATED DATA — fed by Koban's built-in simulator (koban serve --demo); no real sensor.</p>`
    : '';
  const recent = total.rows.slice(-24);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10">
<title>Koban center${center.simulated ? ' (simulated data)' : ''}</title>
<style>${raw(
    'body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}' +
      'td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#f3f3f3}' +
      '.sim{background:#fff3cd;border:1px solid #e0b100;padding:.6em;font-weight:bold}' +
      'section{display:inline-block;vertical-align:top;margin-right:2em}',
  )}</style></head>
<body>
<h1>Koban observation center</h1>
${banner}
<p>${summary.events.toLocaleString('en-US')} events from ${summary.sensors} sensors${
    summary.lastMs ? html`, newest ${formatInOffset(summary.lastMs, offset)}` : ''
  }. Ingested through the API since start: ${center.ingest.stats.events.toLocaleString('en-US')} events in
${center.ingest.stats.batches.toLocaleString('en-US')} batches. This page refreshes every 10 s.</p>
<section><h2>Accesses per hour (last 24 buckets)</h2>${tableOf(recent, ['bucket', 'kind', 'count'])}</section>
<section><h2>Source countries</h2>${tableOf(countries.rows, ['label', 'count', 'share'])}</section>
<section><h2>TCP ports</h2>${tableOf(tcp.rows, ['port', 'service', 'count', 'share'])}</section>
<section><h2>UDP ports</h2>${tableOf(udp.rows, ['port', 'service', 'count', 'share'])}</section>
<section><h2>IDS techniques</h2>${tableOf(techniques.rows, ['technique', 'count', 'share'])}</section>
<section><h2>Sensors</h2>${tableOf(
    sensors.map((s) => ({
      sensor: s.name,
      events: s.eventsTotal,
      last_seen: s.lastSeenMs ? formatInOffset(s.lastSeenMs, offset) : null,
      status: s.revokedMs ? 'revoked' : 'active',
    })),
    ['sensor', 'events', 'last_seen', 'status'],
  )}</section>
<h2>Machine-readable</h2>
<ul>${VIEW_NAMES.map((v) => html`<li><a href="/api/v1/stats/${v}${v === 'port-series' ? '?port=445/tcp' : ''}">/api/v1/stats/${v}</a></li>`)}
<li><a href="/metrics">/metrics</a> (Prometheus)</li><li><a href="/healthz">/healthz</a></li></ul>
</body></html>`;
}
