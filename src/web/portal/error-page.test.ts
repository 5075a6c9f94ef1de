/**
 * Requests no route answers: a browser asking for a page gets an HTML 404 (or a 405 with `Allow`
 * for a path served under other methods) in its language, in the portal's layout; the API, TAXII,
 * feeds and data files, and clients not asking for HTML, keep the JSON error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../test/api-world.js';
import { wantsHtmlError } from './error-page.js';

let w: ApiWorld;
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

beforeAll(async () => {
  w = await openApiWorld();
});
afterAll(async () => {
  await w.close();
});

describe('error pages', () => {
  it('serves a browser an HTML 404 in Japanese by default, and in English when asked, with the site navigation', async () => {
    const ja = await w.request('/no/such/page', { headers: { Accept: BROWSER } });
    expect(ja.status).toBe(404);
    expect(ja.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
    const body = await ja.text();
    expect(body).toContain('<html lang="ja">');
    expect(body).toContain('<h1>ページが見つかりません</h1><p>/no/such/page というページはありません。');
    expect(body).toContain('<li><a href="/advisories">');
    const en = await w.request('/no/such/page?lang=en', { headers: { Accept: BROWSER } });
    expect(en.status).toBe(404);
    const enBody = await en.text();
    expect(enBody).toContain(
      '<h1>Page not found</h1><p>There is no page at /no/such/page. Please check the address.</p>',
    );
    expect(enBody).toContain('<a href="/?lang=en">Go to the home page</a>');
    const member = await w.request('/member/nothing-here', {
      headers: { Accept: BROWSER, 'Accept-Language': 'en' },
    });
    // The signed-in area's guard comes first: a signed-out browser is sent to log in.
    expect(member.status).toBe(303);
  });

  it('answers 405 with Allow for a path served only under another method', async () => {
    const r = await w.request('/logout?lang=en', { headers: { Accept: BROWSER } });
    expect(r.status).toBe(405);
    expect(r.headers.get('Allow')).toBe('POST');
    expect(await r.text()).toContain(
      '<h1>Method not allowed</h1><p>/logout does not accept GET (it accepts POST).</p>',
    );
    const login = await w.request('/login', { method: 'DELETE', headers: { Accept: BROWSER } });
    expect(login.status).toBe(405);
    expect(login.headers.get('Allow')).toBe('GET, POST');
  });

  it('keeps the JSON error for the API, TAXII, feeds, data files and clients not asking for HTML', async () => {
    for (const path of ['/api/v1/nothing', '/nothing.csv', '/nothing.json']) {
      const r = await w.request(path, { headers: { Accept: BROWSER } });
      expect([path, r.status, r.headers.get('Content-Type')]).toEqual([path, 404, 'application/json']);
    }
    // TAXII negotiates its own media type first (406 to a browser), in its JSON error shape.
    const taxii = await w.request('/taxii2/nothing/', { headers: { Accept: BROWSER } });
    expect(taxii.headers.get('Content-Type')).toMatch(/^application\/taxii\+json/);
    const plain = await w.request('/no/such/page');
    expect(plain.status).toBe(404);
    expect(await plain.json()).toEqual({
      error: { code: 'E_NOT_FOUND', message: 'no route GET /no/such/page' },
    });
    expect(wantsHtmlError('/feeds/nothing', BROWSER)).toBe(false);
    expect(wantsHtmlError('/metrics', BROWSER)).toBe(false);
    expect(wantsHtmlError('/x', 'application/json')).toBe(false);
    expect(wantsHtmlError('/x', BROWSER)).toBe(true);
  });
});
