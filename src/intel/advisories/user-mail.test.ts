/**
 * Each user's advisory e-mail (user-mail.ts) over a real SMTP socket (smtp-server): one e-mail per
 * event, a daily digest at the configured time, or none; the defaults that keep what users got
 * before they chose; who may choose; and the digest when the SMTP server fails.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../core/index.js';
import {
  type Cast,
  declassify,
  openTestIntel,
  type Seed002Campaign,
  seed002Campaign,
  seedCast,
  T0,
  type TestIntel,
} from '../_testkit.js';
import { listAudit } from '../audit/audit.js';
import { nextDigestMs } from './user-mail.js';

interface Mail {
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly event: unknown;
}

let smtp: SMTPServer;
let smtpPort: number;
const mails: Mail[] = [];
/** While set, the server refuses every message with this reply. */
let refuse: string | null = null;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          if (refuse) return callback(Object.assign(new Error(refuse), { responseCode: 451 }));
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            text: m.text ?? '',
            event: m.headers.get('x-koban-event'),
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

const DIGEST = { at: '08:00', utcOffset: '+09:00' };
const iso = (ms: number) => new Date(ms).toISOString();

let t: TestIntel;
let cast: Cast;
let seed: Seed002Campaign;

beforeEach(async () => {
  mails.length = 0;
  refuse = null;
  t = await openTestIntel({
    advisories: {
      smtp: { host: '127.0.0.1', port: smtpPort, from: 'alerts@center.example', timeoutMs: 600_000 },
      retry: { maxAttempts: 3, firstDelayMs: 60_000, maxDelayMs: 600_000 },
      digest: DIGEST,
    },
  });
  cast = await seedCast(t);
  seed = await seed002Campaign(t, cast);
  await declassify(t, cast, Object.values(seed.reportIds), 'GREEN');
});
afterEach(async () => {
  await t.close();
});

async function send(title: string, audience: Record<string, unknown>, tlp: 'GREEN' | 'AMBER' = 'GREEN') {
  const d = await t.intel.advisories.draft(cast.analyst.actor, {
    source: { type: 'campaign', id: seed.campaignId },
    title,
    bodyJa: '添付ファイルを開かないでください。',
    tlp,
    downgradeReason: 'C2 addresses and lure facts only',
  });
  const r = await t.intel.advisories.send(cast.analyst.actor, d.alertId, { audience });
  return { id: d.alertId, deliveries: r.deliveries };
}

const deliver = () => t.intel.advisories.deliverDue(cast.analyst.actor);

describe('the next digest time', () => {
  it('is the next 08:00 at +09:00, the same day before it and the next day after it', () => {
    const digest = { at: '08:00', utcOffset: '+09:00' };
    // 2012-02-10 00:00 UTC is 09:00 in Japan: the next digest is 2012-02-10 23:00 UTC.
    expect(new Date(nextDigestMs(T0, digest)).toISOString()).toBe('2012-02-10T23:00:00.000Z');
    expect(new Date(nextDigestMs(T0 - 2 * 3_600_000, digest)).toISOString()).toBe('2012-02-09T23:00:00.000Z');
    // Exactly at the digest time: the next one, not this one.
    expect(nextDigestMs(Date.UTC(2012, 1, 10, 23), digest)).toBe(Date.UTC(2012, 1, 11, 23));
    expect(new Date(nextDigestMs(T0, { at: '17:30', utcOffset: '-05:00' })).toISOString()).toBe(
      '2012-02-10T22:30:00.000Z',
    );
  });
});

describe('each user chooses how advisories reach them by e-mail', () => {
  it('without a choice: a named user gets each event by e-mail, an addressed organisation’s members none', async () => {
    const { deliveries } = await send('to the sector', { allMembers: true });
    expect(deliveries.digest).toBe(0);
    await deliver();
    expect(mails).toEqual([]);
    const named = await send('to one person', { userIds: [cast.p1.user.id] }, 'AMBER');
    expect(named.deliveries).toMatchObject({ email: 1, digest: 0 });
    await deliver();
    expect(mails.map((m) => m.to)).toEqual([[cast.p1.user.email]]);
    const s = await t.intel.advisories.userMail.get(cast.p1.actor, cast.p1.user.id);
    expect(s).toMatchObject({ mode: 'off', chosen: false });
  });

  it('each: an e-mail per event to a member of an addressed organisation; off: none, even when named', async () => {
    await t.intel.advisories.userMail.set(cast.p1.actor, cast.p1.user.id, 'each');
    await t.intel.advisories.userMail.set(cast.p2.actor, cast.p2.user.id, 'off');
    const { id } = await send('to the sector', { allMembers: true });
    await send('to p2 by name', { userIds: [cast.p2.user.id] }, 'AMBER');
    await deliver();
    expect(mails.map((m) => m.to)).toEqual([[cast.p1.user.email]]);
    // A withdrawal is an event too.
    await t.intel.advisories.withdraw(cast.analyst.actor, id, { reason: 'sent to the wrong sector' });
    await deliver();
    expect(mails.map((m) => m.subject)).toEqual([
      '[TLP:GREEN] 注意喚起 / Alert: to the sector',
      '[TLP:GREEN] 取消 / Withdrawn: to the sector',
    ]);
    // The inbox still holds every advisory for p2.
    expect((await t.intel.advisories.inbox(cast.p2.actor)).map((i) => i.title).sort()).toEqual([
      'to p2 by name',
      'to the sector',
    ]);
  });

  it('daily: every event since the last digest in one e-mail at the digest time, none before', async () => {
    await t.intel.advisories.userMail.set(cast.p1.actor, cast.p1.user.id, 'daily');
    // The seeded case leaves the clock at 09:01 in Japan: the digest is at 08:00 the next day.
    const due = nextDigestMs(t.clock.ms, DIGEST);
    expect(due - t.clock.ms).toBe(23 * 3_600_000 - 60_000);
    const first = await send('first', { allMembers: true });
    expect(first.deliveries.digest).toBe(1);
    t.clock.ms += 3_600_000;
    const second = await send('second', { userIds: [cast.p1.user.id] }, 'AMBER');
    await deliver();
    expect(mails).toEqual([]);
    const waiting = await t.intel.advisories.deliveries(cast.analyst.actor, first.id);
    expect(waiting.find((d) => d.channel === 'digest')?.waitingFor).toBe(
      `in the daily digest at ${iso(due)}`,
    );
    t.clock.ms = due;
    await deliver();
    expect(mails).toHaveLength(1);
    const m = mails[0]!;
    expect(m.to).toEqual([cast.p1.user.email]);
    expect(m.event).toBe('alert.digest');
    // The most restricted label of what it holds, in the subject.
    expect(m.subject).toBe(
      `[TLP:AMBER] 注意喚起のまとめ / Daily digest ${iso(due).slice(0, 10)}: 2 件 / items`,
    );
    expect(m.text).toContain(`1. [TLP:GREEN] 注意喚起 / Alert: first`);
    expect(m.text).toContain(`2. [TLP:AMBER] 注意喚起 / Alert: second`);
    expect(m.text).toContain(`注意喚起 / Alert #${first.id} (第1版 / version 1)`);
    expect(m.text).toContain(`注意喚起 / Alert #${second.id} (第1版 / version 1)`);
    // Sent once: a second run finds nothing due.
    await deliver();
    expect(mails).toHaveLength(1);
    // The next event waits for the next day's digest.
    await send('third', { allMembers: true });
    t.clock.ms += DAY_MS - 1;
    await deliver();
    expect(mails).toHaveLength(1);
    t.clock.ms += 1;
    await deliver();
    expect(mails.map((x) => x.subject)[1]).toBe(
      `[TLP:GREEN] 注意喚起のまとめ / Daily digest ${iso(due + DAY_MS).slice(0, 10)}: 1 件 / item`,
    );
  });

  it('retries a digest the SMTP server refused, as one e-mail, and marks each of its rows', async () => {
    await t.intel.advisories.userMail.set(cast.p1.actor, cast.p1.user.id, 'daily');
    const a = await send('first', { allMembers: true });
    const b = await send('second', { allMembers: true });
    t.clock.ms = nextDigestMs(t.clock.ms, DIGEST);
    refuse = 'mailbox busy';
    expect(await deliver()).toMatchObject({ attempted: 2, retrying: 2, delivered: 0 });
    for (const id of [a.id, b.id]) {
      const d = (await t.intel.advisories.deliveries(cast.analyst.actor, id)).find(
        (x) => x.channel === 'digest',
      )!;
      expect(d.status).toBe('pending');
      expect(d.lastError).toContain('mailbox busy');
    }
    refuse = null;
    t.clock.ms += 60_000;
    expect(await deliver()).toMatchObject({ attempted: 2, delivered: 2 });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('2 件 / items');
  });

  it('lets a user choose their own, a center admin anyone’s, and no one else; audits each change', async () => {
    await expect(t.intel.advisories.userMail.set(cast.p2.actor, cast.p1.user.id, 'daily')).rejects.toThrow(
      /only their own/,
    );
    await expect(t.intel.advisories.userMail.get(cast.p2.actor, cast.p1.user.id)).rejects.toThrow(
      /only their own/,
    );
    await expect(t.intel.advisories.userMail.set(cast.p1.actor, cast.p1.user.id, 'hourly')).rejects.toThrow(
      /each, daily, off/,
    );
    const s = await t.intel.advisories.userMail.set(t.system, cast.p1.user.id, 'daily');
    expect(s).toMatchObject({ mode: 'daily', chosen: true, email: cast.p1.user.email });
    const audit = (await listAudit(t.db, { limit: 100 })).filter((r) => r.action === 'user.advisory-mail');
    expect(audit.map((r) => r.details)).toEqual([{ mode: 'daily' }]);
  });

  it('sends nothing to a disabled user, whatever they chose', async () => {
    await t.intel.advisories.userMail.set(cast.p1.actor, cast.p1.user.id, 'each');
    await t.intel.users.disable(t.system, cast.p1.user.id);
    const { deliveries } = await send('to the sector', { allMembers: true });
    expect(deliveries).toMatchObject({ email: 0, digest: 0 });
  });
});
