// The example middleware against a real center (test/api-world.ts): a site of kind
// website-operator, its policy set at the center, posts from a listed and an unlisted address.
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../test/api-world.js';
import { type AnonymizerAnswer, anonymizerGuard } from './anonymizer-guard.js';

let w: ApiWorld;
let siteId: number;
let token: string;

beforeAll(async () => {
  w = await openApiWorld();
  const published = new Date(w.clock.ms - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  await w.center.anonymizer.importList({
    source: 'exits',
    text: `@type tordnsel 1.0\nDownloaded ${published}\nExitNode ${'E'.repeat(40)}\nExitAddress 203.0.113.9 ${published}\n`,
  });
  const site = await w.center.intel.orgs.add(w.system, { name: 'Forum', kind: 'website-operator' });
  siteId = site.id;
  const u = await w.center.intel.users.add(w.system, {
    email: 'ops@forum.example',
    orgId: site.id,
    role: 'org-admin',
    password: 'correct horse battery staple 1',
  });
  token = (
    await w.center.intel.auth.createToken(w.system, {
      userId: u.id,
      name: 'site',
      scopes: ['reports:read', 'reports:write'],
    })
  ).token;
});
afterAll(async () => {
  await w.close();
});

function site(recorded: AnonymizerAnswer[]): Hono {
  const app = new Hono();
  app.use(
    '*',
    anonymizerGuard({
      center: 'http://center.test',
      token,
      clientIp: (c) => c.req.header('x-test-ip'),
      fetch: (url, init) => Promise.resolve(w.app.request(String(url), init)),
      onFlagged: (_c, a) => {
        recorded.push(a);
      },
      now: () => w.clock.ms,
    }),
  );
  app.post('/posts', (c) => c.text('posted', 201));
  app.get('/posts', (c) => c.text('read'));
  return app;
}

const post = (app: Hono, ip: string) =>
  app.request('/posts', { method: 'POST', headers: { 'x-test-ip': ip } });

describe('the example anonymizer middleware', () => {
  it('refuses a post from a Tor exit under restrict, and lets other addresses and reading through', async () => {
    await w.center.anonymizer.setSitePolicy(siteId, 'restrict', 'test');
    const app = site([]);
    expect((await post(app, '203.0.113.9')).status).toBe(403);
    expect((await post(app, '198.51.100.1')).status).toBe(201);
    expect((await app.request('/posts', { headers: { 'x-test-ip': '203.0.113.9' } })).status).toBe(200);
  });

  it('lets it through under allow-and-record and hands the evidence to the site', async () => {
    await w.center.anonymizer.setSitePolicy(siteId, 'allow-and-record', 'test');
    const recorded: AnonymizerAnswer[] = [];
    expect((await post(site(recorded), '203.0.113.9')).status).toBe(201);
    expect(recorded.map((a) => [a.ip, a.action, a.evidence[0]?.fingerprint])).toEqual([
      ['203.0.113.9', 'allow-and-record', 'E'.repeat(40)],
    ]);
  });

  it('posts the request details as evidence under allow-and-record, which an investigator reads', async () => {
    await w.center.anonymizer.setSitePolicy(siteId, 'allow-and-record', 'test');
    const errors: unknown[] = [];
    const app = new Hono();
    app.use(
      '*',
      anonymizerGuard({
        center: 'http://center.test',
        token,
        clientIp: (c) => c.req.header('x-test-ip'),
        fetch: (url, init) => Promise.resolve(w.app.request(String(url), init)),
        record: {
          headers: ['user-agent', 'x-absent'],
          account: () => 'alice',
          onRecordError: (e) => errors.push(e),
        },
        now: () => w.clock.ms,
      }),
    );
    app.post('/posts', async (c) => c.text(`posted ${(await c.req.text()).length}`, 201));
    const r = await app.request('/posts', {
      method: 'POST',
      headers: { 'x-test-ip': '203.0.113.9', 'user-agent': 'curl/8.5' },
      body: 'hello',
    });
    expect([r.status, await r.text()]).toEqual([201, 'posted 5']);
    expect(errors).toEqual([]);
    const kept = await w.center.intel.siteEvidence.list(w.cast.analyst.actor, { ip: '203.0.113.9' });
    expect(kept.map((k) => [k.account, k.contentSha256, k.headers, k.requestMs])).toEqual([
      ['alice', createHash('sha256').update('hello').digest('hex'), { 'user-agent': 'curl/8.5' }, w.clock.ms],
    ]);
  });
});
