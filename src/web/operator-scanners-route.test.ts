/**
 * The scanner list at /api/v1/operator/scanners, for the operator token only: ranked, filtered by
 * port, country, AS and time, paged — on invented sources.
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
  for (const [source, reach, hour, ports, country, asn, tags] of [
    ['192.0.2.1', 40, 5, ['445/tcp'], 'NL', 64512, []],
    ['192.0.2.2', 300, 2, ['23/tcp'], 'CN', 4134, []],
    ['192.0.2.3', 40, 9, ['445/tcp', '139/tcp'], 'CN', 4134, ['research']],
  ] as const) {
    await w.center.scanners.record({
      source,
      episodeKey: `scan:${source}`,
      firstMs: T0,
      lastMs: T0 + hour * H,
      type: 'horizontal',
      reach,
      distinctPorts: ports.length,
      packets: reach,
      ports,
      sensors: ['fw-a'],
      country,
      asn,
      tags,
      alertReasons: reach > 100 ? ['large new campaign: 300 of 912 monitored addresses (threshold 92)'] : [],
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
const sources = (body: Record<string, unknown>) =>
  (body.scanners as { source: string }[]).map((s) => s.source);

describe('the scanner list over HTTP', () => {
  it('ranks the broadest first, in the document of koban scanners --json', async () => {
    const all = await get('/api/v1/operator/scanners');
    expect(all.status).toBe(200);
    expect(sources(all.body)).toEqual(['192.0.2.2', '192.0.2.3', '192.0.2.1']);
    expect(all.body.total).toBe(3);
    expect((all.body.scanners as unknown[])[0]).toEqual({
      source: '192.0.2.2',
      first: '2012-02-09T00:00:00.000Z',
      last: '2012-02-09T02:00:00.000Z',
      episodes: 1,
      breadth: 300,
      reach: 300,
      distinct_ports: 1,
      packets: 300,
      type: 'horizontal',
      ports: ['23/tcp'],
      sensors: ['fw-a'],
      country: 'CN',
      asn: 4134,
      tags: [],
      alert_reasons: ['large new campaign: 300 of 912 monitored addresses (threshold 92)'],
    });
  });

  it('filters by port, country, AS and time, and pages', async () => {
    expect(sources((await get('/api/v1/operator/scanners?port=445/tcp')).body)).toEqual([
      '192.0.2.3',
      '192.0.2.1',
    ]);
    expect(sources((await get('/api/v1/operator/scanners?country=cn&asn=4134')).body)).toEqual([
      '192.0.2.2',
      '192.0.2.3',
    ]);
    expect(sources((await get('/api/v1/operator/scanners?since=2012-02-09T04:00:00Z')).body)).toEqual([
      '192.0.2.3',
      '192.0.2.1',
    ]);
    const first = await get('/api/v1/operator/scanners?limit=2');
    expect(sources(first.body)).toEqual(['192.0.2.2', '192.0.2.3']);
    const next = await get(`/api/v1/operator/scanners?limit=2&cursor=${first.body.nextCursor}`);
    expect(sources(next.body)).toEqual(['192.0.2.1']);
    expect(next.body.nextCursor).toBeNull();
    const bad = await get('/api/v1/operator/scanners?port=http');
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.message).toBe(
      'query: port: a port, optionally with its protocol (445, 445/tcp)',
    );
  });

  it('answers the operator token only', async () => {
    for (const token of [null, w.cast.admin.token, w.cast.x.token]) {
      const r = await get('/api/v1/operator/scanners', token);
      expect(r.status).toBe(401);
    }
  });
});
