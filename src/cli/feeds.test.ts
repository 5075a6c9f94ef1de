/**
 * `koban feeds subscribe … --once` and `koban feeds list` on a data directory, against a center
 * serving TAXII on loopback: the first run imports what the members may see, the second finds
 * nothing new (it resumes from the stored date added), and the list shows how far it got.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ApiWorld, C2_US, openApiWorld } from '../../test/api-world.js';
import { collectionId } from '../feeds/index.js';
import { registerFeeds } from './feeds.js';
import { registerOrg } from './org.js';

let dir: string;
let a: ApiWorld;
let server: ServerType;
let root: string;

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('koban').exitOverride();
  for (const r of [registerOrg, registerFeeds]) r(program);
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  process.env.KOBAN_OPERATOR = 'tester';
  let code = 0;
  try {
    await program.parseAsync([...args, '--data', dir], { from: 'user' });
  } catch (e) {
    code = (e as { exitStatus?: number }).exitStatus ?? 1;
    err += (e as Error).message;
  }
  vi.restoreAllMocks();
  return { out, err, code };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-feeds-'));
  a = await openApiWorld({ taxii: { syncEveryMs: 0 } });
  server = await new Promise<ServerType>((ok) => {
    const s = serve({ fetch: a.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/taxii2/koban/`;
});
afterEach(async () => {
  await new Promise((ok) => server.close(ok));
  await a.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('koban feeds', () => {
  it('subscribes, imports once, resumes, and lists the subscription', async () => {
    const r = await a.request('/api/v1/reports', {
      token: a.cast.y.token,
      json: { report: { kind: 'c2', destinations: [{ value: C2_US }] }, sharing: { tlp: 'GREEN' } },
    });
    expect(r.status).toBe(201);
    expect((await run(['org', 'add', 'Center B', '--kind', 'center'])).code).toBe(0);
    const members = collectionId('members');
    const args = [
      'feeds',
      'subscribe',
      root,
      '--collection',
      members,
      '--token',
      a.cast.mssp.token,
      '--once',
    ];
    const first = await run([...args, '--source', 'center-a']);
    expect(first.err).toBe('');
    expect(first.out).toMatch(
      /: \d+ objects in 1 pages — 1 reports, 1 indicators imported, 0 already held, 0 rejected; last added 2012-02-10T00:00:00\.0000\d\dZ\n$/,
    );
    const second = await run(args);
    expect(second.out).toMatch(/: 0 objects in 1 pages — 0 reports, 0 indicators imported/);
    const list = await run(['feeds', 'list', '--json']);
    const subs = (
      JSON.parse(list.out) as { subscriptions: { source: string; apiRoot: string; lastAdded: string }[] }
    ).subscriptions;
    expect(subs.map((s) => `${s.apiRoot} ${s.source}`)).toEqual([`${root} center-a`]);
    expect(first.out.endsWith(`last added ${subs[0]?.lastAdded}\n`)).toBe(true);
  });

  it('refuses a URL that is not one, before anything is stored', async () => {
    await run(['org', 'add', 'Center B', '--kind', 'center']);
    const bad = await run(['feeds', 'subscribe', 'not a url', '--collection', 'x', '--once']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toBe(
      '"not a url" is not a URL (give the API root, e.g. https://center.example/taxii2/koban/)',
    );
    expect((await run(['feeds', 'list'])).out).toBe(
      'no subscriptions (koban feeds subscribe URL --collection ID)\n',
    );
  });

  it('shows the federation peers, pulls one now on the schedule’s path, and shows what the pull left', async () => {
    const r = await a.request('/api/v1/reports', {
      token: a.cast.y.token,
      json: { report: { kind: 'c2', destinations: [{ value: C2_US }] }, sharing: { tlp: 'GREEN' } },
    });
    expect(r.status).toBe(201);
    expect((await run(['org', 'add', 'Center A', '--kind', 'partner-center'])).code).toBe(0);
    const members = collectionId('members');
    writeFileSync(
      join(dir, 'koban.json'),
      JSON.stringify({
        federation: {
          peers: [
            {
              name: 'center-a',
              org: 'Center A',
              pull: { apiRoot: root, collection: members, tokenEnv: 'KOBAN_TEST_PEER_A_TOKEN' },
            },
          ],
        },
      }),
      { mode: 0o600 },
    );
    process.env.KOBAN_TEST_PEER_A_TOKEN = a.cast.mssp.token;
    try {
      const before = JSON.parse((await run(['feeds', 'peers', '--json'])).out) as {
        peers: Record<string, unknown>[];
      };
      expect(before.peers.map((p) => [p.name, p.lastPullMs, p.objectsTotal, p.nextDueMs, p.pull])).toEqual([
        ['center-a', null, 0, 0, { apiRoot: root, collection: members, intervalSeconds: 300 }],
      ]);
      const pulled = await run(['feeds', 'pull', '--peer', 'center-a', '--json']);
      expect(pulled.err).toBe('');
      const [out] = (
        JSON.parse(pulled.out) as {
          pulls: { ok: boolean; poll: { objects: number; imported: { reports: number } } }[];
        }
      ).pulls;
      expect([out?.ok, out?.poll.imported.reports]).toEqual([true, 1]);
      const after = JSON.parse((await run(['feeds', 'peers', '--json'])).out) as {
        peers: {
          lastPullMs: number;
          lastOkMs: number;
          lastObjects: number;
          objectsTotal: number;
          lastError: string | null;
          nextDueMs: number;
          pulling: unknown;
        }[];
      };
      const p = after.peers[0];
      expect([p?.lastObjects, p?.objectsTotal, p?.lastError, p?.pulling]).toEqual([
        out?.poll.objects,
        out?.poll.objects,
        null,
        null,
      ]);
      expect([p?.lastOkMs, p?.nextDueMs]).toEqual([p?.lastPullMs, (p?.lastPullMs ?? 0) + 300_000]);
      const text = await run(['feeds', 'peers']);
      expect(text.out).toContain(`center-a  (Center A)\n  ${root}collections/${members}/  every 300 s\n`);
      const unknown = await run(['feeds', 'pull', '--peer', 'center-z']);
      expect([unknown.code, unknown.err]).toEqual([
        4,
        'no federation peer "center-z" that this center pulls from',
      ]);
    } finally {
      delete process.env.KOBAN_TEST_PEER_A_TOKEN;
    }
  });
});
