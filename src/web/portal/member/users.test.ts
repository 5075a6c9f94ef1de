/**
 * `/member/users`: an org admin lists its organisation's users, adds one (who can then log in),
 * disables and enables them; a plain member is refused (403) and sees no menu entry; another
 * organisation's user is "not found".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';

let w: ApiWorld;
let admin: PortalBrowser;
const NEW = 'sato@x-sangyo.example';
const NEW_PASSWORD = 'a long enough passphrase';

beforeAll(async () => {
  w = await openApiWorld();
  admin = new PortalBrowser(w, '192.0.2.51');
  await admin.login(w.cast.x.email);
});
afterAll(async () => {
  await w.close();
});

describe('the organisation’s users', () => {
  it('lists them for an org admin, in both languages, without a disable button for oneself', async () => {
    const en = await admin.get('/member/users?lang=en');
    expect(en.status).toBe(200);
    expect(en.body).toContain('<a href="/member/users?lang=en">Our users</a>');
    expect(en.body).toContain(`<td>${w.cast.x.email}</td><td>org-admin</td>`);
    expect(en.body).toMatch(new RegExp(`<td>${w.cast.x.email}</td>.*?<td>active \\(you\\)</td>`));
    expect(en.body).toContain(`aria-label="Disable ${w.cast.x2.email}"`);
    expect(en.body).not.toContain(w.cast.y.email);
    const ja = await admin.get('/member/users');
    expect(ja.body).toContain('<h1>自組織の利用者</h1>');
  });

  it('adds a member who can then log in; refuses a short password with a message', async () => {
    await admin.get('/member/users?lang=en');
    const short = await admin.post('/member/users?lang=en', {
      email: NEW,
      role: 'org-member',
      password: 'short',
    });
    expect(short.status).toBe(400);
    expect(short.body).toContain('<p class="error" role="alert">Please check the form:');
    expect(await w.center.intel.users.byEmail(NEW)).toBe(null);
    const r = await admin.post('/member/users?lang=en', {
      email: NEW,
      role: 'org-member',
      password: NEW_PASSWORD,
    });
    expect(r.status).toBe(200);
    expect(r.body).toContain(`<p class="done" role="status">${NEW} was added.</p>`);
    const u = (await w.center.intel.users.byEmail(NEW))!;
    expect([u.orgId, u.role]).toEqual([w.cast.x.orgId, 'org-member']);
    const b = new PortalBrowser(w, '192.0.2.52');
    expect(await b.login(NEW, NEW_PASSWORD)).toBe('/member/');
  });

  it('disables and enables a member; another organisation’s user is not found (404)', async () => {
    await admin.get('/member/users');
    const off = await admin.post(`/member/users/${w.cast.x2.userId}/disable`, {});
    expect(off.status).toBe(303);
    expect(off.res.headers.get('Location')).toBe('/member/users');
    expect((await w.request('/api/v1/session', { token: w.cast.x2.token })).status).toBe(401);
    expect((await admin.post(`/member/users/${w.cast.x2.userId}/enable`, {})).status).toBe(303);
    expect((await w.request('/api/v1/session', { token: w.cast.x2.token })).status).toBe(200);
    const other = await admin.post(`/member/users/${w.cast.y.userId}/disable?lang=en`, {});
    expect(other.status).toBe(404);
    expect(other.body).toContain('No such user.');
    expect((await w.center.intel.users.get(w.cast.y.userId))!.disabledMs).toBe(null);
  });

  it('refuses a plain member (403), who has no menu entry, and a form without its CSRF token', async () => {
    const m = new PortalBrowser(w, '192.0.2.53');
    await m.login(w.cast.x2.email);
    const page = await m.get('/member/users?lang=en');
    expect(page.status).toBe(403);
    expect(page.body).toContain('Only your organisation’s administrators manage its users.');
    expect(page.body).not.toContain('href="/member/users');
    expect((await m.post('/member/users', { email: 'x@x-sangyo.example', role: 'org-admin' })).status).toBe(
      403,
    );
    expect(
      (
        await admin.post(
          '/member/users',
          { email: 'z@x-sangyo.example', role: 'org-member' },
          { csrf: false },
        )
      ).status,
    ).toBe(403);
    expect(await w.center.intel.users.byEmail('x@x-sangyo.example')).toBe(null);
    expect(await w.center.intel.users.byEmail('z@x-sangyo.example')).toBe(null);
  });
});
