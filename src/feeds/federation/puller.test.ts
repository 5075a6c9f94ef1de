// The pulls `koban serve` schedules for its peers, on an injected clock and an injected fetch:
// due times, exponential back-off after failures, bounds on what a peer may send, and a token that
// is sent to the peer and nowhere else.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../test/api-world.js';
import { Lease } from '../../db/index.js';
import { TLP2_IDS } from '../stix/markings.js';
import { federationConfigFrom } from './config.js';
import { PULL_LEASE_MS } from './peer-state.js';
import { Federation } from './puller.js';

const TOKEN = 'kbt_42_peer-secret-value';
const ROOT = 'http://127.0.0.1:9/taxii2/koban/';
const COLLECTION = '0e6d7c4a-1111-5111-8111-000000000001';
const MINUTE = 60_000;

let w: ApiWorld;
beforeEach(async () => {
  w = await openApiWorld();
  await w.center.intel.orgs.add(w.system, { name: 'Center A', kind: 'partner-center' });
});
afterEach(async () => {
  await w.close();
});

const config = (more: Record<string, unknown> = {}) =>
  federationConfigFrom({
    peers: [
      {
        name: 'center-a',
        org: 'Center A',
        pull: { apiRoot: ROOT, collection: COLLECTION, tokenEnv: 'PEER_A_TOKEN', ...more },
      },
    ],
  });

const envelope = (body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/taxii+json;version=2.1', ...headers },
  });

describe('federation pulls on the schedule', () => {
  it('retries a failing peer with exponential back-off on the given clock, then keeps its interval; the token goes to the peer only', async () => {
    const clock = { ms: Date.UTC(2026, 11, 7) };
    const t0 = clock.ms;
    const sent: (string | null)[] = [];
    const answers = [
      () => new Response('{"title":"Unavailable","description":"down for maintenance"}', { status: 503 }),
      () => {
        throw new TypeError('fetch failed');
      },
      () => envelope({ more: false }),
    ];
    const logged: string[] = [];
    const log = {
      info: (o: object, m: string) => void logged.push(`${m} ${JSON.stringify(o)}`),
      warn: (o: object, m: string) => void logged.push(`${m} ${JSON.stringify(o)}`),
    };
    const f = new Federation(w.center.intel, config(), {
      now: () => clock.ms,
      env: { PEER_A_TOKEN: TOKEN },
      log,
      fetch: async (_url, init) => {
        sent.push(new Headers(init.headers).get('authorization'));
        const answer = answers.shift();
        if (!answer) throw new Error('no more answers');
        return answer();
      },
    });
    const first = await f.tick();
    expect(first).toEqual([
      {
        peer: 'center-a',
        ok: false,
        error: `${ROOT}collections/${COLLECTION}/objects/?match%5Bversion%5D=all: 503 down for maintenance`,
        nextDueMs: t0 + MINUTE,
      },
    ]);
    clock.ms = t0 + MINUTE - 1;
    expect(await f.tick()).toEqual([]);
    clock.ms = t0 + MINUTE;
    const second = await f.tick();
    expect(second.map((o) => [o.ok, o.error, o.nextDueMs])).toEqual([
      [false, 'fetch failed', t0 + 3 * MINUTE],
    ]);
    clock.ms = t0 + 3 * MINUTE;
    const third = await f.tick();
    expect(third.map((o) => [o.ok, o.poll?.pages, o.poll?.objects, o.nextDueMs])).toEqual([
      [true, 1, 0, t0 + 8 * MINUTE],
    ]);
    clock.ms = t0 + 8 * MINUTE - 1;
    expect(await f.tick()).toEqual([]);
    expect(sent).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(logged).toHaveLength(3);
    expect(JSON.stringify([logged, first, second, third])).not.toContain(TOKEN);
  });

  it('refuses a peer whose organisation is not a partner center, before sending its token anywhere', async () => {
    await w.center.intel.orgs.add(w.system, { name: 'Center Z', kind: 'member-company' });
    let fetched = 0;
    const f = new Federation(
      w.center.intel,
      federationConfigFrom({
        peers: [
          {
            name: 'center-z',
            org: 'Center Z',
            pull: { apiRoot: ROOT, collection: COLLECTION, tokenEnv: 'PEER_A_TOKEN' },
          },
        ],
      }),
      {
        now: () => 0,
        env: { PEER_A_TOKEN: TOKEN },
        fetch: async () => {
          fetched++;
          return envelope({});
        },
      },
    );
    const [out] = await f.pullNow();
    expect(out?.error).toBe(
      'federation peer center-z: "Center Z" is not an active partner-center organisation (koban org add --kind partner-center)',
    );
    expect(fetched).toBe(0);
  });

  it('fails a pull whose page is larger than the peer’s byte bound, importing nothing of it', async () => {
    const big = { more: false, objects: [{ type: 'note', padding: 'x'.repeat(70_000) }] };
    const f = new Federation(w.center.intel, config({ maxPageBytes: 65_536 }), {
      now: () => 0,
      env: { PEER_A_TOKEN: TOKEN },
      fetch: async () => envelope(big),
    });
    const [out] = await f.pullNow('center-a');
    expect(out?.error).toBe(
      `${ROOT}collections/${COLLECTION}/objects/?match%5Bversion%5D=all: the answer is larger than 65536 bytes, the most accepted`,
    );
    expect(await w.center.intel.db.selectFrom('stix_objects').select('stix_id').execute()).toEqual([]);
  });

  it('stops a pull at maxPages and goes on from its cursor at the next tick', async () => {
    let page = 0;
    const urls: string[] = [];
    const f = new Federation(w.center.intel, config({ maxPages: 2 }), {
      now: () => 1000,
      env: { PEER_A_TOKEN: TOKEN },
      fetch: async (url) => {
        urls.push(new URL(url).search);
        page++;
        return envelope(
          { more: true, next: `p${page}`, objects: [] },
          { 'X-TAXII-Date-Added-Last': `2026-12-07T00:00:0${page}.000000Z` },
        );
      },
    });
    const [out] = await f.tick();
    expect([out?.ok, out?.poll?.pages, out?.poll?.truncated, out?.nextDueMs]).toEqual([true, 2, true, 1000]);
    const [next] = await f.tick();
    expect(next?.poll?.pages).toBe(2);
    expect(urls[2]).toBe('?match%5Bversion%5D=all&added_after=2026-12-07T00%3A00%3A02.000000Z');
  });

  it('imports nothing labelled above the peer’s pull ceiling (recorded as skipped, not as a report)', async () => {
    const indicator = (n: number, tlp: 'GREEN' | 'AMBER') => ({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--00000000-0000-4000-8000-00000000000${n}`,
      created: '2026-12-01T00:00:00.000Z',
      modified: '2026-12-01T00:00:00.000Z',
      pattern: `[ipv4-addr:value = '185.220.101.2${n}']`,
      pattern_type: 'stix',
      valid_from: '2026-12-01T00:00:00.000Z',
      object_marking_refs: [TLP2_IDS[tlp]],
    });
    const f = new Federation(w.center.intel, config(), {
      now: () => 0,
      env: { PEER_A_TOKEN: TOKEN },
      fetch: async () => envelope({ more: false, objects: [indicator(1, 'GREEN'), indicator(2, 'AMBER')] }),
    });
    const [out] = await f.pullNow('center-a');
    expect([out?.poll?.objects, out?.poll?.imported.indicators]).toEqual([2, 1]);
    const values = await w.center.intel.db.selectFrom('indicators').select('value').execute();
    expect(values.map((v) => v.value)).toEqual(['185.220.101.21']);
    const skipped = await w.center.intel.db
      .selectFrom('stix_objects')
      .select(['stix_id', 'source'])
      .where('koban_id', 'is', null)
      .execute();
    expect(skipped).toEqual([{ stix_id: indicator(2, 'AMBER').id, source: 'peer:center-a' }]);
  });
});

describe('the pull state is the store’s: shared by `koban serve` and `koban feeds pull`', () => {
  it('a second process sees the first one’s pull (time, objects, error, next due) and keeps its back-off', async () => {
    const clock = { ms: Date.UTC(2026, 11, 7) };
    const t0 = clock.ms;
    const indicator = {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--00000000-0000-4000-8000-000000000031',
      created: '2026-12-01T00:00:00.000Z',
      modified: '2026-12-01T00:00:00.000Z',
      pattern: "[ipv4-addr:value = '185.220.101.31']",
      pattern_type: 'stix',
      valid_from: '2026-12-01T00:00:00.000Z',
      object_marking_refs: [TLP2_IDS.GREEN],
    };
    const answers = [
      () => envelope({ more: false, objects: [indicator] }),
      () => new Response('{"title":"Unavailable","description":"down"}', { status: 503 }),
    ];
    const deps = {
      now: () => clock.ms,
      env: { PEER_A_TOKEN: TOKEN },
      fetch: async () => {
        const a = answers.shift();
        if (!a) throw new Error('no more answers');
        return a();
      },
    };
    // The center's schedule and an operator's command: two Federation instances over one store.
    const serve = new Federation(w.center.intel, config(), deps);
    const cli = new Federation(w.center.intel, config(), deps);
    const [never] = await cli.peers();
    expect(never).toEqual({
      name: 'center-a',
      org: 'Center A',
      configured: true,
      pull: { apiRoot: ROOT, collection: COLLECTION, intervalSeconds: 300 },
      publishes: false,
      lastPullMs: null,
      lastOkMs: null,
      lastObjects: 0,
      objectsTotal: 0,
      failures: 0,
      lastError: null,
      nextDueMs: 0,
      pulling: null,
    });
    const [pulled] = await cli.pullNow('center-a');
    expect([pulled?.ok, pulled?.poll?.objects, pulled?.nextDueMs]).toEqual([true, 1, t0 + 5 * MINUTE]);
    // Not due for the center: the operator's pull counts.
    clock.ms = t0 + MINUTE;
    expect(await serve.tick()).toEqual([]);
    clock.ms = t0 + 5 * MINUTE;
    const [failed] = await serve.tick();
    expect(failed?.ok).toBe(false);
    expect(await cli.peers()).toEqual([
      {
        ...never,
        lastPullMs: t0 + 5 * MINUTE,
        lastOkMs: t0,
        lastObjects: 1,
        objectsTotal: 1,
        failures: 1,
        lastError: `${ROOT}collections/${COLLECTION}/objects/?match%5Bversion%5D=all: 503 down`,
        nextDueMs: t0 + 6 * MINUTE,
      },
    ]);
    // The operator removes the peer from koban.json: it is listed as removed, with what it sent.
    const after = new Federation(w.center.intel, federationConfigFrom({ peers: [] }), deps);
    expect(await after.peers()).toEqual([
      {
        name: 'center-a',
        org: null,
        configured: false,
        pull: null,
        publishes: false,
        lastPullMs: t0 + 5 * MINUTE,
        lastOkMs: t0,
        lastObjects: 1,
        objectsTotal: 1,
        failures: 1,
        lastError: `${ROOT}collections/${COLLECTION}/objects/?match%5Bversion%5D=all: 503 down`,
        nextDueMs: null,
        pulling: null,
      },
    ]);
    expect(after.pulls).toBe(false);
  });

  it('a pull while another process holds the peer’s lease does nothing and says who holds it', async () => {
    let fetched = 0;
    const deps = {
      now: () => 1000,
      env: { PEER_A_TOKEN: TOKEN },
      fetch: async () => {
        fetched++;
        return envelope({ more: false });
      },
    };
    const cli = new Federation(w.center.intel, config(), deps);
    const other = new Lease(
      w.center.intel.db,
      'federation-pull:center-a',
      'serve-node-1:4242',
      PULL_LEASE_MS,
      () => 1000,
    );
    expect(await other.acquire()).toBe(true);
    const [out] = await cli.pullNow('center-a');
    expect(out).toEqual({
      peer: 'center-a',
      ok: false,
      error: 'peer center-a is being pulled by serve-node-1:4242; try again when it is done',
      busy: { holder: 'serve-node-1:4242' },
      nextDueMs: 0,
    });
    expect(fetched).toBe(0);
    expect((await cli.peers())[0]?.pulling).toEqual({ holder: 'serve-node-1:4242', sinceMs: 1000 });
    await other.release();
    const [after] = await cli.pullNow('center-a');
    expect([after?.ok, fetched]).toEqual([true, 1]);
    // Released at the end of the pull: the next one (any process) may take it.
    expect(await new Lease(w.center.intel.db, 'federation-pull:center-a', 'x', 1, () => 1000).state()).toBe(
      undefined,
    );
  });
});
