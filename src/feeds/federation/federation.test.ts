// Two Koban centers federating on loopback (docs/sharing.md#federation): each in-process center
// has its own store and its own HTTP port, koban.json `federation` names the other, and pulls are
// run by explicit "pull now" calls (the schedule's clock is the world's, never the wall).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld, PASSWORD } from '../../../test/api-world.js';
import { TLP2_IDS } from '../stix/markings.js';
import { StixService } from '../stix/service.js';
import { collectionId } from '../taxii/collections.js';
import { Federation } from './puller.js';

const TAXII = 'application/taxii+json;version=2.1';
/** Reported to A (GREEN, consented) and to B. */
const BOTH = '185.220.101.10';
const STRICT = '185.220.101.11';
const RED = '185.220.101.12';
/** AMBER at A, naming center B in its audience. */
const AMBER = '185.220.101.13';
/** GREEN at A, without the reporter's consent. */
const UNCONSENTED = '185.220.101.14';
const LATER = '185.220.101.15';
/** In a vendor's report that A imports, publishes to B, and the vendor later revokes. */
const VENDOR = '185.220.101.16';

let dir: string;
let a: ApiWorld;
let b: ApiWorld;
let servers: ServerType[];
let rootA: string;
let rootB: string;
/** Tokens of the partner-center users: B's at A, A's at B. */
let bAtA: string;
let aAtB: string;

function listen(app: () => Hono): Promise<ServerType> {
  return new Promise((ok) => {
    const s = serve({ fetch: (req, env) => app().fetch(req, env), port: 0, hostname: '127.0.0.1' }, () =>
      ok(s),
    );
  });
}

const rootOf = (s: ServerType) => `http://127.0.0.1:${(s.address() as AddressInfo).port}/taxii2/koban/`;

/** A partner-center organisation standing for a peer, and a user of it with a read-only token. */
async function peerOrg(w: ApiWorld, name: string, email?: string): Promise<string> {
  const org = await w.center.intel.orgs.add(w.system, { name, kind: 'partner-center' });
  if (email === undefined) return '';
  const u = await w.center.intel.users.add(w.system, {
    email,
    orgId: org.id,
    role: 'org-member',
    password: PASSWORD,
  });
  const t = await w.center.intel.auth.createToken(w.system, {
    userId: u.id,
    name: 'federation',
    scopes: ['indicators:read'],
  });
  return t.token;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-federation-'));
  servers = [await listen(() => a.app), await listen(() => b.app)];
  [rootA, rootB] = servers.map(rootOf) as [string, string];
  const taxii = { taxii: { syncEveryMs: 0 } };
  a = await openApiWorld(taxii, {
    centerName: 'Center A',
    config: {
      federation: {
        peers: [
          {
            name: 'center-b',
            org: 'Center B',
            publish: { maxTlp: 'AMBER' },
            pull: {
              apiRoot: rootB,
              collection: collectionId('peer:center-a'),
              tokenFile: join(dir, 'a-at-b.token'),
            },
          },
          { name: 'center-c', org: 'Center C', publish: { maxTlp: 'GREEN' } },
        ],
      },
    },
  });
  b = await openApiWorld(taxii, {
    centerName: 'Center B',
    config: {
      federation: {
        peers: [
          {
            name: 'center-a',
            org: 'Center A',
            publish: { maxTlp: 'GREEN' },
            pull: {
              apiRoot: rootA,
              collection: collectionId('peer:center-b'),
              tokenFile: join(dir, 'b-at-a.token'),
              maxTlp: 'AMBER',
            },
          },
          { name: 'center-c', org: 'Center C', publish: { maxTlp: 'GREEN' } },
        ],
      },
    },
  });
  bAtA = await peerOrg(a, 'Center B', 'federation@center-b.example');
  aAtB = await peerOrg(b, 'Center A', 'federation@center-a.example');
  await peerOrg(a, 'Center C');
  await peerOrg(b, 'Center C');
  writeFileSync(join(dir, 'b-at-a.token'), `${bAtA}\n`);
  writeFileSync(join(dir, 'a-at-b.token'), `${aAtB}\n`);
});

afterEach(async () => {
  for (const s of servers) await new Promise((ok) => s.close(ok));
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Sharing {
  readonly tlp: string;
  readonly consent: boolean;
  readonly audience?: { orgIds: number[] };
}

async function report(w: ApiWorld, token: string, value: string, sharing: Sharing): Promise<void> {
  const r = await w.request('/api/v1/reports', {
    token,
    json: { report: { kind: 'c2', destinations: [{ value }] }, sharing },
  });
  expect(r.status).toBe(201);
}

/** The reports A's member X makes, one per rule. */
async function seedA(): Promise<void> {
  const centerB = await a.center.intel.orgs.byName('Center B');
  await report(a, a.cast.x.token, BOTH, { tlp: 'GREEN', consent: true });
  await report(a, a.cast.x.token, STRICT, { tlp: 'AMBER+STRICT', consent: true });
  await report(a, a.cast.x.token, RED, { tlp: 'RED', consent: true });
  await report(a, a.cast.x.token, AMBER, {
    tlp: 'AMBER',
    consent: true,
    audience: { orgIds: [centerB!.id] },
  });
  await report(a, a.cast.x.token, UNCONSENTED, { tlp: 'GREEN', consent: false });
}

/** `value label` of every report the world holds from the organisation, sorted. */
async function reportsFrom(w: ApiWorld, org: string): Promise<string[]> {
  const rows = await w.center.intel.db
    .selectFrom('reports as r')
    .innerJoin('organisations as o', 'o.id', 'r.org_id')
    .innerJoin('report_indicators as ri', 'ri.report_id', 'r.id')
    .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
    .select(['i.value', 'r.tlp'])
    .where('o.name', '=', org)
    .execute();
  return rows.map((r) => `${r.value} ${r.tlp}`).sort();
}

async function indicator(w: ApiWorld, value: string) {
  const i = await w.center.intel.db
    .selectFrom('indicators')
    .select(['id', 'report_count', 'org_count'])
    .where('value', '=', value)
    .executeTakeFirstOrThrow();
  const campaigns = await w.center.intel.db
    .selectFrom('report_indicators as ri')
    .innerJoin('reports as r', 'r.id', 'ri.report_id')
    .select('r.campaign_id')
    .where('ri.indicator_id', '=', i.id)
    .execute();
  return {
    reports: Number(i.report_count),
    orgs: Number(i.org_count),
    campaigns: [...new Set(campaigns.map((c) => c.campaign_id))],
  };
}

/** Every object of a collection, read over HTTP with the token (all pages). */
async function collection(root: string, id: string, token: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${root}collections/${id}/objects/?match[version]=all`, {
    headers: { Accept: TAXII, Authorization: `Bearer ${token}` },
  });
  expect(res.status).toBe(200);
  const env = (await res.json()) as { objects?: Record<string, unknown>[]; more?: boolean };
  expect(env.more ?? false).toBe(false);
  return env.objects ?? [];
}

/** The values of a collection's indicators, sorted. */
function values(objects: readonly Record<string, unknown>[]): string[] {
  return objects
    .filter((o) => o.type === 'indicator')
    .map((o) => /'([^']+)'/.exec(String(o.pattern))?.[1] ?? '?')
    .sort();
}

async function pull(w: ApiWorld, peer: string) {
  const [out] = await w.center.federation.pullNow(peer);
  expect(out?.error).toBeUndefined();
  expect(out?.poll?.rejected).toBe(0);
  return out!.poll!;
}

describe('federation between two centers on loopback', () => {
  it('a value reported to A correlates at B with the same value reported to B; AMBER+STRICT, RED and unconsented reports never cross', async () => {
    await seedA();
    await report(b, b.cast.y.token, BOTH, { tlp: 'GREEN', consent: true });
    // What A publishes for B, as B's token reads it: AMBER only because B's ceiling allows it and
    // the report names B; what A publishes for C (GREEN at most) leaves it out.
    expect(values(await collection(rootA, collectionId('peer:center-b'), bAtA))).toEqual([BOTH, AMBER]);
    expect(values(await collection(rootA, collectionId('peer:center-c'), a.cast.analyst.token))).toEqual([
      BOTH,
    ]);

    const got = await pull(b, 'center-a');
    expect(got.own).toBe(0);
    expect(await reportsFrom(b, 'Center A')).toEqual([`${BOTH} GREEN`, `${AMBER} AMBER`]);
    for (const v of [STRICT, RED, UNCONSENTED])
      expect(
        await b.center.intel.db.selectFrom('indicators').select('id').where('value', '=', v).execute(),
      ).toEqual([]);
    const both = await indicator(b, BOTH);
    expect([both.reports, both.orgs, both.campaigns.length]).toEqual([2, 2, 1]);
    expect(both.campaigns[0]).not.toBeNull();
  });

  it('B re-publishes what it knows to A but never echoes back what came from A', async () => {
    await seedA();
    await report(b, b.cast.y.token, BOTH, { tlp: 'GREEN', consent: true });
    await pull(b, 'center-a');
    const fromA = (
      await b.center.intel.db
        .selectFrom('stix_objects')
        .select('stix_id')
        .where('source', '=', 'peer:center-a')
        .where('koban_type', '=', 'report')
        .where('stix_type', '=', 'report')
        .execute()
    ).map((r) => r.stix_id);
    expect(fromA.length).toBe(2);

    // A's token at B sees the public collection and its own, not the members' ones.
    const listed = await fetch(`${rootB}collections/`, {
      headers: { Accept: TAXII, Authorization: `Bearer ${aAtB}` },
    });
    const aliases = ((await listed.json()) as { collections: { alias: string }[] }).collections.map(
      (c) => c.alias,
    );
    expect(aliases).toEqual(['public', 'peer-center-a']);

    const forA = await collection(rootB, collectionId('peer:center-a'), aAtB);
    expect(forA.filter((o) => fromA.includes(String(o.id)))).toEqual([]);
    // BOTH is B's own knowledge (member Y's report); A's AMBER value is not.
    expect(values(forA)).toEqual([BOTH]);
    // A third center gets A's GREEN report from B (its label allows it); A does not get it back.
    const forC = await collection(rootB, collectionId('peer:center-c'), b.cast.analyst.token);
    expect(forC.filter((o) => fromA.includes(String(o.id))).map((o) => o.type)).toEqual(['report']);

    const back = await pull(a, 'center-b');
    expect(back.own).toBe(0);
    expect(await reportsFrom(a, 'Center B')).toEqual([`${BOTH} GREEN`]);
    expect((await indicator(a, BOTH)).reports).toBe(2);
    expect((await indicator(a, AMBER)).reports).toBe(1);
  });

  it('objects A published that come back to A through another center are recognised by id and not imported', async () => {
    await seedA();
    // A center that forwards A's collection for B unchanged: A pulls it as if from a third center.
    const mirror = new Federation(
      a.center.intel,
      {
        peers: [
          ...a.center.federation.config.peers,
          {
            name: 'mirror',
            org: 'Center C',
            pull: {
              apiRoot: rootA,
              collection: collectionId('peer:center-b'),
              tokenEnv: 'KOBAN_TEST_MIRROR_TOKEN',
              intervalSeconds: 300,
              maxTlp: 'AMBER',
              maxPages: 100,
              maxPageBytes: 1024 * 1024,
            },
          },
        ],
      },
      { now: () => a.clock.ms, env: { KOBAN_TEST_MIRROR_TOKEN: bAtA } },
    );
    const before = await a.center.intel.db.selectFrom('reports').select('id').execute();
    const [out] = await mirror.pullNow('mirror');
    expect(out?.error).toBeUndefined();
    const published = await collection(rootA, collectionId('peer:center-b'), bAtA);
    const markings = published.filter((o) => o.type === 'marking-definition');
    expect(markings.map((o) => o.name).sort()).toEqual(['TLP:AMBER', 'TLP:CLEAR', 'TLP:GREEN']);
    // Everything but the official TLP definitions and the cyber-observables (everyone's: fixed or
    // deterministic ids) is A's own; neither kind is imported.
    const observables = published.filter(
      (o) => typeof o.created !== 'string' && o.type !== 'marking-definition',
    );
    expect(observables.length).toBeGreaterThan(0);
    expect([out?.poll?.objects, out?.poll?.own]).toEqual([
      published.length,
      published.length - markings.length - observables.length,
    ]);
    expect(out?.poll?.imported).toEqual({ reports: 0, indicators: 0, unchanged: 0 });
    expect(await a.center.intel.db.selectFrom('reports').select('id').execute()).toEqual(before);
  });

  it('a restart of B resumes from its cursor: nothing is imported twice, then only what is new', async () => {
    await seedA();
    const first = await pull(b, 'center-a');
    expect(first.objects).toBeGreaterThan(0);
    const held = await reportsFrom(b, 'Center A');
    expect(held).toEqual([`${BOTH} GREEN`, `${AMBER} AMBER`]);

    await b.restart();
    const again = await pull(b, 'center-a');
    expect([again.objects, again.lastAdded]).toEqual([0, first.lastAdded]);
    expect(await reportsFrom(b, 'Center A')).toEqual(held);

    await report(a, a.cast.x.token, LATER, { tlp: 'GREEN', consent: true });
    const later = await pull(b, 'center-a');
    expect(later.imported.reports).toBe(1);
    expect(await reportsFrom(b, 'Center A')).toEqual([`${BOTH} GREEN`, `${AMBER} AMBER`, `${LATER} GREEN`]);
    expect((await indicator(b, BOTH)).reports).toBe(1);
  });

  it('a report revoked at its source is withdrawn along the chain: at A, then at B, which tells C it is revoked', async () => {
    const reportId = 'report--5d1b8c3e-2f4a-4b6c-9d8e-000000000016';
    const vendor = (revoked: boolean) => ({
      type: 'bundle',
      id: `bundle--5d1b8c3e-2f4a-4b6c-9d8e-00000000001${revoked ? 'b' : 'a'}`,
      objects: [
        {
          type: 'indicator',
          spec_version: '2.1',
          id: 'indicator--5d1b8c3e-2f4a-4b6c-9d8e-000000000017',
          created: '2026-12-01T00:00:00.000Z',
          modified: '2026-12-01T00:00:00.000Z',
          pattern: `[ipv4-addr:value = '${VENDOR}']`,
          pattern_type: 'stix',
          valid_from: '2026-12-01T00:00:00.000Z',
          object_marking_refs: [TLP2_IDS.GREEN],
        },
        {
          type: 'report',
          spec_version: '2.1',
          id: reportId,
          created: '2026-12-01T00:00:00.000Z',
          modified: revoked ? '2026-12-05T00:00:00.000Z' : '2026-12-01T00:00:00.000Z',
          ...(revoked ? { revoked: true } : {}),
          name: 'Vendor C2 report',
          published: '2026-12-01T00:00:00.000Z',
          object_refs: ['indicator--5d1b8c3e-2f4a-4b6c-9d8e-000000000017'],
          object_marking_refs: [TLP2_IDS.GREEN],
        },
      ],
    });
    const vendorAtA = new StixService(a.center.intel, {}, () => a.clock.ms);
    const imported = await vendorAtA.importText(
      a.cast.analyst.actor,
      JSON.stringify(vendor(false)),
      'vendor',
      {
        source: 'vendor',
      },
    );
    expect(imported.counts.reports).toBe(1);
    expect(values(await collection(rootA, collectionId('peer:center-b'), bAtA))).toEqual([VENDOR]);
    const first = await pull(b, 'center-a');
    expect(first.imported.reports).toBe(1);
    expect(await reportsFrom(b, 'Center A')).toEqual([`${VENDOR} GREEN`]);
    expect(values(await collection(rootB, collectionId('peer:center-c'), b.cast.analyst.token))).toEqual([
      VENDOR,
    ]);

    // The vendor revokes its report: A withdraws the value (audited) and publishes the revocation.
    a.clock.ms += 60_000;
    const revoked = await vendorAtA.importText(a.cast.analyst.actor, JSON.stringify(vendor(true)), 'vendor', {
      source: 'vendor',
    });
    expect([revoked.counts.updated, revoked.counts.withdrawn]).toEqual([1, 1]);
    const forB = await collection(rootA, collectionId('peer:center-b'), bAtA);
    expect(values(forB)).toEqual([]);
    expect(forB.filter((o) => o.id === reportId).map((o) => [o.modified, o.revoked])).toEqual([
      // The older version left the collection with the value (the audience may no longer see it).
      ['2026-12-05T00:00:00.000Z', true],
    ]);

    // B pulls the revoked version: the report it made is withdrawn from all B shares, audited.
    b.clock.ms += 60_000;
    const second = await pull(b, 'center-a');
    expect(second.imported).toEqual({ reports: 0, indicators: 0, unchanged: expect.any(Number) });
    const held = await b.center.intel.db
      .selectFrom('stix_objects')
      .select(['koban_id', 'revoked'])
      .where('stix_id', '=', reportId)
      .executeTakeFirstOrThrow();
    expect(Number(held.revoked)).toBe(1);
    const audit = await b.center.intel.auditLog(b.system, { action: 'report.withdraw-revoked' });
    expect(audit.map((r) => [r.targetId, r.actorLabel, r.details])).toEqual([
      [
        String(held.koban_id),
        'system:federation:center-a',
        {
          source: 'peer:center-a',
          revoked: reportId,
          revokedType: 'report',
          why: 'revoked',
          values: [`ipv4:${VENDOR}`],
        },
      ],
    ]);
    const forC = await collection(rootB, collectionId('peer:center-c'), b.cast.analyst.token);
    expect(values(forC)).toEqual([]);
    expect(forC.filter((o) => o.id === reportId).map((o) => [o.modified, o.revoked])).toEqual([
      // The older version left the collection with the value (the audience may no longer see it).
      ['2026-12-05T00:00:00.000Z', true],
    ]);
    // The report itself stays at B, with its history.
    expect(await reportsFrom(b, 'Center A')).toEqual([`${VENDOR} GREEN`]);
  });
});
