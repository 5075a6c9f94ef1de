/**
 * The console's site-evidence pages in a real browser (playwright-core driving Debian's Chromium),
 * in Japanese and English: an investigator signs in, reaches the list from the console's menu,
 * filters it by address and opens the record whose site wrote hostile text — shown, not run: no
 * script runs, the CSP refuses nothing, axe-core finds no serious or critical violation.
 * Screenshots go to test-artifacts/ (git-ignored). Skipped, and says so, without /usr/bin/chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiWorld } from '../../../../test/api-world.js';
import {
  type BrowserHarness,
  LOCALES,
  openBrowserHarness,
  skipBrowserTest,
} from '../../../../test/browser-harness.js';
import { EXIT, type SiteEvidenceSeed, seedSiteEvidence } from '../../../../test/site-evidence-world.js';

const SKIP = skipBrowserTest('console site evidence');
const MENU = { ja: 'サイトの証跡', en: 'Site evidence' } as const;

describe.skipIf(SKIP)('the console’s site evidence in Chromium', () => {
  let h: BrowserHarness;
  let seed: SiteEvidenceSeed;

  beforeAll(async () => {
    const w = await openApiWorld();
    seed = await seedSiteEvidence(w);
    h = await openBrowserHarness(w);
  }, 120_000);
  afterAll(() => h?.close());

  for (const lang of ['ja', 'en'] as const) {
    it(`${lang}: from the menu to the list, filtered, and one hostile record shown as text`, async () => {
      const { context, page, refused } = await h.open(LOCALES[lang]);
      const alerts: string[] = [];
      page.on('dialog', async (d) => {
        alerts.push(d.message());
        await d.dismiss();
      });
      await page.goto(`${h.base}/login?lang=${lang}`);
      await h.signIn(page, h.w.cast.analyst, /\/console\/$/);
      await Promise.all([
        page.waitForURL(/\/console\/evidence/),
        page.click(`nav a:has-text("${MENU[lang]}")`),
      ]);
      expect(await page.locator('a[href^="/console/evidence/"]').count()).toBe(3);
      await h.look(page, `console-evidence-list-${lang}`);
      await page.fill('input[name="ip"]', EXIT);
      await Promise.all([page.waitForURL(/ip=/), page.press('input[name="ip"]', 'Enter')]);
      expect(await page.locator('a[href^="/console/evidence/"]').count()).toBe(2);
      await Promise.all([
        page.waitForURL(new RegExp(`/console/evidence/${seed.ids.hostile}`)),
        page.click(`a[href^="/console/evidence/${seed.ids.hostile}"]`),
      ]);
      // What the site wrote is on the page as text: the script tag is read, not run.
      expect(await page.textContent('main')).toContain('<script>alert(1)</script>');
      await h.look(page, `console-evidence-record-${lang}`);
      expect(alerts).toEqual([]);
      expect(refused).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
