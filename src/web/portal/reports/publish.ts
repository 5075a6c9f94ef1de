/**
 * `koban publish`'s work: one periodic report as an HTML or PDF file, under the public site's
 * rules (the period closed before the public cutoff; thresholded counts), so the operator's file
 * and the site's copy say the same.
 */
import { formatInOffset, KobanError, parseUtcOffset } from '../../../core/index.js';
import { publicCutoffMs } from '../../public-stats.js';
import type { Lang } from '../i18n/index.js';
import type { PortalContext } from '../page.js';
import { renderReport } from './document.js';
import { chromiumPath, printPdf, requireChromium } from './pdf.js';
import { isPeriodPublished, parsePeriod, periodKey, periodRange } from './period.js';

export interface PublishRequest {
  readonly kind: string;
  readonly period: string;
  readonly lang: Lang;
  readonly format: 'html' | 'pdf';
  readonly nowMs: number;
  /** The browser that prints PDF (default `KOBAN_CHROMIUM`, else /usr/bin/chromium). */
  readonly chromium?: string;
}

export async function publishReport(ctx: PortalContext, r: PublishRequest): Promise<Buffer> {
  const p = parsePeriod(r.kind, r.period);
  const off = parseUtcOffset(ctx.observation.utcOffset);
  const cutoff = publicCutoffMs(r.nowMs, ctx.publicStats);
  if (!isPeriodPublished(p, cutoff, off)) {
    const end = formatInOffset(periodRange(p, off).toMs, off);
    throw new KobanError(
      'E_USAGE',
      `the period ${periodKey(p)} is not closed for the public yet: it ends ${end} and is published ${ctx.publicStats.delayHours} h later`,
    );
  }
  const chromium = r.chromium ?? chromiumPath();
  if (r.format === 'pdf') requireChromium(chromium);
  const doc = await renderReport(ctx, p, { lang: r.lang, stylesheet: 'inline', nowMs: r.nowMs });
  if (r.format === 'html') return Buffer.from(doc);
  return printPdf(doc, { chromium });
}
