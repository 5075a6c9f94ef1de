import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMember, type Cast, intelFixture, openTestIntel, seedCast, type TestIntel } from '../_testkit.js';
import { listAudit } from '../audit/audit.js';

let t: TestIntel;
let cast: Cast;

beforeEach(async () => {
  t = await openTestIntel({ fanOut: 3 });
  cast = await seedCast(t);
});
afterEach(async () => {
  await t.close();
});

const text = (c: Cast['p1'], body: string, tlp: 'AMBER' | 'GREEN' = 'AMBER') =>
  t.intel.intake.submitReport(c.actor, { kind: 'text', title: 'seen', text: body }, { tlp });

describe('campaigns', () => {
  it('records a report that links two campaigns as a bridge instead of merging them, until an analyst merges', async () => {
    await text(cast.p1, 'hxxp://alpha-gate[.]example/a');
    const a = await text(cast.p2, 'hxxp://alpha-gate[.]example/a');
    await text(cast.p1, 'hxxp://beta-gate[.]example/b');
    const b = await text(cast.p3, 'hxxp://beta-gate[.]example/b');
    const campA = a.correlation!.campaignId!;
    const campB = b.correlation!.campaignId!;
    expect(campA).not.toBe(campB);
    const bridge = await text(cast.x, 'both hxxp://alpha-gate[.]example/a and hxxp://beta-gate[.]example/b');
    expect(bridge.correlation!.campaignId).toBe(campA);
    expect(bridge.correlation!.bridges).toEqual([{ campaignId: campA, otherCampaignId: campB, weight: 4 }]);
    expect((await t.intel.campaigns.list(cast.analyst.actor)).map((c) => c.id).sort()).toEqual([
      campA,
      campB,
    ]);
    expect((await t.intel.campaigns.get(cast.analyst.actor, campA)).bridges).toEqual([
      { otherCampaignId: campB, reportId: bridge.reportId, weight: 4 },
    ]);

    await t.intel.campaigns.merge(cast.analyst.actor, campA, [campB]);
    const merged = await t.intel.campaigns.get(cast.analyst.actor, campA);
    expect(merged.reportCount).toBe(5);
    expect(merged.bridges).toEqual([]);
    expect((await t.intel.campaigns.list(cast.analyst.actor)).map((c) => c.id)).toEqual([campA]);
    await expect(t.intel.campaigns.get(cast.analyst.actor, campB)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });

  it('splits reports off into a new campaign and renames campaigns, auditing each change', async () => {
    const one = await text(cast.p1, 'hxxp://alpha-gate[.]example/a');
    const two = await text(cast.p2, 'hxxp://alpha-gate[.]example/a');
    const three = await text(cast.p3, 'hxxp://alpha-gate[.]example/a');
    const camp = three.correlation!.campaignId!;
    const split = await t.intel.campaigns.split(cast.analyst.actor, camp, [three.reportId], 'P3 only');
    await t.intel.campaigns.rename(cast.analyst.actor, camp, 'X lures, February 2012');
    const list = await t.intel.campaigns.list(cast.analyst.actor);
    expect(list.map((c) => [c.name, c.reportCount]).sort()).toEqual([
      ['P3 only', 1],
      ['X lures, February 2012', 2],
    ]);
    expect((await t.intel.reports.list(cast.analyst.actor, { campaignId: camp })).map((r) => r.id)).toEqual([
      two.reportId,
      one.reportId,
    ]);
    expect(split).not.toBe(camp);
    const actions = (await listAudit(t.db, { targetType: 'campaign' })).map((a) => a.action);
    expect(actions).toEqual(['campaign.list', 'campaign.rename', 'campaign.split']);
  });

  it('lets only center staff curate campaigns', async () => {
    await text(cast.p1, 'hxxp://alpha-gate[.]example/a');
    const r = await text(cast.p2, 'hxxp://alpha-gate[.]example/a');
    await expect(
      t.intel.campaigns.rename(cast.p1.actor, r.correlation!.campaignId!, 'mine'),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('shows members a GREEN campaign with only the reports they may read', async () => {
    const a = await text(cast.p1, 'hxxp://alpha-gate[.]example/a', 'GREEN');
    const b = await text(cast.p2, 'hxxp://alpha-gate[.]example/a');
    const camp = b.correlation!.campaignId!;
    await expect(t.intel.campaigns.get(cast.p3.actor, camp)).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await t.intel.campaigns.setLabel(cast.analyst.actor, camp, 'GREEN');
    const seen = await t.intel.campaigns.get(cast.p3.actor, camp);
    expect(seen.reports.map((r) => r.id)).toEqual([a.reportId]);
    expect(seen.reports[0]!.reporter).toBeNull();
    expect(seen.reportCount).toBe(1);
    expect(seen.bridges).toEqual([]);
  });
});

describe('correlation at scale of one value', () => {
  it('keeps counting aggregates for a value seen by many organisations while reading only the newest reports', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const m = await addMember(
        t,
        { name: `Member ${i}`, kind: 'local-government', prefecture: String(i + 1) },
        { email: `m${i}@m.example`, role: 'org-member' },
      );
      const r = await text(m, 'download from hxxp://mass-lure[.]example/doc');
      ids.push(r.reportId);
      if (i === 7) {
        expect(r.correlation!.links.map((l) => l.reportId)).toEqual([ids[6], ids[5], ids[4]]);
        expect(r.correlation!.campaignId).not.toBeNull();
      }
    }
    const agg = await t.intel.indicatorStore.lookup('url', 'http://mass-lure.example/doc');
    expect(agg).toMatchObject({ reportCount: 8, orgCount: 8, prefectureCount: 8, sectorCount: 0 });
    const campaigns = await t.db
      .selectFrom('reports')
      .select('campaign_id')
      .where('id', 'in', ids)
      .distinct()
      .execute();
    expect(campaigns).toHaveLength(1);
  });
});

describe('warning-list entries', () => {
  it('stops a configured domain from linking reports and re-flags what is stored', async () => {
    await text(cast.p1, 'see hxxps://portal.partner-net[.]jp/login');
    const before = await t.intel.indicatorStore.lookup('domain', 'portal.partner-net.jp');
    expect(before?.warning).toBeNull();
    const { reflagged } = await t.intel.warningEntries.add(cast.analyst.actor, {
      kind: 'domain',
      value: 'Partner-Net.JP',
      reason: 'members’ shared portal',
    });
    expect(reflagged).toBe(2);
    const after = await text(cast.p2, 'see hxxps://portal.partner-net[.]jp/login');
    expect(after.correlation!.links).toEqual([]);
    expect(after.indicators.map((i) => i.warning)).toEqual([
      'members’ shared portal',
      'members’ shared portal',
    ]);
    await expect(
      t.intel.warningEntries.add(cast.p1.actor, { kind: 'domain', value: 'x.jp', reason: 'r' }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('treats the center’s own sensors as listed', async () => {
    await t.db
      .insertInto('sensors')
      .values({
        name: 'tokyo-01',
        site: null,
        address_blocks: '["27.254.40.0/29"]',
        relay: 0,
        token_hash: 'x',
        created_ms: 0,
        revoked_ms: null,
        last_seen_ms: null,
        last_event_ms: null,
        events_total: 0,
        batches_total: 0,
        dropped_total: 0,
      })
      .execute();
    await t.intel.reloadWarningList();
    const r = await text(cast.p1, 'scanned by 27.254.40.5');
    expect(r.indicators.map((i) => i.warning)).toEqual(['own sensor tokyo-01']);
  });

  it('reads the lure fixtures with the reporter’s own domain kept private', async () => {
    const r = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'));
    expect(r.indicators.some((i) => i.value.includes('p1-kogyo'))).toBe(false);
  });
});
