/**
 * The operator's alerts at their own path, /api/v1/operator/alerts, for the operator token only:
 * listed and filtered, read one at a time, acknowledged and closed as `koban alerts` does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld, rotateOperatorToken } from '../../test/api-world.js';

let w: ApiWorld;
let operator: string;
const ids: number[] = [];
beforeAll(async () => {
  w = await openApiWorld();
  operator = rotateOperatorToken(w.center.dataDir);
  for (const [kind, key] of [
    ['sensor-silent', 'sensor-silent:fw-a:0'],
    ['backscatter', 'backscatter:192.0.2.80'],
  ] as const) {
    const { alert } = await w.center.alerts.raise({
      kind,
      dedupKey: key,
      severity: 'high',
      title: `${kind} alert`,
      atMs: Date.UTC(2012, 1, 9),
      evidence: { phase: 'opened' },
    });
    ids.push(alert.id);
  }
});
afterAll(async () => {
  await w.close();
});

const get = async (path: string, token: string | null = operator) => {
  const r = await w.request(path, { token });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('operator alerts over HTTP', () => {
  it('lists them newest first, by status and kind, in the document of koban alerts --json', async () => {
    const all = await get('/api/v1/operator/alerts');
    expect(all.status).toBe(200);
    const alerts = all.body.alerts as { id: number; kind: string; first: string; episode: string }[];
    expect(alerts.map((a) => a.id)).toEqual([ids[1], ids[0]]);
    expect(alerts[1]).toMatchObject({
      kind: 'sensor-silent',
      status: 'open',
      first: '2012-02-09T00:00:00.000Z',
      episode: 'ongoing',
      acked_by: null,
    });
    const kind = await get('/api/v1/operator/alerts?kind=backscatter&status=open,acknowledged');
    expect((kind.body.alerts as { id: number }[]).map((a) => a.id)).toEqual([ids[1]]);
  });

  it('pages the most severe first, then the most recent, with counts per severity and kind', async () => {
    const more: number[] = [];
    for (const [kind, severity, hour] of [
      ['scan', 'low', 5],
      ['scan', 'critical', 1],
      ['port-surge', 'medium', 3],
      ['scan', 'high', 4],
    ] as const) {
      const { alert } = await w.center.alerts.raise({
        kind,
        dedupKey: `${kind}:${severity}`,
        severity,
        title: `${kind} ${severity}`,
        atMs: Date.UTC(2012, 1, 9, hour),
        evidence: { phase: 'opened' },
      });
      more.push(alert.id);
    }
    const [low, critical, medium, high] = more;
    const first = await get('/api/v1/operator/alerts?limit=3');
    expect(first.status).toBe(200);
    expect((first.body.alerts as { id: number }[]).map((a) => a.id)).toEqual([critical, high, ids[1]]);
    expect(first.body.counts).toEqual({
      total: 6,
      severity: { info: 0, low: 1, medium: 1, high: 3, critical: 1 },
      kind: { scan: 3, backscatter: 1, 'port-surge': 1, 'sensor-silent': 1 },
    });
    expect(first.body.nextCursor).toBe(`3-${Date.UTC(2012, 1, 9)}-${ids[1]}`);
    const second = await get(`/api/v1/operator/alerts?limit=3&cursor=${first.body.nextCursor}`);
    expect((second.body.alerts as { id: number }[]).map((a) => a.id)).toEqual([ids[0], medium, low]);
    expect(second.body.nextCursor).toBeNull();
    const scans = await get('/api/v1/operator/alerts?kind=scan');
    expect((scans.body.alerts as { id: number }[]).map((a) => a.id)).toEqual([critical, high, low]);
    expect(scans.body.counts).toMatchObject({ total: 3, kind: { scan: 3 } });
    const severe = await get('/api/v1/operator/alerts?kind=scan&severity=critical,low');
    expect((severe.body.alerts as { id: number }[]).map((a) => a.id)).toEqual([critical, low]);
    expect(severe.body.counts).toMatchObject({ total: 2, severity: { low: 1, critical: 1, high: 0 } });
    const unknown = await get('/api/v1/operator/alerts?severity=urgent');
    expect(unknown.status).toBe(400);
    const bad = await get('/api/v1/operator/alerts?cursor=7-1-1');
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.message).toMatch(/^query: cursor: /);
    for (const id of more) await w.center.alerts.close(id, 'test');
  });

  it('refuses a status that does not exist, naming the ones that do', async () => {
    const bad = await get('/api/v1/operator/alerts?status=open,bogus');
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.code).toBe('E_USAGE');
    expect((bad.body as ErrorBody).error.message).toMatch(/^query: status\.1: /);
  });

  it('acknowledges and closes one, recording who, and refuses closing it twice', async () => {
    const id = ids[0]!;
    const ack = await w.request(`/api/v1/operator/alerts/${id}/ack`, {
      token: operator,
      json: { by: 'suzuki' },
    });
    expect(await ack.json()).toMatchObject({ id, status: 'acknowledged', acked_by: 'suzuki' });
    const close = await w.request(`/api/v1/operator/alerts/${id}/close`, {
      token: operator,
      json: { by: 'tanaka' },
    });
    expect(await close.json()).toMatchObject({
      id,
      status: 'closed',
      acked_by: 'suzuki',
      closed_by: 'tanaka',
    });
    expect((await get(`/api/v1/operator/alerts/${id}`)).body).toMatchObject({ status: 'closed' });
    const again = await w.request(`/api/v1/operator/alerts/${id}/close`, {
      token: operator,
      json: { by: 'tanaka' },
    });
    expect(again.status).toBe(409);
    expect((await get('/api/v1/operator/alerts/999999')).status).toBe(404);
  });

  it('answers the operator token only: not members, not center staff, not the public', async () => {
    for (const token of [null, w.cast.admin.token, w.cast.x.token, 'kbo_wrong']) {
      const r = await get('/api/v1/operator/alerts', token);
      expect(r.status).toBe(401);
      expect((r.body as ErrorBody).error.code).toBe('E_AUTH');
    }
    const ack = await w.request(`/api/v1/operator/alerts/${ids[1]}/ack`, {
      token: w.cast.admin.token,
      json: { by: 'admin' },
    });
    expect(ack.status).toBe(401);
    expect((await get(`/api/v1/operator/alerts/${ids[1]}`)).body).toMatchObject({ status: 'open' });
  });
});
