/**
 * The console's advisory, operator-alert, sensor and audit pages over the API world: only center
 * staff get in (a member is refused with 403), forms need the CSRF token, an advisory is drafted
 * from a member's report, previewed per audience (a refused audience says why) and sent, the member
 * answers "received too" and the analyst sees who received it and the answer with its note;
 * operator alerts are filtered, charted, acknowledged and closed; sensors show status, lag and loss;
 * the audit chain is verified by a center admin only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, openApiWorld } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';

let w: ApiWorld;
let analyst: PortalBrowser;
let member: PortalBrowser;
let reportId = 0;
const HOUR = 3_600_000;

beforeAll(async () => {
  w = await openApiWorld();
  const r = await w.request('/api/v1/reports', {
    token: w.cast.x.token,
    json: { report: { kind: 'c2', destinations: [{ value: C2_TH, port: 443 }] }, sharing: { tlp: 'AMBER' } },
  });
  expect(r.status).toBe(201);
  reportId = ((await r.json()) as { id: number }).id;
  analyst = new PortalBrowser(w, '192.0.2.41');
  await analyst.login(w.cast.analyst.email);
  member = new PortalBrowser(w, '192.0.2.42');
  await member.login(w.cast.x.email);
});
afterAll(async () => {
  await w.close();
});

describe('who may open the console', () => {
  it('refuses a member every console page with 403, and sends the signed-out to /login', async () => {
    for (const path of ['/console/advisories', '/console/alerts', '/console/sensors', '/console/audit']) {
      expect((await member.get(path)).status).toBe(403);
      const out = await w.request(path);
      expect(out.status).toBe(303);
      expect(out.headers.get('Location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('links the pages from the console home', async () => {
    const home = await analyst.get('/console/?lang=en');
    expect(home.body).toContain('<li><a href="/console/advisories?lang=en">Advisories</a></li>');
    expect(home.body).toContain('<li><a href="/console/alerts?lang=en">Operator alerts</a></li>');
  });
});

describe('advisories', () => {
  let id = 0;

  it('drafts from a report: the form is prefilled and refuses a post without the CSRF token', async () => {
    const form = await analyst.get(`/console/advisories/new?report=${reportId}&lang=en`);
    expect(form.status).toBe(200);
    expect(form.body).toContain(
      `name="sourceId" inputmode="numeric" size="10" maxlength="12" required value="${reportId}"`,
    );
    const forged = await analyst.post(
      '/console/advisories',
      { sourceType: 'report', sourceId: String(reportId), title: 'x' },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    const bad = await analyst.post('/console/advisories?lang=en', {
      sourceType: 'report',
      sourceId: String(reportId),
      title: 'Fake invoices',
      tlp: 'CLEAR',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Not saved: ');
    expect(bad.body).toContain('value="Fake invoices"');
    const ok = await analyst.post('/console/advisories?lang=en', {
      sourceType: 'report',
      sourceId: String(reportId),
      title: 'Fake invoice <b>mails</b>',
      bodyEn: 'Beware of fake invoice e-mails.',
      sectors: 'manufacturing',
      public: '1',
    });
    expect(ok.status).toBe(303);
    const location = ok.res.headers.get('Location')!;
    const m = /^\/console\/advisories\/(\d+)\?(.*)$/.exec(location);
    expect(m?.[2]).toBe('sectors=manufacturing&public=1&lang=en');
    id = Number(m![1]);
  });

  it('previews the draft per audience as the inbox shows it, and says why the public may not have it', async () => {
    const page = await analyst.get(`/console/advisories/${id}?sectors=manufacturing&public=1&lang=en`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h3 id="pv-0">Members of the sector “manufacturing” (2 organisations)</h3>');
    expect(page.body).toContain(
      '<div class="preview-frame"><p class="tlp-banner" role="note"><span class="tlp tlp-amber">TLP:AMBER</span></p><section class="preview-lang" aria-labelledby="pv-0-ja"><h4 id="pv-0-ja">Recipients reading in Japanese</h4>',
    );
    expect(page.body).toContain('<div lang="en"><article><h5>Fake invoice &lt;b&gt;mails&lt;/b&gt;</h5>');
    expect(page.body).toContain('<div class="body">Beware of fake invoice e-mails.</div>');
    expect(page.body).toContain('<h3 id="pv-1">The public (the public site)</h3>');
    expect(page.body).toContain('It cannot go to this audience: TLP:AMBER cannot go to the public: ');
    // A preview sends nothing.
    expect((await member.get('/member/')).body).not.toContain('Fake invoice');
  });

  it('refuses sending to a refused audience on the form, then sends to the sector', async () => {
    const refused = await analyst.post(`/console/advisories/${id}/send?lang=en`, {
      sectors: 'manufacturing',
      public: '1',
      do: 'send',
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Not saved: TLP:AMBER cannot go to the public');
    const preview = await analyst.post(`/console/advisories/${id}/send?lang=en`, {
      sectors: 'manufacturing',
      do: 'preview',
    });
    expect(preview.res.headers.get('Location')).toBe(
      `/console/advisories/${id}?sectors=manufacturing&lang=en`,
    );
    const sent = await analyst.post(`/console/advisories/${id}/send?lang=en`, {
      sectors: 'manufacturing',
      do: 'send',
    });
    expect(sent.status).toBe(303);
    expect(sent.res.headers.get('Location')).toBe(`/console/advisories/${id}?lang=en`);
  });

  it('shows who received it and who answered "received too", with the note, and the counts in the list', async () => {
    const inbox = await member.get('/member/?lang=en');
    expect(inbox.body).toContain(
      `<a href="/member/advisories/${id}?lang=en">Fake invoice &lt;b&gt;mails&lt;/b&gt;</a>`,
    );
    await member.get(`/member/advisories/${id}`);
    const answered = await member.post(`/member/advisories/${id}/received-too`, {
      note: 'Same mail on 9 Feb',
    });
    expect(answered.status).toBe(303);
    const detail = await analyst.get(`/console/advisories/${id}?lang=en`);
    expect(detail.body).toContain('Delivered to 2 organisations and 0 users');
    expect(detail.body).toContain('<tr><td>X産業株式会社</td><td>inbox</td><td>Delivered');
    expect(detail.body).toContain('<tr><td>Y精機株式会社</td><td>inbox</td><td>Delivered');
    expect(detail.body).toMatch(
      /<tr><td>X産業株式会社<\/td><td>[^<]+<\/td><td>Same mail on 9 Feb<\/td><td><\/td><\/tr>/,
    );
    const list = await analyst.get('/console/advisories?lang=en');
    expect(list.body).toContain(
      `${id}?lang=en">Fake invoice &lt;b&gt;mails&lt;/b&gt;</a></td><td><span class="tlp tlp-amber">TLP:AMBER</span></td>\n<td>Sent</td><td class="num">2</td><td class="num">1</td>`,
    );
  });
});

describe('operator alerts', () => {
  let surge = 0;
  let victim = 0;
  beforeAll(async () => {
    const at = w.clock.ms;
    const series = Array.from({ length: 6 }, (_, i) => ({
      hour: new Date(at - (6 - i) * HOUR).toISOString(),
      sources: i === 5 ? 90 : 10,
      in_baseline: i < 5,
    }));
    surge = (
      await w.center.alerts.raise({
        kind: 'port-surge',
        dedupKey: 'port-surge:tcp/23',
        severity: 'high',
        title: 'Surge on 23/tcp (telnet): 9× baseline distinct sources (all)',
        atMs: at,
        evidence: { phase: 'opened', series, splits: { all: { sources: 90, baseline: 10 } } },
      })
    ).alert.id;
    victim = (
      await w.center.alerts.raise({
        kind: 'backscatter',
        dedupKey: 'backscatter:203.0.113.9',
        severity: 'low',
        title: 'DDoS on 203.0.113.9 (syn-flood, 80)',
        atMs: at,
        evidence: {
          phase: 'opened',
          victim: '203.0.113.9',
          series: [1, 2, 3].map((n) => ({
            minute: new Date(at - n * 60_000).toISOString(),
            addresses: n * 4,
          })),
        },
      })
    ).alert.id;
  });

  it('lists with filters by severity, kind and state', async () => {
    const all = await analyst.get('/console/alerts?lang=en');
    expect(all.status).toBe(200);
    expect(all.body).toContain('2 alerts (critical 0 · high 1 · medium 0 · low 1 · info 0)');
    const high = await analyst.get('/console/alerts?severity=high&lang=en');
    expect(high.body).toContain(`href="/console/alerts/${surge}?lang=en"`);
    expect(high.body).not.toContain(`href="/console/alerts/${victim}?lang=en"`);
    expect(high.body).toContain('<option value="high" selected>high</option>');
    const kind = await analyst.get('/console/alerts?kind=backscatter&status=open&lang=en');
    expect(kind.body).toContain('1 alerts (');
    expect(kind.body).toContain(`href="/console/alerts/${victim}?lang=en"`);
    const closed = await analyst.get('/console/alerts?status=closed&lang=en');
    expect(closed.body).toContain('0 alerts (');
  });

  it('draws the evidence: a surge against its baseline, a victim’s addresses per minute', async () => {
    const s = await analyst.get(`/console/alerts/${surge}?lang=en`);
    expect(s.body).toContain(`<svg role="img" aria-labelledby="ev-${surge}-surge-cap" class="chart"`);
    expect(s.body).toContain('Distinct sources on 23/tcp per hour, against the baseline</figcaption>');
    expect(s.body).not.toContain('style=');
    const v = await analyst.get(`/console/alerts/${victim}?lang=en`);
    expect(v.body).toContain('Monitored addresses hit per minute by the attack on 203.0.113.9</figcaption>');
  });

  it('acknowledges and closes through the alert store, recording who; closing twice is a 409', async () => {
    const forged = await analyst.post(`/console/alerts/${surge}/ack`, {}, { csrf: false });
    expect(forged.status).toBe(403);
    const ack = await analyst.post(`/console/alerts/${surge}/ack?lang=en`, {});
    expect(ack.status).toBe(303);
    expect(await w.center.alerts.get(surge)).toMatchObject({
      status: 'acknowledged',
      ackedBy: 'analyst@center.example',
    });
    await analyst.get(`/console/alerts/${surge}?lang=en`);
    expect((await analyst.post(`/console/alerts/${surge}/close?lang=en`, {})).status).toBe(303);
    expect(await w.center.alerts.get(surge)).toMatchObject({
      status: 'closed',
      closedBy: 'analyst@center.example',
    });
    const again = await analyst.post(`/console/alerts/${surge}/close?lang=en`, {});
    expect(again.status).toBe(409);
    expect(again.body).toContain('This alert is already closed.');
    expect((await analyst.get('/console/alerts/999999?lang=en')).status).toBe(404);
  });
});

describe('sensors and the audit chain', () => {
  it('shows each sensor’s status, last seen, lag and loss', async () => {
    const { sensor } = await w.center.registry.add({ name: 'fw-a', site: 'Tokyo' }, w.clock.ms - 2 * HOUR);
    await w.center.registry.add({ name: 'fw-b' }, w.clock.ms);
    await w.center.registry.recordDelivery(sensor.id, {
      nowMs: w.clock.ms - 90 * 60_000,
      events: 1200,
      newestEventMs: w.clock.ms - 95 * 60_000,
      droppedTotal: 7,
    });
    const page = await analyst.get('/console/sensors?lang=en');
    expect(page.status).toBe(200);
    expect(page.body).toMatch(
      /<tr><td>fw-a<\/td><td>Tokyo<\/td><td><span class="sensor-silent">Silent<\/span><\/td>\n<td>[^<]+<\/td><td class="num">5 min<\/td>\n<td class="num">7<\/td><td class="num">1,200<\/td><\/tr>/,
    );
    expect(page.body).toContain(
      '<tr><td>fw-b</td><td></td><td><span class="sensor-never-seen">Never seen</span></td>',
    );
    expect(page.body).toContain('No monitored address space is registered');
  });

  it('verifies the audit chain for a center admin, and refuses an analyst', async () => {
    expect((await analyst.get('/console/audit')).status).toBe(403);
    const admin = new PortalBrowser(w, '192.0.2.43');
    await admin.login(w.cast.admin.email);
    const form = await admin.get('/console/audit?lang=en');
    expect(form.status).toBe(200);
    expect(form.body).not.toContain('The chain is');
    const run = await admin.post('/console/audit?lang=en', {});
    expect(run.status).toBe(200);
    expect(run.body).toContain(
      '<p class="done" role="status"><strong>The chain is intact</strong>: chain intact',
    );
    expect(run.body).toMatch(/<tr><td>audit_log<\/td><td class="num">\d[\d,]*<\/td>/);
  });
});
