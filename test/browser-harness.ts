/**
 * The portal's real-browser tests in one harness: the API world's center served on a local port
 * (port 0, 127.0.0.1), Debian's Chromium driven by playwright-core with the project's flags,
 * pages that record what the Content-Security-Policy refused, a screenshot and axe-core check of a
 * page as it is now (no serious or critical violation), and the login form filled as one of the
 * world's cast. Screenshots go to test-artifacts/ (git-ignored). Tests only.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { type ApiWorld, PASSWORD, type Person } from './api-world.js';
import { HAVE_SAMPLES } from './samples.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** The locale a browser of each portal language announces (Accept-Language picks the page's). */
export const LOCALES = { ja: 'ja-JP', en: 'en-GB' } as const;

export interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/**
 * Whether a browser test must be skipped, saying why on the console (a skip is never silent):
 * without Chromium, or without `../shared/samples` when the test reads a sample.
 */
export function skipBrowserTest(what: string, opts: { samples?: boolean } = {}): boolean {
  if (!HAVE_CHROMIUM) console.warn(`${what} browser test SKIPPED: ${CHROMIUM} is not installed`);
  if (opts.samples && !HAVE_SAMPLES)
    console.warn(`${what} browser test SKIPPED: ../shared/samples is absent`);
  return !HAVE_CHROMIUM || (opts.samples === true && !HAVE_SAMPLES);
}

export interface OpenedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console messages of the CSP refusing something; a test expects it empty at the end. */
  readonly refused: string[];
}

export interface BrowserHarness {
  readonly w: ApiWorld;
  /** `http://127.0.0.1:PORT` of the served center. */
  readonly base: string;
  readonly browser: Browser;
  /** A new browser context (its own cookies) with one page, in `locale`. */
  open(locale: string, viewport?: { width: number; height: number }): Promise<OpenedPage>;
  axeViolations(page: Page): Promise<AxeViolation[]>;
  /** Screenshot (full page) to test-artifacts/NAME.png, then the accessibility check. */
  look(page: Page, name: string): Promise<void>;
  /** Fills the login form on the page (already at /login) as `who`. */
  fillLogin(page: Page, who: Person): Promise<void>;
  /** Fills the login form, submits it and waits for `landing` (a URL or a pattern). */
  signIn(page: Page, who: Person, landing: string | RegExp): Promise<void>;
  /** Closes the browser, the server and the world. */
  close(): Promise<void>;
}

async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axe.source);
  const result = await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe.run(),
  );
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Serves `w` and launches Chromium; on a failure closes what it had opened (and the world). */
export async function openBrowserHarness(w: ApiWorld): Promise<BrowserHarness> {
  mkdirSync(ARTIFACTS, { recursive: true });
  let server: ServerType | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    if (server) await new Promise((resolve) => server!.close(resolve));
    await w.close();
  };
  try {
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: w.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  } catch (e) {
    await close();
    throw e;
  }
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const b = browser;
  const fillLogin = async (page: Page, who: Person) => {
    await page.fill('#login-email', who.email);
    await page.fill('#login-password', PASSWORD);
  };
  return {
    w,
    base,
    browser: b,
    async open(locale, viewport = { width: 1200, height: 900 }) {
      const context = await b.newContext({ locale, viewport });
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
      });
      return { context, page, refused };
    },
    axeViolations,
    async look(page, name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
    },
    fillLogin,
    async signIn(page, who, landing) {
      await fillLogin(page, who);
      await Promise.all([page.waitForURL(landing), page.click('form.login button')]);
    },
    close,
  };
}
