// STIX 2.1 import through the feeds door: the OASIS samples (../shared/samples/stix/, README there),
// malformed and oversized bundles, markings honoured by the access check, and idempotence.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../../test/samples.js';
import { type Cast, openTestIntel, seedCast, type TestIntel } from '../../intel/_testkit.js';
import { StixService } from '../index.js';

let t: TestIntel;
let cast: Cast;
let stix: StixService;

beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
  stix = new StixService(t.intel, {}, () => t.clock.ms);
});
afterEach(async () => {
  await t.close();
});

const B = 'bundle--6d7f4c4e-1b8f-4d0e-9a0b-6f1c2d3e4f50';
const ind = (n: number, pattern: string, extra: Record<string, unknown> = {}) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  created: '2026-11-01T00:00:00.000Z',
  modified: '2026-11-01T00:00:00.000Z',
  pattern,
  pattern_type: 'stix',
  valid_from: '2026-11-01T00:00:00.000Z',
  ...extra,
});
const bundle = (objects: unknown[]) => JSON.stringify({ type: 'bundle', id: B, objects });

/** Every value stored, as `type:value`. */
async function valuesOf() {
  const rows = await t.db
    .selectFrom('report_indicators as ri')
    .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
    .select(['i.type', 'i.value'])
    .orderBy('i.value')
    .execute();
  return rows.map((r) => `${r.type}:${r.value}`);
}

describe.skipIf(!HAVE_SAMPLES)('the OASIS STIX 2.1 samples', () => {
  const file = (name: string) => sample(`stix/${name}`);

  it('imports the indicator → campaign sample as a report of indicators in the named campaign', async () => {
    const r = await stix.importFile(t.system, file('schemas-indicator-to-campaign-relationship.json'));
    expect(r.rejected).toEqual([]);
    expect(r.counts).toEqual({
      campaigns: 1,
      reports: 0,
      indicators: 1,
      unchanged: 0,
      updated: 0,
      withdrawn: 0,
      added: 0,
    });
    expect(r.reportIds).toHaveLength(1);
    const report = await t.intel.reports.get(t.system, r.reportIds[0]!);
    expect(report.indicators.map((i) => `${i.type}:${i.value}`)).toEqual(['ipv4:10.0.0.0']);
    const campaign = await t.intel.campaigns.get(t.system, report.campaignId!);
    expect(campaign.name).toBe('Operation Omega');
    expect(r.skipped.map((s) => s.reason)).toEqual(['read as the campaign of its indicator']);
  });

  it('reads the TLP 1.0 markings, skips the MATCHES pattern with its reason, and labels each value', async () => {
    const r = await stix.importFile(t.system, file('slider-141-TLP-marking-structures.json'));
    expect(r.rejected).toEqual([]);
    expect(r.skipped).toEqual([
      {
        id: 'indicator--8cf9236f-1b96-493d-98be-0c1c1e8b62d7',
        type: 'indicator',
        reason: 'pattern compares email-message:subject with MATCHES, not =: not expressible as Koban values',
      },
    ]);
    const labels = await t.db.selectFrom('reports').select(['tlp', 'title']).orderBy('tlp').execute();
    expect(labels.map((l) => l.tlp).sort()).toEqual(['AMBER', 'CLEAR', 'GREEN']);
    expect(await valuesOf()).toEqual([
      'ipv4:10.0.0.0',
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'url:http://x4z9arb.cn/4712',
    ]);
  });

  it('imports every sample with each object imported, skipped with a reason, or rejected with a reason', async () => {
    const names = [
      'schemas-indicator-to-campaign-relationship.json',
      'slider-sighting-example.json',
      'slider-141-TLP-marking-structures.json',
      'slider-issue-35-url-indicator-malware.json',
      'slider-examples.json',
      'validator-tlp2-amber.json',
    ];
    const out = [];
    for (const n of names) out.push(await stix.importFile(t.system, file(n)));
    // Every object is accounted for: imported, recorded through a report, skipped or rejected.
    for (const r of out) {
      const c = r.counts;
      const accounted =
        c.reports +
        c.campaigns +
        c.indicators +
        c.unchanged +
        c.updated +
        r.skipped.length +
        r.rejected.length;
      expect(accounted).toBe(r.objects);
    }
    // slider-examples.json holds sighting--ee20065d… with the same id and modified as the sighting
    // sample but other content: the first one imported is kept, the second refused with its reason.
    expect(out.flatMap((r) => r.rejected)).toEqual([
      {
        index: expect.any(Number),
        id: 'sighting--ee20065d-2555-424f-ad9e-0f8428623c75',
        type: 'sighting',
        reason:
          'a different object with this id and modified (2016-04-06T20:08:31.000Z) was imported before; the first one is kept',
      },
    ]);
    const examples = out[4]!;
    expect(examples.counts).toMatchObject({ reports: 1, campaigns: 1, indicators: 2 });
    const amber2 = out[5]!;
    expect(amber2.skipped).toEqual([
      {
        id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
        type: 'marking-definition',
        reason: 'marking TLP:AMBER, applied to the objects it marks',
      },
    ]);
  });

  it('imports the same file twice as one set of objects', async () => {
    const first = await stix.importFile(t.system, file('slider-examples.json'));
    const reports = await t.db.selectFrom('reports').select('id').execute();
    const second = await stix.importFile(t.system, file('slider-examples.json'));
    expect(second.counts).toEqual({
      reports: 0,
      campaigns: 0,
      indicators: 0,
      unchanged: first.objects - first.rejected.length,
      updated: 0,
      withdrawn: 0,
      added: 0,
    });
    expect(second.skipped).toEqual([]);
    expect(await t.db.selectFrom('reports').select('id').execute()).toEqual(reports);
  });
});

describe('STIX 2.1 import of bad input', () => {
  it('rejects malformed objects one by one with their reasons and keeps the rest', async () => {
    const r = await stix.importText(
      t.system,
      bundle([
        ind(1, "[ipv4-addr:value = '45.77.12.34']"),
        ind(2, "[ipv4-addr:value = '45.77.12.34'"),
        ind(3, "[domain-name:value = 'ok.evil-c2.example']", { valid_from: 'yesterday' }),
        ind(4, "[ipv4-addr:value = '999.1.1.1']"),
        { type: 'indicator', id: 'campaign--00000000-0000-4000-8000-000000000005' },
        'not an object',
        ind(6, "[url:value = 'http://gate.evil-c2.example/x']", { spec_version: '2.0' }),
        ind(7, "[domain-name:value = 'kept.evil-c2.example']"),
      ]),
      'bad.json',
    );
    expect(r.rejected.map((x) => [x.index, x.reason])).toEqual([
      [2, 'pattern has unbalanced brackets'],
      [3, 'valid_from: not a STIX timestamp'],
      [4, '"999.1.1.1" is not a valid IP address or network'],
      [5, 'needs a "type" and an "id" of the form type--UUID naming that type'],
      [6, 'not a JSON object'],
      [7, 'spec_version: spec_version must be "2.1"'],
    ]);
    expect(r.counts.indicators).toBe(2);
    expect(await valuesOf()).toEqual(['ipv4:45.77.12.34', 'domain:kept.evil-c2.example']);
  });

  it('refuses a bundle over the size limit, naming the limit, and stores nothing', async () => {
    const small = new StixService(t.intel, { maxBundleBytes: 1000 }, () => t.clock.ms);
    const text = bundle(Array.from({ length: 20 }, (_, i) => ind(i, `[ipv4-addr:value = '45.77.12.${i}']`)));
    await expect(small.importText(t.system, text, 'big.json')).rejects.toMatchObject({
      code: 'E_LIMIT',
      message: `big.json: ${Buffer.byteLength(text)} bytes; a bundle may hold at most 1000 bytes (split it, or raise the limit)`,
    });
    const many = new StixService(t.intel, { maxObjects: 5 }, () => t.clock.ms);
    await expect(many.importText(t.system, text, 'many.json')).rejects.toMatchObject({
      code: 'E_LIMIT',
      message: 'the bundle holds 20 objects; the limit is 5',
    });
    expect(await t.db.selectFrom('reports').select('id').execute()).toEqual([]);
  });

  it('names the other formats it recognises (imported by SharingImporter), and refuses what is not JSON', async () => {
    await expect(
      stix.importText(t.system, JSON.stringify({ Event: { info: 'x' } }), 'e.json'),
    ).rejects.toMatchObject({
      code: 'E_FORMAT',
      message: 'a misp-event, not a STIX 2.1 bundle',
    });
    await expect(
      stix.importText(t.system, JSON.stringify({ name: 'x', type: 'string', list: [] }), 'w.json'),
    ).rejects.toMatchObject({ message: 'a misp-warninglist, not a STIX 2.1 bundle' });
    await expect(
      stix.importText(
        t.system,
        JSON.stringify({ type: 'bundle', spec_version: '2.0', objects: [] }),
        's.json',
      ),
    ).rejects.toMatchObject({ message: 'a STIX 2.0 bundle (Koban imports STIX 2.1)' });
    await expect(stix.importText(t.system, '{"a":', 'x.json')).rejects.toMatchObject({ code: 'E_FORMAT' });
  });
});

describe('STIX 2.1 import: markings in the access check', () => {
  const TLP2 = {
    red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
    strict: 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
    green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  };

  it('keeps TLP:RED with the importing person and AMBER+STRICT with the attributed organisation', async () => {
    await stix.importText(
      cast.p1.actor,
      bundle([
        ind(1, "[ipv4-addr:value = '91.92.109.17']", { object_marking_refs: [TLP2.red] }),
        ind(2, "[ipv4-addr:value = '91.92.109.18']", { object_marking_refs: [TLP2.strict] }),
        ind(3, "[ipv4-addr:value = '91.92.109.19']", { object_marking_refs: [TLP2.green] }),
      ]),
      'p1.json',
    );
    const seen = async (who: Cast['p1']) => (await t.intel.reports.list(who.actor)).map((r) => r.tlp).sort();
    expect(await seen(cast.p1)).toEqual(['AMBER+STRICT', 'GREEN', 'RED']);
    expect(await seen(cast.p2)).toEqual(['GREEN']);
    expect(await seen(cast.analyst)).toEqual(['AMBER+STRICT', 'GREEN']);
  });

  it('refuses a marking whose TLP 2.0 extension contradicts its official id, and what it marks', async () => {
    const r = await stix.importText(
      t.system,
      bundle([
        {
          type: 'marking-definition',
          spec_version: '2.1',
          id: TLP2.green,
          created: '2022-10-01T00:00:00.000Z',
          name: 'TLP:GREEN',
          extensions: {
            'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
              extension_type: 'property-extension',
              tlp_2_0: 'clear',
            },
          },
        },
        ind(1, "[ipv4-addr:value = '91.92.109.17']", { object_marking_refs: [TLP2.green] }),
      ]),
      'm.json',
    );
    expect(r.rejected.map((x) => [x.index, x.reason])).toEqual([
      [1, 'the official id of TLP:GREEN defined as TLP:CLEAR'],
      [2, `its marking ${TLP2.green} is not usable (the official id of TLP:GREEN defined as TLP:CLEAR)`],
    ]);
  });

  it('takes a newer version of an object and its revocation, and ignores an older one', async () => {
    const v1 = ind(1, "[ipv4-addr:value = '91.92.109.17']");
    await stix.importText(t.system, bundle([v1]), 'v1.json');
    const v2 = { ...v1, modified: '2026-11-02T00:00:00.000Z', revoked: true };
    const second = await stix.importText(t.system, bundle([v2]), 'v2.json');
    expect(second.counts).toMatchObject({ updated: 1, indicators: 0 });
    const again = await stix.importText(t.system, bundle([v1]), 'v1.json');
    expect(again.counts).toMatchObject({ unchanged: 1, updated: 0 });
    const held = await t.db.selectFrom('stix_objects').select(['modified', 'revoked']).execute();
    expect(held).toEqual([{ modified: '2026-11-02T00:00:00.000Z', revoked: 1 }]);
  });

  it('withdraws what a newer version no longer gives: an indicator left out of a report, a value left out of a pattern', async () => {
    const a = ind(1, "[ipv4-addr:value = '198.51.100.1']");
    const b = ind(2, "[ipv4-addr:value = '198.51.100.2' OR domain-name:value = 'c2.example.net']");
    // The third gives 198.51.100.2 too: dropping the second keeps it.
    const c = ind(3, "[ipv4-addr:value = '198.51.100.2']");
    const report = {
      type: 'report',
      spec_version: '2.1',
      id: 'report--00000000-0000-4000-8000-000000000a01',
      created: '2026-11-01T00:00:00.000Z',
      modified: '2026-11-01T00:00:00.000Z',
      name: 'C2 of a campaign',
      published: '2026-11-01T00:00:00.000Z',
      object_refs: [a.id, b.id, c.id],
    };
    const first = await stix.importText(t.system, bundle([report, a, b, c]), 'v1.json');
    expect(first.counts).toMatchObject({ reports: 1, indicators: 3 });
    const reportId = first.reportIds[0]!;
    const withdrawn = async () =>
      (
        await t.db
          .selectFrom('stix_withdrawals')
          .select(['type', 'value', 'stix_id'])
          .where('report_id', '=', reportId)
          .orderBy('value')
          .execute()
      ).map((w) => `${w.type}:${w.value} by ${w.stix_id}`);

    // A newer report, alone (an incremental pull): the second indicator is no longer referenced.
    const r2 = { ...report, modified: '2026-11-02T00:00:00.000Z', object_refs: [a.id, c.id] };
    const second = await stix.importText(t.system, bundle([r2]), 'v2.json');
    expect(second.counts).toMatchObject({ updated: 1, withdrawn: 1, reports: 0 });
    expect(await withdrawn()).toEqual([`domain:c2.example.net by ${report.id}`]);

    // A newer first indicator with another address: its old one goes, its new one joins the report.
    const a2 = { ...a, modified: '2026-11-03T00:00:00.000Z', pattern: "[ipv4-addr:value = '198.51.100.9']" };
    const third = await stix.importText(t.system, bundle([a2]), 'v3.json');
    expect(third.counts).toMatchObject({ updated: 1, withdrawn: 1, added: 1 });
    expect(await withdrawn()).toEqual([
      `ipv4:198.51.100.1 by ${a.id}`,
      `domain:c2.example.net by ${report.id}`,
    ]);
    expect(await valuesOf()).toContain('ipv4:198.51.100.9');
    const added = await t.db
      .selectFrom('report_indicators as ri')
      .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
      .select(['ri.report_id', 'ri.role', 'ri.context'])
      .where('i.value', '=', '198.51.100.9')
      .executeTakeFirstOrThrow();
    expect(added).toEqual({
      report_id: reportId,
      role: 'mentioned',
      context: JSON.stringify({ imported: a.id }),
    });
    // The same versions again change nothing.
    const again = await stix.importText(t.system, bundle([r2, a2]), 'again.json');
    expect(again.counts).toMatchObject({ unchanged: 2, withdrawn: 0, added: 0 });
    const audit = await t.intel.auditLog(t.system, { action: 'report.withdraw-revoked' });
    expect(audit.map((r) => [r.details.why, r.details.values])).toEqual([
      ['newer version', ['ipv4:198.51.100.1']],
      ['newer version', ['domain:c2.example.net']],
    ]);

    // A newer report references the second indicator again, and a fourth it did not before: the
    // second's domain is shared again, the fourth's value joins the report.
    const d = ind(4, "[domain-name:value = 'new-c2.example.org']");
    const r3 = { ...report, modified: '2026-11-04T00:00:00.000Z', object_refs: [a.id, b.id, c.id, d.id] };
    const fourth = await stix.importText(t.system, bundle([r3, d]), 'v4.json');
    expect(fourth.counts).toMatchObject({ updated: 1, indicators: 1, reports: 0, added: 2 });
    expect(await withdrawn()).toEqual([`ipv4:198.51.100.1 by ${a.id}`]);
    expect(await valuesOf()).toContain('domain:new-c2.example.org');
    const lifted = await t.intel.auditLog(t.system, { action: 'report.withdrawal-lifted' });
    expect(lifted.map((r) => [r.targetId, r.details.by, r.details.values])).toEqual([
      [String(reportId), report.id, ['domain:c2.example.net']],
    ]);
  });
});
