// The center's triage queue and the analysts' curation the console uses: triage status (center
// only, audited, readable reports only), the queue's filters, linking a report to a campaign, and
// the indicator search — all within the one access rule.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Cast, openTestIntel, seedCast, type TestIntel } from '../_testkit.js';
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

const text = (c: Cast['p1'], body: string, tlp: 'AMBER' | 'GREEN' | 'RED' = 'AMBER') =>
  t.intel.intake.submitReport(c.actor, { kind: 'text', title: 'seen', text: body }, { tlp });

describe('triage', () => {
  it('starts every report as new; an analyst moves it on, audited; the queue filters by status', async () => {
    const a = await text(cast.x, 'hxxp://alpha-gate[.]example/a');
    const b = await text(cast.y, 'hxxp://beta-gate[.]example/b');
    const analyst = cast.analyst.actor;
    expect((await t.intel.reports.list(analyst)).map((r) => [r.id, r.triage])).toEqual([
      [b.reportId, 'new'],
      [a.reportId, 'new'],
    ]);
    expect(await t.intel.reports.setTriage(analyst, a.reportId, 'in-review')).toBe('new');
    expect(await t.intel.reports.setTriage(analyst, a.reportId, 'done')).toBe('in-review');
    expect((await t.intel.reports.list(analyst, { triage: 'done' })).map((r) => r.id)).toEqual([a.reportId]);
    expect((await t.intel.reports.list(analyst, { triage: 'new' })).map((r) => r.id)).toEqual([b.reportId]);
    const rows = (await listAudit(t.db, {})).filter((r) => r.action === 'report.triage');
    expect(rows.map((r) => [r.actorLabel, r.targetId, r.details])).toEqual([
      // Newest first.
      [analyst.label, String(a.reportId), { from: 'in-review', to: 'done' }],
      [analyst.label, String(a.reportId), { from: 'new', to: 'in-review' }],
    ]);
  });

  it('is the center’s: members neither see it, change it nor filter by it or by organisation', async () => {
    const a = await text(cast.x, 'hxxp://alpha-gate[.]example/a', 'GREEN');
    expect((await t.intel.reports.list(cast.y.actor)).map((r) => r.triage)).toEqual([null]);
    await expect(t.intel.reports.setTriage(cast.x.actor, a.reportId, 'done')).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await expect(t.intel.reports.list(cast.y.actor, { orgId: cast.x.org.id })).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await expect(t.intel.reports.list(cast.y.actor, { triage: 'new' })).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
  });

  it('refuses a RED report not addressed to the analyst as absent, and an unknown status', async () => {
    const red = await text(cast.x, 'hxxp://alpha-gate[.]example/a', 'RED');
    await expect(t.intel.reports.setTriage(cast.analyst.actor, red.reportId, 'done')).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    const a = await text(cast.x, 'hxxp://beta-gate[.]example/b');
    await expect(
      t.intel.reports.setTriage(cast.analyst.actor, a.reportId, 'closed' as 'done'),
    ).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('filters the queue by organisation, label and kind for the center', async () => {
    const a = await text(cast.x, 'hxxp://alpha-gate[.]example/a', 'GREEN');
    const b = await text(cast.y, 'hxxp://beta-gate[.]example/b');
    const analyst = cast.analyst.actor;
    expect((await t.intel.reports.list(analyst, { orgId: cast.y.org.id })).map((r) => r.id)).toEqual([
      b.reportId,
    ]);
    expect((await t.intel.reports.list(analyst, { tlp: 'GREEN' })).map((r) => r.id)).toEqual([a.reportId]);
    expect(await t.intel.reports.list(analyst, { kind: 'c2' })).toEqual([]);
  });
});

describe('linking a report to a campaign', () => {
  it('moves the report into the campaign, audited, and refuses it twice', async () => {
    await text(cast.p1, 'hxxp://alpha-gate[.]example/a');
    const a = await text(cast.p2, 'hxxp://alpha-gate[.]example/a');
    const lone = await text(cast.x, 'hxxp://unrelated[.]example/z');
    const campaign = a.correlation!.campaignId!;
    expect(lone.correlation!.campaignId).toBeNull();
    const analyst = cast.analyst.actor;
    expect(await t.intel.campaigns.link(analyst, campaign, lone.reportId)).toBeNull();
    const view = await t.intel.campaigns.get(analyst, campaign);
    expect(view.reports.map((r) => r.id)).toContain(lone.reportId);
    expect(view.reportCount).toBe(3);
    await expect(t.intel.campaigns.link(analyst, campaign, lone.reportId)).rejects.toMatchObject({
      code: 'E_CONFLICT',
    });
    const rows = (await listAudit(t.db, {})).filter((r) => r.action === 'campaign.link');
    expect(rows.map((r) => [r.targetId, r.details])).toEqual([
      [String(campaign), { report: lone.reportId, from: null }],
    ]);
  });

  it('is refused to members, and for a report the analyst may not read', async () => {
    await text(cast.p1, 'hxxp://alpha-gate[.]example/a');
    const a = await text(cast.p2, 'hxxp://alpha-gate[.]example/a');
    const red = await text(cast.x, 'hxxp://unrelated[.]example/z', 'RED');
    const campaign = a.correlation!.campaignId!;
    await expect(t.intel.campaigns.link(cast.x.actor, campaign, red.reportId)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await expect(t.intel.campaigns.link(cast.analyst.actor, campaign, red.reportId)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });
});

describe('indicator search', () => {
  it('finds values containing the text, as typed or canonical, with wildcards taken literally', async () => {
    const a = await text(cast.x, 'hxxp://alpha-gate[.]example/a and hxxp://beta-gate[.]example/b');
    const search = (q: string) =>
      t.intel.indicators
        .list(cast.analyst.actor, { contains: q, current: false })
        .then((l) => l.map((i) => i.value));
    expect(await search('alpha-gate')).toEqual(['http://alpha-gate.example/a', 'alpha-gate.example']);
    expect(await search('ALPHA-GATE[.]example')).toEqual([
      'http://alpha-gate.example/a',
      'alpha-gate.example',
    ]);
    expect(await search('%')).toEqual([]);
    expect(await search('_')).toEqual([]);
    // Another reader sees only the values of reports it may read.
    expect(await t.intel.indicators.list(cast.y.actor, { contains: 'alpha', current: false })).toEqual([]);
    expect(
      (
        await t.intel.reports.list(cast.analyst.actor, {
          indicatorId: (await t.intel.indicators.lookup(cast.analyst.actor, 'alpha-gate.example'))!.id,
        })
      ).map((r) => r.id),
    ).toEqual([a.reportId]);
  });
});
