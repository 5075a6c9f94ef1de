/** Declassification requests over HTTP: four eyes, consent only from the reporting organisation, no anonymous access. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, type ErrorBody, openApiWorld } from '../../../test/api-world.js';

let w: ApiWorld;
let reportId: number;
beforeEach(async () => {
  w = await openApiWorld();
  const r = await w.request('/api/v1/reports', {
    token: w.cast.x.token,
    json: { report: { kind: 'c2', destinations: [{ value: C2_TH }] }, sharing: { tlp: 'AMBER+STRICT' } },
  });
  reportId = ((await r.json()) as { id: number }).id;
});
afterEach(async () => {
  await w.close();
});

async function ask(token: string) {
  const r = await w.request('/api/v1/declassifications', {
    token,
    json: { reportIds: [reportId], tlp: 'CLEAR', reason: 'the C2 address only' },
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { declassifications: { id: number; fromTlp: string }[] }).declassifications[0]!;
}

describe('declassifications over HTTP', () => {
  it('are approved by a second center admin, never by the requester', async () => {
    const d = await ask(w.cast.admin.token);
    expect(d.fromTlp).toBe('AMBER+STRICT');
    const own = await w.request(`/api/v1/declassifications/${d.id}/approve`, {
      token: w.cast.admin.token,
      json: {},
    });
    expect(own.status).toBe(403);
    expect(((await own.json()) as ErrorBody).error.message).toBe(
      `four eyes: user ${w.cast.admin.userId} requested declassification ${d.id}; a different center admin approves it`,
    );
    const other = await w.request(`/api/v1/declassifications/${d.id}/approve`, {
      token: w.cast.analyst.token,
      json: {},
    });
    expect(other.status).toBe(403);
  });

  it('take consent from the reporting organisation’s admin only, and show nothing to the public', async () => {
    const d = await ask(w.cast.analyst.token);
    const y = await w.request(`/api/v1/declassifications/${d.id}/consent`, {
      token: w.cast.y.token,
      json: {},
    });
    expect(y.status).toBe(403);
    expect((await w.request('/api/v1/declassifications')).status).toBe(401);
    const x = await w.request(`/api/v1/declassifications/${d.id}/consent`, {
      token: w.cast.x.token,
      json: { note: 'agreed' },
    });
    expect(await x.json()).toMatchObject({ status: 'approved', approval: 'consent', note: 'agreed' });
    const listed = await w.request('/api/v1/declassifications?status=approved', { token: w.cast.x.token });
    expect(
      ((await listed.json()) as { declassifications: { id: number }[] }).declassifications.map((e) => e.id),
    ).toEqual([d.id]);
  });
});
