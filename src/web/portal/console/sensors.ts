/**
 * `/console/sensors`: the registered sensors (observe's registry, as `koban sensor list`): status
 * (observe's `sensorStatus`), last batch, lag (last batch minus the newest event received), loss
 * (events the agent reported dropping from a full spool), and the fleet's coverage per day — the
 * share of monitored addresses whose sensor sent events that day, as the status line computes it
 * for one day — as a small SVG chart. `/console/audit`: runs intel's audit-chain verification
 * (`koban audit verify`) for a center admin (`audit:read`) and shows its result.
 */
import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import { DAY_MS } from '../../../core/index.js';
import { sensorStatus } from '../../../observe/index.js';
import { renderChart } from '../charts.js';
import { csrfField, requireCsrf } from '../csrf.js';
import type { Markup } from '../layout.js';
import type { PortalContext } from '../page.js';
import { type DeskPage, deskPage, deskShell, requireScope } from './desk.js';

export const SENSORS_PATH = '/console/sensors';
export const AUDIT_PATH = '/console/audit';
/** Days of the coverage chart. */
export const COVERAGE_DAYS = 14;

/** Coverage per day (oldest first) over the days ending at `endMs`; null without monitored space. */
export async function coverageByDay(
  ctx: PortalContext,
  endMs: number,
  days = COVERAGE_DAYS,
): Promise<{ dayMs: number; share: number }[] | null> {
  const spaces = await ctx.monitored.inEffect();
  const total = spaces.reduce((n, s) => n + s.addresses, 0);
  if (total === 0) return null;
  const out: { dayMs: number; share: number }[] = [];
  for (let i = days; i >= 1; i--) {
    const toMs = endMs - (i - 1) * DAY_MS;
    const active = await ctx.events.sensorActivity({ fromMs: toMs - DAY_MS, toMs }, 0);
    const reporting = new Set(active.map((a) => a.sensor));
    const covered = spaces.filter((s) => reporting.has(s.sensor)).reduce((n, s) => n + s.addresses, 0);
    out.push({ dayMs: toMs - DAY_MS, share: covered / total });
  }
  return out;
}

async function coverageChart(page: DeskPage, points: { dayMs: number; share: number }[]): Promise<Markup> {
  const t = page.m.sensors;
  const svg = await renderChart(
    {
      grid: { left: 16, right: 24, top: 24, bottom: 36, containLabel: true },
      xAxis: {
        type: 'category',
        name: t.axisDay,
        nameLocation: 'middle',
        nameGap: 26,
        data: points.map((p) => page.fmt.date(p.dayMs)),
      },
      yAxis: { type: 'value', min: 0, max: 100, name: t.coverageAxis },
      series: [
        { type: 'line', name: t.coverageAxis, data: points.map((p) => Math.round(p.share * 1000) / 10) },
      ],
    },
    { width: 640, height: 220 },
    { prefix: 'coverage', labelledBy: 'coverage-cap' },
  );
  return html`<figure class="chart">${raw(svg)}<figcaption id="coverage-cap">${t.coverageCaption(page.fmt.count(points.length))}</figcaption></figure>`;
}

/** `1 h 05 min`, `42 s`: a lag for people. */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

async function sensorsPage(c: Context, ctx: PortalContext) {
  const page = deskPage(c, ctx);
  requireScope(page, 'observations:read');
  const t = page.m.sensors;
  const nowMs = (ctx.options.now ?? Date.now)();
  const [sensors, coverage] = await Promise.all([ctx.sensors.list(), coverageByDay(ctx, nowMs)]);
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
${
  sensors.length === 0
    ? html`<p>${t.none}</p>`
    : html`<table class="sensors"><thead><tr><th scope="col">${t.colName}</th><th scope="col">${t.colSite}</th><th scope="col">${t.colStatus}</th>
<th scope="col">${t.colLastSeen}</th><th scope="col" class="num">${t.colLag}</th><th scope="col" class="num">${t.colLoss}</th><th scope="col" class="num">${t.colEvents}</th></tr></thead>
<tbody>${sensors.map((s) => {
        const status = sensorStatus(s, nowMs);
        const lag =
          s.lastSeenMs !== null && s.lastEventMs !== null ? Math.max(0, s.lastSeenMs - s.lastEventMs) : null;
        return html`<tr><td>${s.name}</td><td>${s.site ?? ''}</td><td><span class="sensor-${status.replace(' ', '-')}">${t.status[status]}</span></td>
<td>${s.lastSeenMs === null ? '-' : page.fmt.dateTime(s.lastSeenMs)}</td><td class="num">${lag === null ? '-' : duration(lag)}</td>
<td class="num">${page.fmt.count(s.droppedTotal)}</td><td class="num">${page.fmt.count(s.eventsTotal)}</td></tr>`;
      })}</tbody></table>`
}
<h2>${t.coverageHeading}</h2>
${coverage === null ? html`<p>${t.noSpace}</p>` : await coverageChart(page, coverage)}`;
  return deskShell(c, ctx, page, { title: t.title, main });
}

async function auditPage(c: Context, ctx: PortalContext, run: boolean) {
  const page = deskPage(c, ctx);
  requireScope(page, 'audit:read');
  const t = page.m.audit;
  const v = run ? await ctx.intel.verifyAudit() : null;
  const chains = v
    ? html`<table class="audit"><thead><tr><th scope="col">${t.table}</th><th scope="col" class="num">${t.rows}</th><th scope="col">${t.head}</th><th scope="col">${t.brokenAt}</th></tr></thead>
<tbody>${(
        [
          ['audit_log', v.audit],
          ['custody', v.custody],
        ] as const
      ).map(
        ([name, ch]) =>
          html`<tr><td>${name}</td><td class="num">${page.fmt.count(ch.rows)}</td><td><code>${ch.head.slice(0, 16)}…</code></td><td>${
            ch.broken ? `${ch.broken.id ?? '-'}: ${ch.broken.reason}` : '-'
          }</td></tr>`,
      )}</tbody></table>
<p>${t.checkpoints}: ${t.checkpointCount(page.fmt.count(v.checkpoints.count))}${
        v.checkpoints.last ? html` · ${t.lastCheckpoint}: ${v.checkpoints.last.at}` : ''
      }</p>
${v.checkpoints.problems.length > 0 ? html`<h2>${t.problems}</h2><ul>${v.checkpoints.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}`
    : '';
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
<form method="post" action="${page.href(AUDIT_PATH)}">${csrfField(page.csrf)}<button type="submit">${t.run}</button></form>
${
  v
    ? html`<p class="${v.ok ? 'done' : 'withdrawn'}" role="status"><strong>${v.ok ? t.ok : t.broken}</strong>: ${v.message}</p>${chains}`
    : ''
}`;
  return deskShell(c, ctx, page, { title: t.title, main });
}

export function mountConsoleSensors(app: Hono, ctx: PortalContext): void {
  app.get(SENSORS_PATH, (c) => sensorsPage(c, ctx));
  app.get(AUDIT_PATH, (c) => auditPage(c, ctx, false));
  app.post(AUDIT_PATH, requireCsrf(ctx.options), (c) => auditPage(c, ctx, true));
}
