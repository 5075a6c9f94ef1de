/**
 * `/login` and `/logout`: a password login opens one of intel's sessions in an HttpOnly, SameSite=Lax
 * cookie and sends members to /member/ and center staff to /console/; wrong passwords, missing CSRF
 * tokens and too many attempts are refused; the throttle is the API's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld, PASSWORD } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';
import { safeNext } from './session.js';

let w: ApiWorld;
beforeAll(async () => {
  // Two attempts per account and address, none back within the test: the throttle, not the clock.
  w = await openApiWorld({ login: { perAccount: { capacity: 2, refillIntervalMs: 86_400_000 } } });
});
afterAll(async () => {
  await w.close();
});

describe('logging in', () => {
  it('opens a session in an HttpOnly, SameSite=Lax cookie and sends a member to the inbox, named in the header', async () => {
    const b = new PortalBrowser(w, '192.0.2.21');
    await b.get('/login?lang=en');
    const r = await b.post('/login?lang=en', { email: w.cast.x.email, password: PASSWORD });
    expect(r.status).toBe(303);
    expect(r.res.headers.get('Location')).toBe('/member/');
    const set = r.res.headers.getSetCookie().find((l) => l.startsWith('koban_portal='))!;
    expect(set).toMatch(/^koban_portal=kss_[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    const home = await b.get('/member/?lang=en');
    expect(home.status).toBe(200);
    expect(home.body).toContain(`Signed in as <a href="/member/?lang=en">${w.cast.x.email}</a>`);
    const ja = await b.get('/member/');
    expect(ja.body).toContain(`ログイン中: <a href="/member/">${w.cast.x.email}</a>`);
  });

  it('sends center staff to the console, and keeps each area to its own users (a member gets 403 in the console)', async () => {
    const b = new PortalBrowser(w, '192.0.2.22');
    expect(await b.login(w.cast.analyst.email)).toBe('/console/');
    const page = await b.get('/console/?lang=en');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Analyst console</h1>');
    expect((await b.get('/member/')).res.headers.get('Location')).toBe('/console/');
    const m = new PortalBrowser(w, '192.0.2.23');
    await m.login(w.cast.y.email);
    // A member is refused the console outright (403), with a way back to their own portal.
    const refused = await m.get('/console/triage?lang=en');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(
      'The analyst console is for the center’s staff (analysts and center admins) only.',
    );
    expect(refused.body).toContain('<a href="/member/?lang=en">To the member portal</a>');
  });

  it('sends the signed-out to /login and back to the page they asked for', async () => {
    const b = new PortalBrowser(w, '192.0.2.24');
    const r = await b.get('/member/reports');
    expect(r.status).toBe(303);
    expect(r.res.headers.get('Location')).toBe('/login?next=%2Fmember%2Freports');
    const form = await b.get('/login?next=%2Fmember%2Freports');
    expect(form.body).toContain('<input type="hidden" name="next" value="/member/reports">');
    const done = await b.post('/login', {
      email: w.cast.y.email,
      password: PASSWORD,
      next: '/member/reports',
    });
    expect(done.res.headers.get('Location')).toBe('/member/reports');
  });

  it('refuses a wrong password with the same words as an unknown account (401), setting no session', async () => {
    const b = new PortalBrowser(w, '192.0.2.25');
    await b.get('/login?lang=en');
    const wrong = await b.post('/login?lang=en', { email: w.cast.x2.email, password: 'wrong' });
    const unknown = await b.post('/login?lang=en', { email: 'nobody@x-sangyo.example', password: 'wrong' });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body).toContain('<p class="error" role="alert">Wrong e-mail address or password.</p>');
    }
    expect(b.has('koban_portal')).toBe(false);
  });

  it('refuses a login form without its CSRF token, or from another site (403)', async () => {
    const b = new PortalBrowser(w, '192.0.2.26');
    await b.get('/login');
    const r = await b.post('/login', { email: w.cast.x.email, password: PASSWORD }, { csrf: false });
    expect(r.status).toBe(403);
    const cross = await w.request('/login', {
      method: 'POST',
      body: `_csrf=${b.token}&email=${encodeURIComponent(w.cast.x.email)}&password=x`,
      type: 'application/x-www-form-urlencoded',
      cookie: b.cookie,
      headers: { Origin: 'https://evil.example' },
    });
    expect(cross.status).toBe(403);
    expect(b.has('koban_portal')).toBe(false);
  });

  it('throttles guessing per account and address, sharing the budget with POST /api/v1/session (429)', async () => {
    const ip = '192.0.2.27';
    const api = await w.request('/api/v1/session', {
      json: { email: w.cast.x2.email, password: 'guess' },
      ip,
    });
    expect(api.status).toBe(401);
    const b = new PortalBrowser(w, ip);
    await b.get('/login?lang=en');
    expect((await b.post('/login?lang=en', { email: w.cast.x2.email, password: 'guess' })).status).toBe(401);
    // The third attempt is refused before the password is looked at, even the right one.
    const r = await b.post('/login?lang=en', { email: w.cast.x2.email, password: PASSWORD });
    expect(r.status).toBe(429);
    expect(r.res.headers.get('Retry-After')).toBe('86400');
    expect(r.body).toContain('Too many login attempts. Try again in 86400 seconds.');
    expect(b.has('koban_portal')).toBe(false);
  });

  it('logs out: the session ends, its cookie goes, and the old cookie no longer opens a page', async () => {
    const b = new PortalBrowser(w, '192.0.2.28');
    await b.login(w.cast.y.email);
    const stolen = b.cookie;
    await b.get('/member/');
    const r = await b.post('/logout', {});
    expect(r.status).toBe(303);
    expect(r.res.headers.get('Location')).toBe('/');
    expect(b.has('koban_portal')).toBe(false);
    const again = await w.request('/member/', { cookie: stolen });
    expect(again.status).toBe(303);
    expect(again.headers.get('Location')).toBe('/login?next=%2Fmember%2F');
  });

  it('follows `next` only to the signed-in areas of this site', () => {
    expect(safeNext('/member/advisories/3?lang=en')).toBe('/member/advisories/3?lang=en');
    for (const bad of ['//evil.example/', '/member//evil', 'https://evil.example/member/', '/\\evil', '/', 5])
      expect(safeNext(bad)).toBe(null);
  });
});
