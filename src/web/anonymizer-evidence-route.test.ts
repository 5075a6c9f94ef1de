/**
 * POST/GET /api/v1/anonymizer/evidence: a website under allow-and-record posts what it recorded of
 * a request from a listed Tor exit (an invented Onionoo document), an investigator reads it, and
 * everyone else is refused; the custody and audit chains still verify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld } from '../../test/api-world.js';

let w: ApiWorld;
let siteId: number;
let siteToken: string;
let otherToken: string;
const EXIT = '203.0.113.5';
const SHA = 'ab'.repeat(32);

async function site(name: string): Promise<{ id: number; token: string }> {
  const org = await w.center.intel.orgs.add(w.system, { name, kind: 'website-operator' });
  const u = await w.center.intel.users.add(w.system, {
    email: `ops@${name.toLowerCase()}.example`,
    orgId: org.id,
    role: 'org-admin',
    password: 'correct horse battery staple 1',
  });
  const { token } = await w.center.intel.auth.createToken(w.system, {
    userId: u.id,
    name: 'site',
    scopes: ['reports:read', 'reports:write'],
  });
  return { id: org.id, token };
}

beforeAll(async () => {
  w = await openApiWorld();
  const published = new Date(w.clock.ms - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  await w.center.anonymizer.importList({
    source: 'details.json',
    text: JSON.stringify({
      relays_published: published,
      relays: [{ fingerprint: 'D'.repeat(40), or_addresses: [`${EXIT}:443`], flags: ['Exit'] }],
    }),
  });
  ({ id: siteId, token: siteToken } = await site('Forum'));
  otherToken = (await site('Shop')).token;
  await w.center.anonymizer.setSitePolicy(siteId, 'allow-and-record', 'test');
});
afterAll(async () => {
  await w.close();
});

const record = (over: Record<string, unknown> = {}) => ({
  time: new Date(w.clock.ms - 60_000).toISOString(),
  ip: EXIT,
  port: 443,
  account: 'alice',
  contentSha256: SHA,
  headers: { 'User-Agent': 'Mozilla/5.0', 'Accept-Language': 'ja' },
  ...over,
});
const post = (token: string, json: unknown) =>
  w.request('/api/v1/anonymizer/evidence', { method: 'POST', token, json });

describe('site evidence over HTTP', () => {
  it('keeps a record from a site under allow-and-record; an investigator reads it with the listing', async () => {
    const r = await post(siteToken, record());
    expect(r.status).toBe(201);
    const kept = (await r.json()) as { id: number; siteOrgId: number; recordSha256: string };
    expect(kept.siteOrgId).toBe(siteId);
    const one = await w.request(`/api/v1/anonymizer/evidence/${kept.id}`, { token: w.cast.analyst.token });
    expect(one.status).toBe(200);
    const body = (await one.json()) as {
      ip: string;
      account: string;
      headers: Record<string, string>;
      time: string;
      listing: { listed: boolean; evidence: { fingerprint: string }[] };
    };
    expect([body.ip, body.account, body.time]).toEqual([
      EXIT,
      'alice',
      new Date(w.clock.ms - 60_000).toISOString(),
    ]);
    expect(body.headers).toEqual({ 'User-Agent': 'Mozilla/5.0', 'Accept-Language': 'ja' });
    expect(body.listing.listed).toBe(true);
    expect(body.listing.evidence.map((e) => e.fingerprint)).toEqual(['D'.repeat(40)]);
    const list = await w.request(`/api/v1/anonymizer/evidence?ip=${EXIT}&site=${siteId}`, {
      token: w.cast.admin.token,
    });
    expect(((await list.json()) as { id: number }[]).map((e) => e.id)).toEqual([kept.id]);
    const custody = await w.center.intel.db
      .selectFrom('custody')
      .select('action')
      .where('evidence_sha256', '=', kept.recordSha256)
      .orderBy('id')
      .execute();
    expect(custody.map((c) => c.action)).toEqual(['received', 'viewed', 'viewed']);
    const v = await w.center.intel.verifyAudit();
    expect(v.ok).toBe(true);
    expect(v.custody.rows).toBeGreaterThanOrEqual(3);
  });

  it('answers the same record posted twice with the one kept (200), and keeps one row', async () => {
    const first = await post(siteToken, record({ account: 'bob' }));
    const again = await post(siteToken, record({ account: 'bob' }));
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(((await again.json()) as { id: number }).id).toBe(((await first.json()) as { id: number }).id);
    const rows = await w.center.intel.db
      .selectFrom('site_evidence')
      .select('id')
      .where('account', '=', 'bob')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses a site whose policy is not allow-and-record, and an address not listed then', async () => {
    await w.center.anonymizer.setSitePolicy(siteId, 'restrict', 'test');
    const restricted = await post(siteToken, record({ account: 'carol' }));
    expect(restricted.status).toBe(403);
    expect(((await restricted.json()) as ErrorBody).error.message).toContain('restrict');
    await w.center.anonymizer.setSitePolicy(siteId, 'allow-and-record', 'test');
    const unlisted = await post(siteToken, record({ ip: '203.0.113.6' }));
    expect(unlisted.status).toBe(409);
    expect(((await unlisted.json()) as ErrorBody).error.code).toBe('E_CONFLICT');
    const other = await post(otherToken, record());
    expect(other.status).toBe(403);
  });

  it('refuses a bad body: too many headers, a bad hash', async () => {
    const headers = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`X-H${i}`, 'v']));
    const many = await post(siteToken, record({ headers }));
    expect(many.status).toBe(400);
    const bad = await post(siteToken, record({ contentSha256: 'nope' }));
    expect(bad.status).toBe(400);
  });

  it('lets no member, site or anonymous caller read the evidence', async () => {
    for (const token of [siteToken, otherToken, w.cast.x.token, null]) {
      const r = await w.request('/api/v1/anonymizer/evidence', { token });
      expect(r.status).toBe(token === null ? 401 : 403);
      const one = await w.request('/api/v1/anonymizer/evidence/1', { token });
      expect(one.status).toBe(token === null ? 401 : 403);
    }
  });
});
