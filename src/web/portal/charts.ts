/**
 * Charts as SVG, drawn on the server by Apache ECharts (server-side rendering: `ssr: true` with
 * the SVG renderer, then `renderToSVGString`), so a page, a printed report and an e-mail show the
 * same figure and a browser needs no script. The SVG goes inline into the page, made fit for its
 * Content-Security-Policy (no inline style allowed): ECharts' `style="…"` attributes become SVG
 * presentation attributes (SVG 2 §6.6: every property used here is one), its `<style>` element
 * (hover effects only, useless without script) is dropped, and its element ids get a per-chart
 * prefix (ECharts numbers them per renderer, so two charts on a page would share `zr0-c0`).
 * ECharts escapes text itself (`&lt;` …); nothing else of the data enters the markup.
 */
import type { EChartsOption } from 'echarts';

/** Okabe & Ito's colour-blind-safe palette (without its yellow: too light on white). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000'];
/** Noto CJK first: Debian's fonts-noto-cjk, so Japanese labels never fall back to boxes. */
export const CHART_FONT = "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', sans-serif";

/** CSS properties ECharts writes that SVG also takes as presentation attributes. */
const PRESENTATION = new Set([
  'fill',
  'fill-opacity',
  'font-family',
  'font-size',
  'font-style',
  'font-weight',
  'opacity',
  'stroke',
  'stroke-opacity',
  'stroke-width',
  'text-anchor',
  'dominant-baseline',
]);

const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** ECharts' SVG made fit for a strict CSP and for sharing a page with other charts. */
export function cspSafeSvg(svg: string, idPrefix: string, labelledBy: string): string {
  return svg
    .replace(/<style\b[\s\S]*?<\/style>/g, '')
    .replace(/ style="([^"]*)"/g, (_, decls: string) =>
      decls
        .split(';')
        .map((d) => {
          const i = d.indexOf(':');
          const name = d.slice(0, i).trim().toLowerCase();
          return i > 0 && PRESENTATION.has(name) ? ` ${name}="${attr(d.slice(i + 1).trim())}"` : '';
        })
        .join(''),
    )
    .replace(/\bzr\d+-/g, `${idPrefix}-`)
    .replace(/^<svg /, `<svg role="img" aria-labelledby="${attr(labelledBy)}" class="chart" `);
}

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

/** One chart as CSP-safe inline SVG. */
export async function renderChart(
  option: EChartsOption,
  size: ChartSize,
  ids: { readonly prefix: string; readonly labelledBy: string },
): Promise<string> {
  // Loaded on first use: the web door stays light for callers that draw no chart.
  const echarts = await import('echarts');
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, ...size });
  try {
    chart.setOption({
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: CHART_FONT, fontSize: 13, color: '#222' },
      ...option,
    });
    return cspSafeSvg(chart.renderToSVGString(), ids.prefix, ids.labelledBy);
  } finally {
    chart.dispose();
  }
}
