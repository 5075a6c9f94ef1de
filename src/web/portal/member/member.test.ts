/**
 * The member portal over intel's services, as a signed-in member sees it: the inbox of their
 * organisation's advisories (TLP labels, unread marked), one advisory with "mark read" and "we
 * received this too", the report submission with its preview (private parts marked as not shared,
 * hostile e-mail content escaped), and the organisation's reports — another organisation's
 * report or advisory is "not found".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, openApiWorld } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';

let w: ApiWorld;
let x: PortalBrowser;
const ids = { reportX: 0, reportY: 0, toX: 0, toY: 0 };
const TITLE = 'Invoice <script>alert(1)</script> & "pay"';
const ESCAPED = 'Invoice &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;pay&quot;';

/** A lure written for this test (RFC 5322): hostile markup in the subject, sender and body. */
const HOSTILE_EML = [
  'From: "Evil <b onmouseover=alert(2)>" <billing@evil.example>',
  'To: "Tanaka" <tanaka@x-sangyo.example>',
  'Subject: <script>alert("x")</script> Invoice & "pay"',
  'Date: Thu, 09 Feb 2012 10:00:00 +0900',
  'Message-ID: <lure-1@evil.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  `Pay here: http://${C2_TH}/pay?<img src=x onerror=alert(3)>`,
  '',
].join('\r\n');

beforeAll(async () => {
  w = await openApiWorld();
  const submit = async (token: string, tlp: string) => {
    const r = await w.request('/api/v1/reports', {
      token,
      json: { report: { kind: 'c2', destinations: [{ value: C2_TH, port: 443 }] }, sharing: { tlp } },
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as { id: number }).id;
  };
  ids.reportX = await submit(w.cast.x.token, 'GREEN');
  ids.reportY = await submit(w.cast.y.token, 'AMBER');
  const analyst = w.cast.analyst.actor;
  const send = async (title: string, orgId: number) => {
    const d = await w.center.intel.advisories.draft(analyst, {
      source: { type: 'report', id: ids.reportX },
      title,
      tlp: 'AMBER',
      bodyJa: '偽の請求書メールに注意してください。',
      bodyEn: 'Beware of fake invoice e-mails.',
    });
    await w.center.intel.advisories.send(analyst, d.alertId, { audience: { orgIds: [orgId] } });
    return d.alertId;
  };
  ids.toX = await send(TITLE, w.cast.x.orgId);
  ids.toY = await send('For Y only', w.cast.y.orgId);
  x = new PortalBrowser(w, '192.0.2.31');
  await x.login(w.cast.x.email);
});
afterAll(async () => {
  await w.close();
});

const between = (s: string, from: string, to: string) =>
  s.slice(s.indexOf(from), s.indexOf(to, s.indexOf(from)));

describe('the inbox', () => {
  it('lists the organisation’s advisories only, unread marked, labelled, escaped — in both languages', async () => {
    const en = await x.get('/member/?lang=en');
    expect(en.status).toBe(200);
    expect(en.body).toContain('Advisories sent to X産業株式会社, newest first.');
    expect(en.body).toContain(
      `<li class="unread"><span class="tlp tlp-amber">TLP:AMBER</span> <strong class="badge">Unread</strong> <a href="/member/advisories/${ids.toX}?lang=en">${ESCAPED}</a>`,
    );
    expect(en.body).not.toContain('For Y only');
    expect(en.body).not.toContain('<script>');
    const ja = await x.get('/member/');
    expect(ja.body).toContain('<strong class="badge">未読</strong>');
    expect(ja.body).toContain('X産業株式会社 宛ての注意喚起です (新しい順)。');
  });

  it('shows an advisory under its TLP banner; another organisation’s advisory is not found (404)', async () => {
    const page = await x.get(`/member/advisories/${ids.toX}?lang=en`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(
      '<p class="tlp-banner" role="note"><span class="tlp tlp-amber">TLP:AMBER</span></p>',
    );
    expect(page.body).toContain(`<h1>${ESCAPED}</h1>`);
    expect(page.body).toContain('<div class="body">Beware of fake invoice e-mails.</div>');
    for (const path of [
      `/member/advisories/${ids.toY}?lang=en`,
      '/member/advisories/99999',
      '/member/advisories/x',
    ])
      expect((await x.get(path)).status).toBe(404);
    expect((await x.get(`/member/advisories/${ids.toY}?lang=en`)).body).not.toContain('For Y only');
  });

  it('marks an advisory read', async () => {
    await x.get(`/member/advisories/${ids.toX}?lang=en`);
    const r = await x.post(`/member/advisories/${ids.toX}/read?lang=en`, {});
    expect(r.status).toBe(303);
    expect(r.res.headers.get('Location')).toBe(`/member/advisories/${ids.toX}?lang=en`);
    expect((await x.get(`/member/advisories/${ids.toX}?lang=en`)).body).toContain(
      'You have read this version.',
    );
    expect((await x.get('/member/?lang=en')).body).not.toContain('class="unread"');
    const [item] = await w.center.intel.advisories.inbox(w.cast.x.actor, {});
    expect(item).toMatchObject({ id: ids.toX, unread: false });
  });

  it('answers “we received this too” with a note and one of the organisation’s reports, once', async () => {
    const page = await x.get(`/member/advisories/${ids.toX}?lang=en`);
    expect(page.body).toContain(`<option value="${ids.reportX}">#${ids.reportX} `);
    // Only the organisation's own reports are offered.
    expect(page.body).not.toContain(`<option value="${ids.reportY}">`);
    const noToken = await x.post(
      `/member/advisories/${ids.toX}/received-too`,
      { note: 'x' },
      { csrf: false },
    );
    expect(noToken.status).toBe(403);
    const r = await x.post(`/member/advisories/${ids.toX}/received-too?lang=en`, {
      note: 'Two employees got it <b>',
      reportId: String(ids.reportX),
    });
    expect(r.status).toBe(303);
    const after = await x.get(`/member/advisories/${ids.toX}?lang=en`);
    expect(after.body).toMatch(/You answered “received too” on 10 Feb 2012, 09:00 \(UTC\+09:00\)\./);
    const v = await w.center.intel.advisories.get(w.cast.analyst.actor, ids.toX);
    expect(v.analysis?.sightings.map((s) => [s.orgId, s.reportId, s.note])).toEqual([
      [w.cast.x.orgId, ids.reportX, 'Two employees got it <b>'],
    ]);
    // Not for another organisation's advisory.
    expect((await x.post(`/member/advisories/${ids.toY}/received-too`, {})).status).toBe(404);
  });
});

describe('submitting a report', () => {
  it('previews an uploaded e-mail: shared view, private part marked as not shared, everything escaped', async () => {
    await x.get('/member/submit?lang=en');
    const r = await x.post(
      '/member/submit/email?lang=en',
      { tlp: 'GREEN' },
      { file: { field: 'eml', name: 'lure.eml', bytes: Buffer.from(HOSTILE_EML) } },
    );
    expect(r.status).toBe(200);
    expect(r.body).toContain(
      '<p class="tlp-banner" role="note"><span class="tlp tlp-green">TLP:GREEN</span></p>',
    );
    expect(r.body).not.toMatch(/<script>alert|<img src=x|<b onmouseover/);
    expect(r.body).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Invoice &amp; &quot;pay&quot;',
    );
    const shared = between(r.body, '<section class="shared"', '</section>');
    const secret = between(r.body, '<section class="private"', '</section>');
    expect(secret).toContain('What stays private <span class="not-shared">not shared</span>');
    // The recipient is the reporter's colleague: in the private part only.
    expect(secret).toContain('tanaka@x-sangyo.example');
    expect(shared).not.toContain('tanaka@x-sangyo.example');
    expect(shared).toContain(`<code>${C2_TH}</code>`);
    expect(await w.center.intel.reports.list(w.cast.x.actor, { ownOrganisation: true })).toHaveLength(1);

    const sent = await x.post('/member/submit/confirm?lang=en', {
      pending: /name="pending" value="([^"]+)"/.exec(r.body)![1]!,
      consent: 'yes',
    });
    expect(sent.status).toBe(303);
    const location = sent.res.headers.get('Location')!;
    const id = Number(/^\/member\/reports\/(\d+)\?stored=1&lang=en$/.exec(location)![1]);
    const view = await w.center.intel.reports.get(w.cast.x.actor, id);
    expect([view.kind, view.tlp, view.consent]).toEqual(['email', 'GREEN', true]);
    const page = await x.get(location);
    expect(page.body).toContain('<p class="done" role="status">The report was received.</p>');
    expect(page.body).not.toMatch(/<script>alert|<img src=x/);
    // The same C2 address as X's and Y's reports: the campaign joined is shown as far as X may read it —
    // not while Y's AMBER report keeps it AMBER, then once the center labels it GREEN.
    const campaign = await w.center.intel.campaigns.get(w.cast.analyst.actor, view.campaignId!);
    expect(campaign.tlp).toBe('AMBER');
    expect(page.body).toContain('<h2>Campaigns it joined</h2>\n<p>no campaign you may see</p>');
    expect(page.body).not.toContain(campaign.name);
    await w.center.intel.campaigns.setLabel(w.cast.analyst.actor, campaign.id, 'GREEN');
    const later = await x.get(location);
    expect(later.body).toContain(
      `<li><span class="tlp tlp-green">TLP:GREEN</span> ${campaign.name} — 2 reports you may read</li>`,
    );
    // A preview is sent once.
    const again = await x.post('/member/submit/confirm?lang=en', { pending: 'x'.repeat(43) });
    expect(again.status).toBe(400);
    expect(again.body).toContain('The report being previewed was not found (it expired).');
  });

  it('previews C2 destinations typed in the form, then stores them', async () => {
    await x.get('/member/submit');
    const r = await x.post('/member/submit/form', {
      kind: 'c2',
      values: `${C2_TH}\n`,
      description: '社内の 10.20.30.40 から接続',
      tlp: 'AMBER',
    });
    expect(r.status).toBe(200);
    expect(r.body).toContain('共有されない内容 (非公開部分) <span class="not-shared">共有されません</span>');
    const secret = between(r.body, '<section class="private"', '</section>');
    const shared = between(r.body, '<section class="shared"', '</section>');
    expect(secret).toContain('10.20.30.40');
    expect(shared).not.toContain('10.20.30.40');
    expect(shared).toContain(`<td>ipv4 (c2)</td><td><code>${C2_TH}</code></td>`);
    const sent = await x.post('/member/submit/confirm', {
      pending: /name="pending" value="([^"]+)"/.exec(r.body)![1]!,
    });
    expect(sent.status).toBe(303);
    const id = Number(/^\/member\/reports\/(\d+)\?stored=1$/.exec(sent.res.headers.get('Location')!)![1]);
    expect((await w.center.intel.reports.get(w.cast.x.actor, id)).consent).toBe(false);
  });

  it('refuses an upload without its CSRF token (403) and an empty one with a message (400)', async () => {
    await x.get('/member/submit?lang=en');
    const file = { field: 'eml', name: 'lure.eml', bytes: Buffer.from(HOSTILE_EML) };
    expect((await x.post('/member/submit/email', {}, { csrf: false, file })).status).toBe(403);
    const empty = await x.post(
      '/member/submit/email?lang=en',
      {},
      { file: { ...file, bytes: new Uint8Array() } },
    );
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('No file was chosen.');
  });
});

describe('the organisation’s reports', () => {
  it('lists the organisation’s own reports only, and another organisation’s AMBER report is not found (404)', async () => {
    const lone = await w.request('/api/v1/reports', {
      token: w.cast.x2.token,
      json: { report: { kind: 'malware', hashes: ['e'.repeat(64)] }, sharing: { tlp: 'AMBER' } },
    });
    const loneId = ((await lone.json()) as { id: number }).id;
    const list = await x.get('/member/reports?lang=en');
    // A colleague's report is the organisation's too; one in no campaign says so.
    expect(list.body).toMatch(
      new RegExp(
        `<a href="/member/reports/${loneId}\\?lang=en">[^<]+</a></td><td>[^<]+</td><td>not linked to a campaign</td>`,
      ),
    );
    expect(list.status).toBe(200);
    expect(list.body).toContain(`<a href="/member/reports/${ids.reportX}?lang=en">`);
    expect(list.body).not.toContain(`/member/reports/${ids.reportY}?`);
    expect((await x.get(`/member/reports/${ids.reportY}?lang=en`)).status).toBe(404);
    const own = await x.get(`/member/reports/${ids.reportX}?lang=en`);
    expect(own.status).toBe(200);
    expect(own.body).toContain(
      '<p class="tlp-banner" role="note"><span class="tlp tlp-green">TLP:GREEN</span></p>',
    );
  });
});
