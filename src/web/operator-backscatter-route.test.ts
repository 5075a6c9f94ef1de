/**
 * DDoS victims below the alerting rate at /api/v1/operator/backscatter, for the operator token only:
 * the most recent first, filtered by victim and time, paged — on invented victims.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld, rotateOperatorToken } from '../../test/api-world.js';

let w: ApiWorld;
let operator: string;
const T0 = Date.UTC(2012, 1, 9);
const H = 3_600_000;

beforeAll(async () => {
  w = await openApiWorld();
  operator = rotateOperatorToken(w.center.dataDir);
  for (const [victim, hour, rate] of [
    ['192.0.2.1', 5, 4200],
    ['192.0.2.2', 2, null],
    ['192.0.2.3', 9, 900],
  ] as const) {
    await w.center.backscatter.record({
      episodeKey: `backscatter:${victim}:${T0}`,
      victim,
      attackType: 'syn-flood',
      ports: ['80/tcp'],
      firstMs: T0,
      lastMs: T0 + hour * H,
      packets: 20,
      addressesHit: 17,
      ratePps: rate,
      title: `DDoS on ${victim} (syn-flood, 80/tcp)`,
    });
  }
});
afterAll(async () => {
  await w.close();
});

const get = async (path: string, token: string | null = operator) => {
  const r = await w.request(path, { token });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};
const victims = (body: Record<string, unknown>) =>
  (body.victims as { victim: string }[]).map((v) => v.victim);

describe('the backscatter statistics over HTTP', () => {
  it('lists the most recent first, in the document of koban backscatter --json', async () => {
    const all = await get('/api/v1/operator/backscatter');
    expect(all.status).toBe(200);
    expect(victims(all.body)).toEqual(['192.0.2.3', '192.0.2.1', '192.0.2.2']);
    expect(all.body.total).toBe(3);
    expect((all.body.victims as unknown[])[2]).toEqual({
      victim: '192.0.2.2',
      attack_type: 'syn-flood',
      ports: ['80/tcp'],
      first: '2012-02-09T00:00:00.000Z',
      last: '2012-02-09T02:00:00.000Z',
      packets: 20,
      addresses_hit: 17,
      estimated_rate_pps: null,
      title: 'DDoS on 192.0.2.2 (syn-flood, 80/tcp)',
    });
  });

  it('filters by victim and time, and pages', async () => {
    expect(victims((await get('/api/v1/operator/backscatter?victim=192.0.2.1')).body)).toEqual(['192.0.2.1']);
    expect(victims((await get('/api/v1/operator/backscatter?since=2012-02-09T04:00:00Z')).body)).toEqual([
      '192.0.2.3',
      '192.0.2.1',
    ]);
    const first = await get('/api/v1/operator/backscatter?limit=2');
    expect(victims(first.body)).toEqual(['192.0.2.3', '192.0.2.1']);
    const next = await get(`/api/v1/operator/backscatter?limit=2&cursor=${first.body.nextCursor}`);
    expect(victims(next.body)).toEqual(['192.0.2.2']);
    expect(next.body.nextCursor).toBeNull();
    const bad = await get('/api/v1/operator/backscatter?victim=example.org');
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.message).toMatch(/^query: victim: /);
  });

  it('answers the operator token only', async () => {
    for (const token of [null, w.cast.admin.token, w.cast.x.token]) {
      const r = await get('/api/v1/operator/backscatter', token);
      expect(r.status).toBe(401);
    }
  });
});
