/**
 * The periodic reports on the site: `/reports` lists every period closed before the public cutoff
 * since the first observation, `/reports/<period>.html|.pdf` (`2026-11`, `2026-H1`, `2026`) serves
 * one in the page's language. A report is made on its first request and kept under the data
 * directory (`reports/<period>.<lang>.<ext>`): once a period is past the public delay its data may
 * no longer change for the public (docs/public-statistics.md), so the file stays right. An open
 * period, or one not yet past the delay, is never made.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { isKobanError, parseUtcOffset } from '../../../core/index.js';
import { publicCutoffMs } from '../../public-stats.js';
import { layout } from '../layout.js';
import { type PageRequest, type PortalContext, pageRequest } from '../page.js';
import { latestPublishedMonth, monthKey, monthOf } from '../release/month.js';
import { fleetStatus, statusText } from '../status.js';
import { portalSummary } from '../summary.js';
import { gregorianLabel, renderReport } from './document.js';
import { chromiumPath, printPdf, requireChromium } from './pdf.js';
import {
  eraLabel,
  isPeriodPublished,
  PERIOD_KINDS,
  type Period,
  periodEnd,
  periodFromKey,
  periodKey,
  periodsBetween,
} from './period.js';
import { REPORT_CSS, REPORT_CSS_PATH } from './style.js';

const FILE_RE = /^(\d{4}(?:-(?:0[1-9]|1[0-2]|H[12]))?)\.(html|pdf)$/;
const TYPES = { html: 'text/html; charset=utf-8', pdf: 'application/pdf' } as const;

/** Reports being made now, by file: a second request waits for the first instead of printing twice. */
const making = new Map<string, Promise<Buffer>>();
/** One Chromium at a time: first requests for several PDFs must not start a browser each. */
let printing: Promise<unknown> = Promise.resolve();

function printInTurn(doc: string): Promise<Buffer> {
  const turn = printing.then(() => printPdf(doc));
  printing = turn.catch(() => undefined);
  return turn;
}

async function published(ctx: PortalContext) {
  const nowMs = (ctx.options.now ?? Date.now)();
  const cutoff = publicCutoffMs(nowMs, ctx.publicStats);
  const off = parseUtcOffset(ctx.observation.utcOffset);
  const summary = await portalSummary(ctx);
  const last = latestPublishedMonth(cutoff, summary, off);
  const first = summary.firstMs === null ? null : monthOf(summary.firstMs, off);
  return { nowMs, cutoff, off, first, last };
}

/** The report's bytes: from the cache, else made, written atomically, then kept. */
export async function reportFile(
  ctx: PortalContext,
  p: Period,
  lang: PageRequest['lang'],
  ext: 'html' | 'pdf',
  nowMs: number,
): Promise<Buffer> {
  const file = join(ctx.reportsDir, `${periodKey(p)}.${lang}.${ext}`);
  const cached = await readFile(file).catch(() => null);
  if (cached) return cached;
  const pending = making.get(file);
  if (pending) return pending;
  // No browser, no PDF: say so before the report is gathered for nothing.
  if (ext === 'pdf') requireChromium(chromiumPath());
  const made = (async () => {
    const doc = await renderReport(ctx, p, { lang, stylesheet: ext === 'pdf' ? 'inline' : 'link', nowMs });
    const bytes = ext === 'pdf' ? await printInTurn(doc) : Buffer.from(doc);
    await mkdir(ctx.reportsDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return bytes;
  })();
  making.set(file, made);
  try {
    return await made;
  } finally {
    making.delete(file);
  }
}

function periodList(page: PageRequest, periods: readonly Period[]) {
  return html`<ul class="advisories">${periods.map(
    (p) =>
      html`<li><strong>${page.lang === 'ja' ? eraLabel(p) : gregorianLabel(page, p)}</strong>
${page.lang === 'ja' ? html`(${gregorianLabel(page, p)})` : ''}
<a href="${page.href(`/reports/${periodKey(p)}.html`)}">HTML</a> · <a href="${page.href(`/reports/${periodKey(p)}.pdf`)}" type="application/pdf">PDF</a></li>`,
  )}</ul>`;
}

async function serveList(c: Context, ctx: PortalContext) {
  const page = pageRequest(c, ctx);
  const t = page.t.report;
  const pub = await published(ctx);
  const sections = PERIOD_KINDS.map((kind) => {
    const periods =
      pub.first && pub.last
        ? periodsBetween(kind, pub.first, pub.last).filter((p) => isPeriodPublished(p, pub.cutoff, pub.off))
        : [];
    return periods.length ? html`<h2>${t.kind[kind]}</h2>${periodList(page, periods)}` : '';
  });
  const any = pub.first !== null && pub.last !== null;
  const status = statusText(await fleetStatus(ctx, pub.nowMs), page);
  const main = html`<h1>${t.listTitle}</h1><p>${t.listIntro}</p>${any ? sections : html`<p>${t.noReports}</p>`}`;
  return c.html(layout(page, { title: t.listTitle, status, simulated: ctx.simulated, main }));
}

async function serveReport(c: Context, ctx: PortalContext) {
  const page = pageRequest(c, ctx);
  const m = FILE_RE.exec(c.req.param('file') ?? '');
  const p = m ? periodFromKey(m[1] as string) : null;
  const pub = await published(ctx);
  const fail = async (msg: string, code: 400 | 404 | 503) => {
    const status = statusText(await fleetStatus(ctx, pub.nowMs), page);
    return c.html(
      layout(page, { title: msg, status, simulated: ctx.simulated, main: html`<h1>${msg}</h1>` }),
      code,
    );
  };
  if (!m || !p) return fail(page.t.report.badPeriod, 400);
  if (!isPeriodPublished(p, pub.cutoff, pub.off))
    return fail(page.t.report.notPublished(m[1] as string), 404);
  // Only the periods the list offers: one ending before the first observation has nothing to say,
  // and making (and keeping) a report for every year since 1989 on request is no one's need.
  if (!pub.first || monthKey(periodEnd(p)) <= monthKey(pub.first))
    return fail(page.t.report.notPublished(m[1] as string), 404);
  const ext = m[2] as 'html' | 'pdf';
  try {
    const bytes = await reportFile(ctx, p, page.lang, ext, pub.nowMs);
    c.header('Content-Type', TYPES[ext]);
    if (ext === 'pdf')
      c.header('Content-Disposition', `inline; filename="koban-${periodKey(p)}-${page.lang}.pdf"`);
    return c.body(new Uint8Array(bytes));
  } catch (e) {
    // No browser here: the HTML version still is.
    if (ext === 'pdf' && isKobanError(e) && e.code === 'E_CONFIG')
      return fail(page.t.report.pdfUnavailable, 503);
    throw e;
  }
}

export function mountReports(app: Hono, ctx: PortalContext): void {
  app.get(REPORT_CSS_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', 'max-age=3600');
    return c.body(REPORT_CSS);
  });
  app.get('/reports', (c) => serveList(c, ctx));
  app.get('/reports/:file', (c) => serveReport(c, ctx));
}
