/**
 * The reference case of docs/background.md#sharing-network, end to end through the services: X's
 * real mail, stolen, is quoted in a lure sent to its partners P1 and P2 about eleven hours later; a
 * month later Y's stolen mail is reused in a lure to P3; analysis of both password-locked
 * attachments shows the samples call the same two addresses, one in Thailand and one in the USA —
 * so one attacker, one campaign.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Enricher } from '../observe/index.js';
import {
  C2_TH,
  C2_US,
  type Cast,
  intelFixture,
  openTestIntel,
  seedCast,
  type TestIntel,
} from './_testkit.js';

let t: TestIntel;
let cast: Cast;

beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
});
afterEach(async () => {
  await t.close();
});

const DAY = 86_400_000;

async function reportLures() {
  const p1 = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'));
  t.clock.ms += 60_000;
  const p2 = await t.intel.intake.submitEmail(cast.p2.actor, intelFixture('x-lure-p2.eml'));
  t.clock.ms += 34 * DAY;
  const p3 = await t.intel.intake.submitEmail(cast.p3.actor, intelFixture('y-lure-p3.eml'));
  return { p1, p2, p3 };
}

async function addAnalysis(reportId: number) {
  return t.intel.intake.addIndicators(cast.analyst.actor, reportId, [
    { value: `${C2_TH}:443`, role: 'c2', note: 'sandbox: HTTPS beacon every 60 s' },
    { value: C2_US, role: 'c2', port: 80 },
  ]);
}

describe('the reference case: stolen mail reused as lures, one attacker', () => {
  it('links the two lures built from X’s mail into one campaign at intake, and leaves Y’s lure alone until analysed', async () => {
    const { p1, p2, p3 } = await reportLures();
    expect(p1.correlation!.campaignId).toBeNull();
    expect(p2.correlation!.links).toEqual([
      { reportId: p1.reportId, weight: 4.5, indicatorIds: expect.any(Array) },
    ]);
    expect(p2.correlation!.createdCampaign).toBe(true);
    expect(p2.correlation!.assigned).toEqual([p2.reportId, p1.reportId]);
    expect(p3.correlation!.links).toEqual([]);
    expect(p3.correlation!.campaignId).toBeNull();
  });

  it('puts all three reports in one campaign once the samples are shown to call the same two C2 addresses', async () => {
    const { p1, p2, p3 } = await reportLures();
    const campaign = p2.correlation!.campaignId!;
    await addAnalysis(p1.reportId);
    await addAnalysis(p2.reportId);
    const third = await addAnalysis(p3.reportId);
    expect(third.correlation!.campaignId).toBe(campaign);
    expect(third.correlation!.assigned).toEqual([p3.reportId]);
    expect(third.correlation!.bridges).toEqual([]);

    const view = await t.intel.campaigns.get(cast.analyst.actor, campaign);
    expect(view.reports.map((r) => r.id).sort()).toEqual([p1.reportId, p2.reportId, p3.reportId]);
    expect((await t.intel.campaigns.list(cast.analyst.actor)).map((c) => c.id)).toEqual([campaign]);
    const top = view.indicators.slice(0, 2).map((i) => `${i.type}:${i.value}:${i.reports}`);
    expect(top.sort()).toEqual([`ipv4:${C2_TH}:3`, `ipv4:${C2_US}:3`]);
  });

  it('counts three organisations, sectors and prefectures for each C2 address', async () => {
    const { p1, p2, p3 } = await reportLures();
    for (const r of [p1, p2, p3]) await addAnalysis(r.reportId);
    for (const ip of [C2_TH, C2_US]) {
      const agg = await t.intel.indicators.lookup(cast.analyst.actor, ip);
      expect(agg).toMatchObject({
        type: 'ipv4',
        value: ip,
        reportCount: 3,
        orgCount: 3,
        sectorCount: 3,
        prefectureCount: 3,
        warning: null,
        confidence: 90,
      });
      expect(agg?.sectors).toEqual(['electricity', 'industry-association', 'manufacturing']);
      expect(agg?.prefectures).toEqual(['aichi', 'osaka', 'tokyo']);
    }
  });

  it('counts the C2 destinations by country with the bundled country database', async () => {
    const { p1, p2, p3 } = await reportLures();
    for (const r of [p1, p2, p3]) await addAnalysis(r.reportId);
    const enricher = await Enricher.open();
    const stats = await t.intel.stats.c2ByCountry(cast.analyst.actor, (ip) => enricher.lookup(ip).country);
    expect(stats).toEqual({
      destinations: 2,
      addresses: 2,
      unresolved: 0,
      byCountry: [
        { country: 'TH', destinations: 1, share: 0.5 },
        { country: 'US', destinations: 1, share: 0.5 },
      ],
    });
  });

  it('keeps each recipient private: P2 cannot read P1’s AMBER report, and neither sees the other’s recipients', async () => {
    const { p1, p2 } = await reportLures();
    await expect(t.intel.reports.get(cast.p2.actor, p1.reportId)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    const own = await t.intel.reports.get(cast.p2.actor, p2.reportId);
    expect(own.links).toEqual([]);
    expect(JSON.stringify(own.shared)).not.toContain('yamamoto');
    expect(JSON.stringify(own.indicators)).not.toContain('p2-kyokai');
    const priv = (await t.intel.reports.privatePart(cast.p2.actor, p2.reportId)) as {
      headers: { to: string[] };
    };
    expect(priv.headers.to).toEqual(['山本 健 <yamamoto@p2-kyokai.example>']);
    const forAnalyst = await t.intel.reports.get(cast.analyst.actor, p2.reportId);
    expect(forAnalyst.links).toEqual([{ reportId: p1.reportId, weight: 4.5 }]);
    expect(forAnalyst.reporter?.orgName).toBe('P2協会');
  });

  it('records why the lures are linked: sender, attachment, subject template and mailer', async () => {
    const { p2 } = await reportLures();
    const view = await t.intel.reports.get(cast.analyst.actor, p2.reportId);
    const linking = view.indicators
      .filter((i) => i.reportCount === 2 && i.warning === null)
      .map((i) => `${i.type}:${i.role}`);
    expect(linking.sort()).toEqual([
      'attachment-pattern:template',
      'domain:sender',
      'email:sender',
      'mailer-domain:template',
      'md5:attachment',
      'sha1:attachment',
      'sha256:attachment',
      'subject-template:template',
    ]);
    const relay = view.indicators.find((i) => i.type === 'ipv4');
    expect(relay).toMatchObject({ value: '198.51.100.23', warning: 'reserved address range' });
  });

  it('links the lures the same way when they arrive at once (their commits grouped into one transaction)', async () => {
    const [a, b, c] = await Promise.all([
      t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml')),
      t.intel.intake.submitEmail(cast.p2.actor, intelFixture('x-lure-p2.eml')),
      t.intel.intake.submitEmail(cast.p3.actor, intelFixture('y-lure-p3.eml')),
    ]);
    // Parsing runs concurrently, so either lure may be stored first; the later one links to the other.
    const [first, later] = a.reportId < b.reportId ? [a, b] : [b, a];
    expect(first.correlation!.links).toEqual([]);
    expect(later.correlation!.links.map((l) => [l.reportId, l.weight])).toEqual([[first.reportId, 4.5]]);
    expect(later.correlation!.campaignId).not.toBeNull();
    expect(c.correlation!.links).toEqual([]);
    expect((await t.intel.verifyAudit()).ok).toBe(true);
  });

  it('does not link two unrelated mails that share only a webmail sender domain, Google’s relay and a Yahoo! JAPAN recipient', async () => {
    const a = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('webmail-a.eml'));
    const b = await t.intel.intake.submitEmail(cast.p2.actor, intelFixture('webmail-b.eml'));
    expect(b.correlation!.links).toEqual([]);
    expect(b.correlation!.campaignId).toBeNull();
    const shared = b.indicators.filter((i) => a.indicators.some((j) => j.indicatorId === i.indicatorId));
    expect(shared.map((s) => [s.value, s.warning])).toEqual([
      ['gmail.com', 'webmail provider'],
      ['mail.gmail.com', 'webmail provider'],
      ['mail-oa1-f67.google.com', 'large provider or placeholder'],
      ['mta501.mail.yahoo.co.jp', 'large provider or placeholder'],
      ['209.85.160.67', 'provider relay (mail-oa1-f67.google.com)'],
    ]);
  });
});
