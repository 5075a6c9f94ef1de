// Koban → STIX 2.1 → Koban: a second center that imports the first one's bundle exports the same
// shared values, labels, campaigns and relationships, under the same report and campaign ids.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_STIX_SCHEMAS, stixValidator } from '../../../test/specs.js';
import { type Cast, openTestIntel, seedCast, type TestIntel } from '../../intel/_testkit.js';
import { type StixBundle, type StixObject, StixService, TLP2_IDS } from '../index.js';

let a: TestIntel;
let b: TestIntel;
let cast: Cast;

beforeEach(async () => {
  a = await openTestIntel();
  b = await openTestIntel();
  cast = await seedCast(a);
  await b.intel.orgs.add(b.system, { name: 'Partner Center', kind: 'center' });
});
afterEach(async () => {
  await a.close();
  await b.close();
});

const LABEL = new Map(Object.entries(TLP2_IDS).map(([t, id]) => [id, t]));

/** What must survive the trip: each report's name, labels, label and values; campaigns; links. */
function digest(bundle: StixBundle) {
  const byId = new Map<string, StixObject>(bundle.objects.map((o) => [o.id, o]));
  const tlp = (o: StixObject) => LABEL.get((o.object_marking_refs as string[])[0]!);
  const pattern = (id: string) => String(byId.get(id)?.pattern);
  const of = (type: string) => bundle.objects.filter((o) => o.type === type);
  return {
    reports: of('report')
      .map((r) => ({
        id: r.id,
        name: r.name,
        labels: r.labels,
        tlp: tlp(r),
        revoked: r.revoked ?? false,
        values: (r.object_refs as string[])
          .filter((x) => x.startsWith('indicator--'))
          .map(pattern)
          .sort(),
        campaigns: (r.object_refs as string[])
          .filter((x) => x.startsWith('campaign--'))
          .map((x) => byId.get(x)?.name),
      }))
      .sort((x, y) => x.id.localeCompare(y.id)),
    campaigns: of('campaign').map((c) => ({ id: c.id, name: c.name, tlp: tlp(c) })),
    // The labels carry each value's roles (c2, mentioned, …): a C2 stays a C2 at the partner. One
    // indicator serves every report holding the value, so the partner gives its role to each of
    // them: "mentioned" beside another role does not come back.
    indicators: of('indicator')
      .map((i) => [i.pattern, tlp(i), i.confidence, (i.labels as string[]).filter((l) => l !== 'mentioned')])
      .sort(),
    relationships: of('relationship')
      .map((r) => [
        pattern(String(r.source_ref)),
        r.relationship_type,
        byId.get(String(r.target_ref))?.name,
        tlp(r),
      ])
      .sort(),
  };
}

describe('Koban → STIX 2.1 → Koban', () => {
  it('keeps every shared value, label, campaign and relationship, and the partner’s ids', async () => {
    const green = { tlp: 'GREEN' as const };
    await a.intel.intake.submitReport(
      cast.p1.actor,
      {
        kind: 'c2',
        destinations: [{ value: '45.77.12.34' }, { value: 'hxxp://gate.evil-c2[.]example/p.php' }],
      },
      green,
    );
    const linked = await a.intel.intake.submitReport(
      cast.p2.actor,
      { kind: 'text', title: 'same gate', text: 'seen 45.77.12.34 and phish@evil-mail.example' },
      { tlp: 'GREEN', consent: true },
    );
    await a.intel.intake.submitReport(
      cast.x.actor,
      {
        kind: 'malware',
        hashes: ['0f343b0931126a20f133d67c2b018a3b5d5d0b3c1c6e3b7b4d4f6a6e5d9c1a2b'],
        c2: [{ value: '2a03:b0c0:3:d0::1f' }],
      },
      { tlp: 'AMBER+STRICT' },
    );
    await a.intel.intake.submitReport(
      cast.y.actor,
      { kind: 'c2', destinations: [{ value: '91.92.109.17' }] },
      { tlp: 'RED' },
    );
    const campaign = linked.correlation!.campaignId!;
    await a.intel.campaigns.rename(cast.analyst.actor, campaign, 'Gate 2012');
    await a.intel.campaigns.setLabel(cast.analyst.actor, campaign, 'GREEN');
    const d = await a.intel.advisories.draft(cast.analyst.actor, {
      source: { type: 'campaign', id: campaign },
      title: 'Gate warning',
      bodyEn: 'Block the gate.',
      tlp: 'GREEN',
    });
    await a.intel.advisories.send(cast.analyst.actor, d.alertId, { audience: { allMembers: true } });

    const out = await new StixService(a.intel, {}, () => a.clock.ms).exportBundle(a.system);
    const into = new StixService(b.intel, {}, () => b.clock.ms);
    const imported = await into.importText(b.system, JSON.stringify(out), 'a.json', { source: 'Center A' });
    expect(imported.rejected).toEqual([]);
    const back = await into.exportBundle(b.system);

    const before = digest(out);
    expect(before.reports.map((r) => r.tlp).sort()).toEqual([
      'AMBER+STRICT',
      'GREEN',
      'GREEN',
      'GREEN',
      'RED',
    ]);
    expect(before.relationships.length).toBeGreaterThan(0);
    expect(digest(back)).toEqual(before);
    if (HAVE_STIX_SCHEMAS) {
      const validate = stixValidator();
      expect(back.objects.flatMap((o) => validate(o).map((e) => `${o.id}: ${e}`))).toEqual([]);
    }

    // Importing the bundle again, or the partner's re-export of it, adds nothing.
    const again = await into.importText(b.system, JSON.stringify(out), 'a.json', { source: 'Center A' });
    expect(again.counts).toMatchObject({ reports: 0, campaigns: 0, indicators: 0, updated: 0 });
    expect(JSON.stringify(await into.exportBundle(b.system))).toBe(JSON.stringify(back));
  });
});
