/**
 * A campaign's timeline: its reports counted per day of observation (in the operator's offset, as
 * every date of the portal), drawn on the server as SVG by the charts helper, with the same
 * counts as a table below for those who do not read the figure.
 */
import { html, raw } from 'hono/html';
import type { ReportSummary } from '../../../intel/index.js';
import { renderChart } from '../charts.js';
import type { ConsolePage } from './frame.js';

const DAY_MS = 86_400_000;

/** Days from the first report to the last, each with its count (days without reports: 0). */
export function reportsPerDay(
  reports: readonly ReportSummary[],
  offsetMs: number,
): { day: string; count: number }[] {
  if (reports.length === 0) return [];
  const dayOf = (ms: number) => Math.floor((ms + offsetMs) / DAY_MS);
  const counts = new Map<number, number>();
  for (const r of reports) counts.set(dayOf(r.observedMs), (counts.get(dayOf(r.observedMs)) ?? 0) + 1);
  const days = [...counts.keys()];
  const first = Math.min(...days);
  const last = Math.max(...days);
  // A campaign seen over years would draw thousands of empty days: only the days with reports then.
  const span =
    last - first + 1 <= 400
      ? Array.from({ length: last - first + 1 }, (_, i) => first + i)
      : days.sort((x, y) => x - y);
  return span.map((d) => ({
    day: new Date(d * DAY_MS).toISOString().slice(0, 10),
    count: counts.get(d) ?? 0,
  }));
}

export async function timeline(page: ConsolePage, reports: readonly ReportSummary[], offsetMs: number) {
  const t = page.m.campaigns;
  const days = reportsPerDay(reports, offsetMs);
  if (days.length === 0) return '';
  const svg = await renderChart(
    {
      grid: { left: 16, right: 24, top: 24, bottom: 40, containLabel: true },
      xAxis: {
        type: 'category',
        data: days.map((d) => d.day),
        name: t.axisDay,
        nameLocation: 'middle',
        nameGap: 30,
      },
      yAxis: { type: 'value', minInterval: 1, name: t.axisReports },
      series: [{ type: 'bar', name: t.axisReports, data: days.map((d) => d.count) }],
    },
    { width: 720, height: 260 },
    { prefix: 'timeline', labelledBy: 'timeline-h' },
  );
  return html`<figure><figcaption id="timeline-h">${t.timeline}</figcaption>${raw(svg)}</figure>
<table class="data"><thead><tr><th scope="col">${t.axisDay}</th><th scope="col">${t.axisReports}</th></tr></thead>
<tbody>${days.filter((d) => d.count > 0).map((d) => html`<tr><td>${d.day}</td><td class="n">${d.count}</td></tr>`)}</tbody></table>`;
}
