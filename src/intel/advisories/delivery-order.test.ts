/**
 * The order of an alert's versions at one recipient: a target's deliveries go one after another in
 * version order (a later version waits while an earlier one is pending, retrying included), while
 * other targets are served at the same time. The transport is injected and decides itself when each
 * send completes, so the interleaving is forced without any timing.
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
import { type AdvisoryMailer, DeliveryError, type OutgoingMail } from './transports.js';

const A = 'a@p1-kogyo.example';
const B = 'b@p1-kogyo.example';

let t: TestIntel;
let cast: Cast;
let seed: Seed002Campaign;

beforeEach(async () => {
  t = await openTestIntel({
    advisories: {
      // Configured so that e-mail counts as deliverable; every test gives its own mailer instead.
      smtp: { host: '127.0.0.1', from: 'alerts@center.example' },
      retry: { maxAttempts: 3, firstDelayMs: 60_000, maxDelayMs: 600_000 },
      concurrency: 8,
    },
  });
  cast = await seedCast(t);
  seed = await seed002Campaign(t, cast);
  await declassify(t, cast, Object.values(seed.reportIds), 'GREEN');
  await t.intel.advisories.endpoints.setEmailContacts(t.system, { orgId: cast.p1.org.id, addresses: [A, B] });
});
afterEach(async () => {
  await t.close();
});

/** Sends an alert to P1, updates it and withdraws it: three events (v1 sent, v2 updated, v2 withdrawn) queued for each of A and B. */
async function sendUpdateWithdraw(): Promise<number> {
  const d = await t.intel.advisories.draft(cast.analyst.actor, {
    source: { type: 'campaign', id: seed.campaignId },
    title: 'lure',
    tlp: 'GREEN',
    downgradeReason: 'C2 addresses and lure facts only',
  });
  await t.intel.advisories.send(cast.analyst.actor, d.alertId, { audience: { orgIds: [cast.p1.org.id] } });
  await t.intel.advisories.update(cast.analyst.actor, d.alertId, {
    reason: 'English added',
    bodyEn: 'Do not open.',
  });
  await t.intel.advisories.withdraw(cast.analyst.actor, d.alertId, { reason: 'superseded' });
  return d.alertId;
}

const eventOf = (m: OutgoingMail) => (m.headers['X-Koban-Event'] ?? '').replace('alert.', '');

describe('delivery order per recipient', () => {
  it('delivers one recipient’s versions in order even when its first send is still in flight, serving the other recipient meanwhile', async () => {
    await sendUpdateWithdraw();
    /** Arrivals at the recipients, in the order the sends completed. */
    const arrived: string[] = [];
    const inFlight = new Map<string, number>();
    let mostAtOnceToOne = 0;
    let first = true;
    let releaseFirst: () => void = () => {};
    const mailer: AdvisoryMailer = {
      async send(m) {
        inFlight.set(m.to, (inFlight.get(m.to) ?? 0) + 1);
        mostAtOnceToOne = Math.max(mostAtOnceToOne, inFlight.get(m.to)!);
        if (m.to === A && first) {
          // A's first send completes only once a later send to A has arrived (the interleaving the
          // queue must make impossible) or B has received all three events (what it must allow).
          first = false;
          await new Promise<void>((resolve) => {
            releaseFirst = resolve;
          });
        }
        arrived.push(`${m.to} ${eventOf(m)}`);
        inFlight.set(m.to, inFlight.get(m.to)! - 1);
        if (m.to === A || arrived.filter((a) => a.startsWith(B)).length === 3) releaseFirst();
      },
      close() {},
    };
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor, { mailer })).toEqual({
      attempted: 6,
      delivered: 6,
      retrying: 0,
      failed: 0,
      waitingForSmtp: 0,
    });
    expect(arrived).toEqual([
      `${B} sent`,
      `${B} updated`,
      `${B} withdrawn`,
      `${A} sent`,
      `${A} updated`,
      `${A} withdrawn`,
    ]);
    expect(mostAtOnceToOne).toBe(1);
  });

  it('holds the later versions to a recipient while its earlier one waits for a retry, then sends them in order', async () => {
    const id = await sendUpdateWithdraw();
    const arrived: string[] = [];
    let failA = true;
    const mailer: AdvisoryMailer = {
      async send(m) {
        if (m.to === A && failA) {
          failA = false;
          throw new DeliveryError('smtp: 421 try again later', false);
        }
        arrived.push(`${m.to} ${eventOf(m)}`);
      },
      close() {},
    };
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor, { mailer })).toEqual({
      attempted: 4,
      delivered: 3,
      retrying: 1,
      failed: 0,
      waitingForSmtp: 0,
    });
    expect(arrived).toEqual([`${B} sent`, `${B} updated`, `${B} withdrawn`]);
    const pending = await t.intel.advisories.deliveries(cast.analyst.actor, id, { status: 'pending' });
    expect(pending.map((d) => [d.target, d.version, d.attempts, d.waitingFor])).toEqual([
      [
        A,
        1,
        1,
        `attempt 2 of 3 at ${new Date(t.clock.ms + 60_000).toISOString()} (last error: smtp: 421 try again later)`,
      ],
      [A, 2, 0, 'waiting for the earlier sent (version 1) to this recipient to be delivered or given up'],
      [A, 2, 0, 'waiting for the earlier sent (version 1) to this recipient to be delivered or given up'],
    ]);
    // Before the retry is due nothing moves; once it is, the three go out in order.
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor, { mailer })).toMatchObject({
      attempted: 0,
    });
    t.clock.ms += 60_000;
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor, { mailer })).toMatchObject({
      attempted: 3,
      delivered: 3,
    });
    expect(arrived.slice(3)).toEqual([`${A} sent`, `${A} updated`, `${A} withdrawn`]);
  });

  it('sends the later versions once the earlier one is given up', async () => {
    const id = await sendUpdateWithdraw();
    const arrived: string[] = [];
    const mailer: AdvisoryMailer = {
      async send(m) {
        if (m.to === A && eventOf(m) === 'sent') throw new DeliveryError('smtp: 550 no such user', true);
        arrived.push(`${m.to} ${eventOf(m)}`);
      },
      close() {},
    };
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor, { mailer })).toMatchObject({
      attempted: 6,
      delivered: 5,
      failed: 1,
    });
    expect(arrived.filter((a) => a.startsWith(A))).toEqual([`${A} updated`, `${A} withdrawn`]);
    const log = await t.intel.advisories.deliveries(cast.analyst.actor, id);
    // A withdrawal is queued under the version it withdraws (2).
    expect(log.filter((d) => d.target === A).map((d) => [d.version, d.event, d.status])).toEqual([
      [1, 'sent', 'failed'],
      [2, 'updated', 'delivered'],
      [2, 'withdrawn', 'delivered'],
    ]);
  });

  it('does not resend an old version by a manual retry once a later event reached the recipient', async () => {
    const id = await sendUpdateWithdraw();
    const arrived: string[] = [];
    let bounceA = true;
    const mailer: AdvisoryMailer = {
      async send(m) {
        if (m.to === A && eventOf(m) === 'sent' && bounceA)
          throw new DeliveryError('smtp: 550 mailbox full', true);
        if (m.to === B && eventOf(m) === 'withdrawn') throw new DeliveryError('smtp: 550 mailbox full', true);
        arrived.push(`${m.to} ${eventOf(m)}`);
      },
      close() {},
    };
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor, { mailer })).toMatchObject({ failed: 2 });
    bounceA = false;
    // A's "sent" was overtaken by the withdrawal A did receive: sending it now would tell A about an
    // alert already withdrawn. B's failed withdrawal is the last word to B and must go again.
    await expect(t.intel.advisories.retryFailed(cast.analyst.actor, id)).resolves.toBe(1);
    const run = await t.intel.advisories.deliverDue(cast.analyst.actor, {
      mailer: {
        async send(m) {
          arrived.push(`${m.to} ${eventOf(m)}`);
        },
        close() {},
      },
    });
    expect(run).toMatchObject({ attempted: 1, delivered: 1 });
    expect(arrived.slice(-1)).toEqual([`${B} withdrawn`]);
    const log = await t.intel.advisories.deliveries(cast.analyst.actor, id);
    expect(log.filter((d) => d.target === A).map((d) => [d.event, d.status])).toEqual([
      ['sent', 'failed'],
      ['updated', 'delivered'],
      ['withdrawn', 'delivered'],
    ]);
  });
});
