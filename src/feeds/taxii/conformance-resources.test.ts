// TAXII 2.1 conformance (OASIS CS01, 2021), part 1: discovery (§4.1), API root (§4.2), collections
// (§5.1–5.2), authentication (§1.6.10), media types and content negotiation (§1.6.8), trailing
// slashes, error messages (§3.6.1). Mirrors the FreeTAXII test lab's basic endpoint checks
// (../shared/samples/taxii/README.md, "Basic endpoint checks").
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  COUNCIL,
  MANUFACTURING,
  MEMBERS,
  openTaxiiWorld,
  PUBLIC,
  ROOT,
  TAXII,
  type TaxiiWorld,
} from './_testkit.js';
import { collectionId as collectionIdOf } from './collections.js';

let t: TaxiiWorld;
beforeEach(async () => {
  t = await openTaxiiWorld();
});
afterEach(async () => {
  await t.close();
});

type Collections = {
  collections?: { id: string; can_read: boolean; can_write: boolean; media_types: string[] }[];
};
const ids = (c: Collections) => (c.collections ?? []).map((x) => `${x.id} r=${x.can_read} w=${x.can_write}`);

describe('discovery and API root (§4.1, §4.2)', () => {
  it('answers discovery at /taxii2/ with the one API root as default, to anyone', async () => {
    const r = await t.call('/taxii2/', {});
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(TAXII);
    expect(await r.json()).toEqual({
      title: 'Koban TAXII server',
      description: 'Discovery (TAXII 2.1 §4.1).',
      default: 'http://localhost/taxii2/koban/',
      api_roots: ['http://localhost/taxii2/koban/'],
    });
  });

  it('describes the API root: versions and max_content_length', async () => {
    expect(await t.json(ROOT, { token: t.w.cast.x.token })).toEqual({
      title: 'Koban',
      description: 'The intelligence of the center, one collection per audience (docs/sharing.md#taxii-21).',
      versions: [TAXII],
      max_content_length: 8 * 1024 * 1024,
    });
  });

  it('answers 404 without the trailing slash, and for an unknown API root', async () => {
    for (const path of [
      '/taxii2',
      '/taxii2/koban',
      `${ROOT}collections`,
      `${ROOT}collections/${MEMBERS}`,
      `${ROOT}collections/${MEMBERS}/objects`,
      '/taxii2/other/',
    ]) {
      const r = await t.call(path, { token: t.w.cast.x.token });
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.headers.get('content-type')).toBe(TAXII);
    }
  });
});

describe('collections per audience (§5.1, §5.2)', () => {
  it('lists to each caller only the audiences it belongs to, with can_read/can_write', async () => {
    const c = t.w.cast;
    expect(ids(await t.json(`${ROOT}collections/`, { accept: TAXII }))).toEqual([`${PUBLIC} r=true w=false`]);
    expect(ids(await t.json(`${ROOT}collections/`, { token: c.x.token }))).toEqual([
      `${PUBLIC} r=true w=false`,
      `${MEMBERS} r=true w=true`,
      `${MANUFACTURING} r=true w=true`,
    ]);
    expect(ids(await t.json(`${ROOT}collections/`, { token: c.mssp.token }))).toEqual([
      `${PUBLIC} r=true w=false`,
      `${MEMBERS} r=true w=true`,
      `${COUNCIL} r=true w=true`,
      `${collectionIdOf('sector:security')} r=true w=true`,
    ]);
    expect(ids(await t.json(`${ROOT}collections/`, { token: c.admin.token }))).toEqual([
      `${PUBLIC} r=true w=true`,
      `${MEMBERS} r=true w=true`,
      `${COUNCIL} r=true w=true`,
      `${MANUFACTURING} r=true w=true`,
      `${collectionIdOf('sector:security')} r=true w=true`,
    ]);
  });

  it('answers one collection, and 404 for a collection the caller is not in (its existence is not told)', async () => {
    const one = await t.json(`${ROOT}collections/${MANUFACTURING}/`, { token: t.w.cast.y.token });
    expect(one).toEqual({
      id: MANUFACTURING,
      title: 'Sector manufacturing',
      description: 'What every member organisation of the manufacturing sector may read.',
      alias: 'sector-manufacturing',
      can_read: true,
      can_write: true,
      media_types: ['application/stix+json;version=2.1'],
    });
    const hidden = await t.call(`${ROOT}collections/${COUNCIL}/`, { token: t.w.cast.y.token });
    expect(hidden.status).toBe(404);
    const anon = await t.call(`${ROOT}collections/${MEMBERS}/objects/`, {});
    expect(anon.status).toBe(404);
  });
});

describe('authentication (§1.6.10)', () => {
  it('takes HTTP Basic with an account’s e-mail and password, and a Bearer API token', async () => {
    const basic = await t.call(`${ROOT}collections/${MEMBERS}/`, { basic: t.w.cast.x.email });
    expect(basic.status).toBe(200);
    const again = await t.call(`${ROOT}collections/${MEMBERS}/`, { basic: t.w.cast.x.email });
    expect(again.status).toBe(200);
    const bearer = await t.call(`${ROOT}collections/${MEMBERS}/`, { token: t.w.cast.x.token });
    expect(bearer.status).toBe(200);
  });

  it('answers 401 with a challenge for a wrong password or token, and throttles guessing with 429', async () => {
    const wrong = await t.call(`${ROOT}collections/`, { basic: t.w.cast.x.email, password: 'not it' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="koban-taxii", Bearer realm="koban"');
    expect(await wrong.json()).toEqual({
      title: 'Authentication required',
      description: 'invalid e-mail or password',
      http_status: '401',
    });
    const token = await t.call(`${ROOT}collections/`, { token: 'kbt_1_nonsense' });
    expect(token.status).toBe(401);
    // The center's one login throttle: 5 attempts per account and address, then one a minute.
    for (let i = 0; i < 5; i++)
      expect((await t.call(`${ROOT}`, { basic: t.w.cast.y.email, password: `guess ${i}` })).status).toBe(401);
    const limited = await t.call(`${ROOT}`, { basic: t.w.cast.y.email, password: 'guess 7' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
  });
});

describe('media types (§1.6.8) and errors (§3.6.1)', () => {
  it('answers 406 for no Accept, an empty one, a foreign type and another TAXII version', async () => {
    for (const accept of [
      null,
      '',
      'application/foo',
      'application/json',
      'application/taxii+json;version=2.0',
    ]) {
      const r = await t.call(`${ROOT}collections/`, { token: t.w.cast.x.token, accept });
      expect([accept, r.status]).toEqual([accept, 406]);
      expect(((await r.json()) as { http_status: string }).http_status).toBe('406');
    }
  });

  it('answers in the TAXII media type that was asked for', async () => {
    const bare = await t.call(`${ROOT}`, { token: t.w.cast.x.token, accept: 'application/taxii+json' });
    expect(bare.headers.get('content-type')).toBe('application/taxii+json');
    const versioned = await t.call(`${ROOT}`, {
      token: t.w.cast.x.token,
      accept: 'text/html, application/taxii+json; version=2.1',
    });
    expect(versioned.status).toBe(200);
    expect(versioned.headers.get('content-type')).toBe(TAXII);
  });

  it('answers 415 for a POST that is not a TAXII envelope type, and 413 past max_content_length', async () => {
    const url = `${ROOT}collections/${MEMBERS}/objects/`;
    const json = await t.call(url, {
      token: t.w.cast.x.token,
      body: { objects: [] },
      type: 'application/json',
    });
    expect(json.status).toBe(415);
    expect(((await json.json()) as { title: string }).title).toBe('Unsupported media type');
    const stix = await t.call(url, {
      token: t.w.cast.x.token,
      body: { objects: [] },
      type: 'application/stix+json;version=2.1',
    });
    expect(stix.status).toBe(415);
    const big = await t.call(url, {
      token: t.w.cast.x.token,
      body: `{"objects":[],"pad":"${'x'.repeat(8 * 1024 * 1024)}"}`,
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { description: string }).description).toBe(
      'the body is larger than max_content_length (8388608 bytes); split the envelope',
    );
  });

  it('answers error messages with title, description and http_status for bad filters', async () => {
    const bad = await t.call(`${ROOT}collections/${MEMBERS}/objects/?added_after=yesterday`, {
      token: t.w.cast.x.token,
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      title: 'Bad request',
      description:
        'added_after: "yesterday" is not a timestamp (RFC 3339, UTC, e.g. 2024-01-02T03:04:05.000000Z)',
      http_status: '400',
    });
    for (const q of ['limit=0', 'limit=ten', 'next=abc', 'match[version]=newest'])
      expect(
        (await t.call(`${ROOT}collections/${MEMBERS}/objects/?${q}`, { token: t.w.cast.x.token })).status,
      ).toBe(400);
  });
});
