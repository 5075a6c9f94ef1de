/**
 * Credentials through HTTP: API tokens (missing, malformed, wrong, expired, revoked, lacking the
 * scope), the session cookie of a password login (its flags, use, logout, expiry), and the login
 * throttle per account and per client address.
 */
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld, PASSWORD } from '../../../test/api-world.js';
import type { KobanError } from '../../core/index.js';
import { actorMiddleware } from '../auth-middleware.js';

let w: ApiWorld;
beforeEach(async () => {
  w = await openApiWorld();
});
afterEach(async () => {
  await w.close();
});

const C2 = { report: { kind: 'c2', destinations: [{ value: '27.254.40.5' }] }, sharing: { tlp: 'GREEN' } };

async function storedReports(): Promise<number> {
  return (await w.center.intel.reports.list(w.system)).length;
}

async function tokenWith(scopes: string[], expiresMs?: number): Promise<string> {
  const { token } = await w.center.intel.auth.createToken(w.system, {
    userId: w.cast.x.userId,
    name: scopes.join(' '),
    scopes: scopes as never,
    ...(expiresMs !== undefined ? { expiresMs } : {}),
  });
  return token;
}

async function login(email: string, password: string, init: { ip?: string; url?: string } = {}) {
  return w.request(init.url ?? '/api/v1/session', {
    json: { email, password },
    ...(init.ip ? { ip: init.ip } : {}),
  });
}

function cookieOf(r: Response): string {
  const set = r.headers.get('Set-Cookie') ?? '';
  return set.split(';')[0]!;
}

describe('API tokens', () => {
  it('refuses a missing, malformed, wrong, expired or revoked token with E_AUTH and stores nothing', async () => {
    const expired = await tokenWith(['reports:write'], w.clock.ms - 1);
    const revoked = await w.center.intel.auth.createToken(w.system, {
      userId: w.cast.y.userId,
      name: 'old',
      scopes: ['reports:write'],
    });
    await w.center.intel.auth.revokeToken(w.system, revoked.info.id);
    const cases: [string, Record<string, string>][] = [
      ['missing', {}],
      ['basic', { Authorization: 'Basic eDp5' }],
      ['empty bearer', { Authorization: 'Bearer ' }],
      ['wrong', { Authorization: `Bearer kbt_1_${'A'.repeat(43)}` }],
      ['garbage', { Authorization: 'Bearer garbage' }],
      ['expired', { Authorization: `Bearer ${expired}` }],
      ['revoked', { Authorization: `Bearer ${revoked.token}` }],
    ];
    for (const [name, headers] of cases) {
      const r = await w.request('/api/v1/reports', { json: C2, headers });
      expect(r.status, name).toBe(401);
      expect(r.headers.get('WWW-Authenticate'), name).toBe('Bearer realm="koban"');
      expect(((await r.json()) as ErrorBody).error.code, name).toBe('E_AUTH');
    }
    expect(await storedReports()).toBe(0);
  });

  it('answers 401, not anonymous data, when a read carries a bad token', async () => {
    const r = await w.request('/api/v1/campaigns', { token: `kbt_1_${'B'.repeat(43)}` });
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({
      error: { code: 'E_AUTH', message: 'the token is invalid, expired or revoked' },
    });
  });

  it('answers 403 E_FORBIDDEN when the token lacks the route’s scope', async () => {
    const readOnly = await tokenWith(['reports:read']);
    const valuesOnly = await tokenWith(['indicators:read']);
    const post = await w.request('/api/v1/reports', { token: readOnly, json: C2 });
    expect(post.status).toBe(403);
    expect(await post.json()).toEqual({
      error: {
        code: 'E_FORBIDDEN',
        message: `token:${readOnly.split('_')[1]} (user:${w.cast.x.userId}) lacks the scope reports:write`,
      },
    });
    expect((await w.request('/api/v1/reports/1', { token: valuesOnly })).status).toBe(403);
    expect((await w.request('/api/v1/campaigns', { token: readOnly })).status).toBe(403);
    expect((await w.request('/api/v1/indicators?value=27.254.40.5', { token: readOnly })).status).toBe(403);
    expect(await storedReports()).toBe(0);
  });

  it('asks the anonymous public to sign in (401) where only users may act', async () => {
    const r = await w.request('/api/v1/reports', { json: C2 });
    expect(await r.json()).toEqual({
      error: { code: 'E_AUTH', message: 'sign in or send an API token with the scope reports:write' },
    });
  });

  it('stores a report sent with a write-only token and answers with its id but not the report', async () => {
    const writeOnly = await tokenWith(['reports:write']);
    const r = await w.request('/api/v1/reports', { token: writeOnly, json: C2 });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ id: 1, report: null, warnings: [] });
    expect(await storedReports()).toBe(1);
  });
});

describe('sessions', () => {
  it('logs in with a password, sets an HttpOnly SameSite=Strict cookie and uses it', async () => {
    const r = await login('Security@X-Sangyo.example', PASSWORD);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({
      kind: 'user',
      userId: w.cast.x.userId,
      orgId: w.cast.x.orgId,
      role: 'org-admin',
      scopes: ['campaigns:read', 'indicators:read', 'orgs:admin', 'reports:read', 'reports:write'],
      expiresAt: '2012-02-10T12:00:00.000Z',
    });
    const set = r.headers.get('Set-Cookie')!;
    expect(set).toMatch(
      /^koban_session=kss_\d+_[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const cookie = cookieOf(r);
    const who = await w.request('/api/v1/session', { cookie });
    expect(await who.json()).toMatchObject({ kind: 'user', userId: w.cast.x.userId });
    const post = await w.request('/api/v1/reports', { cookie, json: C2 });
    expect(post.status).toBe(201);
  });

  it('marks the cookie Secure when the request came over HTTPS', async () => {
    const r = await login(w.cast.x.email, PASSWORD, { url: 'https://koban.example/api/v1/session' });
    expect(r.headers.get('Set-Cookie')).toMatch(/; Secure; SameSite=Strict$/);
  });

  it('refuses a wrong password with E_AUTH and sets no cookie', async () => {
    const r = await login(w.cast.x.email, 'not the password');
    expect(r.status).toBe(401);
    expect(await r.json()).toEqual({ error: { code: 'E_AUTH', message: 'invalid e-mail or password' } });
    expect(r.headers.get('Set-Cookie')).toBeNull();
  });

  it('logs out: the cookie is cleared and the old one no longer works', async () => {
    const cookie = cookieOf(await login(w.cast.x.email, PASSWORD));
    const out = await w.request('/api/v1/session', { method: 'DELETE', cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get('Set-Cookie')).toMatch(
      /^koban_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const after = await w.request('/api/v1/reports', { cookie });
    expect(after.status).toBe(401);
    expect(((await after.json()) as ErrorBody).error.message).toBe(
      'the session was ended at 2012-02-10T00:00:00.000Z (logged out or revoked); log in again',
    );
    expect(after.headers.get('Set-Cookie')).toMatch(/^koban_session=; Max-Age=0/);
  });

  it('ends the session after two idle hours', async () => {
    const cookie = cookieOf(await login(w.cast.x.email, PASSWORD));
    w.clock.ms += 2 * 3_600_000;
    expect((await w.request('/api/v1/session', { cookie })).status).toBe(401);
  });

  it('takes no API token from the cookie', async () => {
    const r = await w.request('/api/v1/session', { cookie: `koban_session=${w.cast.x.token}` });
    expect(r.status).toBe(401);
  });

  it('answers anonymous callers with the public scopes', async () => {
    const r = await w.request('/api/v1/session');
    expect(await r.json()).toEqual({
      kind: 'anonymous',
      userId: null,
      orgId: null,
      role: null,
      scopes: ['campaigns:read', 'indicators:read', 'reports:read'],
      expiresAt: null,
    });
  });
});

describe('the login throttle', () => {
  it('lets five attempts at one account through, then answers 429 even to the right password until a minute passes', async () => {
    for (let i = 0; i < 5; i++) expect((await login(w.cast.x.email, `guess ${i}`)).status).toBe(401);
    const limited = await login(w.cast.x.email, PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('60');
    expect(await limited.json()).toEqual({
      error: { code: 'E_RATE_LIMIT', message: 'too many login attempts; try again later' },
    });
    expect((await login(w.cast.y.email, PASSWORD)).status).toBe(200);
    w.clock.ms += 60_000;
    expect((await login(w.cast.x.email, PASSWORD)).status).toBe(200);
  });

  it('limits one client address to twenty attempts across accounts, and leaves other addresses alone', async () => {
    for (let i = 0; i < 20; i++)
      expect((await login(`nobody${i}@example.org`, 'guess', { ip: '203.0.113.9' })).status).toBe(401);
    expect((await login('nobody20@example.org', 'guess', { ip: '203.0.113.9' })).status).toBe(429);
    expect((await login(w.cast.x.email, PASSWORD, { ip: '203.0.113.9' })).status).toBe(429);
    expect((await login(w.cast.x.email, PASSWORD, { ip: '198.51.100.7' })).status).toBe(200);
  });
});

describe('the actor middleware for plain Hono handlers', () => {
  it('sets c.var.actor from the credentials and checks the scope', async () => {
    const app = new Hono();
    app.onError((err, c) => c.json({ error: { code: (err as KobanError).code } }, 418));
    app.get('/who', actorMiddleware(w.center.intel.auth), (c) => c.json({ label: c.var.actor.label }));
    app.get('/write', actorMiddleware(w.center.intel.auth, 'reports:write'), (c) => c.json({ ok: true }));
    const who = await app.request('/who', { headers: { Authorization: `Bearer ${w.cast.y.token}` } });
    expect(await who.json()).toEqual({ label: expect.stringMatching(/^token:\d+ \(user:\d+\)$/) });
    expect(await (await app.request('/who')).json()).toEqual({ label: 'anonymous' });
    expect(await (await app.request('/write')).json()).toEqual({ error: { code: 'E_AUTH' } });
  });
});
