/**
 * GET /api/v1/anonymizer/check: the anonymizer database's answer with its evidence, for a member's
 * API token — on an invented Onionoo document imported into the center's store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld } from '../../test/api-world.js';

let w: ApiWorld;
const FP = 'D'.repeat(40);

beforeAll(async () => {
  w = await openApiWorld();
  const published = new Date(w.clock.ms - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  await w.center.anonymizer.importList({
    source: 'details.json',
    text: JSON.stringify({
      relays_published: published,
      relays: [
        {
          fingerprint: FP,
          or_addresses: ['203.0.113.5:443'],
          flags: ['Exit'],
          exit_policy_summary: { reject: ['25'] },
        },
      ],
    }),
  });
});
afterAll(async () => {
  await w.close();
});

describe('the anonymizer check over HTTP', () => {
  it('tells a member an exit is listed, with the relay and the policy for the port', async () => {
    const r = await w.request('/api/v1/anonymizer/check?ip=203.0.113.5&port=443', { token: w.cast.x.token });
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      listed: boolean;
      evidence: { fingerprint: string; portAllowed: boolean; from: string }[];
    };
    expect(body.listed).toBe(true);
    expect(body.evidence.map((e) => [e.fingerprint, e.portAllowed, e.from])).toEqual([
      [FP, true, new Date(w.clock.ms - 3_600_000).toISOString()],
    ]);
  });

  it('answers not listed for a port every exit there refuses, and for another address', async () => {
    for (const q of ['ip=203.0.113.5&port=25', 'ip=203.0.113.6']) {
      const r = await w.request(`/api/v1/anonymizer/check?${q}`, { token: w.cast.x.token });
      expect(((await r.json()) as { listed: boolean }).listed).toBe(false);
    }
  });

  it("tells a website operator its policy's action for a listed visitor, none for another", async () => {
    const site = await w.center.intel.orgs.add(w.system, { name: 'Forum', kind: 'website-operator' });
    const u = await w.center.intel.users.add(w.system, {
      email: 'ops@forum.example',
      orgId: site.id,
      role: 'org-admin',
      password: 'correct horse battery staple 1',
    });
    const { token } = await w.center.intel.auth.createToken(w.system, {
      userId: u.id,
      name: 'site',
      scopes: ['reports:read'],
    });
    const ask = async (ip: string) =>
      ((await (await w.request(`/api/v1/anonymizer/check?ip=${ip}`, { token })).json()) as { action: string })
        .action;
    expect(await ask('203.0.113.5')).toBe('ignore-but-keep-logs');
    await w.center.anonymizer.setSitePolicy(site.id, 'restrict', 'test');
    expect([await ask('203.0.113.5'), await ask('203.0.113.6')]).toEqual(['restrict', 'none']);
    await w.center.anonymizer.setSitePolicy(site.id, 'allow-and-record', 'test');
    expect(await ask('203.0.113.5')).toBe('allow-and-record');
  });

  it('refuses the anonymous public, a bad address, and a time the lists do not cover', async () => {
    const anon = await w.request('/api/v1/anonymizer/check?ip=203.0.113.5', { token: null });
    expect(anon.status).toBe(401);
    const bad = await w.request('/api/v1/anonymizer/check?ip=nope', { token: w.cast.x.token });
    expect(((await bad.json()) as ErrorBody).error.code).toBe('E_USAGE');
    const later = new Date(w.clock.ms + 48 * 3_600_000).toISOString();
    const stale = await w.request(`/api/v1/anonymizer/check?ip=203.0.113.5&at=${later}`, {
      token: w.cast.x.token,
    });
    expect(stale.status).toBe(503);
    expect(((await stale.json()) as ErrorBody).error.code).toBe('E_STALE');
  });
});
