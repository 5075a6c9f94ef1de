// TAXII 2.1 conformance (OASIS CS01, 2021), part 2: adding objects and status (§5.4, §4.3), the
// objects endpoint with every filter (§3.4: added_after strictly later, match[id|type|version|
// spec_version], version defaulting to last), paging with limit/next/more (§3.6), manifest,
// object by id, versions, DELETE (§5.3–5.9) and X-TAXII-Date-Added-First/Last. The filter
// expectations are the FreeTAXII test lab's (../shared/samples/taxii/README.md, checks 3–6).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_SAMPLES } from '../../../test/samples.js';
import {
  freetaxiiIndicators,
  LAB1,
  LAB2,
  MEMBERS,
  openTaxiiWorld,
  PUBLIC,
  ROOT,
  type TaxiiWorld,
  versionsOf,
} from './_testkit.js';

let t: TaxiiWorld;
beforeEach(async () => {
  t = await openTaxiiWorld();
});
afterEach(async () => {
  await t.close();
});

type Json = Record<string, unknown>;
type Env = { more?: boolean; next?: string; objects?: Json[] };
const OBJECTS = `${ROOT}collections/${MEMBERS}/objects/`;
const LAB = [LAB1, LAB2];
/** The lab's indicators lack `pattern_type`, which STIX 2.1 §4.7 requires: added as "stix". */
const fixedLab = () => freetaxiiIndicators().map((o) => ({ ...o, pattern_type: 'stix' }));

async function postLab(): Promise<Json> {
  const r = await t.call(OBJECTS, { token: t.w.cast.x.token, body: { objects: fixedLab() } });
  expect(r.status).toBe(202);
  return (await r.json()) as Json;
}

const lab1 = (hm: string) => `${LAB1}@2018-08-08T${hm}Z`;
const L1 = ['01:51:01.123', '01:52:01.234', '01:53:01.345', '01:54:01.456', '01:55:01.567'].map(lab1);
const L2 = `${LAB2}@2018-08-08T02:51:02.123Z`;

describe.skipIf(!HAVE_SAMPLES)('adding objects (§5.4) and status (§4.3)', () => {
  it('refuses objects that are not valid STIX 2.1, one by one, with the reason in the status', async () => {
    const r = await t.call(OBJECTS, { token: t.w.cast.x.token, body: { objects: freetaxiiIndicators() } });
    expect(r.status).toBe(202);
    const status = (await r.json()) as Json & { failures: Json[] };
    expect(status).toMatchObject({
      status: 'complete',
      total_count: 6,
      success_count: 0,
      failure_count: 6,
      pending_count: 0,
    });
    expect(status.failures.map((f) => `${f.id}@${f.version} ${f.message}`)).toEqual(
      [...L1, L2].map((v) => `${v} pattern_type: Invalid input: expected string, received undefined`),
    );
    expect(await t.json(`${ROOT}status/${String(status.id)}/`, { token: t.w.cast.x2.token })).toEqual(status);
    expect((await t.call(`${ROOT}status/${String(status.id)}/`, { token: t.w.cast.y.token })).status).toBe(
      404,
    );
    expect(
      versionsOf(await t.json<Env>(`${OBJECTS}?match[version]=all`, { token: t.w.cast.x.token }), LAB),
    ).toEqual([]);
  });

  it('keeps each version once: posting the same envelope again changes nothing', async () => {
    const first = await postLab();
    expect(first).toMatchObject({ total_count: 6, success_count: 6, failure_count: 0 });
    const again = (await postLab()) as { successes: Json[] };
    expect(again.successes.map((s) => s.message)).toEqual(Array(6).fill('already held'));
    expect(
      versionsOf(await t.json<Env>(`${OBJECTS}?match[version]=all`, { token: t.w.cast.x.token }), LAB),
    ).toEqual([...L1, L2]);
  });

  it('envelope errors: not JSON, not an envelope, a member posting to the public collection', async () => {
    expect((await t.call(OBJECTS, { token: t.w.cast.x.token, body: '{"objects":' })).status).toBe(400);
    expect((await t.call(OBJECTS, { token: t.w.cast.x.token, body: { type: 'bundle' } })).status).toBe(400);
    const pub = await t.call(`${ROOT}collections/${PUBLIC}/objects/`, {
      token: t.w.cast.x.token,
      body: { objects: fixedLab() },
    });
    expect(pub.status).toBe(403);
  });

  it('does not publish an object whose TLP marking is stricter than the collection’s audience', async () => {
    const amber = {
      ...fixedLab()[5],
      object_marking_refs: ['marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421'],
    };
    const s = (await (
      await t.call(OBJECTS, { token: t.w.cast.x.token, body: { objects: [amber] } })
    ).json()) as { failures: Json[] };
    expect(s.failures.map((f) => f.message)).toEqual([
      'TLP:AMBER — imported for your organisation and the center, not published in a collection that TLP:GREEN at most may enter',
    ]);
    expect(versionsOf(await t.json<Env>(OBJECTS, { token: t.w.cast.y.token }), LAB)).toEqual([]);
  });
});

describe.skipIf(!HAVE_SAMPLES)('filtering the objects endpoint (§3.4; FreeTAXII check 3)', () => {
  const cases: [string, string[]][] = [
    ['', [L1[4]!, L2]],
    ['match[version]=all', [...L1, L2]],
    ['match[version]=first', [L1[0]!, L2]],
    ['match[version]=last', [L1[4]!, L2]],
    ['match[version]=first,last', [L1[0]!, L1[4]!, L2]],
    ['match[version]=2018-08-08T01:52:01.234Z', [L1[1]!]],
    ['match[version]=last,first,2018-08-08T01:53:01.345Z', [L1[0]!, L1[2]!, L1[4]!, L2]],
    [`match[id]=${LAB1}`, [L1[4]!]],
    [`match[id]=${LAB1},${LAB2}`, [L1[4]!, L2]],
    [`match[id]=${LAB1}&match[version]=all&match[type]=indicator`, L1],
    ['match[spec_version]=2.1', [L1[4]!, L2]],
    ['match[spec_version]=2.0', []],
    ['match[type]=malware', []],
  ];
  it.each(cases)('?%s', async (q, expected) => {
    await postLab();
    expect(versionsOf(await t.json<Env>(`${OBJECTS}?${q}`, { token: t.w.cast.y.token }), LAB)).toEqual(
      expected,
    );
  });

  it('match[type] keeps only that type (the center’s own identity and markings are other types)', async () => {
    await postLab();
    const env = await t.json<Env>(`${OBJECTS}?match[type]=indicator,identity`, { token: t.w.cast.y.token });
    expect([...new Set((env.objects ?? []).map((o) => o.type))].sort()).toEqual(['identity', 'indicator']);
  });
});

describe.skipIf(!HAVE_SAMPLES)('object by id and versions (§5.6, §5.9; FreeTAXII check 4)', () => {
  const url = `${ROOT}collections/${MEMBERS}/objects/${LAB1}/`;
  it.each([
    ['', [L1[4]!]],
    ['match[version]=all', L1],
    ['match[version]=first', [L1[0]!]],
    ['match[version]=last', [L1[4]!]],
    ['match[version]=first,last', [L1[0]!, L1[4]!]],
    ['match[version]=2018-08-08T01:52:01.234Z', [L1[1]!]],
    ['match[version]=last,first,2018-08-08T01:53:01.345Z', [L1[0]!, L1[2]!, L1[4]!]],
  ] as [string, string[]][])('?%s', async (q, expected) => {
    await postLab();
    expect(versionsOf(await t.json<Env>(`${url}?${q}`, { token: t.w.cast.x.token }))).toEqual(expected);
  });

  it('lists the versions in the order added, and 404 for an object not held', async () => {
    await postLab();
    const v = await t.json<{ versions: string[]; more: boolean }>(`${url}versions/`, {
      token: t.w.cast.x.token,
    });
    expect(v).toEqual({ more: false, versions: L1.map((x) => x.split('@')[1]) });
    const missing = `${ROOT}collections/${MEMBERS}/objects/indicator--00000000-0000-4000-8000-000000000000/`;
    expect((await t.call(missing, { token: t.w.cast.x.token })).status).toBe(404);
    expect((await t.call(`${missing}versions/`, { token: t.w.cast.x.token })).status).toBe(404);
  });
});

describe.skipIf(!HAVE_SAMPLES)('paging, added_after and the date headers (§3.6)', () => {
  it('walks with limit and the opaque next, more false on the last page', async () => {
    await postLab();
    const q = `match[version]=all&match[id]=${LAB1},${LAB2}&limit=2`;
    const seen: string[] = [];
    const shape: string[] = [];
    let next: string | undefined;
    do {
      const r = await t.call(`${OBJECTS}?${q}${next ? `&next=${encodeURIComponent(next)}` : ''}`, {
        token: t.w.cast.x.token,
      });
      const env = (await r.json()) as Env;
      seen.push(...versionsOf(env));
      shape.push(`${env.objects?.length} more=${env.more} next=${env.next !== undefined}`);
      next = env.next;
    } while (next);
    expect(shape).toEqual(['2 more=true next=true', '2 more=true next=true', '2 more=false next=false']);
    expect(seen).toEqual([...L1, L2]);
  });

  it('added_after is strictly later, and the headers give the first and last date added of the page', async () => {
    t.w.clock.ms = Date.UTC(2012, 1, 10, 9, 0, 0);
    await postLab();
    const m = await t.json<{
      objects: { id: string; date_added: string; version: string; media_type: string }[];
    }>(`${ROOT}collections/${MEMBERS}/manifest/?match[version]=all&match[id]=${LAB1},${LAB2}`, {
      token: t.w.cast.x.token,
    });
    // One request, one clock reading: dates added step one microsecond apart, in the order posted.
    expect(m.objects.map((e) => `${e.id}@${e.version} ${e.date_added} ${e.media_type}`)).toEqual(
      [...L1, L2].map((v, i) => `${v} 2012-02-10T09:00:00.00000${i}Z application/stix+json;version=2.1`),
    );
    const r = await t.call(
      `${OBJECTS}?match[version]=all&match[id]=${LAB1},${LAB2}&added_after=2012-02-10T09:00:00.000002Z`,
      {
        token: t.w.cast.x.token,
      },
    );
    expect(versionsOf((await r.json()) as Env)).toEqual([L1[3]!, L1[4]!, L2]);
    expect(r.headers.get('x-taxii-date-added-first')).toBe('2012-02-10T09:00:00.000003Z');
    expect(r.headers.get('x-taxii-date-added-last')).toBe('2012-02-10T09:00:00.000005Z');
    const none = await t.call(`${OBJECTS}?match[id]=${LAB1}&added_after=2012-02-10T09:00:00.000005Z`, {
      token: t.w.cast.x.token,
    });
    expect(await none.json()).toEqual({ more: false });
    expect(none.headers.get('x-taxii-date-added-first')).toBeNull();
  });
});

describe.skipIf(!HAVE_SAMPLES)('DELETE an object (§5.7)', () => {
  it('deletes the versions the caller’s organisation posted, as filtered; first/last follow', async () => {
    await postLab();
    const url = `${ROOT}collections/${MEMBERS}/objects/${LAB1}/`;
    expect(
      (await t.call(`${url}?match[version]=first`, { method: 'DELETE', token: t.w.cast.y.token })).status,
    ).toBe(403);
    expect(
      (await t.call(`${url}?match[version]=first`, { method: 'DELETE', token: t.w.cast.x2.token })).status,
    ).toBe(200);
    expect(versionsOf(await t.json<Env>(`${url}?match[version]=first`, { token: t.w.cast.x.token }))).toEqual(
      [L1[1]!],
    );
    expect(
      (
        await t.call(`${ROOT}collections/${MEMBERS}/objects/${LAB2}/`, {
          method: 'DELETE',
          token: t.w.cast.x.token,
        })
      ).status,
    ).toBe(200);
    expect(
      (await t.call(`${ROOT}collections/${MEMBERS}/objects/${LAB2}/`, { token: t.w.cast.x.token })).status,
    ).toBe(404);
  });

  it('refuses to delete the center’s own objects (withdrawn in Koban itself)', async () => {
    const env = await t.json<Env>(`${OBJECTS}?match[type]=identity`, { token: t.w.cast.admin.token });
    const id = String(env.objects?.[0]?.id);
    const r = await t.call(`${ROOT}collections/${MEMBERS}/objects/${id}/`, {
      method: 'DELETE',
      token: t.w.cast.admin.token,
    });
    expect(r.status).toBe(403);
  });
});
