// Koban → MISP feed → Koban: a second center that imports the first one's feed directory exports
// the same events — uuids, titles, dates, TLP tags, labels, campaign tags and every attribute with
// its role and confidence — and importing the feed again adds nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Cast, openTestIntel, seedCast, type TestIntel } from '../../intel/_testkit.js';
import { type MispFeed, MispService, SharingImporter } from '../index.js';

let a: TestIntel;
let b: TestIntel;
let cast: Cast;
let dir: string;

beforeEach(async () => {
  a = await openTestIntel();
  b = await openTestIntel();
  cast = await seedCast(a);
  await b.intel.orgs.add(b.system, { name: 'Partner Center', kind: 'center' });
  dir = mkdtempSync(join(tmpdir(), 'koban-misp-rt-'));
});
afterEach(async () => {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What must survive the trip (timestamps and attribute uuids are each center's own). */
function digest(feed: MispFeed) {
  return [...feed.files.values()]
    .map((text) => {
      const e = JSON.parse(text).Event;
      return {
        uuid: e.uuid,
        info: e.info,
        date: e.date,
        tags: e.Tag.map((t: { name: string }) => t.name),
        attributes: (e.Attribute ?? [])
          .map((x: { type: string; value: string; Tag: { name: string }[] }) =>
            [x.type, x.value, ...x.Tag.map((t) => t.name)].join(' '),
          )
          .sort(),
      };
    })
    .sort((x, y) => x.uuid.localeCompare(y.uuid));
}

describe('Koban → MISP feed → Koban', () => {
  it('keeps every shared value, label, campaign and role, under the same event uuids', async () => {
    await a.intel.intake.submitReport(
      cast.p1.actor,
      {
        kind: 'c2',
        destinations: [{ value: '45.77.12.34' }, { value: 'hxxp://gate.evil-c2[.]example/p.php' }],
      },
      { tlp: 'GREEN' },
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

    const out = await new MispService(a.intel, () => a.clock.ms).exportFeed(a.system);
    await MispService.writeFeed(dir, out);
    const into = new SharingImporter(b.intel, () => b.clock.ms);
    const imported = await into.importPath(b.system, dir, { source: 'Center A' });
    expect(imported).toMatchObject({
      format: 'misp-feed',
      rejected: [],
      counts: { reports: 4, campaigns: 1 },
    });
    const back = await new MispService(b.intel, () => b.clock.ms).exportFeed(b.system);

    const before = digest(out);
    expect(before.map((e) => e.tags[0]).sort()).toEqual([
      'tlp:amber+strict',
      'tlp:green',
      'tlp:green',
      'tlp:green',
    ]);
    expect(before.filter((e) => e.tags.includes('koban:campaign="Gate 2012"')).length).toBeGreaterThan(1);
    expect(digest(back)).toEqual(before);

    const again = await into.importPath(b.system, dir, { source: 'Center A' });
    expect(again).toMatchObject({ counts: { reports: 0, campaigns: 0, unchanged: 4 } });
  });
});
