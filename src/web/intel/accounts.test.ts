/**
 * Revocation over HTTP: a revoked or expired token gets 401 with the reason, a user's sessions end
 * at once, disabled users and organisations are refused on their next request — and only those
 * allowed may do each of these.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld, PASSWORD } from '../../../test/api-world.js';

let w: ApiWorld;
beforeEach(async () => {
  w = await openApiWorld();
});
afterEach(async () => {
  await w.close();
});

const whoami = (token: string) => w.request('/api/v1/session', { token });

async function refusal(r: Response) {
  return { status: r.status, body: (await r.json()) as ErrorBody };
}

function tokenId(token: string): number {
  return Number(token.split('_')[1]);
}

describe('API tokens', () => {
  it('answers 401 with "revoked" once the org admin revoked a member’s token', async () => {
    const { x, x2 } = w.cast;
    const list = await w.request(`/api/v1/users/${x2.userId}/tokens`, { token: x.token });
    expect(list.status).toBe(200);
    const tokens = ((await list.json()) as { tokens: { id: number; expiresAt: string }[] }).tokens;
    expect(tokens.map((t) => [t.id, t.expiresAt])).toEqual([[tokenId(x2.token), '2012-05-10T00:00:00.000Z']]);
    const del = await w.request(`/api/v1/tokens/${tokenId(x2.token)}`, { method: 'DELETE', token: x.token });
    expect(del.status).toBe(204);
    expect(await refusal(await whoami(x2.token))).toEqual({
      status: 401,
      body: { error: { code: 'E_AUTH', message: 'the API token was revoked at 2012-02-10T00:00:00.000Z' } },
    });
    const audit = await w.center.intel.auditLog(w.system, { action: 'auth.token-revoke' });
    expect(audit[0]).toMatchObject({ actorUserId: x.userId, targetId: String(tokenId(x2.token)) });
  });

  it('answers 401 with the expiry time once a token expired', async () => {
    w.clock.ms += 90 * 86_400_000;
    expect(await refusal(await whoami(w.cast.y.token))).toEqual({
      status: 401,
      body: {
        error: {
          code: 'E_AUTH',
          message: 'the API token expired at 2012-05-10T00:00:00.000Z; ask for a new one',
        },
      },
    });
  });

  it('refuses another organisation’s admin (403) and the anonymous public (401)', async () => {
    const path = `/api/v1/tokens/${tokenId(w.cast.x2.token)}`;
    expect((await w.request(path, { method: 'DELETE', token: w.cast.y.token })).status).toBe(403);
    expect((await w.request(path, { method: 'DELETE' })).status).toBe(401);
    expect((await whoami(w.cast.x2.token)).status).toBe(200);
  });
});

describe('sessions and accounts', () => {
  it('ends all of a user’s sessions', async () => {
    const login = await w.request('/api/v1/session', {
      json: { email: w.cast.x2.email, password: PASSWORD },
    });
    const cookie = (login.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    const r = await w.request(`/api/v1/users/${w.cast.x2.userId}/sessions`, {
      method: 'DELETE',
      token: w.cast.admin.token,
    });
    expect(await r.json()).toEqual({ ended: 1 });
    expect((await w.request('/api/v1/session', { cookie })).status).toBe(401);
  });

  it('disables a user (their token stops at once) and enables them again', async () => {
    const off = await w.request(`/api/v1/users/${w.cast.x2.userId}/disable`, {
      method: 'POST',
      token: w.cast.x.token,
    });
    expect(await off.json()).toMatchObject({ id: w.cast.x2.userId, disabledAt: '2012-02-10T00:00:00.000Z' });
    expect((await refusal(await whoami(w.cast.x2.token))).body.error.message).toBe('the account is disabled');
    expect(
      (await w.request(`/api/v1/users/${w.cast.x2.userId}/enable`, { method: 'POST', token: w.cast.y.token }))
        .status,
    ).toBe(403);
    await w.request(`/api/v1/users/${w.cast.x2.userId}/enable`, { method: 'POST', token: w.cast.x.token });
    expect((await whoami(w.cast.x2.token)).status).toBe(200);
  });

  it('disables an organisation for center admins only; every token of it stops', async () => {
    const path = `/api/v1/orgs/${w.cast.x.orgId}/disable`;
    expect((await w.request(path, { method: 'POST', token: w.cast.x.token })).status).toBe(403);
    const r = await w.request(path, { method: 'POST', token: w.cast.admin.token });
    expect(await r.json()).toEqual({
      id: w.cast.x.orgId,
      name: 'X産業株式会社',
      kind: 'member-company',
      active: false,
    });
    for (const p of [w.cast.x, w.cast.x2])
      expect((await refusal(await whoami(p.token))).body.error.message).toBe('the organisation is disabled');
    expect((await whoami(w.cast.y.token)).status).toBe(200);
    const center = await w.request(`/api/v1/orgs/${w.cast.admin.orgId}/disable`, {
      method: 'POST',
      token: w.cast.admin.token,
    });
    expect(center.status).toBe(400);
  });
});
