/**
 * `/member/tokens`: a member creates an API token (shown once, usable on the API) and revokes it;
 * an org admin also sees and revokes its members' tokens; a member may not touch anyone else's
 * token ("not found"); forms without their CSRF token are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';

let w: ApiWorld;
let admin: PortalBrowser;
let member: PortalBrowser;
const TOKEN_RE = /<code class="secret">(kbt_(\d+)_[A-Za-z0-9_-]+)<\/code>/;
const whoami = (token: string) => w.request('/api/v1/session', { token });

beforeAll(async () => {
  w = await openApiWorld();
  admin = new PortalBrowser(w, '192.0.2.41');
  await admin.login(w.cast.x.email);
  member = new PortalBrowser(w, '192.0.2.42');
  await member.login(w.cast.x2.email);
});
afterAll(async () => {
  await w.close();
});

const tokenIds = async (userId: number) =>
  (await w.center.intel.auth.listTokens(w.system, userId)).map((t) => t.id);

describe('API tokens in the member portal', () => {
  it('creates a token shown once (not cached) that the API accepts, then revokes it', async () => {
    const page = await member.get('/member/tokens?lang=en');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h2>Your tokens</h2>');
    // An org member's page holds no one else's tokens.
    expect(page.body).not.toContain('Tokens of ');
    const r = await member.post('/member/tokens?lang=en', {
      name: 'SIEM <export>',
      scope: ['reports:read', 'indicators:read'],
      days: '30',
    });
    expect(r.status).toBe(200);
    expect(r.res.headers.get('Cache-Control')).toBe('no-store');
    const [, token, id] = TOKEN_RE.exec(r.body)!;
    expect(r.body).toContain('<td>SIEM &lt;export&gt;</td><td>indicators:read reports:read</td>');
    const info = (await w.center.intel.auth.listTokens(w.system, w.cast.x2.userId)).find(
      (t) => t.id === Number(id),
    )!;
    expect([info.name, info.scopes, info.expiresMs! - info.createdMs]).toEqual([
      'SIEM <export>',
      ['indicators:read', 'reports:read'],
      30 * 86_400_000,
    ]);
    expect((await whoami(token!)).status).toBe(200);
    // The secret is never shown again.
    expect((await member.get('/member/tokens?lang=en')).body).not.toContain(token!);

    const revoked = await member.post(`/member/tokens/${id}/revoke?lang=en`, {});
    expect(revoked.status).toBe(303);
    expect(revoked.res.headers.get('Location')).toBe('/member/tokens?lang=en');
    expect((await whoami(token!)).status).toBe(401);
    expect((await member.get('/member/tokens')).body).toContain(
      '<td>2012/02/10 9:00 (UTC+09:00) に失効</td>',
    );
  });

  it('refuses a scope beyond the role, and a form without its CSRF token', async () => {
    await member.get('/member/tokens?lang=en');
    const r = await member.post('/member/tokens?lang=en', {
      name: 'too much',
      scope: 'orgs:admin',
      days: '90',
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain(
      '<p class="error" role="alert">Please check the form: scopes not available to this user: orgs:admin</p>',
    );
    const before = await tokenIds(w.cast.x2.userId);
    const noToken = await member.post(
      '/member/tokens',
      { name: 'x', scope: 'reports:read', days: '90' },
      { csrf: false },
    );
    expect(noToken.status).toBe(403);
    expect(await tokenIds(w.cast.x2.userId)).toEqual(before);
  });

  it('lets an org admin revoke a member’s token; a member cannot revoke the admin’s or another organisation’s (404)', async () => {
    const [x2Token] = await tokenIds(w.cast.x2.userId).then((ids) => ids.slice(-1));
    const page = await admin.get('/member/tokens?lang=en');
    expect(page.body).toContain(`<h2>Tokens of ${w.cast.x2.email}</h2>`);
    expect(page.body).toContain(`action="/member/tokens/${x2Token}/revoke?lang=en"`);
    expect(page.body).not.toContain(w.cast.y.email);

    const [adminToken] = await tokenIds(w.cast.x.userId);
    const [yToken] = await tokenIds(w.cast.y.userId);
    await member.get('/member/tokens?lang=en');
    for (const id of [adminToken, yToken, 99_999]) {
      const r = await member.post(`/member/tokens/${id}/revoke?lang=en`, {});
      expect(r.status).toBe(404);
      expect(r.body).toContain('No such API token.');
    }
    expect((await whoami(w.cast.x.token)).status).toBe(200);
    expect((await whoami(w.cast.y.token)).status).toBe(200);

    expect((await whoami(w.cast.x2.token)).status).toBe(200);
    expect((await admin.post(`/member/tokens/${x2Token}/revoke`, {})).status).toBe(303);
    expect((await whoami(w.cast.x2.token)).status).toBe(401);
  });
});
