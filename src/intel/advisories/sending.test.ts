/**
 * An alert's life through the service: label and audience rules refused with clear errors, the
 * indicators an analyst picks, drafts from one report, updates in versions, withdrawal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  C2_TH,
  C2_US,
  type Cast,
  declassify,
  intelFixture,
  openTestIntel,
  type Seed002Campaign,
  seed002Campaign,
  seedCast,
  type TestIntel,
} from '../_testkit.js';
import { ANONYMOUS } from '../identity/actor.js';

let t: TestIntel;
let cast: Cast;
let seed: Seed002Campaign;

beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
  seed = await seed002Campaign(t, cast);
  // The members' AMBER reports may be quoted below their label: approved by a second admin.
  await declassify(t, cast, Object.values(seed.reportIds), 'CLEAR');
});
afterEach(async () => {
  await t.close();
});

const REASON = 'lure facts and C2 only, reporters anonymised';

function draft(
  tlp: 'CLEAR' | 'GREEN' | 'AMBER' | 'AMBER+STRICT' | 'RED',
  extra: Record<string, unknown> = {},
) {
  return t.intel.advisories.draft(cast.analyst.actor, {
    source: { type: 'campaign', id: seed.campaignId },
    title: 'Targeted mail quoting real business mail',
    tlp,
    ...(tlp === 'CLEAR' || tlp === 'GREEN' ? { downgradeReason: REASON } : {}),
    ...extra,
  });
}

describe('alert label and audience rules, through the service', () => {
  it('refuses a TLP:GREEN alert to the public, and publishes a TLP:CLEAR one to everyone', async () => {
    const green = await draft('GREEN');
    await expect(
      t.intel.advisories.send(cast.analyst.actor, green.alertId, { audience: { public: true } }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message:
        'TLP:GREEN cannot go to the public: GREEN is shared within the community, "not via publicly ' +
        'accessible channels" (TLP 2.0); only TLP:CLEAR is published',
    });
    const clear = await draft('CLEAR');
    const sent = await t.intel.advisories.send(cast.analyst.actor, clear.alertId, {
      audience: { public: true },
    });
    expect(sent.recipients.orgIds).toHaveLength(6);
    expect((await t.intel.advisories.list(ANONYMOUS)).map((a) => [a.id, a.tlp])).toEqual([
      [clear.alertId, 'CLEAR'],
    ]);
    await expect(t.intel.advisories.get(ANONYMOUS, clear.alertId)).resolves.toMatchObject({
      analysis: null,
      unread: false,
    });
  });

  it('tells whom an audience would reach, or why the send would refuse it, without sending', async () => {
    const a = await draft('AMBER');
    const reach = (audience: Record<string, unknown>) =>
      t.intel.advisories.reach(cast.analyst.actor, a.alertId, { audience });
    const sector = await reach({ sectors: ['manufacturing'] });
    expect(sector).toEqual({
      tlp: 'AMBER',
      public: false,
      problem: null,
      recipients: { orgIds: [cast.x.org.id, cast.y.org.id, cast.p1.org.id], userIds: [] },
    });
    expect(await reach({ public: true })).toMatchObject({
      problem: expect.stringMatching(/^TLP:AMBER cannot go to the public: /),
      recipients: { orgIds: [], userIds: [] },
    });
    expect((await reach({ sectors: ['railway'] })).problem).toBe(
      'the audience reaches no organisation: nothing matches the sectors or prefectures given',
    );
    await expect(reach({})).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(
      t.intel.advisories.reach(cast.p1.actor, a.alertId, { audience: { allMembers: true } }),
    ).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    expect((await t.intel.advisories.get(cast.analyst.actor, a.alertId)).status).toBe('draft');
  });

  it('lists alerts for staff with their recipient organisations and "received too" answers', async () => {
    const a = await draft('AMBER');
    const b = await draft('AMBER');
    await t.intel.advisories.send(cast.analyst.actor, a.alertId, {
      audience: { sectors: ['manufacturing'] },
    });
    await t.intel.advisories.receivedToo(cast.x.actor, a.alertId, { note: 'same mail on 2 Feb' });
    await t.intel.advisories.receivedToo(cast.y.actor, a.alertId);
    const list = await t.intel.advisories.listTallied(cast.analyst.actor);
    expect(list.map((r) => [r.id, r.status, r.recipients, r.answered])).toEqual([
      [b.alertId, 'draft', 0, 0],
      [a.alertId, 'sent', 3, 2],
    ]);
    await expect(t.intel.advisories.listTallied(cast.x.actor)).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('sends TLP:AMBER+STRICT to named organisations only, and TLP:RED to named users only', async () => {
    const strict = await draft('AMBER+STRICT');
    await expect(
      t.intel.advisories.send(cast.analyst.actor, strict.alertId, {
        audience: { sectors: ['manufacturing'] },
      }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('TLP:AMBER+STRICT goes to named'),
    });
    await t.intel.advisories.send(cast.analyst.actor, strict.alertId, {
      audience: { orgIds: [cast.p1.org.id] },
    });
    await expect(t.intel.advisories.inbox(cast.p1.actor)).resolves.toMatchObject([{ id: strict.alertId }]);
    await expect(t.intel.advisories.inbox(cast.p2.actor)).resolves.toEqual([]);

    const red = await draft('RED');
    await expect(
      t.intel.advisories.send(cast.analyst.actor, red.alertId, { audience: { orgIds: [cast.p1.org.id] } }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('TLP:RED goes to named users only'),
    });
    const sent = await t.intel.advisories.send(cast.analyst.actor, red.alertId, {
      audience: { userIds: [cast.p2.user.id] },
    });
    expect(sent).toMatchObject({
      recipients: { orgIds: [], userIds: [cast.p2.user.id] },
      deliveries: { inbox: 1, email: 1 },
    });
    await expect(t.intel.advisories.inbox(cast.p2.actor)).resolves.toMatchObject([
      { id: red.alertId, tlp: 'RED' },
    ]);
    await expect(t.intel.advisories.get(cast.admin.actor, red.alertId)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });

  it('refuses members drafting, a second send, editing a sent alert and an audience that reaches nobody', async () => {
    await expect(
      t.intel.advisories.draft(cast.p1.actor, {
        source: { type: 'report', id: seed.reportIds.p1 },
        title: 'x',
      }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    const a = await draft('AMBER');
    await expect(
      t.intel.advisories.send(cast.analyst.actor, a.alertId, { audience: { sectors: ['railway'] } }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'the audience reaches no organisation: nothing matches the sectors or prefectures given',
    });
    await expect(
      t.intel.advisories.send(cast.analyst.actor, a.alertId, { audience: {} }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message:
        'send: audience: choose an audience: all members, sectors, prefectures, organisations, users or the public',
    });
    await t.intel.advisories.send(cast.analyst.actor, a.alertId, {
      audience: { prefectures: ['東京都', 'osaka'] },
    });
    await expect(
      t.intel.advisories.send(cast.analyst.actor, a.alertId, { audience: { allMembers: true } }),
    ).rejects.toMatchObject({ code: 'E_CONFLICT', message: `alert ${a.alertId} was already sent` });
    await expect(
      t.intel.advisories.edit(cast.analyst.actor, a.alertId, { title: 'y' }),
    ).rejects.toMatchObject({
      code: 'E_CONFLICT',
    });
  });

  it('lets one of two analysts sending the same draft at once win, and tells the other', async () => {
    const a = await draft('AMBER');
    const results = await Promise.allSettled([
      t.intel.advisories.send(cast.analyst.actor, a.alertId, { audience: { allMembers: true } }),
      t.intel.advisories.send(cast.admin.actor, a.alertId, { audience: { orgIds: [cast.p1.org.id] } }),
    ]);
    // Which send wins is the database's choice (SQLite runs them in call order; PostgreSQL as its
    // connections get the row): exactly one does, the other is told, and the audience is the winner's.
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ code: 'E_CONFLICT', message: `alert ${a.alertId} was already sent` });
    const deliveries = await t.intel.advisories.deliveries(cast.analyst.actor, a.alertId);
    if (results[0]!.status === 'fulfilled') expect(deliveries.length).toBe(6);
    else expect([...new Set(deliveries.map((d) => d.orgId))]).toEqual([cast.p1.org.id]);
  });

  it('keeps a draft from every member, even a TLP:CLEAR one', async () => {
    const d = await draft('CLEAR');
    await expect(t.intel.advisories.get(cast.p1.actor, d.alertId)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    await expect(t.intel.advisories.list(ANONYMOUS)).resolves.toEqual([]);
    await expect(t.intel.advisories.list(cast.analyst.actor)).resolves.toMatchObject([
      { id: d.alertId, status: 'draft' },
    ]);
  });
});

describe('what an alert quotes', () => {
  it('shares only the values the analyst picks, and refuses values its sources do not hold', async () => {
    const p = await draft('AMBER', {
      indicators: [{ value: `${C2_TH}:443` }, { type: 'ipv4', value: C2_US }],
    });
    expect(p.content.indicators.map((i) => i.value)).toEqual([C2_TH, C2_US]);
    await expect(draft('AMBER', { indicators: [{ value: '192.0.2.1' }] })).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'ipv4:192.0.2.1 is not a value of the reports the alert quotes',
    });
    const edited = await t.intel.advisories.edit(cast.analyst.actor, p.alertId, {
      indicators: null,
      bodyEn: 'All values.',
    });
    expect(edited.content.indicators).toHaveLength(12);
    expect(edited.content.bodyEn).toBe('All values.');
  });

  it('drafts from one report at its label, in the report’s campaign', async () => {
    const p = await t.intel.advisories.draft(cast.analyst.actor, {
      source: { type: 'report', id: seed.reportIds.p3 },
      title: '見積書を装う標的型メール',
    });
    expect(p).toMatchObject({ tlpFloor: 'AMBER', campaignId: seed.campaignId, downgradeReason: null });
    expect(p.content.tlp).toBe('AMBER');
    expect(p.content.lures.map((l) => l.subject)).toEqual(['見積書送付の件']);
  });

  it('creates a campaign when a member links its report to an alert drafted from a report outside any', async () => {
    const lone = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('webmail-a.eml'));
    expect(lone.correlation!.campaignId).toBeNull();
    const p = await t.intel.advisories.draft(cast.analyst.actor, {
      source: { type: 'report', id: lone.reportId },
      title: 'phishing',
    });
    expect(p.campaignId).toBeNull();
    await t.intel.advisories.send(cast.analyst.actor, p.alertId, {
      audience: { orgIds: [cast.p2.org.id] },
    });
    const theirs = await t.intel.intake.submitReport(cast.p2.actor, {
      kind: 'text',
      title: 'same phishing',
      text: 'received it',
    });
    const answer = await t.intel.advisories.receivedToo(cast.p2.actor, p.alertId, {
      reportId: theirs.reportId,
    });
    const campaignId = answer.campaign!.id;
    expect(answer.campaign).toEqual({ id: campaignId, joined: true, bridgedFrom: null });
    const c = await t.intel.campaigns.get(cast.analyst.actor, campaignId);
    expect(c.reports.map((r) => r.id).sort((a, b) => a - b)).toEqual([lone.reportId, theirs.reportId]);
    expect((await t.intel.advisories.get(cast.analyst.actor, p.alertId)).analysis?.campaignId).toBe(
      campaignId,
    );
  });

  it('records a bridge instead of moving a linked report that belongs to another campaign', async () => {
    const c2 = { kind: 'c2' as const, destinations: [{ value: '45.77.10.9', port: 8080 }] };
    await t.intel.intake.submitReport(cast.p2.actor, c2);
    const own = await t.intel.intake.submitReport(cast.p2.actor, c2);
    const otherCampaign = own.correlation!.campaignId!;
    expect(otherCampaign).not.toBe(seed.campaignId);
    const a = await draft('AMBER');
    await t.intel.advisories.send(cast.analyst.actor, a.alertId, {
      audience: { orgIds: [cast.p2.org.id] },
    });
    await t.intel.advisories.receivedToo(cast.p2.actor, a.alertId);
    const linked = await t.intel.advisories.receivedToo(cast.p2.actor, a.alertId, {
      reportId: own.reportId,
    });
    expect(linked).toMatchObject({
      created: false,
      reportId: own.reportId,
      campaign: { id: seed.campaignId, joined: false, bridgedFrom: otherCampaign },
    });
    const c = await t.intel.campaigns.get(cast.analyst.actor, seed.campaignId);
    expect(c.bridges).toEqual([{ otherCampaignId: otherCampaign, reportId: own.reportId, weight: 1 }]);
    expect(c.reports.map((r) => r.id)).not.toContain(own.reportId);
  });
});

describe('updates and withdrawal', () => {
  it('sends an update as version 2 to everyone who had the alert and any recipients it adds, unread again', async () => {
    const a = await draft('AMBER');
    await t.intel.advisories.send(cast.analyst.actor, a.alertId, {
      audience: { orgIds: [cast.p1.org.id] },
    });
    await t.intel.advisories.markRead(cast.p1.actor, a.alertId);
    const u = await t.intel.advisories.update(cast.analyst.actor, a.alertId, {
      reason: 'the Y lure reached P3 as well',
      bodyJa: '第2版: Y精機を装うメールも確認されました。',
      audience: { orgIds: [cast.p3.org.id] },
    });
    expect(u).toEqual({
      alertId: a.alertId,
      version: 2,
      recipients: { orgIds: [cast.p1.org.id, cast.p3.org.id], userIds: [] },
      deliveries: { inbox: 2, email: 0, webhook: 0, digest: 0 },
    });
    const seen = await t.intel.advisories.get(cast.p1.actor, a.alertId);
    expect(seen).toMatchObject({
      version: 2,
      unread: true,
      content: { bodyJa: '第2版: Y精機を装うメールも確認されました。' },
    });
    await expect(
      t.intel.advisories.update(cast.analyst.actor, a.alertId, {
        reason: 'publish',
        audience: { public: true },
      }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: expect.stringContaining('TLP:AMBER cannot go to the public'),
    });
  });

  it('shows a withdrawn alert to its recipients as withdrawn, and takes no more answers', async () => {
    const a = await draft('AMBER');
    await t.intel.advisories.send(cast.analyst.actor, a.alertId, { audience: { allMembers: true } });
    const w = await t.intel.advisories.withdraw(cast.analyst.actor, a.alertId, { reason: 'sent in error' });
    expect(w.status).toBe('withdrawn');
    await expect(t.intel.advisories.get(cast.p1.actor, a.alertId)).resolves.toMatchObject({
      status: 'withdrawn',
      withdrawn: { atMs: t.clock.ms, reason: 'sent in error' },
    });
    await expect(t.intel.advisories.receivedToo(cast.p1.actor, a.alertId)).rejects.toMatchObject({
      code: 'E_CONFLICT',
    });
    const log = await t.intel.advisories.deliveries(cast.analyst.actor, a.alertId);
    expect(log.filter((d) => d.event === 'withdrawn').map((d) => [d.channel, d.status])).toHaveLength(6);
  });
});
