/**
 * The front page's hourly table: 24 hours, one row each, every event kind in its own column —
 * the table used to take the last 24 rows of the `total` view, one per hour *and kind*, which
 * were 8 hours when all three kinds were present. Buckets are in the operator's offset, by
 * default the domestic country's (JP: +09:00).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld, PASSWORD } from '../../test/api-world.js';
import { ev } from '../../test/events.js';
import { HOUR_MS } from '../core/index.js';
import { type EventStore, openEventStore } from '../observe/index.js';
import { hourlyRows } from './home.js';

const ids = {
  generatorId: 1,
  signatureId: 2003,
  signatureRev: 8,
  signature: 'MS-SQL Worm propagation attempt',
  classtype: 'misc-attack',
  technique: 'Worm' as const,
  priority: 2,
};

/** 30 hours before `end`, each with one firewall, two darknet and one IDS event. */
function hoursOfAllKinds(endMs: number) {
  return Array.from({ length: 30 }, (_, h) => {
    const t = endMs - (h + 1) * HOUR_MS + 60_000;
    return [
      ev({ timeMs: t }),
      ev({ timeMs: t + 1, kind: 'darknet' }),
      ev({ timeMs: t + 2, kind: 'darknet' }),
      ev({ timeMs: t + 3, kind: 'ids', ids }),
    ];
  }).flat();
}

describe('the hourly table', () => {
  let store: EventStore;
  const END = Date.UTC(2012, 1, 10);
  beforeAll(async () => {
    store = await openEventStore({ dataDir: ':memory:' });
    await store.append(hoursOfAllKinds(END));
  });
  afterAll(async () => {
    await store.close();
  });

  it('has one row per hour for the last 24 hours, with each kind and their sum', async () => {
    const rows = await hourlyRows(store, END, { utcOffsetMinutes: 540, domesticCountry: 'JP' });
    expect(rows).toHaveLength(24);
    expect(rows[0]).toEqual({
      bucket: '2012-02-09T09:00:00+09:00',
      firewall: 1,
      ids: 1,
      darknet: 2,
      count: 4,
    });
    expect(rows[23]).toEqual({
      bucket: '2012-02-10T08:00:00+09:00',
      firewall: 1,
      ids: 1,
      darknet: 2,
      count: 4,
    });
    expect(new Set(rows.map((r) => r.bucket)).size).toBe(24);
  });

  it('counts an hour without events as 0 rather than leaving it out', async () => {
    const rows = await hourlyRows(store, END + 2 * HOUR_MS, { utcOffsetMinutes: 0, domesticCountry: 'JP' });
    expect(rows.slice(-3)).toEqual([
      { bucket: '2012-02-09T23:00:00Z', firewall: 1, ids: 1, darknet: 2, count: 4 },
      { bucket: '2012-02-10T00:00:00Z', firewall: 0, ids: 0, darknet: 0, count: 0 },
      { bucket: '2012-02-10T01:00:00Z', firewall: 0, ids: 0, darknet: 0, count: 0 },
    ]);
  });
});

describe('the front page', () => {
  let w: ApiWorld;
  beforeAll(async () => {
    w = await openApiWorld();
    await w.center.observatory.store.append(hoursOfAllKinds(w.clock.ms));
  });
  afterAll(async () => {
    await w.close();
  });

  it('shows 24 distinct hours in the operator’s offset (JP by default: +09:00) to center staff', async () => {
    const login = await w.request('/api/v1/session', {
      json: { email: w.cast.analyst.email, password: PASSWORD },
    });
    const cookie = (login.headers.get('Set-Cookie') ?? '').split(';')[0]!;
    const page = await (await w.request('/live', { cookie })).text();
    const table = /<h2>Events per hour[^<]*<\/h2>([\s\S]*?)<\/table>/.exec(page)![1]!;
    const hours = [...table.matchAll(/<td>(\d{4}-\d\d-\d\dT\d\d:00:00\+09:00)<\/td>/g)].map((m) => m[1]);
    expect(hours).toHaveLength(24);
    expect(new Set(hours).size).toBe(24);
    expect(hours.at(-1)).toBe('2012-02-10T08:00:00+09:00');
    expect(table).toContain('<th>firewall</th><th>ids</th><th>darknet</th><th>count</th>');
  });

  it('links a stylesheet instead of inline style, which the Content-Security-Policy forbids', async () => {
    const r = await w.request('/live');
    expect(await r.text()).not.toMatch(/<style|style=|<script/);
    const css = await w.request('/assets/home.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
  });
});
