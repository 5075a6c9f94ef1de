/**
 * The analyst console in a real browser (playwright-core driving Debian's Chromium), in Japanese
 * and English: an analyst logs in, opens the triage queue, takes a report "in review", opens it,
 * adds an indicator found by analysis, links the report to a campaign, then looks at the campaign
 * (its timeline) and the indicator search. On every page axe-core finds no serious or critical
 * violation and the CSP refuses nothing. Screenshots go to test-artifacts/ (git-ignored). Skipped,
 * and says so, without /usr/bin/chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, openApiWorld } from '../../../../test/api-world.js';
import {
  type BrowserHarness,
  openBrowserHarness,
  skipBrowserTest,
} from '../../../../test/browser-harness.js';

const SKIP = skipBrowserTest('analyst console');

const WORDS = {
  ja: {
    locale: 'ja-JP',
    triage: 'トリアージ',
    inReview: '確認中',
    added: '1 件の指標を追加しました。',
    linked: 'キャンペーンに関連付けました。',
  },
  en: {
    locale: 'en-GB',
    triage: 'Triage',
    inReview: 'In review',
    added: '1 indicator(s) added.',
    linked: 'Linked to the campaign.',
  },
} as const;
/** Per language: the report the analyst works on, its C2 destination and the value the analysis found. */
const CASES = {
  ja: { c2: '203.0.113.21', found: 'hxxp://stage-two[.]example/ja' },
  en: { c2: '203.0.113.22', found: 'hxxp://stage-two[.]example/en' },
} as const;

describe.skipIf(SKIP)('the analyst console in Chromium', () => {
  let w: ApiWorld;
  let h: BrowserHarness;
  let base: string;
  let campaignId = 0;
  const reports = { ja: 0, en: 0 };

  beforeAll(async () => {
    w = await openApiWorld();
    const intake = w.center.intel.intake;
    const c2 = (value: string) => ({ kind: 'c2' as const, destinations: [{ value, port: 443 }] });
    await intake.submitReport(w.cast.x.actor, c2(C2_TH), { tlp: 'GREEN' });
    campaignId = (await intake.submitReport(w.cast.y.actor, c2(C2_TH), { tlp: 'AMBER' })).correlation!
      .campaignId!;
    await w.center.intel.campaigns.rename(w.cast.analyst.actor, campaignId, 'Gate 2012');
    reports.ja = (await intake.submitReport(w.cast.x.actor, c2(CASES.ja.c2), { tlp: 'AMBER' })).reportId;
    reports.en = (await intake.submitReport(w.cast.y.actor, c2(CASES.en.c2), { tlp: 'AMBER' })).reportId;
    h = await openBrowserHarness(w);
    base = h.base;
  }, 120_000);
  afterAll(() => (h ? h.close() : w?.close()));

  for (const lang of ['ja', 'en'] as const) {
    it(`${lang}: triage → report → add an indicator → link to a campaign`, async () => {
      const words = WORDS[lang];
      const id = reports[lang];
      const { context, page, refused } = await h.open(words.locale, { width: 1280, height: 900 });

      await page.goto(`${base}/console/triage`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await h.signIn(page, w.cast.analyst, `${base}/console/triage`);
      expect(await page.locator('h1').textContent()).toBe(words.triage);
      await h.look(page, `console-triage-${lang}`);

      // The report's row: its status set to "in review" in place.
      const row = page.locator('tr', { has: page.locator(`a[href="/console/reports/${id}"]`) });
      await row.locator('select[name="status"]').selectOption('in-review');
      await Promise.all([page.waitForURL(/done=/), row.locator('button').click()]);
      expect(await page.locator('p.done').textContent()).toContain(words.inReview);

      await Promise.all([
        page.waitForURL(`${base}/console/reports/${id}`),
        page.locator(`a[href="/console/reports/${id}"]`).click(),
      ]);
      expect(await page.locator('.tlp-banner .tlp-amber').textContent()).toBe('TLP:AMBER');
      await h.look(page, `console-report-${lang}`);

      await page.fill('#add-values', CASES[lang].found);
      await Promise.all([page.waitForURL(/done=added/), page.click('form[action$="/indicators"] button')]);
      expect(await page.locator('p.done').textContent()).toBe(words.added);
      expect(await page.locator('table code', { hasText: 'stage-two.example' }).count()).toBe(1);

      await page.selectOption('#link-campaign', String(campaignId));
      await Promise.all([page.waitForURL(/done=linked/), page.click('form[action$="/campaign"] button')]);
      expect(await page.locator('p.done').textContent()).toBe(words.linked);
      await h.look(page, `console-report-linked-${lang}`);
      const stored = await w.center.intel.reports.get(w.cast.analyst.actor, id);
      expect([stored.triage, stored.campaignId]).toEqual(['in-review', campaignId]);

      await Promise.all([
        page.waitForURL(`${base}/console/campaigns/${campaignId}`),
        page.locator(`a[href="/console/campaigns/${campaignId}"]`).click(),
      ]);
      expect(await page.locator('svg.chart').count()).toBe(1);
      expect(await page.locator(`input[form="split-form"][value="${id}"]`).count()).toBe(1);
      await h.look(page, `console-campaign-${lang}`);

      await page.goto(`${base}/console/indicators?q=stage-two`);
      expect(await page.locator('tbody tr').count()).toBe(lang === 'ja' ? 1 : 2);
      await h.look(page, `console-indicators-${lang}`);

      expect(refused).toEqual([]);
      await context.close();
    }, 120_000);
  }
});
