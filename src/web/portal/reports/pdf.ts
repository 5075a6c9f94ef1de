/**
 * A report as PDF: its HTML printed by Chromium (Debian's `chromium`, driven by playwright-core),
 * A4 with page numbers, Japanese text in Noto CJK (`fonts-noto-cjk`). The document is
 * self-contained (stylesheet embedded, charts inline SVG), so the page is given every request's
 * refusal: nothing is fetched while printing.
 */
import { existsSync } from 'node:fs';
import { KobanError } from '../../../core/index.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** Launch and print each within this long: a wedged browser must not hold a request for ever. */
const TIMEOUT_MS = 60_000;

/** The browser to print with: `KOBAN_CHROMIUM`, else Debian's. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KOBAN_CHROMIUM || DEFAULT_CHROMIUM;
}

/** Throws a clear E_CONFIG unless the browser is there. */
export function requireChromium(path: string): void {
  if (!existsSync(path))
    throw new KobanError(
      'E_CONFIG',
      `printing a PDF needs Chromium, not found at ${path}: install it (Debian: apt-get install chromium fonts-noto-cjk) or set KOBAN_CHROMIUM to its path`,
    );
}

type Playwright = typeof import('playwright-core');

async function loadPlaywright(): Promise<Playwright> {
  try {
    return await import('playwright-core');
  } catch (e) {
    throw new KobanError('E_CONFIG', 'printing a PDF needs the npm package playwright-core', { cause: e });
  }
}

/** The document printed on A4, page numbers at the foot. */
export async function printPdf(html: string, opts: { readonly chromium?: string } = {}): Promise<Buffer> {
  const path = opts.chromium ?? chromiumPath();
  requireChromium(path);
  const { chromium } = await loadPlaywright();
  const browser = await chromium.launch({ executablePath: path, args: LAUNCH_ARGS, timeout: TIMEOUT_MS });
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      // Chromium's footer is a separate document: its style must be inline.
      footerTemplate:
        '<div style="width:100%;text-align:center;font-size:9px;font-family:\'Noto Sans CJK JP\',sans-serif"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    });
  } finally {
    await browser.close();
  }
}
