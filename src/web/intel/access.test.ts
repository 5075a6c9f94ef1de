/**
 * The access matrix through HTTP for representative cells: reports of company X under each TLP
 * label, read by the anonymous public, the reporter, a colleague, another member, the center's
 * analyst and admin. An unreadable report answers exactly like a missing one. The full matrix
 * (every role, audience and the list query) is src/intel/access.test.ts; this checks that the API
 * passes the caller through unchanged and hides nothing more or less.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type Cast, openApiWorld } from '../../../test/api-world.js';

type Reader = 'anonymous' | keyof Cast;
const READERS: readonly Reader[] = ['anonymous', 'x', 'x2', 'y', 'analyst', 'admin'];

let w: ApiWorld;
const ids: Record<string, number> = {};

async function submit(tlp: string, sharing: Record<string, unknown> = {}): Promise<number> {
  const r = await w.request('/api/v1/reports', {
    token: w.cast.x.token,
    json: {
      report: { kind: 'text', title: `seen at ${tlp}`, text: 'beacon to 27.254.40.5' },
      sharing: { tlp, ...sharing },
    },
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { id: number }).id;
}

beforeAll(async () => {
  w = await openApiWorld();
  for (const tlp of ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']) ids[tlp] = await submit(tlp);
  ids['AMBER for Y'] = await submit('AMBER', { audience: { orgIds: [w.cast.y.orgId] } });
  ids['RED for the analyst'] = await submit('RED', { audience: { userIds: [w.cast.analyst.userId] } });
});
afterAll(async () => {
  await w.close();
});

const token = (who: Reader) => (who === 'anonymous' ? null : w.cast[who].token);

/** Who gets 200 (everyone else 404), written out from TLP 2.0 as access.ts applies it. */
const EXPECTED: Record<string, readonly Reader[]> = {
  CLEAR: ['anonymous', 'x', 'x2', 'y', 'analyst', 'admin'],
  GREEN: ['x', 'x2', 'y', 'analyst', 'admin'],
  AMBER: ['x', 'x2', 'analyst', 'admin'],
  'AMBER+STRICT': ['x', 'x2', 'analyst', 'admin'],
  RED: ['x'],
  'AMBER for Y': ['x', 'x2', 'y', 'analyst', 'admin'],
  'RED for the analyst': ['x', 'analyst'],
};

describe('the access matrix through HTTP', () => {
  for (const [label, readers] of Object.entries(EXPECTED)) {
    it(`lets exactly ${readers.join(', ')} read the ${label} report, and answers 404 to the others`, async () => {
      const got: Reader[] = [];
      for (const who of READERS) {
        const r = await w.request(`/api/v1/reports/${ids[label]}`, { token: token(who) });
        if (r.status === 200) got.push(who);
        else {
          expect(r.status).toBe(404);
          expect(await r.json()).toEqual({
            error: { code: 'E_NOT_FOUND', message: `no report ${ids[label]}` },
          });
        }
      }
      expect(got).toEqual(readers);
    });
  }

  it('answers a missing report exactly as an unreadable one', async () => {
    const missing = await w.request('/api/v1/reports/999', { token: w.cast.y.token });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'E_NOT_FOUND', message: 'no report 999' } });
  });

  it('lists for each reader the same reports it may read one by one', async () => {
    for (const who of READERS) {
      const r = await w.request('/api/v1/reports?limit=200', { token: token(who) });
      const listed = ((await r.json()) as { reports: { id: number }[] }).reports.map((x) => x.id).sort();
      const expected = Object.entries(EXPECTED)
        .filter(([, readers]) => readers.includes(who))
        .map(([label]) => ids[label]!)
        .sort();
      expect(listed, who).toEqual(expected);
    }
  });

  it('names the reporter and opens the private part to the owner and the center only, without consent', async () => {
    const see = async (who: Reader) => {
      const r = await w.request(`/api/v1/reports/${ids.GREEN}?include=private`, { token: token(who) });
      const b = (await r.json()) as { reporter: unknown; private: unknown };
      return { reporter: b.reporter !== null, private: b.private !== null };
    };
    expect(await see('x2')).toEqual({ reporter: true, private: true });
    expect(await see('analyst')).toEqual({ reporter: true, private: true });
    expect(await see('y')).toEqual({ reporter: false, private: false });
    const withConsent = await submit('GREEN', { consent: true });
    const r = await w.request(`/api/v1/reports/${withConsent}?include=private`, { token: w.cast.y.token });
    expect(await r.json()).toMatchObject({ reporter: { orgName: 'X産業株式会社' }, private: { values: [] } });
  });

  it('lets the anonymous public look up values of CLEAR reports only', async () => {
    const post = async (tlp: string, value: string) =>
      w.request('/api/v1/reports', {
        token: w.cast.y.token,
        json: { report: { kind: 'c2', destinations: [{ value }] }, sharing: { tlp } },
      });
    await post('CLEAR', 'public-c2.example');
    await post('GREEN', 'members-c2.example');
    const open = await w.request('/api/v1/indicators?value=public-c2.example');
    expect(open.status).toBe(200);
    expect(await open.json()).toMatchObject({ type: 'domain', tlp: 'CLEAR', reportCount: 1, campaigns: [] });
    expect((await w.request('/api/v1/indicators?value=members-c2.example')).status).toBe(404);
    const member = await w.request('/api/v1/indicators?value=members-c2.example', { token: w.cast.x.token });
    expect(await member.json()).toMatchObject({ tlp: 'GREEN', reportCount: 1 });
  });
});
