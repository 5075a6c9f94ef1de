// STIX 2.1 export through the feeds door: what an audience may see, as objects the OASIS schemas
// accept, with the official TLP 2.0 markings, stable ids, and never a private part.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../../test/samples.js';
import { HAVE_STIX_SCHEMAS, stixValidator } from '../../../test/specs.js';
import { type Cast, openTestIntel, seedCast, type TestIntel } from '../../intel/_testkit.js';
import { type StixObject, StixService, TLP2_IDS } from '../index.js';

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

/** A GREEN C2 report by P1, an AMBER malware report by X, a RED one by Y; P1 and P2 share a value. */
async function seed() {
  const green = await t.intel.intake.submitReport(
    cast.p1.actor,
    {
      kind: 'c2',
      destinations: [{ value: '45.77.12.34' }, { value: 'hxxp://gate.evil-c2[.]example/p.php' }],
    },
    { tlp: 'GREEN' },
  );
  const amber = await t.intel.intake.submitReport(
    cast.x.actor,
    {
      kind: 'malware',
      hashes: ['0f343b0931126a20f133d67c2b018a3b5d5d0b3c1c6e3b7b4d4f6a6e5d9c1a2b'],
      c2: [{ value: '2a03:b0c0:3:d0::1f' }],
    },
    { tlp: 'AMBER' },
  );
  const red = await t.intel.intake.submitReport(
    cast.y.actor,
    { kind: 'c2', destinations: [{ value: '91.92.109.17' }] },
    { tlp: 'RED' },
  );
  const again = await t.intel.intake.submitReport(
    cast.p2.actor,
    {
      kind: 'text',
      title: 'same gate',
      text: 'our proxy saw 45.77.12.34 and mailer phish@evil-mail.example',
    },
    { tlp: 'GREEN', consent: true },
  );
  return { green, amber, red, again };
}

const byType = (objects: readonly StixObject[], type: string) => objects.filter((o) => o.type === type);
const patterns = (objects: readonly StixObject[]) =>
  byType(objects, 'indicator')
    .map((o) => o.pattern)
    .sort();

describe('STIX 2.1 export', () => {
  it.skipIf(!HAVE_STIX_SCHEMAS)(
    'emits only objects the OASIS STIX 2.1 schemas accept, and a valid bundle',
    async () => {
      const { again } = await seed();
      await t.intel.campaigns.rename(cast.analyst.actor, again.correlation!.campaignId!, 'Gate 2012');
      const bundle = await stix.exportBundle(t.system);
      const validate = stixValidator();
      const problems = bundle.objects.flatMap((o) => validate(o).map((e) => `${o.id}: ${e}`));
      expect(problems).toEqual([]);
      expect(validate(bundle as unknown as Record<string, unknown>)).toEqual([]);
      expect(new Set(bundle.objects.map((o) => o.type))).toEqual(
        new Set([
          'marking-definition',
          'identity',
          'campaign',
          'report',
          'indicator',
          'sighting',
          'relationship',
          // Each value as observed: its SCO and an observed-data the sighting refers to.
          'observed-data',
          'ipv4-addr',
          'ipv6-addr',
          'domain-name',
          'url',
          'email-addr',
          'file',
        ]),
      );
      const byId = new Map(bundle.objects.map((o) => [o.id, o]));
      for (const s of bundle.objects.filter((o) => o.type === 'sighting')) {
        const od = byId.get((s.observed_data_refs as string[])[0]!)!;
        expect([od.type, od.number_observed, od.first_observed]).toEqual([
          'observed-data',
          s.count,
          s.first_seen,
        ]);
        expect(byId.get((od.object_refs as string[])[0]!)?.type).toMatch(/-addr$|^domain-name$|^url$|^file$/);
      }
      // SCO ids are the specification's deterministic ones (§2.9: UUIDv5, the SCO namespace, the
      // canonical JSON of the ID-contributing properties), the same at every producer.
      const h = createHash('sha1')
        .update(Buffer.from('00abedb4aa42466c9c01fed23315a9b7', 'hex'))
        .update('{"value":"45.77.12.34"}')
        .digest();
      h[6] = (h[6]! & 0x0f) | 0x50;
      h[8] = (h[8]! & 0x3f) | 0x80;
      const x = h.subarray(0, 16).toString('hex');
      const addr = bundle.objects.find((o) => o.type === 'ipv4-addr' && o.value === '45.77.12.34');
      expect(addr?.id).toBe(
        `ipv4-addr--${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`,
      );
    },
  );

  it('writes a pattern for every kind of value Koban shares', async () => {
    await seed();
    const bundle = await stix.exportBundle(t.system);
    expect(patterns(bundle.objects)).toEqual([
      "[domain-name:value = 'evil-mail.example']",
      "[domain-name:value = 'gate.evil-c2.example']",
      "[email-addr:value = 'phish@evil-mail.example']",
      "[file:hashes.'SHA-256' = '0f343b0931126a20f133d67c2b018a3b5d5d0b3c1c6e3b7b4d4f6a6e5d9c1a2b']",
      "[ipv4-addr:value = '45.77.12.34']",
      "[ipv4-addr:value = '91.92.109.17']",
      "[ipv6-addr:value = '2a03:b0c0:3:d0::1f']",
      "[url:value = 'http://gate.evil-c2.example/p.php']",
    ]);
  });

  it('gives the public only CLEAR, members CLEAR and GREEN, and an organisation also its own AMBER', async () => {
    await seed();
    expect(patterns((await stix.exportBundle(t.system, 'public')).objects)).toEqual([]);
    const members = (await stix.exportBundle(t.system, 'members')).objects;
    expect(patterns(members)).toEqual([
      "[domain-name:value = 'evil-mail.example']",
      "[domain-name:value = 'gate.evil-c2.example']",
      "[email-addr:value = 'phish@evil-mail.example']",
      "[ipv4-addr:value = '45.77.12.34']",
      "[url:value = 'http://gate.evil-c2.example/p.php']",
    ]);
    const x = (await stix.exportBundle(t.system, `org:${cast.x.org.name}`)).objects;
    expect(patterns(x)).toEqual(
      [
        ...patterns(members),
        "[file:hashes.'SHA-256' = '0f343b0931126a20f133d67c2b018a3b5d5d0b3c1c6e3b7b4d4f6a6e5d9c1a2b']",
        "[ipv6-addr:value = '2a03:b0c0:3:d0::1f']",
      ].sort(),
    );
    // RED stays with named people: no audience, not even the center's own export for an audience, gets it.
    expect(JSON.stringify(x)).not.toContain('91.92.109.17');
  });

  it('gives a sector only what every one of its organisations may see, and audits the export', async () => {
    await seed();
    const members = patterns((await stix.exportBundle(t.system, 'members')).objects);
    // X and P1 are both in manufacturing: X's AMBER report is not P1's to see.
    expect(patterns((await stix.exportBundle(t.system, 'sector:manufacturing')).objects)).toEqual(members);
    await stix.exportBundle(t.system, `org:${cast.x.org.name}`);
    const rows = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_label', 'details'])
      .where('action', '=', 'intel.export')
      .execute();
    expect(rows.map((r) => [r.actor_label, JSON.parse(r.details)])).toEqual([
      [
        'system:test',
        { format: 'stix', audience: `org:${cast.x.org.name}`, reports: [2], campaigns: [], advisories: [] },
      ],
    ]);
  });

  it('marks each object with the official TLP 2.0 marking definitions and emits them as published', async () => {
    await seed();
    const objects = (await stix.exportBundle(t.system, `org:${cast.x.org.name}`)).objects;
    const amber = byType(objects, 'marking-definition').find((m) => m.id === TLP2_IDS.AMBER);
    expect(amber).toEqual({
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
      created: '2022-10-01T00:00:00.000Z',
      name: 'TLP:AMBER',
      extensions: {
        'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
          extension_type: 'property-extension',
          tlp_2_0: 'amber',
        },
      },
    });
    const hash = byType(objects, 'indicator').find((o) => String(o.pattern).includes('SHA-256'));
    expect(hash?.object_marking_refs).toEqual([TLP2_IDS.AMBER]);
    const shared = byType(objects, 'indicator').find((o) => String(o.pattern).includes('45.77.12.34'));
    expect(shared?.object_marking_refs).toEqual([TLP2_IDS.GREEN]);
  });

  it('names a reporting organisation only with its consent, else one undisclosed identity', async () => {
    await seed();
    const objects = (await stix.exportBundle(t.system, 'members')).objects;
    const names = byType(objects, 'identity')
      .map((o) => o.name)
      .sort();
    expect(names).toEqual(
      ['Cyber Intelligence Center', cast.p2.org.name, 'Undisclosed member organisation'].sort(),
    );
    const reports = byType(objects, 'report');
    const undisclosed = byType(objects, 'identity').find(
      (o) => o.name === 'Undisclosed member organisation',
    )!;
    expect(reports.find((r) => r.name === 'same gate')?.created_by_ref).not.toBe(undisclosed.id);
    expect(reports.filter((r) => r.created_by_ref === undisclosed.id)).toHaveLength(1);
  });

  it('exports none of a report’s private values, for the center itself either', async () => {
    const mail = await t.intel.intake.submitEmail(
      cast.p1.actor,
      readFileSync(fixture('email/forward-gmail.eml')),
      {
        tlp: 'GREEN',
      },
    );
    const prose = await t.intel.intake.submitReport(
      cast.x.actor,
      { kind: 'text', title: 'internal', text: 'beacon from 10.9.9.9 to 45.77.12.34' },
      { tlp: 'GREEN' },
    );
    const privateValues = JSON.stringify([
      await t.intel.reports.privatePart(t.system, mail.reportId),
      await t.intel.reports.privatePart(t.system, prose.reportId),
    ]);
    expect(privateValues).toMatch(/10\.9\.9\.9/);
    const text = JSON.stringify(await stix.exportBundle(t.system));
    expect(text).not.toMatch(
      /taro|yamada|hanako|sato\b|suzuki|ichiro|example\.co\.jp|mgw01|corp\.local|10\.9\.9\.9|x-sangyo|山田|太郎|佐藤|花子|鈴木|一郎/i,
    );
    expect(text).toContain('45.77.12.34');
  });

  it('gives the same ids and bytes when the same data is exported again', async () => {
    await seed();
    const one = JSON.stringify(await stix.exportBundle(t.system, 'members'));
    t.clock.ms += 86_400_000;
    expect(JSON.stringify(await stix.exportBundle(t.system, 'members'))).toBe(one);
  });

  it('links values to their campaign with indicates relationships and keeps confidence and validity', async () => {
    const { again } = await seed();
    await t.intel.campaigns.setLabel(cast.analyst.actor, again.correlation!.campaignId!, 'GREEN');
    const objects = (await stix.exportBundle(t.system, 'members')).objects;
    const campaign = byType(objects, 'campaign')[0]!;
    const ip = byType(objects, 'indicator').find((o) => String(o.pattern).includes('45.77.12.34'))!;
    expect(
      byType(objects, 'relationship').map((r) => [r.source_ref, r.relationship_type, r.target_ref]),
    ).toContainEqual([ip.id, 'indicates', campaign.id]);
    expect(ip).toMatchObject({
      confidence: 80,
      valid_from: '2012-02-10T00:00:00.000Z',
      valid_until: '2012-03-11T00:00:00.000Z',
    });
    const sighting = byType(objects, 'sighting').find((s) => s.sighting_of_ref === ip.id);
    expect(sighting).toMatchObject({ count: 2 });
  });

  it('exports a withdrawn advisory as a revoked report with a newer modified', async () => {
    const { again } = await seed();
    await t.intel.campaigns.setLabel(cast.analyst.actor, again.correlation!.campaignId!, 'GREEN');
    const d = await t.intel.advisories.draft(cast.analyst.actor, {
      source: { type: 'campaign', id: again.correlation!.campaignId! },
      title: 'Gate warning',
      bodyEn: 'Block the gate.',
      tlp: 'GREEN',
    });
    await t.intel.advisories.send(cast.analyst.actor, d.alertId, { audience: { allMembers: true } });
    const sent = byType(
      (await stix.exportBundle(t.system, `org:${cast.p1.org.name}`)).objects,
      'report',
    ).find((r) => r.name === 'Gate warning')!;
    expect(sent).toMatchObject({ labels: ['advisory'], description: 'Block the gate.' });
    expect(sent.revoked).toBeUndefined();
    t.clock.ms += 3_600_000;
    await t.intel.advisories.withdraw(cast.analyst.actor, d.alertId, { reason: 'superseded' });
    const withdrawn = byType(
      (await stix.exportBundle(t.system, `org:${cast.p1.org.name}`)).objects,
      'report',
    ).find((r) => r.id === sent.id)!;
    expect(withdrawn).toMatchObject({ revoked: true, modified: '2012-02-10T01:00:00.000Z' });
  });

  it('lets only center staff export for an audience other than themselves', async () => {
    await seed();
    await expect(stix.exportBundle(cast.p1.actor, 'members')).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    const own = await stix.exportBundle(cast.p1.actor);
    expect(patterns(own.objects)).toContain("[ipv4-addr:value = '45.77.12.34']");
  });
});
