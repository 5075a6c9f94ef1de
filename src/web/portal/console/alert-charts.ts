/**
 * An operator alert's evidence as charts, when the evidence holds a series: a port surge's
 * distinct sources per hour against its baseline (detect/port-surge/alert.ts: `series` of
 * `{ hour, sources }`, `splits.<name>.baseline`), a DDoS victim's monitored addresses hit per
 * minute (detect/backscatter.ts: `series` of `{ minute, addresses }`). The evidence is stored
 * JSON, so it is parsed here (zod): a shape that does not match draws no chart, never an error.
 */
import type { EChartsOption } from 'echarts';
import { html, raw } from 'hono/html';
import { z } from 'zod';
import type { OperatorAlert } from '../../../detect/index.js';
import { renderChart } from '../charts.js';
import type { Markup } from '../layout.js';
import type { DeskPage } from './desk.js';

const SurgeEvidence = z.object({
  series: z
    .array(z.object({ hour: z.string(), sources: z.number().nullable() }))
    .min(1)
    .max(24 * 14),
  splits: z.record(z.string(), z.object({ baseline: z.number().nullable() })),
});

const VictimEvidence = z.object({
  victim: z.string(),
  series: z
    .array(z.object({ minute: z.string(), addresses: z.number() }))
    .min(1)
    .max(24 * 60),
});

const SIZE = { width: 760, height: 300 };
const grid = { left: 16, right: 32, top: 48, bottom: 40, containLabel: true };
/** `2026-12-07T09:00:00.000Z` → `12-07 18:00` in the operator's offset. */
const clock = (page: DeskPage, iso: string) => page.fmt.dateTime(Date.parse(iso));

function surgeOption(page: DeskPage, e: z.infer<typeof SurgeEvidence>): EChartsOption {
  const t = page.m.alerts;
  // The 'all' split is the port's whole traffic; else the first split the detector named.
  const split = e.splits.all ?? Object.values(e.splits)[0];
  const baseline = split?.baseline ?? null;
  return {
    grid,
    legend: { top: 8 },
    xAxis: {
      type: 'category',
      name: t.axisHour,
      nameLocation: 'middle',
      nameGap: 30,
      data: e.series.map((p) => clock(page, p.hour)),
    },
    yAxis: { type: 'value', name: t.axisCount },
    series: [
      { type: 'bar', name: t.surgeSources, data: e.series.map((p) => p.sources) },
      ...(baseline === null
        ? []
        : [
            {
              type: 'line' as const,
              name: t.surgeBaseline,
              showSymbol: false,
              data: e.series.map(() => baseline),
            },
          ]),
    ],
  };
}

function victimOption(page: DeskPage, e: z.infer<typeof VictimEvidence>): EChartsOption {
  const t = page.m.alerts;
  return {
    grid,
    legend: { top: 8 },
    xAxis: {
      type: 'category',
      name: t.axisMinute,
      nameLocation: 'middle',
      nameGap: 30,
      data: e.series.map((p) => clock(page, p.minute)),
    },
    yAxis: { type: 'value', name: t.axisCount },
    series: [
      { type: 'line', name: t.victimAddresses, showSymbol: false, data: e.series.map((p) => p.addresses) },
    ],
  };
}

async function figure(caption: string, option: EChartsOption, id: string): Promise<Markup> {
  const svg = await renderChart(option, SIZE, { prefix: id, labelledBy: `${id}-cap` });
  return html`<figure class="chart">${raw(svg)}<figcaption id="${id}-cap">${caption}</figcaption></figure>`;
}

/** The charts the alert's evidence allows (none for kinds without a series). */
export async function evidenceCharts(page: DeskPage, a: OperatorAlert): Promise<Markup[]> {
  const t = page.m.alerts;
  const surge = a.kind === 'port-surge' ? SurgeEvidence.safeParse(a.evidence) : null;
  if (surge?.success) {
    const subject = a.title.match(/\d+\/\w+/)?.[0] ?? a.title;
    return [await figure(t.surgeCaption(subject), surgeOption(page, surge.data), `ev-${a.id}-surge`)];
  }
  const victim = a.kind === 'backscatter' ? VictimEvidence.safeParse(a.evidence) : null;
  if (victim?.success)
    return [
      await figure(t.victimCaption(victim.data.victim), victimOption(page, victim.data), `ev-${a.id}-victim`),
    ];
  return [];
}
