// TAXII 2.1 conformance, part 3: the OASIS reference server's (medallion's) default data posted
// and read back (objects, versions, manifest), and each collection holding what its audience may
// see of the center's own intelligence — through intel's one access check.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C2_TH, C2_US } from '../../../test/api-world.js';
import { HAVE_SAMPLES } from '../../../test/samples.js';
import {
  COUNCIL,
  MANUFACTURING,
  MEMBERS,
  medallion,
  openTaxiiWorld,
  PUBLIC,
  ROOT,
  type TaxiiWorld,
} from './_testkit.js';

let t: TaxiiWorld;
beforeEach(async () => {
  t = await openTaxiiWorld();
});
afterEach(async () => {
  await t.close();
});

type Json = Record<string, unknown>;
type Manifest = { objects?: { id: string; version: string; date_added: string; media_type: string }[] };

function highValue(): { objects: Json[]; manifest: Json[] } {
  const tg = medallion().trustgroup1 as {
    collections: (Json & { id: string; objects?: Json[]; manifest?: Json[] })[];
  };
  const c = tg.collections.find((x) => x.id === '91a7b528-80eb-42ed-a74d-c6fbd5a26116');
  return { objects: c?.objects ?? [], manifest: c?.manifest ?? [] };
}

describe.skipIf(!HAVE_SAMPLES)('medallion default data through POST', () => {
  it('keeps every valid object and version, refuses the malware version without spec_version', async () => {
    const { objects } = highValue();
    const url = `${ROOT}collections/${MEMBERS}/objects/`;
    const r = await t.call(url, { token: t.w.cast.x.token, body: { objects } });
    expect(r.status).toBe(202);
    const s = (await r.json()) as { success_count: number; failures?: Json[] };
    expect(s.failures?.map((f) => `${f.id}@${f.version}: ${f.message}`)).toEqual([
      'malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec@2018-02-23T18:30:00.000Z: spec_version must be "2.1" (this collection holds STIX 2.1 only; got null)',
    ]);
    expect(s.success_count).toBe(7);
    const ids = [...new Set(objects.map((o) => String(o.id)))];
    const m = await t.json<Manifest>(
      `${ROOT}collections/${MEMBERS}/manifest/?match[version]=all&match[id]=${ids.join(',')}`,
      { token: t.w.cast.y.token },
    );
    const held = (m.objects ?? []).map((e) => `${e.id}@${e.version}`).sort();
    const expected = highValue()
      .manifest.map((e) => `${String(e.id)}@${String(e.version)}`)
      .filter((v) => v !== 'malware--c0931cc6-c75e-47e5-9036-78fabc95d4ec@2018-02-23T18:30:00.000Z')
      .sort();
    expect(held).toEqual(expected);
    const versions = await t.json<{ versions: string[] }>(
      `${ROOT}collections/${MEMBERS}/objects/indicator--6770298f-0fd8-471a-ab8c-1c658a46574e/versions/`,
      { token: t.w.cast.y.token },
    );
    expect(versions.versions).toEqual([
      '2016-11-03T12:30:59.000Z',
      '2016-12-25T12:30:59.444Z',
      '2017-01-27T13:49:53.935Z',
    ]);
    const last = await t.json<{ objects: Json[] }>(
      `${ROOT}collections/${MEMBERS}/objects/indicator--6770298f-0fd8-471a-ab8c-1c658a46574e/`,
      { token: t.w.cast.y.token },
    );
    expect(last.objects.map((o) => o.modified)).toEqual(['2017-01-27T13:49:53.935Z']);
  });
});

describe('collections hold what their audience may see (the one access check)', () => {
  async function postC2(token: string, value: string, tlp: string): Promise<void> {
    const r = await t.w.request('/api/v1/reports', {
      token,
      json: { report: { kind: 'c2', destinations: [{ value }] }, sharing: { tlp } },
    });
    expect(r.status).toBe(201);
  }
  const patterns = async (collection: string, token?: string) => {
    const env = await t.json<{ objects?: Json[] }>(
      `${ROOT}collections/${collection}/objects/?match[type]=indicator`,
      token ? { token } : {},
    );
    return (env.objects ?? []).map((o) => o.pattern).sort();
  };

  it('public: CLEAR only; members and the sector: GREEN too; AMBER nowhere but its owner’s view', async () => {
    await postC2(t.w.cast.x.token, C2_TH, 'AMBER');
    await postC2(t.w.cast.y.token, C2_US, 'GREEN');
    expect(await patterns(PUBLIC)).toEqual([]);
    expect(await patterns(MEMBERS, t.w.cast.mssp.token)).toEqual([`[ipv4-addr:value = '${C2_US}']`]);
    expect(await patterns(MANUFACTURING, t.w.cast.x.token)).toEqual([`[ipv4-addr:value = '${C2_US}']`]);
    expect(await patterns(COUNCIL, t.w.cast.mssp.token)).toEqual([`[ipv4-addr:value = '${C2_US}']`]);
  });

  it('withdraws an object from a collection when its audience may no longer see it', async () => {
    await postC2(t.w.cast.y.token, C2_US, 'CLEAR');
    expect(await patterns(PUBLIC)).toEqual([`[ipv4-addr:value = '${C2_US}']`]);
    const reports = await t.w.center.intel.db.selectFrom('reports').select('id').execute();
    await t.w.center.intel.db
      .updateTable('reports')
      .set({ tlp: 'AMBER' })
      .where(
        'id',
        'in',
        reports.map((r) => r.id),
      )
      .execute();
    expect(await patterns(PUBLIC)).toEqual([]);
  });
});
