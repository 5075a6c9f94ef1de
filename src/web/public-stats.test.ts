/**
 * Who sees the observation data live (docs/public-statistics.md): the anonymous public and
 * members without `observations:read` get the views delayed by publicStats.delayHours, without
 * sensor filter or per-sensor view, and without rows below publicStats.minCount; `/metrics`,
 * the live counts of `/healthz` and the sensor table of `/` are the operator's and center
 * staff's. The clock is the test world's (2012-02-10T00:00Z); events are stored directly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiWorld,
  type ErrorBody,
  openApiWorld,
  PASSWORD,
  rotateOperatorToken,
} from '../../test/api-world.js';
import { ev } from '../../test/events.js';
import { HOUR_MS } from '../core/index.js';
import { thresholdCells } from './public-stats.js';

type View = { view: string; rows: Record<string, unknown>[]; public?: Record<string, unknown> };

let w: ApiWorld;
let operator: string;
beforeAll(async () => {
  w = await openApiWorld();
  operator = rotateOperatorToken(w.center.dataDir);
  await w.center.registry.add({ name: 'fw-a' });
  const old = w.clock.ms - 48 * HOUR_MS;
  const recent = w.clock.ms - HOUR_MS;
  await w.center.observatory.store.append([
    // Seen long enough ago, by many sources: public.
    ...Array.from({ length: 10 }, (_, i) => ev({ timeMs: old + i, sensor: 'fw-a', dstPort: 445 })),
    // Long ago, but only two packets: below the threshold.
    ...Array.from({ length: 2 }, (_, i) => ev({ timeMs: old + i, sensor: 'fw-b', dstPort: 31337 })),
    // A prober's markers an hour ago: inside the delay.
    ...Array.from({ length: 7 }, (_, i) => ev({ timeMs: recent + i, sensor: 'fw-a', dstPort: 8080 })),
  ]);
});
afterAll(async () => {
  await w.close();
});

async function view(path: string, token: string | null = null): Promise<{ status: number; body: View }> {
  const r = await w.request(path, { token });
  return { status: r.status, body: (await r.json()) as View };
}

const ports = (v: View) => v.rows.map((r) => `${r.port}:${r.count}`);

describe('the public view of the observation statistics', () => {
  it('does not show the anonymous caller an event newer than the delay, nor rows below the threshold', async () => {
    const { status, body } = await view('/api/v1/stats/ports?top=0');
    expect(status).toBe(200);
    expect(ports(body)).toEqual(['445:10']);
    expect(body.public).toEqual({ until: '2012-02-09T00:00:00.000Z', delayHours: 24, minCount: 5 });
    // Asking for a later end changes nothing.
    const later = await view('/api/v1/stats/ports?top=0&to=2012-02-11');
    expect(ports(later.body)).toEqual(['445:10']);
    const hours = await view('/api/v1/stats/total?bucket=hour');
    expect(hours.body.rows).toEqual([{ bucket: '2012-02-08T09:00:00+09:00', kind: 'firewall', count: 12 }]);
  });

  it('refuses the anonymous caller a sensor filter and the per-sensor view', async () => {
    const filtered = await w.request('/api/v1/stats/ports?sensor=fw-a');
    expect(filtered.status).toBe(403);
    expect(((await filtered.json()) as ErrorBody).error).toEqual({
      code: 'E_FORBIDDEN',
      message:
        'a sensor filter needs the operator token or a token with the scope observations:read; the public view is aggregated over all sensors',
    });
    expect((await w.request('/api/v1/stats/sensor-rate')).status).toBe(403);
  });

  it('gives a member without observations:read the public view too', async () => {
    const { body } = await view('/api/v1/stats/ports?top=0', w.cast.x.token);
    expect(ports(body)).toEqual(['445:10']);
    expect((await w.request('/api/v1/stats/ports?sensor=fw-a', { token: w.cast.x.token })).status).toBe(403);
  });

  it('gives the operator and center staff the live view, per sensor', async () => {
    for (const token of [operator, w.cast.analyst.token]) {
      const { body } = await view('/api/v1/stats/ports?top=0', token);
      expect(ports(body)).toEqual(['445:10', '8080:7', '31337:2']);
      expect(body.public).toBeUndefined();
      const one = await view('/api/v1/stats/ports?top=0&sensor=fw-b', token);
      expect(ports(one.body)).toEqual(['31337:2']);
      expect((await view('/api/v1/stats/sensor-rate', token)).status).toBe(200);
    }
  });

  it('refuses a wrong operator token rather than answering it as the public', async () => {
    const r = await w.request('/api/v1/stats/ports', { token: `kbo_${'x'.repeat(43)}` });
    expect(r.status).toBe(401);
    expect(((await r.json()) as ErrorBody).error.code).toBe('E_AUTH');
  });
});

describe('metrics, health and the front page', () => {
  it('does not let the anonymous caller read /metrics; the operator and center staff can', async () => {
    const anonymous = await w.request('/metrics');
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as ErrorBody).error.message).toBe(
      'send the operator token, or sign in or send an API token with the scope observations:read',
    );
    expect((await w.request('/metrics', { token: w.cast.x.token })).status).toBe(403);
    for (const token of [operator, w.cast.analyst.token]) {
      const r = await w.request('/metrics', { token });
      expect(r.status).toBe(200);
      expect(await r.text()).toMatch(/^koban_store_events 19$/m);
    }
  });

  it('tells the public that the center is up, and the operator how much it holds', async () => {
    expect(await (await w.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await w.request('/healthz', { token: operator })).json()).toEqual({
      status: 'ok',
      events: 19,
      sensors: 2,
      stores: [
        { store: 'events', ok: true },
        { store: 'relational', ok: true },
      ],
    });
  });

  it('shows the anonymous live page the delayed aggregate only, and a signed-in analyst the live view', async () => {
    const page = await (await w.request('/live')).text();
    expect(page).toContain('Public view: every sensor together, up to 2012-02-09T09:00:00+09:00');
    expect(page).toContain('<td>445</td>');
    expect(page).not.toContain('<td>8080</td>');
    expect(page).not.toContain('<td>31337</td>');
    expect(page).not.toContain('fw-a');
    expect(page).not.toContain('/metrics');
    const login = await w.request('/api/v1/session', {
      json: { email: w.cast.analyst.email, password: PASSWORD },
    });
    const cookie = (login.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    const live = await (await w.request('/live', { cookie })).text();
    expect(live).toContain('<td>8080</td>');
    expect(live).toContain('<td>fw-a</td>');
    expect(live).toContain('href="/metrics"');
  });
});

describe('a fixed grid of counts as the public sees it', () => {
  it('withholds every count cell below the threshold, 0 included, and keeps the rows and other fields', () => {
    const rows = [
      { date: '2012-01-01', Worm: 8, Scan: 2, note: 'x' },
      { date: '2012-01-02', Worm: 0, Scan: 5, note: null },
    ];
    expect(thresholdCells(rows, ['Worm', 'Scan'], 5)).toEqual([
      { date: '2012-01-01', Worm: 8, Scan: null, note: 'x' },
      { date: '2012-01-02', Worm: null, Scan: 5, note: null },
    ]);
    expect(rows[0]!.Scan).toBe(2);
  });
});
