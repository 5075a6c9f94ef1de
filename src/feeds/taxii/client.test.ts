// The TAXII client against this server, two centers on loopback (the base of federation): B
// subscribes to A's members collection, imports what A's members may see, resumes after a
// restart from the last date added it saw, and never imports an object twice.
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, C2_US, openApiWorld } from '../../../test/api-world.js';
import { StixService } from '../stix/service.js';
import { TaxiiSubscriptions } from './client.js';
import { collectionId } from './collections.js';

let a: ApiWorld;
let b: ApiWorld;
let server: ServerType;
let root: string;
beforeEach(async () => {
  a = await openApiWorld({ taxii: { syncEveryMs: 0, pageSize: 2 } });
  b = await openApiWorld();
  server = await new Promise<ServerType>((ok) => {
    const s = serve({ fetch: a.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/taxii2/koban/`;
});
afterEach(async () => {
  await new Promise((ok) => server.close(ok));
  await a.close();
  await b.close();
});

async function postC2(token: string, value: string, tlp: string): Promise<void> {
  const r = await a.request('/api/v1/reports', {
    token,
    json: { report: { kind: 'c2', destinations: [{ value }] }, sharing: { tlp } },
  });
  expect(r.status).toBe(201);
}

async function valuesAtB(): Promise<string[]> {
  const db = b.center.intel.db;
  const values = await db.selectFrom('indicators').select('value').execute();
  const sources = await db.selectFrom('stix_objects').select('source').distinct().execute();
  const from = sources.map((r) => r.source).join(',');
  return values.map((r) => `${r.value} from ${from}`).sort();
}

describe('koban feeds subscribe (TaxiiSubscriptions)', () => {
  it('polls with added_after and next, imports once, and resumes after a restart', async () => {
    await postC2(a.cast.y.token, C2_US, 'GREEN');
    await postC2(a.cast.x.token, C2_TH, 'AMBER');
    const subs = () =>
      new TaxiiSubscriptions(b.center.intel, new StixService(b.center.intel, {}, () => b.clock.ms));
    const sub = await subs().subscribe(root, collectionId('members'), 'center-a');
    const first = await subs().poll(b.system, sub, { token: a.cast.mssp.token });
    expect(first.rejected).toBe(0);
    expect(first.pages).toBeGreaterThan(1);
    expect(await valuesAtB()).toEqual([`${C2_US} from center-a`]);
    const again = await subs().poll(b.system, first.subscription, { token: a.cast.mssp.token });
    expect([again.objects, again.imported.reports]).toEqual([0, 0]);

    await postC2(a.cast.x.token, C2_TH, 'GREEN');
    // A fresh instance: what was seen comes from the store, not from memory.
    const [held] = await subs().list();
    expect(held?.lastAdded).toBe(first.subscription.lastAdded);
    const later = await subs().poll(b.system, held!, {
      user: a.cast.mssp.email,
      password: 'correct horse battery staple',
    });
    expect(later.objects).toBeGreaterThan(0);
    expect(await valuesAtB()).toEqual([`${C2_TH} from center-a`, `${C2_US} from center-a`]);
    const last = await subs().poll(b.system, later.subscription, { token: a.cast.mssp.token });
    expect(last.objects).toBe(0);
  });

  it('says why a poll is refused (a wrong token), and records nothing as seen', async () => {
    const s = new TaxiiSubscriptions(b.center.intel, new StixService(b.center.intel));
    const sub = await s.subscribe(root, collectionId('members'));
    await expect(s.poll(b.system, sub, { token: 'kbt_9_wrong' })).rejects.toMatchObject({ code: 'E_AUTH' });
    expect((await s.list())[0]?.lastAdded).toBeNull();
    expect(sub.source).toBe(`taxii:${new URL(root).host}/${collectionId('members')}`);
  });
});
