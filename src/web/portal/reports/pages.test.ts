/**
 * The periodic reports over the hand-countable store (test/release-world.ts; the world's clock
 * 2012-02-10 publishes January 2012 and the second half of 2011, not February or 2012's first half):
 * the cover in both languages, the observation chapter's figures, the sharing network's counts,
 * the site's list and its cache, and the page's CSP.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, intelFixture, openApiWorld } from '../../../../test/api-world.js';
import { JAN_2012, seedReleaseMonths } from '../../../../test/release-world.js';
import { webContext } from '../../../center/index.js';
import { publishReport } from './publish.js';

let w: ApiWorld;
beforeAll(async () => {
  w = await openApiWorld({}, { config: { publicStats: { delayHours: 24, minCount: 3 } } });
  await seedReleaseMonths(w);
  // Three targeted e-mails reported on 10 January 2012 (JST), by two member organisations.
  const back = w.clock.ms;
  w.clock.ms = JAN_2012 + 9 * 86_400_000;
  const { x, x2, y } = w.cast;
  await w.center.intel.intake.submitEmail(x.actor, intelFixture('x-lure-p1.eml'));
  await w.center.intel.intake.submitEmail(x2.actor, intelFixture('x-lure-p2.eml'));
  await w.center.intel.intake.submitEmail(y.actor, intelFixture('y-lure-p3.eml'));
  w.clock.ms = back;
});
afterAll(async () => {
  await w.close();
});

const text = async (path: string, headers: Record<string, string> = {}) => {
  const r = await w.request(path, { headers });
  return { status: r.status, body: await r.text(), headers: r.headers };
};
const report = async (kind: string, period: string, lang: 'ja' | 'en') =>
  (
    await publishReport(webContext(w.center), { kind, period, lang, format: 'html', nowMs: w.clock.ms })
  ).toString();

describe('koban publish (HTML)', () => {
  it('writes a monthly report in Japanese: cover in era and Gregorian form, both chapters', async () => {
    const html = await report('monthly', '2012-01', 'ja');
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('<p class="era" lang="ja">平成24年1月</p>');
    expect(html).toContain('<p class="gregorian">2012年1月 (2012/01/01 〜 2012/01/31)</p>');
    expect(html).toContain('<h1>月次報告</h1>');
    expect(html).toContain('<h2>第 1 章 インターネット定点観測の結果</h2>');
    expect(html).toContain('<h2>第 2 章 情報共有ネットワーク</h2>');
    expect(html).toContain('<h3>上位 5 位と前月比</h3>');
    expect(html).toContain('<th scope="col">前月順位</th><th scope="col">前月比</th>');
    // The release's figures and tables: 445/tcp 930 in January against 372 in December.
    expect(html).toMatch(
      /<th scope="row">445\/tcp<\/th>\s*<td class="n">930<\/td><td class="n">2<\/td>\s*<td class="n">\+150%<\/td>/,
    );
    // The seven figures of the release, worm detections by country and the neighbour share among them.
    expect((html.match(/<svg role="img"/g) ?? []).length).toBe(7);
    expect(html).toContain('図6 ワーム検知件数の送信元国・地域別推移（上位5）');
    // The file embeds its stylesheet (no CSP applies to a file).
    expect(html).toContain('<style>');
    // Three reports, all e-mails, in January; counts only, no member's name.
    expect(html).toMatch(/<th scope="row">2012年1月<\/th><td class="n">3<\/td><td class="n">3<\/td>/);
    expect(html).not.toContain('X産業');
    expect(html).not.toContain('x-sangyo');
  });

  it('writes a semiannual report in English with a row per month, small counts withheld', async () => {
    const html = await report('semiannual', '2011-H2', 'en');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>Semiannual report</h1>');
    expect(html).toContain('<p class="era" lang="ja">平成23年下半期</p>');
    expect(html).toContain('Second half of 2011');
    expect(html).toContain('<h3>Month by month</h3>');
    expect(html).toContain('<h3>Top 5 and change from the previous half year</h3>');
    // December: 31 days × (12 + 20) accesses, 31 × 6 IDS detections; July–November withheld.
    expect(html).toMatch(/<th scope="row">December 2011<\/th><td class="n">992<\/td>/);
    expect(html).toMatch(/<th scope="row">July 2011<\/th><td class="n">–<\/td>/);
    expect(html).toMatch(/<th scope="row">23\/tcp<\/th>\s*<td class="n">620<\/td>/);
    // No report in the half year: every count is below the threshold.
    expect(html).toMatch(/<th scope="row">Total<\/th><td class="n">–<\/td><td class="n">–<\/td>/);
  });

  it('writes an annual report in Japanese: a row per month, compared with the year before', async () => {
    const html = await report('annual', '2011', 'ja');
    expect(html).toContain('<h1>年次報告</h1>');
    expect(html).toContain('<p class="era" lang="ja">平成23年</p>');
    expect(html).toContain('<p class="gregorian">2011年 (2011/01/01 〜 2011/12/31)</p>');
    expect(html).toContain('<h3>上位 5 位と前年比</h3>');
    expect(html).toContain('<th scope="col">前年順位</th><th scope="col">前年比</th>');
    expect((html.match(/<tr><th scope="row">2011年\d+月<\/th><td class="n">/g) ?? []).length).toBe(12 + 12);
    expect(html).toMatch(/<th scope="row">2011年12月<\/th><td class="n">992<\/td>/);
    expect(html).toMatch(/<th scope="row">23\/tcp<\/th>\s*<td class="n">620<\/td>/);
  });

  it('refuses an open period and a malformed one with a clear error', async () => {
    await expect(report('semiannual', '2012-H1', 'ja')).rejects.toThrow(
      'the period 2012-H1 is not closed for the public yet',
    );
    await expect(report('monthly', '2012-1', 'ja')).rejects.toThrow(
      'a monthly period is written like 2026-11',
    );
  });
});

describe('the reports on the site', () => {
  it('lists the closed periods only', async () => {
    const { status, body } = await text('/reports?lang=en');
    expect(status).toBe(200);
    expect(body).toContain('href="/reports/2012-01.html?lang=en"');
    expect(body).toContain('href="/reports/2011-12.pdf?lang=en"');
    expect(body).toContain('href="/reports/2011-H2.html?lang=en"');
    expect(body).not.toContain('2012-H1');
    expect(body).not.toContain('href="/reports/2012.html');
    expect(body).not.toContain('2012-02');
  });

  it('makes a report on its first request, keeps it on disk, and serves it under the CSP', async () => {
    const file = join(w.center.dataDir, 'reports', '2012-01.en.html');
    expect(existsSync(file)).toBe(false);
    const { status, body, headers } = await text('/reports/2012-01.html?lang=en');
    expect(status).toBe(200);
    expect(body).toContain('<h1>Monthly report</h1>');
    expect(body).toContain('<link rel="stylesheet" href="/assets/report.css">');
    expect(body).not.toMatch(/<script|<style|\sstyle="/i);
    expect(headers.get('Content-Security-Policy')).toContain("default-src 'self'");
    expect(existsSync(file)).toBe(true);
    expect((await text('/reports/2012-01.html?lang=en')).body).toBe(body);
    expect((await w.request('/assets/report.css')).status).toBe(200);
  });

  it('never makes a report for a period not yet closed for the public, or before the first observation', async () => {
    expect((await text('/reports/2012-02.html')).status).toBe(404);
    expect((await text('/reports/2012-H1.pdf')).status).toBe(404);
    expect(existsSync(join(w.center.dataDir, 'reports', '2012-02.ja.html'))).toBe(false);
    // Before the store's first observation (December 2011) there is no report to make either.
    expect((await text('/reports/2011-11.html')).status).toBe(404);
    expect((await text('/reports/2010.pdf')).status).toBe(404);
    expect(existsSync(join(w.center.dataDir, 'reports', '2011-11.ja.html'))).toBe(false);
    expect((await text('/reports/2012-13.html')).status).toBe(400);
    expect((await text('/reports/x.html')).status).toBe(400);
  });

  it('says the PDF cannot be made when the server has no Chromium, and keeps nothing', async () => {
    const before = process.env.KOBAN_CHROMIUM;
    process.env.KOBAN_CHROMIUM = join(w.center.dataDir, 'no-such-chromium');
    try {
      const { status, body } = await text('/reports/2011-12.pdf?lang=en');
      expect(status).toBe(503);
      expect(body).toContain('<h1>This server cannot make PDF files; please read the HTML version.</h1>');
      expect(existsSync(join(w.center.dataDir, 'reports', '2011-12.en.pdf'))).toBe(false);
    } finally {
      if (before === undefined) delete process.env.KOBAN_CHROMIUM;
      else process.env.KOBAN_CHROMIUM = before;
    }
  });
});
