/**
 * An alert written from scratch (source `none`): it quotes no report, so it carries the analyst's
 * text and label only, and goes through the same audience, inbox and "received too" paths.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C2_TH, type Cast, openTestIntel, seedCast, type TestIntel } from '../_testkit.js';

let t: TestIntel;
let cast: Cast;

beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
});
afterEach(async () => {
  await t.close();
});

const TITLE = '外部機関からの注意喚起: VPN 装置の脆弱性';
const BODY_JA = '外部の調査機関の公表によれば、VPN 装置の脆弱性が悪用されています。更新してください。';

describe('a draft without a source', () => {
  it('is drafted with the analyst’s label and text only, and reaches a sector’s inbox', async () => {
    const d = await t.intel.advisories.draft(cast.analyst.actor, {
      source: { type: 'none' },
      title: TITLE,
      bodyJa: BODY_JA,
      tlp: 'AMBER',
    });
    expect([d.status, d.content.tlp, d.tlpFloor, d.downgradeReason, d.campaignId]).toEqual([
      'draft',
      'AMBER',
      'CLEAR',
      null,
      null,
    ]);
    expect([d.sources, d.content.indicators, d.content.lures, d.excluded, d.redactions]).toEqual([
      [],
      [],
      [],
      [],
      0,
    ]);
    expect(d.content.reporters).toEqual({ organisations: 0, named: [] });
    expect((await t.intel.advisories.preview(cast.analyst.actor, d.alertId)).content.bodyJa).toBe(BODY_JA);
    await t.intel.advisories.edit(cast.analyst.actor, d.alertId, { bodyEn: 'Update the VPN appliances.' });
    const sent = await t.intel.advisories.send(cast.analyst.actor, d.alertId, {
      audience: { sectors: ['manufacturing'] },
    });
    expect([...sent.recipients.orgIds].sort((a, b) => a - b)).toEqual(
      [cast.x.org.id, cast.y.org.id, cast.p1.org.id].sort((a, b) => a - b),
    );
    const inbox = await t.intel.advisories.inbox(cast.x.actor);
    expect(inbox.map((i) => i.title)).toEqual([TITLE]);
    const seen = await t.intel.advisories.get(cast.x.actor, d.alertId);
    expect([seen.content.bodyJa, seen.content.bodyEn]).toEqual([BODY_JA, 'Update the VPN appliances.']);
    const analysed = await t.intel.advisories.get(cast.analyst.actor, d.alertId);
    expect(analysed.analysis?.source).toEqual({ type: 'none' });
    await expect(t.intel.advisories.get(cast.p2.actor, d.alertId)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });

  it('refuses a draft without a source and without a label (no floor to default to)', async () => {
    await expect(
      t.intel.advisories.draft(cast.analyst.actor, {
        source: { type: 'none' },
        title: TITLE,
        bodyJa: BODY_JA,
      }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'alert: tlp: a draft without a source needs a label (CLEAR, GREEN, AMBER…)',
    });
    expect(await t.intel.advisories.list(cast.analyst.actor)).toEqual([]);
  });

  it('shares no value: picking one is refused as not a value of the quoted reports', async () => {
    await expect(
      t.intel.advisories.draft(cast.analyst.actor, {
        source: { type: 'none' },
        title: TITLE,
        tlp: 'GREEN',
        indicators: [{ value: C2_TH }],
      }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: `ipv4:${C2_TH} is not a value of the reports the alert quotes`,
    });
  });

  it('is answered "received too" with a report, which starts a campaign for the answers', async () => {
    const d = await t.intel.advisories.draft(cast.analyst.actor, {
      source: { type: 'none' },
      title: TITLE,
      bodyJa: BODY_JA,
      tlp: 'GREEN',
    });
    await t.intel.advisories.send(cast.analyst.actor, d.alertId, { audience: { orgIds: [cast.x.org.id] } });
    const report = await t.intel.intake.submitReport(
      cast.x.actor,
      { kind: 'c2', destinations: [{ value: C2_TH, port: 443 }] },
      { tlp: 'GREEN' },
    );
    const r = await t.intel.advisories.receivedToo(cast.x.actor, d.alertId, { reportId: report.reportId });
    expect(r.campaign?.joined).toBe(true);
    const campaign = await t.intel.campaigns.get(cast.analyst.actor, r.campaign!.id);
    expect(campaign.reports.map((x) => x.id)).toEqual([report.reportId]);
    const analysed = await t.intel.advisories.get(cast.analyst.actor, d.alertId);
    expect(analysed.analysis?.sightings.map((s) => [s.orgId, s.reportId])).toEqual([
      [cast.x.org.id, report.reportId],
    ]);
  });
});
