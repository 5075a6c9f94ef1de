/**
 * The reference case of docs/background.md#sharing-network end to end, continued from scenario-002.test.ts: X's and Y's stolen mails reused as
 * lures, both samples calling the same two C2 addresses, one campaign — then the center's alert to
 * the members, and two more organisations answering "we received this too" (an alert
 * surfaced 6 companies that had the same mail; another 2 companies, then 23 local governments and
 * 4 operators). Counts are distinct organisations: the 3 original reporters (P1, P2, P3), the
 * answering ones (Q1, Q2), and both together, 3 → 5.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addMember,
  C2_TH,
  C2_US,
  type Cast,
  declassify,
  type Member,
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
let q1: Member;
let q2: Member;

const TITLE = '取引先の実メールを流用した標的型メールについて';
const BODY_JA =
  '中国地方の事業者になりすまし、実際の業務メールを引用した標的型メールが複数の会員に送付されています。' +
  'P1工業の鈴木様からの報告によれば、添付のZIPはパスワード付きです。';
const REASON =
  'C2 addresses and lure facts only, reporters anonymised: members need them to block and search';

beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
  seed = await seed002Campaign(t, cast);
  // The members' AMBER reports may be quoted below their label: approved by a second admin.
  await declassify(t, cast, Object.values(seed.reportIds), 'GREEN');
  // Two more of X's business partners, not among the first reporters.
  q1 = await addMember(
    t,
    {
      name: 'Q1鋼業',
      kind: 'member-company',
      sector: 'manufacturing',
      prefecture: 'shimane',
      domains: ['q1-kogyo.example'],
    },
    { email: 'csirt@q1-kogyo.example', role: 'org-member' },
  );
  q2 = await addMember(
    t,
    { name: '鳥取市', kind: 'local-government', sector: 'local-government', prefecture: '31' },
    { email: 'joho@city-tottori.example', role: 'org-admin' },
  );
});
afterEach(async () => {
  await t.close();
});

async function draftGreen() {
  return t.intel.advisories.draft(cast.analyst.actor, {
    source: { type: 'campaign', id: seed.campaignId },
    title: TITLE,
    bodyJa: BODY_JA,
    tlp: 'GREEN',
    downgradeReason: REASON,
  });
}

describe('the reference case: an alert to the members, and "we received this too"', () => {
  it('refuses a TLP:GREEN draft of the AMBER campaign until the analyst gives a downgrade reason', async () => {
    await expect(
      t.intel.advisories.draft(cast.analyst.actor, {
        source: { type: 'campaign', id: seed.campaignId },
        title: TITLE,
        tlp: 'GREEN',
      }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message:
        'TLP:GREEN is less restrictive than TLP:AMBER, the most restrictive source the alert quotes; an analyst ' +
        'may downgrade it only with a reason (downgradeReason), which is recorded',
    });
    const preview = await draftGreen();
    expect(preview).toMatchObject({
      tlpFloor: 'AMBER',
      downgradeReason: REASON,
      campaignId: seed.campaignId,
    });
    const audit = await t.intel.auditLog(t.system, { action: 'alert.draft' });
    expect(audit[0]?.details).toMatchObject({ floor: 'AMBER', downgradeReason: REASON });
  });

  it('previews the C2 addresses and the lures, without the recipients, the reporters or warning-listed values', async () => {
    const p = await draftGreen();
    expect(p.content.indicators.slice(0, 2)).toEqual([
      { type: 'ipv4', value: C2_TH, role: 'c2', reports: 3, organisations: 3 },
      { type: 'ipv4', value: C2_US, role: 'c2', reports: 3, organisations: 3 },
    ]);
    expect(p.content.lures.map((l) => [l.subject, l.from, l.reports])).toEqual([
      ['3月度 定例打合せ資料の送付について', ['tanaka@x-sangyo.example'], 2],
      ['見積書送付の件', ['sato@y-seiki.example'], 1],
    ]);
    expect(p.content.lures[0]?.attachments).toEqual([
      {
        fileName: '打合せ資料_0309.zip',
        sha256: '1a3cf4c5da005d271af608632de2365c14c007ece5e20c4915f055641b8f93a1',
        entries: [`打合せ資料_0309.pdf${' '.repeat(30)}.exe`],
      },
    ]);
    expect(p.content.reporters).toEqual({ organisations: 3, named: [] });
    expect(p.content.bodyJa).toBe(
      '中国地方の事業者になりすまし、実際の業務メールを引用した標的型メールが複数の会員に送付されています。' +
        '[reporter]の[recipient]様からの報告によれば、添付のZIPはパスワード付きです。',
    );
    const seen = JSON.stringify(p.content);
    for (const hidden of [
      'p1-kogyo',
      'p2-kyokai',
      'p3-denki',
      'suzuki',
      'yamamoto',
      '鈴木',
      '山本',
      'P1工業',
      'P2協会',
      'P3電機',
      'csirt@',
      '198.51.100.23',
      '198.51.100.77',
    ])
      expect(seen).not.toContain(hidden);
    expect(p.excluded).toEqual([
      { type: 'ipv4', value: '198.51.100.23', reason: 'warning list: reserved address range' },
      { type: 'ipv4', value: '198.51.100.77', reason: 'warning list: reserved address range' },
    ]);
    expect(p).toMatchObject({ redactions: 2, anonymisedReporters: 3 });
    expect(p.sources).toEqual([
      { reportId: seed.reportIds.p1, tlp: 'AMBER' },
      { reportId: seed.reportIds.p2, tlp: 'AMBER' },
      { reportId: seed.reportIds.p3, tlp: 'AMBER' },
    ]);
  });

  it('names a reporting organisation that consented, and only that one', async () => {
    await t.intel.reports.setConsent(cast.p3.actor, seed.reportIds.p3, true);
    const p = await draftGreen();
    expect(p.content.reporters).toEqual({
      organisations: 3,
      named: [{ name: 'P3電機', sector: 'electricity', prefecture: 'aichi' }],
    });
    expect(p.anonymisedReporters).toBe(2);
    expect(JSON.stringify(p.content)).not.toContain('P1工業');
  });

  it('sends it to all members as TLP:GREEN: an unrelated member’s inbox shows it, the public sees nothing', async () => {
    const draft = await draftGreen();
    await expect(t.intel.advisories.inbox(cast.mssp.actor)).resolves.toEqual([]);
    const sent = await t.intel.advisories.send(cast.analyst.actor, draft.alertId, {
      audience: { allMembers: true },
    });
    const members = [cast.x, cast.y, cast.p1, cast.p2, cast.p3, cast.mssp, q1, q2].map((m) => m.org.id);
    expect(sent).toEqual({
      alertId: draft.alertId,
      version: 1,
      recipients: { orgIds: members, userIds: [] },
      deliveries: { inbox: 8, email: 0, webhook: 0, digest: 0 },
    });
    const inbox = await t.intel.advisories.inbox(cast.mssp.actor);
    expect(inbox.map((i) => [i.id, i.tlp, i.title, i.unread, i.receivedToo])).toEqual([
      [draft.alertId, 'GREEN', TITLE, true, false],
    ]);
    const view = await t.intel.advisories.get(cast.mssp.actor, draft.alertId);
    expect(view.content).toEqual(draft.content);
    expect(view.analysis).toBeNull();
    await t.intel.advisories.markRead(cast.mssp.actor, draft.alertId);
    expect((await t.intel.advisories.inbox(cast.mssp.actor))[0]?.unread).toBe(false);
    await expect(t.intel.advisories.inbox(cast.mssp.actor, { unreadOnly: true })).resolves.toEqual([]);

    await expect(t.intel.advisories.list(ANONYMOUS)).resolves.toEqual([]);
    await expect(t.intel.advisories.inbox(ANONYMOUS)).resolves.toEqual([]);
    await expect(t.intel.advisories.get(ANONYMOUS, draft.alertId)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });

  it('counts two more organisations answering "received too", and the linked report joins the campaign', async () => {
    const { alertId } = await draftGreen();
    await t.intel.advisories.send(cast.analyst.actor, alertId, { audience: { allMembers: true } });
    await expect(t.intel.advisories.counts(cast.analyst.actor, alertId)).resolves.toEqual({
      reporters: 3,
      receivedToo: 0,
      organisations: 3,
      bySector: { manufacturing: 1, 'industry-association': 1, electricity: 1 },
      byPrefecture: { tokyo: 1, osaka: 1, aichi: 1 },
    });

    const own = await t.intel.intake.submitReport(q1.actor, {
      kind: 'incident',
      title: '同様の標的型メールを受信',
      description: '2月9日夜、打合せ資料を装うパスワード付きZIPのメールを受信。開封せず削除した。',
    });
    expect(own.correlation!.campaignId).toBeNull();
    const a1 = await t.intel.advisories.receivedToo(q1.actor, alertId, { reportId: own.reportId });
    expect(a1).toMatchObject({
      alertId,
      orgId: q1.org.id,
      reportId: own.reportId,
      created: true,
      campaign: { id: seed.campaignId, joined: true, bridgedFrom: null },
    });
    const a2 = await t.intel.advisories.receivedToo(q2.actor, alertId, { note: '市長公室宛てに3通' });
    expect(a2).toMatchObject({ orgId: q2.org.id, reportId: null, created: true, campaign: null });
    const again = await t.intel.advisories.receivedToo(q2.actor, alertId);
    expect(again).toMatchObject({ sightingId: a2.sightingId, created: false });

    await expect(t.intel.advisories.counts(cast.analyst.actor, alertId)).resolves.toEqual({
      reporters: 3,
      receivedToo: 2,
      organisations: 5,
      bySector: { manufacturing: 2, 'industry-association': 1, electricity: 1, 'local-government': 1 },
      byPrefecture: { tokyo: 1, osaka: 1, aichi: 1, shimane: 1, tottori: 1 },
    });
    const campaign = await t.intel.campaigns.get(cast.analyst.actor, seed.campaignId);
    expect(campaign.reports.map((r) => r.id).sort((a, b) => a - b)).toEqual([
      seed.reportIds.p1,
      seed.reportIds.p2,
      seed.reportIds.p3,
      own.reportId,
    ]);
    await expect(t.intel.advisories.campaignCounts(cast.analyst.actor, seed.campaignId)).resolves.toEqual({
      campaignId: seed.campaignId,
      alerts: 1,
      reporters: 4,
      receivedToo: 2,
      organisations: 5,
      bySector: { manufacturing: 2, 'industry-association': 1, electricity: 1, 'local-government': 1 },
      byPrefecture: { tokyo: 1, osaka: 1, aichi: 1, shimane: 1, tottori: 1 },
    });
    const analysis = (await t.intel.advisories.get(cast.analyst.actor, alertId)).analysis!;
    expect(analysis.sightings.map((s) => [s.orgName, s.reportId, s.note])).toEqual([
      ['Q1鋼業', own.reportId, null],
      ['鳥取市', null, '市長公室宛てに3通'],
    ]);
    expect((await t.intel.advisories.get(q2.actor, alertId)).receivedToo).toEqual({
      atMs: t.clock.ms,
      reportId: null,
    });
    await expect(t.intel.advisories.inbox(q1.actor)).resolves.toMatchObject([
      { id: alertId, receivedToo: true },
    ]);
  });

  it('lets only recipients answer, with their own organisation’s report', async () => {
    const { alertId } = await draftGreen();
    await t.intel.advisories.send(cast.analyst.actor, alertId, {
      audience: { sectors: ['manufacturing'] },
    });
    await expect(t.intel.advisories.receivedToo(q2.actor, alertId)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    await expect(t.intel.advisories.receivedToo(ANONYMOUS, alertId)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await expect(
      t.intel.advisories.receivedToo(q1.actor, alertId, { reportId: seed.reportIds.p1 }),
    ).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(t.intel.advisories.receivedToo(cast.analyst.actor, alertId)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: `user:${cast.analyst.user.id}: only recipients of alert ${alertId} answer it`,
    });
  });

  it('keeps the audit chain intact and records every step', async () => {
    const { alertId } = await draftGreen();
    await t.intel.advisories.send(cast.analyst.actor, alertId, { audience: { allMembers: true } });
    await t.intel.advisories.receivedToo(q1.actor, alertId);
    await t.intel.advisories.receivedToo(q2.actor, alertId);
    await t.intel.advisories.update(cast.analyst.actor, alertId, {
      reason: 'English text for the partner centers',
      bodyEn: 'Targeted mail quoting a real business mail of a company in the Chugoku region.',
    });
    await t.intel.advisories.withdraw(cast.analyst.actor, alertId, { reason: 'superseded by alert 2' });
    const log = await t.intel.auditLog(t.system, { targetType: 'alert', targetId: String(alertId) });
    expect(log.map((r) => r.action).reverse()).toEqual([
      'alert.draft',
      'alert.send',
      'alert.received-too',
      'alert.received-too',
      'alert.update',
      'alert.withdraw',
    ]);
    expect(log[0]?.details).toMatchObject({ reason: 'superseded by alert 2' });
    const send = log.find((r) => r.action === 'alert.send')!;
    expect(send.details).toMatchObject({
      version: 1,
      recipients: { orgIds: expect.any(Array), userIds: [] },
    });
    await expect(t.intel.verifyAudit()).resolves.toMatchObject({ ok: true });
  });
});
