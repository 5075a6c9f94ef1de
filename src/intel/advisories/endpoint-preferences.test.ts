/**
 * An organisation's admins pause an endpoint and narrow what it is sent (labels, events); the
 * delivery queue honours both, a delivery queued before a pause fails as paused, and a test
 * delivery goes out at once. Only that organisation's admins (and the center's) manage them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Cast,
  declassify,
  openTestIntel,
  type Seed002Campaign,
  seed002Campaign,
  seedCast,
  type TestIntel,
} from '../_testkit.js';
import { storedPreferences, wants } from './endpoint-preferences.js';
import type { AdvisoryMailer, OutgoingMail } from './transports.js';

let t: TestIntel;
let cast: Cast;
let seed: Seed002Campaign;
const mails: OutgoingMail[] = [];
const mailer: AdvisoryMailer = {
  async send(m) {
    mails.push(m);
  },
  close() {},
};

beforeEach(async () => {
  mails.length = 0;
  t = await openTestIntel();
  cast = await seedCast(t);
  seed = await seed002Campaign(t, cast);
  await declassify(t, cast, Object.values(seed.reportIds), 'GREEN');
});
afterEach(async () => {
  await t.close();
});

async function sendGreenToX(): Promise<number> {
  const d = await t.intel.advisories.draft(cast.analyst.actor, {
    source: { type: 'campaign', id: seed.campaignId },
    title: 'x',
    tlp: 'GREEN',
    downgradeReason: 'C2 addresses only',
  });
  await t.intel.advisories.send(cast.analyst.actor, d.alertId, { audience: { orgIds: [cast.x.org.id] } });
  return d.alertId;
}

async function queuedTargets(alertId: number): Promise<string[]> {
  const log = await t.intel.advisories.deliveries(cast.analyst.actor, alertId);
  return log.filter((l) => l.channel !== 'inbox').map((l) => `${l.event} ${l.target} ${l.status}`);
}

describe('delivery preferences of an endpoint', () => {
  it('stores "everything" as null and matches labels and events', () => {
    expect(storedPreferences({ tlps: ['RED', 'AMBER'], events: ['sent', 'updated', 'withdrawn'] })).toEqual({
      tlps: '["AMBER","RED"]',
      events: null,
    });
    expect(wants({ tlps: ['AMBER'], events: null }, 'GREEN', 'sent')).toBe(false);
    expect(wants({ tlps: null, events: ['sent'] }, 'GREEN', 'withdrawn')).toBe(false);
    expect(wants({ tlps: ['GREEN'], events: ['sent'] }, 'GREEN', 'sent')).toBe(true);
  });

  it('queues nothing to a paused endpoint or one declining the label or the event', async () => {
    const org = cast.x.org.id;
    const ep = await t.intel.advisories.endpoints.setEmailContacts(cast.x.actor, {
      orgId: org,
      addresses: [
        'all@x-sangyo.example',
        'amber@x-sangyo.example',
        'sent@x-sangyo.example',
        'off@x-sangyo.example',
      ],
    });
    const id = (a: string) => ep.find((e) => e.target === a)!.id;
    await t.intel.advisories.endpoints.setPreferences(cast.x.actor, id('amber@x-sangyo.example'), {
      tlps: ['AMBER', 'RED'],
      events: null,
    });
    await t.intel.advisories.endpoints.setPreferences(cast.x.actor, id('sent@x-sangyo.example'), {
      tlps: null,
      events: ['sent'],
    });
    const off = await t.intel.advisories.endpoints.setPaused(cast.x.actor, id('off@x-sangyo.example'), true);
    expect(off.pausedMs).toBe(t.clock.ms);
    const alertId = await sendGreenToX();
    await t.intel.advisories.withdraw(cast.analyst.actor, alertId, { reason: 'superseded' });
    expect(await queuedTargets(alertId)).toEqual([
      'sent all@x-sangyo.example pending',
      'sent sent@x-sangyo.example pending',
      'withdrawn all@x-sangyo.example pending',
    ]);
    const listed = await t.intel.advisories.endpoints.list(cast.x.actor, org);
    expect(listed.map((e) => [e.target, e.pausedMs !== null, e.preferences])).toEqual([
      ['all@x-sangyo.example', false, { tlps: null, events: null }],
      ['amber@x-sangyo.example', false, { tlps: ['AMBER', 'RED'], events: null }],
      ['sent@x-sangyo.example', false, { tlps: null, events: ['sent'] }],
      ['off@x-sangyo.example', true, { tlps: null, events: null }],
    ]);
  });

  it('fails a delivery queued before its endpoint was paused, and delivers again once enabled', async () => {
    const [e] = await t.intel.advisories.endpoints.setEmailContacts(cast.x.actor, {
      orgId: cast.x.org.id,
      addresses: ['soc@x-sangyo.example'],
    });
    const first = await sendGreenToX();
    await t.intel.advisories.endpoints.setPaused(cast.x.actor, e!.id, true);
    await t.intel.advisories.deliverDue(cast.analyst.actor, { mailer });
    const log = await t.intel.advisories.deliveries(cast.analyst.actor, first, { status: 'failed' });
    expect(log.map((l) => [l.target, l.lastError])).toEqual([
      ['soc@x-sangyo.example', 'the endpoint was paused'],
    ]);
    await t.intel.advisories.endpoints.setPaused(cast.x.actor, e!.id, false);
    const second = await sendGreenToX();
    await t.intel.advisories.deliverDue(cast.analyst.actor, { mailer });
    expect(mails.map((m) => [m.to, m.headers['X-Koban-Alert']])).toEqual([
      ['soc@x-sangyo.example', `${second}/1`],
    ]);
    const withActivity = await t.intel.advisories.endpoints.listWithActivity(cast.x.actor, cast.x.org.id);
    expect(withActivity.map((x) => x.lastDelivery)).toEqual([
      { alertId: second, status: 'delivered', atMs: t.clock.ms, error: null },
    ]);
  });

  it('sends a test delivery at once, says why one cannot go, and refuses another organisation’s admin', async () => {
    const [e] = await t.intel.advisories.endpoints.setEmailContacts(cast.x.actor, {
      orgId: cast.x.org.id,
      addresses: ['soc@x-sangyo.example'],
    });
    expect(await t.intel.advisories.testEndpoint(cast.x.actor, e!.id, { mailer })).toEqual({
      endpointId: e!.id,
      ok: true,
      error: null,
    });
    expect(mails.map((m) => [m.to, m.subject, m.headers['X-Koban-Event']])).toEqual([
      ['soc@x-sangyo.example', '[Koban] 配信テスト / Delivery test', 'endpoint.test'],
    ]);
    expect(await t.intel.advisories.testEndpoint(cast.x.actor, e!.id)).toEqual({
      endpointId: e!.id,
      ok: false,
      error: 'no SMTP server configured: set advisories.smtp in koban.json',
    });
    for (const act of [
      () => t.intel.advisories.testEndpoint(cast.y.actor, e!.id, { mailer }),
      () => t.intel.advisories.endpoints.setPaused(cast.y.actor, e!.id, true),
      () => t.intel.advisories.endpoints.setPreferences(cast.y.actor, e!.id, { tlps: ['RED'], events: null }),
    ])
      await expect(act()).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(
      t.intel.advisories.endpoints.setPreferences(cast.x.actor, e!.id, { tlps: [], events: null }),
    ).rejects.toMatchObject({ code: 'E_USAGE' });
    expect(mails).toHaveLength(1);
  });
});
