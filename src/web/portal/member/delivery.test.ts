/**
 * `/member/delivery`: an org admin lists, adds (a webhook's secret shown once, kept encrypted),
 * pauses, enables, removes and tests its organisation's delivery endpoints and chooses what each is
 * sent; a plain member is refused (403), another organisation's endpoint is "not found" (404), and
 * every form needs its CSRF token. A local HTTP server receives the test webhook and checks its
 * signature as a member's receiver would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, openApiWorld } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';
import { verifyWebhookSignature } from '../../../intel/advisories/signature.js';

let w: ApiWorld;
let admin: PortalBrowser;
let http: Server;
let base: string;
const received: { path: string; event: string | undefined; body: string; sig: string; ts: string }[] = [];

beforeAll(async () => {
  http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        event: req.headers['x-koban-event'] as string | undefined,
        body: Buffer.concat(chunks).toString('utf8'),
        sig: String(req.headers['x-koban-signature']),
        ts: String(req.headers['x-koban-timestamp']),
      });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  w = await openApiWorld(
    {},
    {
      config: { advisories: { webhook: { allowHttp: true, allowPrivateTargets: true, timeoutMs: 600_000 } } },
    },
  );
  admin = new PortalBrowser(w, '192.0.2.61');
  await admin.login(w.cast.x.email);
});
afterAll(async () => {
  await w.close();
  http.closeAllConnections();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

const endpoints = () => w.center.intel.advisories.endpoints.list(w.system, w.cast.x.orgId);

describe('advisory delivery endpoints in the member portal', () => {
  it('shows an empty list and the add form to an org admin, in both languages, with a menu entry', async () => {
    const en = await admin.get('/member/delivery?lang=en');
    expect(en.status).toBe(200);
    expect(en.body).toContain('<a href="/member/delivery?lang=en">Delivery</a>');
    expect(en.body).toContain('<h1>Advisory delivery</h1>');
    expect(en.body).toContain('No delivery endpoints yet: advisories reach the inbox only.');
    const ja = await admin.get('/member/delivery');
    expect(ja.body).toContain('<h1>注意喚起の配信先</h1>');
    expect(ja.body).toContain('<a href="/member/delivery">配信先</a>');
  });

  it('adds an e-mail address and a webhook, showing the secret once and keeping it encrypted', async () => {
    await admin.get('/member/delivery?lang=en');
    const mail = await admin.post('/member/delivery?lang=en', {
      kind: 'email',
      target: 'SOC@x-sangyo.example',
    });
    expect(mail.status).toBe(200);
    expect(mail.body).toContain('<p class="done" role="status">soc@x-sangyo.example was added.</p>');
    const hook = await admin.post('/member/delivery?lang=en', { kind: 'webhook', target: `${base}/hook` });
    expect(hook.status).toBe(200);
    expect(hook.res.headers.get('Cache-Control')).toBe('no-store');
    const secret = /<code class="secret">([A-Za-z0-9_-]{43})<\/code>/.exec(hook.body)?.[1];
    expect(secret).toBeDefined();
    const stored = await w.center.intel.db
      .selectFrom('org_alert_endpoints')
      .select('secret')
      .where('channel', '=', 'webhook')
      .executeTakeFirstOrThrow();
    expect(stored.secret).not.toContain(secret!);
    expect((await endpoints()).map((e) => [e.channel, e.target])).toEqual([
      ['email', 'soc@x-sangyo.example'],
      ['webhook', `${base}/hook`],
    ]);
    const page = await admin.get('/member/delivery?lang=en');
    expect(page.body).not.toContain(secret!);
    expect(page.body).toContain(
      `<tr><td><code>soc@x-sangyo.example</code></td><td>E-mail</td><td>active</td><td>TLP: all; events: all</td><td>none yet</td>`,
    );
    // The test's webhook is sent at once and verifies with the secret shown.
    const test = await admin.post(`/member/delivery/${(await endpoints())[1]!.id}/test?lang=en`, {});
    expect(test.body).toContain(`A test was sent to ${base}/hook: check that it arrived.`);
    expect(received.map((r) => [r.path, r.event])).toEqual([['/hook', 'endpoint.test']]);
    const r = received[0]!;
    expect(
      verifyWebhookSignature(
        secret!,
        { signature: r.sig, timestamp: r.ts, body: r.body },
        { nowMs: w.clock.ms },
      ),
    ).toBe(true);
  });

  it('shows each endpoint’s last delivery, and sends a GET of an action’s address back to the list', async () => {
    const r = await w.request('/api/v1/reports', {
      token: w.cast.mssp.token,
      json: {
        report: { kind: 'c2', destinations: [{ value: C2_TH, port: 443 }] },
        sharing: { tlp: 'GREEN' },
      },
    });
    const reportId = ((await r.json()) as { id: number }).id;
    const d = await w.center.intel.advisories.draft(w.cast.analyst.actor, {
      source: { type: 'report', id: reportId },
      title: 'delivered to the webhook',
      tlp: 'AMBER',
    });
    await w.center.intel.advisories.send(w.cast.analyst.actor, d.alertId, {
      audience: { orgIds: [w.cast.x.orgId] },
    });
    await w.center.intel.advisories.deliverDue(w.cast.analyst.actor);
    expect(received.map((x) => x.event)).toEqual(['endpoint.test', 'alert.sent']);
    const page = await admin.get('/member/delivery?lang=en');
    // The webhook's delivery is done; the e-mail waits for an SMTP server (not attempted yet).
    expect(page.body).toContain(
      `<td><code>${base}/hook</code></td><td>Webhook</td><td>active</td><td>TLP: all; events: all</td><td>delivered (10 Feb 2012, 09:00 (UTC+09:00), advisory #${d.alertId})</td>`,
    );
    expect(page.body).toContain(
      '<td><code>soc@x-sangyo.example</code></td><td>E-mail</td><td>active</td><td>TLP: all; events: all</td><td>none yet</td>',
    );
    const back = await admin.get(`/member/delivery/${(await endpoints())[1]!.id}/pause?lang=en`);
    expect([back.status, back.res.headers.get('Location')]).toEqual([303, '/member/delivery?lang=en']);
    expect((await endpoints())[1]!.pausedMs).toBe(null);
  });

  it('refuses a malformed address and a URL that is not http(s), changing nothing', async () => {
    await admin.get('/member/delivery?lang=en');
    const before = await endpoints();
    const bad = await admin.post('/member/delivery?lang=en', { kind: 'email', target: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('<p class="error" role="alert">Please check the form:');
    const ftp = await admin.post('/member/delivery?lang=en', {
      kind: 'webhook',
      target: 'ftp://x-sangyo.example/h',
    });
    expect(ftp.status).toBe(400);
    expect(await endpoints()).toEqual(before);
  });

  it('pauses, enables and narrows an endpoint, and says why a test e-mail cannot go', async () => {
    await admin.get('/member/delivery?lang=en');
    const mail = (await endpoints())[0]!;
    const paused = await admin.post(`/member/delivery/${mail.id}/pause?lang=en`, {});
    expect(paused.body).toContain('Delivery to soc@x-sangyo.example is paused.');
    expect(paused.body).toContain('<td>paused (since ');
    expect((await endpoints())[0]!.pausedMs).toBe(w.clock.ms);
    await admin.post(`/member/delivery/${mail.id}/enable?lang=en`, {});
    expect((await endpoints())[0]!.pausedMs).toBe(null);
    const saved = await admin.post(`/member/delivery/${mail.id}/preferences?lang=en`, {
      tlp: ['AMBER', 'RED'],
      event: ['sent', 'withdrawn'],
    });
    expect(saved.body).toContain('Saved what soc@x-sangyo.example is sent.');
    expect(saved.body).toContain('<td>TLP: AMBER, RED; events: sent, withdrawn</td>');
    expect((await endpoints())[0]!.preferences).toEqual({
      tlps: ['AMBER', 'RED'],
      events: ['sent', 'withdrawn'],
    });
    const none = await admin.post(`/member/delivery/${mail.id}/preferences?lang=en`, { event: ['sent'] });
    expect(none.status).toBe(400);
    expect((await endpoints())[0]!.preferences.tlps).toEqual(['AMBER', 'RED']);
    const test = await admin.post(`/member/delivery/${mail.id}/test?lang=en`, {});
    expect(test.status).toBe(400);
    expect(test.body).toContain(
      'The test to soc@x-sangyo.example failed: no SMTP server configured: set advisories.smtp in koban.json',
    );
  });

  it('refuses a plain member (403) and forms without their CSRF token; another organisation’s admin gets 404', async () => {
    const [mail] = await endpoints();
    const m = new PortalBrowser(w, '192.0.2.62');
    await m.login(w.cast.x2.email);
    const page = await m.get('/member/delivery?lang=en');
    expect(page.status).toBe(403);
    expect(page.body).toContain('Only your organisation’s administrators manage its delivery endpoints.');
    expect(page.body).not.toContain('href="/member/delivery');
    expect((await m.post(`/member/delivery/${mail!.id}/remove`, {})).status).toBe(403);
    expect((await admin.post(`/member/delivery/${mail!.id}/remove`, {}, { csrf: false })).status).toBe(403);
    const y = new PortalBrowser(w, '192.0.2.63');
    await y.login(w.cast.y.email);
    await y.get('/member/delivery');
    for (const action of ['pause', 'remove', 'test', 'preferences'])
      expect((await y.post(`/member/delivery/${mail!.id}/${action}?lang=en`, {})).status).toBe(404);
    expect((await y.get('/member/delivery?lang=en')).body).not.toContain('soc@x-sangyo.example');
    expect((await endpoints()).map((e) => [e.target, e.pausedMs])).toEqual([
      ['soc@x-sangyo.example', null],
      [`${base}/hook`, null],
    ]);
    const removed = await admin.post(`/member/delivery/${mail!.id}/remove?lang=en`, {});
    expect(removed.body).toContain('soc@x-sangyo.example was removed.');
    expect((await endpoints()).map((e) => e.target)).toEqual([`${base}/hook`]);
  });
});
