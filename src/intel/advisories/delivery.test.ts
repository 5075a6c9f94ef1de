/**
 * Delivery end to end over real sockets: e-mail through a local SMTP server (smtp-server), webhooks
 * to a local HTTP server that checks the HMAC signature as a member's receiver would, a webhook
 * that keeps failing (retried on the back-off schedule, then visible as failed in the delivery
 * log, then retried by hand), one that times out, and the audit chain intact afterwards.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  C2_TH,
  type Cast,
  declassify,
  openTestIntel,
  type Seed002Campaign,
  seed002Campaign,
  seedCast,
  type TestIntel,
} from '../_testkit.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from './signature.js';

interface Mail {
  readonly to: string[];
  readonly subject: string;
  readonly text: string;
  readonly headers: Map<string, unknown>;
}

let smtp: SMTPServer;
let smtpPort: number;
const mails: Mail[] = [];

interface Hook {
  readonly path: string;
  readonly event: string | undefined;
  readonly verified: boolean;
  readonly body: {
    event: string;
    alert: { id: number; tlp: string; indicators: { value: string }[] };
    recipient: string;
  };
}
let http: Server;
let base: string;
const hooks: Hook[] = [];
const secrets = new Map<string, string>();
/** Status each path answers with (the failing endpoint's can be switched to 200). */
const answers = new Map<string, number>();

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m) => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            text: m.text ?? '',
            headers: m.headers,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (path === '/hang') return; // never answers: the sender's timeout ends it
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifyWebhookSignature(
        secrets.get(path) ?? '',
        {
          signature: req.headers[SIGNATURE_HEADER] as string | undefined,
          timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined,
          body,
        },
        { nowMs: t.clock.ms },
      );
      hooks.push({
        path,
        event: req.headers['x-koban-event'] as string | undefined,
        verified,
        body: JSON.parse(body),
      });
      res.statusCode = verified ? (answers.get(path) ?? 204) : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

let t: TestIntel;
let cast: Cast;
let seed: Seed002Campaign;

/**
 * Far longer than any local answer can take, however busy the machine: a healthy delivery never
 * times out. Only the test of a webhook that never answers uses a short timeout, and there no
 * answer can come in time whatever the machine's speed.
 */
const NO_TIMEOUT_MS = 600_000;
let webhookTimeoutMs = NO_TIMEOUT_MS;

beforeEach(async () => {
  mails.length = 0;
  hooks.length = 0;
  answers.clear();
  t = await openTestIntel({
    advisories: {
      smtp: {
        host: '127.0.0.1',
        port: smtpPort,
        from: '"Cyber Intelligence Center" <alerts@center.example>',
        timeoutMs: NO_TIMEOUT_MS,
      },
      webhook: { allowHttp: true, allowPrivateTargets: true, timeoutMs: webhookTimeoutMs },
      retry: { maxAttempts: 3, firstDelayMs: 60_000, maxDelayMs: 600_000 },
    },
  });
  cast = await seedCast(t);
  seed = await seed002Campaign(t, cast);
  // The members' AMBER reports may be quoted below their label: approved by a second admin.
  await declassify(t, cast, Object.values(seed.reportIds), 'GREEN');
});
afterEach(async () => {
  await t.close();
});

async function hook(orgId: number, path: string) {
  const { secret } = await t.intel.advisories.endpoints.addWebhook(t.system, {
    orgId,
    url: `${base}${path}`,
  });
  secrets.set(path, secret);
}

async function sendGreen() {
  const d = await t.intel.advisories.draft(cast.analyst.actor, {
    source: { type: 'campaign', id: seed.campaignId },
    title: '取引先の実メールを流用した標的型メール',
    bodyJa: '添付ファイルを開かないでください。',
    tlp: 'GREEN',
    downgradeReason: 'C2 addresses and lure facts only',
  });
  await t.intel.advisories.send(cast.analyst.actor, d.alertId, { audience: { allMembers: true } });
  return d.alertId;
}

describe('delivery by e-mail and webhook', () => {
  it('mails each contact address separately through SMTP, with the label in the subject and the indicators defanged', async () => {
    await t.intel.advisories.endpoints.setEmailContacts(t.system, {
      orgId: cast.p1.org.id,
      addresses: ['csirt@p1-kogyo.example', 'soc@p1-kogyo.example'],
    });
    await t.intel.advisories.endpoints.setEmailContacts(t.system, {
      orgId: cast.p3.org.id,
      addresses: ['csirt@p3-denki.example'],
    });
    const id = await sendGreen();
    const run = await t.intel.advisories.deliverDue(cast.analyst.actor);
    expect(run).toEqual({ attempted: 3, delivered: 3, retrying: 0, failed: 0, waitingForSmtp: 0 });
    expect(mails.map((m) => m.to).sort()).toEqual([
      ['csirt@p1-kogyo.example'],
      ['csirt@p3-denki.example'],
      ['soc@p1-kogyo.example'],
    ]);
    const m = mails[0]!;
    expect(m.subject).toBe('[TLP:GREEN] 注意喚起 / Alert: 取引先の実メールを流用した標的型メール');
    expect(m.headers.get('x-koban-alert')).toBe(`${id}/1`);
    expect(m.text.split('\n').slice(0, 5)).toEqual([
      'TLP:GREEN',
      '',
      `注意喚起 / Alert #${id} (第1版 / version 1)`,
      '取引先の実メールを流用した標的型メール',
      '',
    ]);
    expect(m.text).toContain('  ipv4     27.254.40[.]5  (c2)');
    expect(m.text).toContain('  差出人 / From: tanaka@x-sangyo[.]example');
    expect(m.text).toContain(`  POST /api/v1/advisories/${id}/received`);
    for (const hidden of ['p2-kyokai', 'suzuki', '鈴木', 'P1工業', '198.51.100.23'])
      expect(m.text).not.toContain(hidden);
    expect((await t.intel.advisories.get(cast.analyst.actor, id)).analysis?.deliveries).toEqual({
      email: { delivered: 3 },
      inbox: { delivered: 6 },
    });
  });

  it('leaves e-mail queued while no SMTP server is configured', async () => {
    const bare = await openTestIntel();
    try {
      const c = await seedCast(bare);
      const s = await seed002Campaign(bare, c);
      await bare.intel.advisories.endpoints.setEmailContacts(bare.system, {
        orgId: c.p1.org.id,
        addresses: ['csirt@p1-kogyo.example'],
      });
      const d = await bare.intel.advisories.draft(c.analyst.actor, {
        source: { type: 'campaign', id: s.campaignId },
        title: 'x',
      });
      await bare.intel.advisories.send(c.analyst.actor, d.alertId, { audience: { orgIds: [c.p1.org.id] } });
      expect(await bare.intel.advisories.deliverDue(c.analyst.actor)).toEqual({
        attempted: 0,
        delivered: 0,
        retrying: 0,
        failed: 0,
        waitingForSmtp: 1,
      });
      const log = await bare.intel.advisories.deliveries(c.analyst.actor, d.alertId, { status: 'pending' });
      expect(log.map((l) => [l.channel, l.target, l.attempts, l.waitingFor])).toEqual([
        [
          'email',
          'csirt@p1-kogyo.example',
          0,
          'no SMTP server configured: set advisories.smtp in koban.json',
        ],
      ]);
    } finally {
      await bare.close();
    }
  });

  it('posts a signed JSON document to each webhook, which the member verifies with its secret', async () => {
    await hook(cast.p2.org.id, '/p2');
    const id = await sendGreen();
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toEqual({
      attempted: 1,
      delivered: 1,
      retrying: 0,
      failed: 0,
      waitingForSmtp: 0,
    });
    expect(hooks).toHaveLength(1);
    const h = hooks[0]!;
    expect(h).toMatchObject({ path: '/p2', event: 'alert.sent', verified: true });
    expect(h.body).toMatchObject({ event: 'alert.sent', alert: { id, tlp: 'GREEN' }, recipient: 'P2協会' });
    expect(h.body.alert.indicators[0]?.value).toBe(C2_TH);
    expect(
      verifyWebhookSignature('not the secret', { signature: 'sha256=00', timestamp: '1', body: '{}' }),
    ).toBe(false);
  });

  it('retries a failing webhook on the back-off schedule, shows the failure, and starts over on a manual retry', async () => {
    await hook(cast.p3.org.id, '/p3');
    answers.set('/p3', 503);
    const id = await sendGreen();
    const t0 = t.clock.ms;
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toEqual({
      attempted: 1,
      delivered: 0,
      retrying: 1,
      failed: 0,
      waitingForSmtp: 0,
    });
    const webhookRow = async () =>
      (await t.intel.advisories.deliveries(cast.analyst.actor, id)).find((d) => d.channel === 'webhook')!;
    expect(await webhookRow()).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'webhook: HTTP 503',
      lastAttemptMs: t0,
      nextAttemptMs: t0 + 60_000,
      waitingFor: `attempt 2 of 3 at ${new Date(t0 + 60_000).toISOString()} (last error: webhook: HTTP 503)`,
      target: `${base}/p3`,
      orgId: cast.p3.org.id,
    });
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toMatchObject({ attempted: 0 });
    t.clock.ms += 60_000;
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toMatchObject({
      attempted: 1,
      retrying: 1,
    });
    expect(await webhookRow()).toMatchObject({ attempts: 2, nextAttemptMs: t.clock.ms + 120_000 });
    t.clock.ms += 120_000;
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toMatchObject({
      attempted: 1,
      failed: 1,
    });
    expect(await webhookRow()).toMatchObject({
      status: 'failed',
      attempts: 3,
      lastError: 'webhook: HTTP 503',
      nextAttemptMs: null,
    });
    expect(hooks.map((h) => h.verified)).toEqual([true, true, true]);
    expect((await t.intel.advisories.get(cast.analyst.actor, id)).analysis?.deliveries).toEqual({
      inbox: { delivered: 6 },
      webhook: { failed: 1 },
    });

    answers.set('/p3', 200);
    await expect(t.intel.advisories.retryFailed(cast.analyst.actor, id)).resolves.toBe(1);
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toMatchObject({
      attempted: 1,
      delivered: 1,
    });
    expect(await webhookRow()).toMatchObject({
      status: 'delivered',
      attempts: 1,
      lastError: null,
      deliveredMs: t.clock.ms,
    });
    await expect(t.intel.verifyAudit()).resolves.toMatchObject({ ok: true });
  });

  it('gives up at once on a 4xx answer', async () => {
    await hook(cast.p1.org.id, '/gone');
    answers.set('/gone', 410);
    const id = await sendGreen();
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toEqual({
      attempted: 1,
      delivered: 0,
      retrying: 0,
      failed: 1,
      waitingForSmtp: 0,
    });
    const log = (await t.intel.advisories.deliveries(cast.analyst.actor, id)).filter(
      (d) => d.channel === 'webhook',
    );
    expect(log.map((d) => [d.target.slice(base.length), d.status, d.attempts, d.lastError])).toEqual([
      ['/gone', 'failed', 1, 'webhook: HTTP 410'],
    ]);
  });

  describe('with a webhook that never answers', () => {
    // The one webhook here never answers: its short timeout is the only outcome possible.
    beforeAll(() => {
      webhookTimeoutMs = 300;
    });
    afterAll(() => {
      webhookTimeoutMs = NO_TIMEOUT_MS;
    });

    it('times the webhook out and retries it later', async () => {
      await hook(cast.p2.org.id, '/hang');
      const id = await sendGreen();
      expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toEqual({
        attempted: 1,
        delivered: 0,
        retrying: 1,
        failed: 0,
        waitingForSmtp: 0,
      });
      const log = (await t.intel.advisories.deliveries(cast.analyst.actor, id)).filter(
        (d) => d.channel === 'webhook',
      );
      expect(log.map((d) => [d.target.slice(base.length), d.status, d.attempts, d.lastError])).toEqual([
        ['/hang', 'pending', 1, 'webhook: timeout after 300 ms'],
      ]);
      expect(hooks).toEqual([]);
    });
  });

  it('tells recipients when an alert is updated and withdrawn', async () => {
    await t.intel.advisories.endpoints.setEmailContacts(t.system, {
      orgId: cast.p1.org.id,
      addresses: ['csirt@p1-kogyo.example'],
    });
    await hook(cast.p1.org.id, '/p1');
    const id = await sendGreen();
    await t.intel.advisories.update(cast.analyst.actor, id, {
      reason: 'English added',
      bodyEn: 'Do not open the attachment.',
    });
    await t.intel.advisories.withdraw(cast.analyst.actor, id, { reason: 'superseded' });
    expect(await t.intel.advisories.deliverDue(cast.analyst.actor)).toMatchObject({
      attempted: 6,
      delivered: 6,
    });
    expect(mails.map((m) => m.subject)).toEqual([
      '[TLP:GREEN] 注意喚起 / Alert: 取引先の実メールを流用した標的型メール',
      '[TLP:GREEN] 更新 第2版 / Updated: 取引先の実メールを流用した標的型メール',
      '[TLP:GREEN] 取消 / Withdrawn: 取引先の実メールを流用した標的型メール',
    ]);
    expect(mails[2]?.text).toContain('理由 / Reason: superseded');
    expect(hooks.map((h) => h.event)).toEqual(['alert.sent', 'alert.updated', 'alert.withdrawn']);
  });

  it('lets an organisation’s admin manage its own endpoints only, and refuses internal webhook targets by default', async () => {
    await expect(
      t.intel.advisories.endpoints.setEmailContacts(cast.x.actor, {
        orgId: cast.p2.org.id,
        addresses: ['a@b.example'],
      }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(
      t.intel.advisories.endpoints.setEmailContacts(cast.p1.actor, {
        orgId: cast.p1.org.id,
        addresses: ['a@b.example'],
      }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    const strict = await openTestIntel();
    try {
      const c = await seedCast(strict);
      for (const url of [
        'http://hooks.example/x',
        'https://127.0.0.1/x',
        'https://10.1.2.3/x',
        'https://localhost/x',
        'https://intranet/x',
        // Each of these passed the check before it moved to core's outbound guard.
        'https://localhost./x',
        'https://metadata.google.internal/computeMetadata/v1/',
        'https://api.localhost/x',
        'https://2130706433/x',
        'https://[::ffff:127.0.0.1]/x',
      ])
        await expect(
          strict.intel.advisories.endpoints.addWebhook(strict.system, { orgId: c.p1.org.id, url }),
        ).rejects.toMatchObject({
          code: 'E_USAGE',
        });
      const ok = await strict.intel.advisories.endpoints.addWebhook(c.x.actor, {
        orgId: c.x.org.id,
        url: 'https://hooks.x-sangyo.example/koban?k=1',
      });
      expect(ok.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await expect(strict.intel.advisories.endpoints.list(c.x.actor, c.x.org.id)).resolves.toMatchObject([
        { channel: 'webhook', target: 'https://hooks.x-sangyo.example/koban?k=1' },
      ]);
    } finally {
      await strict.close();
    }
  });

  it('resolves a webhook name at delivery and refuses it when it points inside, connecting nowhere', async () => {
    const resolved: string[] = [];
    const strict = await openTestIntel({
      resolver: async (host) => {
        resolved.push(host);
        return [{ address: '10.0.0.5', family: 4 }];
      },
    });
    try {
      const c = await seedCast(strict);
      const s = await seed002Campaign(strict, c);
      // A name such as 10.0.0.5.nip.io passes the check when added: only its address tells.
      await strict.intel.advisories.endpoints.addWebhook(strict.system, {
        orgId: c.p1.org.id,
        url: 'https://10.0.0.5.nip.io/koban',
      });
      const d = await strict.intel.advisories.draft(c.analyst.actor, {
        source: { type: 'campaign', id: s.campaignId },
        title: 'x',
      });
      await strict.intel.advisories.send(c.analyst.actor, d.alertId, {
        audience: { orgIds: [c.p1.org.id] },
      });
      expect(await strict.intel.advisories.deliverDue(c.analyst.actor)).toEqual({
        attempted: 1,
        delivered: 0,
        retrying: 0,
        failed: 1,
        waitingForSmtp: 0,
      });
      expect(resolved).toEqual(['10.0.0.5.nip.io']);
      const log = await strict.intel.advisories.deliveries(c.analyst.actor, d.alertId, {
        status: 'failed',
      });
      expect(log.map((l) => [l.channel, l.status, l.lastError, l.waitingFor])).toEqual([
        [
          'webhook',
          'failed',
          'webhook: 10.0.0.5.nip.io: 10.0.0.5 is a private (RFC 1918) address; refused',
          null,
        ],
      ]);
    } finally {
      await strict.close();
    }
  });
});
