/**
 * The member portal in a real browser (playwright-core driving Debian's Chromium), in Japanese and
 * English: a member logs in through /login, uploads a real phishing e-mail from
 * `../shared/samples/email/`, sees the preview (the private part marked as not shared), consents and
 * sends, sees the stored report, then opens an advisory from the inbox and answers "we received this
 * too" with a note and that report, and visits the organisation's reports, its API tokens and (an org admin) its users and its
 * advisory delivery endpoints (adding one, narrowing what it is sent), and a missing page (the HTML 404). On every page axe-core finds no serious or critical violation
 * and the CSP refuses nothing (the drag-and-drop helper is an external script). Screenshots go to
 * test-artifacts/ (git-ignored). Skipped, and says so, without /usr/bin/chromium or the samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, openApiWorld, type Person } from '../../../../test/api-world.js';
import {
  type BrowserHarness,
  openBrowserHarness,
  skipBrowserTest,
} from '../../../../test/browser-harness.js';
import { sample } from '../../../../test/samples.js';

const SKIP = skipBrowserTest('member portal', { samples: true });
/** A real phishing message (see the samples' README); its relay 100.127.144.234 is shared address space. */
const EML = 'email/sample-666.eml';
const PRIVATE_RELAY = '100.127.144.234';

const WORDS = {
  ja: {
    locale: 'ja-JP',
    inbox: '受信した注意喚起',
    notShared: '共有されません',
    stored: '報告を受け付けました。',
    answered: '「当社も受信」と回答済みです。',
    unread: '未読',
  },
  en: {
    locale: 'en-GB',
    inbox: 'Advisories received',
    notShared: 'not shared',
    stored: 'The report was received.',
    answered: 'You answered “received too” on',
    unread: 'Unread',
  },
} as const;

describe.skipIf(SKIP)('the member portal in Chromium', () => {
  let w: ApiWorld;
  let h: BrowserHarness;
  let base: string;
  const advisories = { ja: 0, en: 0 };

  /** An AMBER advisory sent to one member organisation only. */
  async function sendAdvisory(to: Person, title: string): Promise<number> {
    const r = await w.request('/api/v1/reports', {
      token: w.cast.mssp.token,
      json: {
        report: { kind: 'c2', destinations: [{ value: C2_TH, port: 443 }] },
        sharing: { tlp: 'GREEN' },
      },
    });
    expect(r.status).toBe(201);
    const reportId = ((await r.json()) as { id: number }).id;
    const d = await w.center.intel.advisories.draft(w.cast.analyst.actor, {
      source: { type: 'report', id: reportId },
      title,
      tlp: 'AMBER',
      bodyJa: '送金通知を装うメールが確認されています。リンクを開かないでください。',
      bodyEn: 'E-mails posing as payment notifications have been seen. Do not follow the link.',
    });
    await w.center.intel.advisories.send(w.cast.analyst.actor, d.alertId, {
      audience: { orgIds: [to.orgId] },
    });
    return d.alertId;
  }

  beforeAll(async () => {
    w = await openApiWorld();
    advisories.ja = await sendAdvisory(w.cast.x, '送金通知を装う標的型メール');
    advisories.en = await sendAdvisory(w.cast.y, 'Targeted mail posing as payment notices');
    h = await openBrowserHarness(w);
    base = h.base;
  }, 120_000);
  afterAll(() => (h ? h.close() : w?.close()));

  for (const lang of ['ja', 'en'] as const) {
    it(`${lang}: logs in, reports a real e-mail with its preview, answers an advisory “received too”`, async () => {
      const words = WORDS[lang];
      const member = lang === 'ja' ? w.cast.x : w.cast.y;
      const { context, page, refused } = await h.open(words.locale);

      // The signed-out are sent to /login; the form (Accept-Language picks the language) signs in.
      await page.goto(`${base}/member/`);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await h.fillLogin(page, member);
      await h.look(page, `member-login-${lang}`);
      await h.signIn(page, member, `${base}/member/`);
      expect(await page.locator('form.account a').textContent()).toBe(member.email);

      // Submit: the .eml upload, its preview with the private part marked, consent, send.
      await page.goto(`${base}/member/submit`);
      // The external drag-and-drop script ran: it shows its hint.
      await expect.poll(() => page.locator('.drop-hint').isVisible()).toBe(true);
      await page.setInputFiles('#eml-file', sample(EML));
      await page.selectOption('#eml-tlp', 'GREEN');
      await h.look(page, `member-submit-${lang}`);
      await Promise.all([page.waitForURL(`${base}/member/submit/email`), page.click('form.upload button')]);
      expect(await page.locator('h2.subject').textContent()).toBe('FUND TRANSFER');
      expect(await page.locator('.tlp-banner .tlp-green').textContent()).toBe('TLP:GREEN');
      expect(await page.locator('section.private .not-shared').textContent()).toBe(words.notShared);
      expect(await page.locator('section.private').textContent()).toContain(PRIVATE_RELAY);
      expect(await page.locator('section.shared').textContent()).not.toContain(PRIVATE_RELAY);
      expect(await page.locator('section.shared').textContent()).toContain(
        'richarddepartment101@indamail.hu',
      );
      await h.look(page, `member-preview-${lang}`);
      await page.check('#consent');
      await Promise.all([
        page.waitForURL(/\/member\/reports\/\d+\?stored=1$/),
        page.click('form[action$="/confirm"] button'),
      ]);
      expect(await page.locator('p.done').textContent()).toBe(words.stored);
      const reportId = Number(/\/member\/reports\/(\d+)/.exec(page.url())![1]);
      const stored = await w.center.intel.reports.get(member.actor, reportId);
      expect([stored.title, stored.tlp, stored.consent, stored.reporter?.orgId]).toEqual([
        'FUND TRANSFER',
        'GREEN',
        true,
        member.orgId,
      ]);
      await h.look(page, `member-report-${lang}`);

      // The inbox: the advisory, unread; answered "received too" with a note and the report.
      await page.goto(`${base}/member/`);
      expect(await page.locator('h1').textContent()).toBe(words.inbox);
      const item = page.locator('ul.inbox li.unread');
      expect(await item.count()).toBe(1);
      expect(await item.locator('.badge').textContent()).toBe(words.unread);
      await h.look(page, `member-inbox-${lang}`);
      await Promise.all([
        page.waitForURL(`${base}/member/advisories/${advisories[lang]}`),
        item.locator('a').click(),
      ]);
      expect(await page.locator('.tlp-banner .tlp-amber').textContent()).toBe('TLP:AMBER');
      await page.fill('#rt-note', lang === 'ja' ? '社員 2 名が受信' : 'Two employees got it');
      await page.selectOption('#rt-report', String(reportId));
      await Promise.all([
        page.waitForURL(`${base}/member/advisories/${advisories[lang]}`),
        page.click('form[action$="/received-too"] button'),
      ]);
      expect(await page.locator('p.done').textContent()).toContain(words.answered);
      await h.look(page, `member-advisory-${lang}`);
      const analysed = await w.center.intel.advisories.get(w.cast.analyst.actor, advisories[lang]);
      expect(analysed.analysis?.sightings.map((s) => [s.orgId, s.reportId])).toEqual([
        [member.orgId, reportId],
      ]);

      // The organisation's reports and the API tokens page (the org admin sees its members' tokens too).
      await page.goto(`${base}/member/reports`);
      expect(await page.locator(`a[href="/member/reports/${reportId}"]`).textContent()).toBe('FUND TRANSFER');
      await h.look(page, `member-reports-${lang}`);
      await page.goto(`${base}/member/tokens`);
      expect(await page.locator('table.tokens').count()).toBe(lang === 'ja' ? 2 : 1);
      await h.look(page, `member-tokens-${lang}`);
      await page.goto(`${base}/member/users`);
      expect(await page.locator('table.users tbody tr').count()).toBe(lang === 'ja' ? 2 : 1);
      await h.look(page, `member-users-${lang}`);

      // Notification settings: reached from the menu, a daily digest chosen and saved.
      await Promise.all([
        page.waitForURL(`${base}/member/notifications`),
        page.click('nav.member a[href="/member/notifications"]'),
      ]);
      await page.check('input[name="advisories"][value="daily"]');
      await Promise.all([
        page.waitForLoadState('load'),
        page.click('form[action="/member/notifications"] button'),
      ]);
      await page.locator('div.done').waitFor();
      expect(await page.locator('input[name="advisories"][value="daily"]').isChecked()).toBe(true);
      expect((await w.center.intel.advisories.userMail.get(member.actor, member.userId)).mode).toBe('daily');
      await h.look(page, `member-notifications-${lang}`);

      // Delivery endpoints: an address added by the form, then narrowed to AMBER and RED.
      await page.goto(`${base}/member/delivery`);
      const address = `soc-${lang}@${member.email.split('@')[1]}`;
      await page.fill('#endpoint-target', address);
      await page.click('form[action="/member/delivery"] button');
      // The answer is the same page with the new endpoint listed.
      await page.locator('table.endpoints').waitFor();
      expect(await page.locator('table.endpoints tbody tr').count()).toBe(1);
      for (const tlp of ['CLEAR', 'GREEN', 'AMBER+STRICT'])
        await page.uncheck(`input[name="tlp"][value="${tlp}"]`);
      await Promise.all([
        page.waitForURL(/\/preferences$/),
        page.click('form[action$="/preferences"] button'),
      ]);
      const [endpoint] = await w.center.intel.advisories.endpoints.list(member.actor, member.orgId);
      expect([endpoint?.target, endpoint?.preferences]).toEqual([
        address,
        { tlps: ['AMBER', 'RED'], events: null },
      ]);
      await h.look(page, `member-delivery-${lang}`);

      // A page that does not exist: the site's own 404 page, in the language of the browser.
      const missing = await page.goto(`${base}/member/no-such-page`);
      expect(missing?.status()).toBe(404);
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      await h.look(page, `error-404-${lang}`);

      expect(refused).toEqual([]);
      await context.close();
    }, 300_000);
  }
});
