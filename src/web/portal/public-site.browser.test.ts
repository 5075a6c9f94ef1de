/**
 * The public site in a real browser: playwright-core driving Debian's Chromium over a center that
 * serves a small simulated store (test/release-world.ts) on a local port. In Japanese and English:
 * the release renders its five charts, the CSP refuses nothing the page needs (no violation in the
 * console), axe-core finds no serious or critical accessibility violation, and the language switch
 * (a form with its CSRF token, no script) works. Screenshots go to test-artifacts/ (git-ignored).
 * Skipped, and says so, when /usr/bin/chromium is absent.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, openApiWorld } from '../../../test/api-world.js';
import {
  ARTIFACTS,
  type BrowserHarness,
  openBrowserHarness,
  skipBrowserTest,
} from '../../../test/browser-harness.js';
import { seedReleaseMonths } from '../../../test/release-world.js';
import { FIGURES } from './release/figures.js';

const SKIP = skipBrowserTest('public-site');

describe.skipIf(SKIP)('the public site in Chromium', () => {
  let w: ApiWorld;
  let h: BrowserHarness;
  let base: string;
  let advisoryId = 0;

  /** One TLP:CLEAR advisory sent to the public, from a member's CLEAR report. */
  async function publishAdvisory(): Promise<number> {
    const r = await w.request('/api/v1/reports', {
      token: w.cast.x.token,
      json: {
        report: { kind: 'c2', destinations: [{ value: C2_TH, port: 443 }] },
        sharing: { tlp: 'CLEAR' },
      },
    });
    const reportId = ((await r.json()) as { id: number }).id;
    const d = await w.center.intel.advisories.draft(w.cast.analyst.actor, {
      source: { type: 'report', id: reportId },
      title: '請求書を装う標的型メール / Targeted mail posing as invoices',
      tlp: 'CLEAR',
      bodyJa:
        '取引先を装い、請求書の確認を求めるメールが確認されています。添付ファイルを開かないでください。',
      bodyEn:
        'E-mails posing as partners and asking to check an invoice have been seen. Do not open the attachment.',
    });
    await w.center.intel.advisories.send(w.cast.analyst.actor, d.alertId, { audience: { public: true } });
    return d.alertId;
  }

  beforeAll(async () => {
    w = await openApiWorld();
    await seedReleaseMonths(w);
    w.center.simulated = true;
    advisoryId = await publishAdvisory();
    h = await openBrowserHarness(w);
    base = h.base;
  }, 120_000);
  afterAll(() => (h ? h.close() : w?.close()));

  /** A page that records what the CSP refused. */
  async function open(path: string, locale: string): Promise<{ page: Page; refused: string[] }> {
    const { page, refused } = await h.open(locale);
    await page.goto(base + path, { waitUntil: 'load' });
    return { page, refused };
  }

  for (const [lang, heading] of [
    ['ja', '2012年1月の観測結果'],
    ['en', 'Observations, January 2012'],
  ] as const) {
    it(`renders the release with its charts in ${lang}, accessible, nothing refused by the CSP`, async () => {
      const { page, refused } = await open(`/?lang=${lang}`, lang === 'ja' ? 'ja-JP' : 'en-GB');
      expect(await page.locator('h1').textContent()).toBe(heading);
      const charts = page.locator('figure svg.chart');
      expect(await charts.count()).toBe(FIGURES.length);
      for (let i = 0; i < FIGURES.length; i++) {
        const box = await charts.nth(i).boundingBox();
        expect(box!.width).toBeGreaterThan(300);
        expect(box!.height).toBeGreaterThan(200);
      }
      // The stylesheet applied (a file, not inline): the SIMULATED banner has its background.
      expect(
        await page
          .locator('p.sim')
          .evaluate(
            (e) =>
              (
                globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
              ).getComputedStyle(e).backgroundColor,
          ),
      ).toBe('rgb(255, 243, 205)');
      await page.screenshot({ path: join(ARTIFACTS, `public-release-${lang}.png`), fullPage: true });
      await page.locator('header.site').screenshot({ path: join(ARTIFACTS, `public-header-${lang}.png`) });
      // Figures 1 and 4, and the worm figures 6 and 7.
      for (const n of [0, 3, 5, 6])
        await charts.nth(n).screenshot({ path: join(ARTIFACTS, `public-figure-${n + 1}-${lang}.png`) });
      expect(await h.axeViolations(page)).toEqual([]);
      expect(refused).toEqual([]);
      await page.context().close();
    }, 120_000);
  }

  it('switches the language with the header form (CSRF token, no script), and lists advisories', async () => {
    const { page, refused } = await open('/advisories', 'ja-JP');
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    await page.selectOption('#lang-select', 'en');
    await Promise.all([page.waitForURL(`${base}/advisories`), page.click('form.lang button')]);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Advisories');
    await page.screenshot({ path: join(ARTIFACTS, 'public-advisories-en.png'), fullPage: true });
    expect(await h.axeViolations(page)).toEqual([]);
    await Promise.all([page.waitForURL(`${base}/advisories/${advisoryId}`), page.click('ul.advisories a')]);
    expect(await page.locator('.tlp-banner .tlp-clear').textContent()).toBe('TLP:CLEAR');
    expect(await page.locator('.body').textContent()).toContain('Do not open the attachment.');
    await page.screenshot({ path: join(ARTIFACTS, 'public-advisory-en.png'), fullPage: true });
    expect(await h.axeViolations(page)).toEqual([]);
    expect(refused).toEqual([]);
    await page.context().close();
  }, 120_000);
});
