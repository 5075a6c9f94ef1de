/**
 * The language switch and the CSRF mechanism every portal form uses: the token in the form must
 * equal the cookie's, the request must come from this site, and the way back stays on this site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../test/api-world.js';
import { csrfMatches } from './csrf.js';
import { safeBack } from './language.js';

let w: ApiWorld;
beforeAll(async () => {
  w = await openApiWorld();
});
afterAll(async () => {
  await w.close();
});

/** A page's form token and the cookie that goes with it. */
async function formToken(): Promise<{ token: string; cookie: string }> {
  const r = await w.request('/advisories');
  const token = /name="_csrf" value="([A-Za-z0-9_-]{43})"/.exec(await r.text())![1]!;
  const cookie = (r.headers.get('Set-Cookie') ?? '').split(';')[0]!;
  expect(cookie).toBe(`koban_csrf=${token}`);
  expect(r.headers.get('Set-Cookie')).toMatch(/HttpOnly/);
  return { token, cookie };
}

const post = (body: string, cookie: string, headers: Record<string, string> = {}) =>
  w.request('/language', {
    method: 'POST',
    body,
    type: 'application/x-www-form-urlencoded',
    cookie,
    headers: { Origin: 'http://localhost', ...headers },
  });

describe('the language switch', () => {
  it('stores the language in a cookie and goes back to the page it was sent from', async () => {
    const { token, cookie } = await formToken();
    const r = await post(`_csrf=${token}&lang=en&back=${encodeURIComponent('/?month=2012-01')}`, cookie);
    expect(r.status).toBe(303);
    expect(r.headers.get('Location')).toBe('/?month=2012-01');
    expect(r.headers.get('Set-Cookie')).toMatch(/^koban_lang=en; Max-Age=31536000; Path=\/; .*SameSite=Lax/);
    const page = await w.request('/advisories', { cookie: 'koban_lang=en' });
    expect(await page.text()).toContain('<html lang="en">');
  });

  it('refuses a form without the token, with another token, or from another site (403)', async () => {
    const { token, cookie } = await formToken();
    expect((await post('lang=en&back=/', cookie)).status).toBe(403);
    expect((await post(`_csrf=${'A'.repeat(43)}&lang=en`, cookie)).status).toBe(403);
    expect((await post(`_csrf=${token}&lang=en`, '')).status).toBe(403);
    expect((await post(`_csrf=${token}&lang=en`, cookie, { Origin: 'https://evil.example' })).status).toBe(
      403,
    );
  });

  it('refuses a form body over the limit (413)', async () => {
    const { token, cookie } = await formToken();
    expect((await post(`_csrf=${token}&lang=en&pad=${'x'.repeat(70_000)}`, cookie)).status).toBe(413);
  });

  it('never redirects off the site', () => {
    expect(safeBack('/advisories/3?lang=en')).toBe('/advisories/3?lang=en');
    for (const bad of [
      '//evil.example/',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '',
      5,
    ])
      expect(safeBack(bad)).toBe('/');
  });

  it('matches tokens only when both are well-formed and equal', () => {
    const t = 'b'.repeat(43);
    expect(csrfMatches(t, t)).toBe(true);
    expect(csrfMatches(t, `${'b'.repeat(42)}c`)).toBe(false);
    expect(csrfMatches(undefined, t)).toBe(false);
    expect(csrfMatches('short', 'short')).toBe(false);
    expect(csrfMatches(t, undefined)).toBe(false);
  });
});
