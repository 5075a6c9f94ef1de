/**
 * The end-to-end acceptance for the analyst console in a real browser (playwright-core
 * driving Debian's Chromium), in Japanese and English: a member logs in and uploads a real e-mail
 * from `../shared/samples/email/`; an analyst drafts an advisory from that report, previews it for
 * the member's sector and sends it; the member sees it in the inbox and answers "received too";
 * the analyst sees the answer; then acknowledges a detection alert. axe-core finds no serious or
 * critical violation on the console's pages and the CSP refuses nothing. Screenshots go to
 * test-artifacts/ (git-ignored). Skipped, and says so, without /usr/bin/chromium or the samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiWorld, type Person } from '../../../../test/api-world.js';
import {
  type BrowserHarness,
  openBrowserHarness,
  skipBrowserTest,
} from '../../../../test/browser-harness.js';
import { sample } from '../../../../test/samples.js';

const SKIP = skipBrowserTest('console', { samples: true });
/** A real phishing message (see the samples' README); its relay 100.127.144.234 is shared address space. */
const EML = 'email/sample-666.eml';

const WORDS = {
  ja: {
    locale: 'ja-JP',
    sector: '業種「manufacturing」の会員 (2 組織)',
    sent: '送信済み',
    answered: '受け取った組織',
  },
  en: {
    locale: 'en-GB',
    sector: 'Members of the sector “manufacturing” (2 organisations)',
    sent: 'Sent',
    answered: 'Who received it',
  },
} as const;

describe.skipIf(SKIP)('the analyst console in Chromium', () => {
  let h: BrowserHarness;
  let base: string;

  beforeAll(async () => {
    h = await openBrowserHarness(await openApiWorld());
    base = h.base;
  }, 120_000);
  afterAll(() => h?.close());

  async function signIn(lang: 'ja' | 'en', who: Person) {
    const { context, page, refused } = await h.open(WORDS[lang].locale);
    await page.goto(`${base}/login`);
    await h.signIn(page, who, /\/(member|console)\/$/);
    return { context, page, refused };
  }

  for (const lang of ['ja', 'en'] as const) {
    it(`${lang}: a member reports, an analyst advises the sector, the member answers, an alert is acknowledged`, async () => {
      const words = WORDS[lang];
      const w = h.w;
      const memberOf = lang === 'ja' ? w.cast.x : w.cast.y;
      const m = await signIn(lang, memberOf);
      await m.page.goto(`${base}/member/submit`);
      await m.page.setInputFiles('#eml-file', sample(EML));
      await m.page.selectOption('#eml-tlp', 'GREEN');
      await Promise.all([
        m.page.waitForURL(`${base}/member/submit/email`),
        m.page.click('form.upload button'),
      ]);
      await m.page.check('#consent');
      await Promise.all([
        m.page.waitForURL(/\/member\/reports\/\d+\?stored=1$/),
        m.page.click('form[action$="/confirm"] button'),
      ]);
      const reportId = Number(/\/member\/reports\/(\d+)/.exec(m.page.url())![1]);

      // The analyst drafts from the report, previews for the sector, sends.
      const a = await signIn(lang, w.cast.analyst);
      await a.page.goto(`${base}/console/advisories/new?report=${reportId}`);
      await a.page.fill('#f-title', `FUND TRANSFER lure (${lang})`);
      await a.page.fill('#f-body-en', 'Do not follow the link in “FUND TRANSFER” mails.');
      await a.page.fill('#f-sectors', 'manufacturing');
      await h.look(a.page, `console-advisory-new-${lang}`);
      await Promise.all([
        a.page.waitForURL(/\/console\/advisories\/\d+\?sectors=manufacturing$/),
        a.page.click('form[action="/console/advisories"] button'),
      ]);
      const id = Number(/\/console\/advisories\/(\d+)/.exec(a.page.url())![1]);
      expect(await a.page.locator('#pv-0').textContent()).toBe(words.sector);
      expect(await a.page.locator('section.preview .tlp-banner .tlp-green').textContent()).toBe('TLP:GREEN');
      await h.look(a.page, `console-advisory-preview-${lang}`);
      await Promise.all([
        a.page.waitForURL(`${base}/console/advisories/${id}`),
        a.page.click('button[value="send"]'),
      ]);

      // The member answers from the inbox.
      await m.page.goto(`${base}/member/`);
      await Promise.all([
        m.page.waitForURL(`${base}/member/advisories/${id}`),
        m.page.click(`a[href="/member/advisories/${id}"]`),
      ]);
      await m.page.fill('#rt-note', lang === 'ja' ? '経理部で受信' : 'Accounts got it');
      await Promise.all([
        m.page.waitForURL(`${base}/member/advisories/${id}`),
        m.page.click('form[action$="/received-too"] button'),
      ]);

      // The analyst sees the answer.
      await a.page.goto(`${base}/console/advisories/${id}`);
      expect(await a.page.locator('h2').first().textContent()).toBe(words.answered);
      expect(await a.page.locator('table.answers').textContent()).toContain(
        lang === 'ja' ? '経理部で受信' : 'Accounts got it',
      );
      await h.look(a.page, `console-advisory-sent-${lang}`);

      // An operator alert, acknowledged.
      const { alert } = await w.center.alerts.raise({
        kind: 'port-surge',
        dedupKey: `port-surge:tcp/445:${lang}`,
        severity: 'high',
        title: 'Surge on 445/tcp (microsoft-ds): 6× baseline distinct sources (all)',
        atMs: w.clock.ms,
        evidence: {
          phase: 'opened',
          series: Array.from({ length: 12 }, (_, i) => ({
            hour: new Date(w.clock.ms - (12 - i) * 3_600_000).toISOString(),
            sources: i >= 10 ? 60 : 10,
          })),
          splits: { all: { baseline: 10 } },
        },
      });
      await a.page.goto(`${base}/console/alerts?severity=high`);
      await h.look(a.page, `console-alerts-${lang}`);
      await Promise.all([
        a.page.waitForURL(`${base}/console/alerts/${alert.id}`),
        a.page.click(`a[href="/console/alerts/${alert.id}"]`),
      ]);
      expect(await a.page.locator('figure.chart svg').count()).toBe(1);
      await h.look(a.page, `console-alert-${lang}`);
      await Promise.all([
        a.page.waitForURL(`${base}/console/alerts/${alert.id}`),
        a.page.click('form[action$="/ack"] button'),
      ]);
      expect((await w.center.alerts.get(alert.id))?.status).toBe('acknowledged');
      await a.page.goto(`${base}/console/sensors`);
      await h.look(a.page, `console-sensors-${lang}`);

      expect([...m.refused, ...a.refused]).toEqual([]);
      await m.context.close();
      await a.context.close();
    }, 180_000);
  }
});
