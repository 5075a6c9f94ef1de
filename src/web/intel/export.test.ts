// GET /api/v1/intel/export through HTTP: the caller's own access, the STIX media type, and the
// other formats sent to their own routes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, C2_US, type ErrorBody, openApiWorld } from '../../../test/api-world.js';

let w: ApiWorld;
beforeEach(async () => {
  w = await openApiWorld();
});
afterEach(async () => {
  await w.close();
});

async function postC2(token: string, value: string, tlp: string): Promise<void> {
  const r = await w.request('/api/v1/reports', {
    token,
    json: { report: { kind: 'c2', destinations: [{ value }] }, sharing: { tlp } },
  });
  expect(r.status).toBe(201);
}

type Bundle = { type: string; objects: { type: string; pattern?: string }[] };
const patterns = (b: Bundle) =>
  b.objects
    .filter((o) => o.type === 'indicator')
    .map((o) => o.pattern)
    .sort();

describe('GET /api/v1/intel/export', () => {
  it('answers a STIX 2.1 bundle of what the caller may read, under the STIX media type', async () => {
    await postC2(w.cast.x.token, C2_TH, 'AMBER');
    await postC2(w.cast.y.token, C2_US, 'GREEN');
    const mine = await w.request('/api/v1/intel/export?format=stix', { token: w.cast.x.token });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('application/stix+json;version=2.1');
    expect(patterns((await mine.json()) as Bundle)).toEqual([
      `[ipv4-addr:value = '${C2_TH}']`,
      `[ipv4-addr:value = '${C2_US}']`,
    ]);
    const theirs = await w.request('/api/v1/intel/export?format=stix', { token: w.cast.y.token });
    expect(patterns((await theirs.json()) as Bundle)).toEqual([`[ipv4-addr:value = '${C2_US}']`]);
    const pub = await w.request('/api/v1/intel/export?format=stix', { token: null });
    expect(pub.status).toBe(200);
    expect(patterns((await pub.json()) as Bundle)).toEqual([]);
  });

  it('refuses a member asking for another audience, and names the route of the other formats', async () => {
    const other = await w.request('/api/v1/intel/export?format=stix&audience=members', {
      token: w.cast.x.token,
    });
    expect(other.status).toBe(403);
    const rpz = await w.request('/api/v1/intel/export?format=rpz', { token: w.cast.x.token });
    expect(rpz.status).toBe(400);
    expect(((await rpz.json()) as ErrorBody).error.message).toBe(
      'format "rpz" is served at GET /api/v1/feeds/blocklist.rpz',
    );
  });
});
