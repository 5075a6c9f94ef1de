/**
 * The analyst console's pages and actions over intel's services, as a signed-in analyst sees them:
 * the triage queue (filters, keyset paging, status changes), a report's page (private part marked,
 * custody, adding indicators, linking to a campaign, requesting a lower label under intel's label
 * rules), the indicator search and the campaigns (rename, merge, split, label, timeline) — every
 * form refused without its CSRF token, the whole console refused to a member (403).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, C2_US, openApiWorld } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';

let w: ApiWorld;
let a: PortalBrowser;
let m: PortalBrowser;
const ids = { green: 0, amber: 0, lone: 0, red: 0, mail: 0, campaign: 0, other: 0 };

/** A lure written for this test (RFC 5322): the recipient's address is private, the C2 URL shared. */
const EML = [
  'From: "Billing" <billing@evil.example>',
  'To: "Tanaka" <tanaka@x-sangyo.example>',
  'Subject: Invoice <b>overdue</b>',
  'Date: Thu, 09 Feb 2012 10:00:00 +0900',
  'Message-ID: <console-1@evil.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  `Pay here: http://${C2_TH}/pay`,
  '',
].join('\r\n');

beforeAll(async () => {
  w = await openApiWorld();
  const intake = w.center.intel.intake;
  const c2 = (value: string) => ({ kind: 'c2' as const, destinations: [{ value, port: 443 }] });
  ids.green = (await intake.submitReport(w.cast.x.actor, c2(C2_TH), { tlp: 'GREEN' })).reportId;
  const amber = await intake.submitReport(w.cast.y.actor, c2(C2_TH), { tlp: 'AMBER' });
  ids.amber = amber.reportId;
  ids.campaign = amber.correlation!.campaignId!;
  ids.lone = (await intake.submitReport(w.cast.y.actor, c2(C2_US), { tlp: 'AMBER' })).reportId;
  ids.red = (await intake.submitReport(w.cast.x.actor, c2('198.51.100.7'), { tlp: 'RED' })).reportId;
  ids.mail = (await intake.submitEmail(w.cast.x.actor, Buffer.from(EML), { tlp: 'AMBER' })).reportId;
  a = new PortalBrowser(w, '192.0.2.41');
  expect(await a.login(w.cast.analyst.email)).toBe('/console/');
  m = new PortalBrowser(w, '192.0.2.42');
  await m.login(w.cast.x.email);
});
afterAll(async () => {
  await w.close();
});

const rowIds = (body: string) =>
  [...body.matchAll(/<tr><td class="n">(\d+)<\/td>/g)].map((x) => Number(x[1]));

describe('the console’s door', () => {
  it('links the console’s pages from its landing page, in both languages', async () => {
    const ja = await a.get('/console/');
    expect(ja.status).toBe(200);
    expect(ja.body).toContain('<h1>分析コンソール</h1>');
    expect(ja.body).toContain('<li><a href="/console/triage">トリアージ</a> — ');
    const en = await a.get('/console/?lang=en');
    expect(en.body).toContain('<li><a href="/console/campaigns?lang=en">Campaigns</a> — ');
  });

  it('refuses a member every page and form of the console with 403', async () => {
    for (const path of [
      '/console/',
      '/console/triage',
      `/console/reports/${ids.green}`,
      '/console/campaigns',
    ])
      expect((await m.get(path)).status).toBe(403);
    await m.get('/member/');
    const r = await m.post(`/console/reports/${ids.green}/triage`, { status: 'done' });
    expect(r.status).toBe(403);
    expect(r.body).toContain('分析コンソールは当センターの職員');
  });
});

describe('the triage queue', () => {
  it('lists the readable reports newest first, a RED one not addressed to the analyst left out', async () => {
    const r = await a.get('/console/triage?lang=en');
    expect(r.status).toBe(200);
    expect(rowIds(r.body)).toEqual([ids.mail, ids.lone, ids.amber, ids.green]);
    expect(r.body).toContain(
      '<p class="tlp-banner" role="note"><span class="tlp tlp-amber">TLP:AMBER</span>',
    );
    expect(r.body).toContain('<option value="new" selected>New</option>');
  });

  it('filters by organisation, label, kind and status, and pages by id', async () => {
    const org = await a.get(`/console/triage?org=${w.cast.y.orgId}`);
    expect(rowIds(org.body)).toEqual([ids.lone, ids.amber]);
    expect(rowIds((await a.get('/console/triage?tlp=GREEN')).body)).toEqual([ids.green]);
    expect(rowIds((await a.get('/console/triage?kind=email')).body)).toEqual([ids.mail]);
    expect(rowIds((await a.get(`/console/triage?before=${ids.amber}`)).body)).toEqual([ids.green]);
    // A value that is not one of the choices is no filter.
    expect(rowIds((await a.get('/console/triage?tlp=PURPLE')).body)).toHaveLength(4);
  });

  it('changes a report’s status through the form, and back to the queue it came from', async () => {
    await a.get('/console/triage');
    const r = await a.post(`/console/reports/${ids.lone}/triage`, {
      status: 'in-review',
      back: '/console/triage?kind=c2',
    });
    expect(r.status).toBe(303);
    expect(r.res.headers.get('Location')).toBe(`/console/triage?kind=c2&done=${ids.lone}%3Ain-review`);
    const page = await a.get(`/console/triage?kind=c2&done=${ids.lone}%3Ain-review`);
    expect(page.body).toContain(
      `<p class="done" role="status">報告 #${ids.lone} を「確認中」にしました。</p>`,
    );
    expect(rowIds((await a.get('/console/triage?status=in-review')).body)).toEqual([ids.lone]);
    // Elsewhere than the console is no place to go back to.
    const off = await a.post(`/console/reports/${ids.lone}/triage`, {
      status: 'done',
      back: 'https://evil.example/',
    });
    expect(off.res.headers.get('Location')).toBe(`/console/triage?done=${ids.lone}%3Adone`);
  });

  it('refuses a status change without the CSRF token, and an unknown status', async () => {
    await a.get('/console/triage');
    const r = await a.post(`/console/reports/${ids.green}/triage`, { status: 'done' }, { csrf: false });
    expect(r.status).toBe(403);
    const bad = await a.post(`/console/reports/${ids.green}/triage`, { status: 'closed' });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('status must be one of new, in-review, done');
    expect((await a.post(`/console/reports/${ids.red}/triage`, { status: 'done' })).status).toBe(404);
  });
});

describe('a report’s page', () => {
  it('shows the shared content, the private part marked, the indicators and the evidence’s custody', async () => {
    const r = await a.get(`/console/reports/${ids.mail}?lang=en`);
    expect(r.status).toBe(200);
    expect(r.body).toContain(
      '<p class="tlp-banner" role="note"><span class="tlp tlp-amber">TLP:AMBER</span></p>',
    );
    expect(r.body).toContain('Invoice &lt;b&gt;overdue&lt;/b&gt;');
    expect(r.body).not.toContain('<b>overdue</b>');
    const priv = r.body.slice(r.body.indexOf('<section class="private"'), r.body.indexOf('</section>'));
    expect(priv).toContain(
      'Private part (the reporter and the center only)<span class="not-shared">not shared</span>',
    );
    expect(priv).toContain('tanaka@x-sangyo.example');
    expect(r.body).toContain(
      `<a href="/console/indicators?q=http%3A%2F%2F${C2_TH}%2Fpay&amp;lang=en"><code>http://${C2_TH}/pay</code></a>`,
    );
    const sha = /SHA-256: <code>([0-9a-f]{64})<\/code>/.exec(r.body);
    expect(sha).not.toBeNull();
    expect(r.body).toContain('<td>received (#');
    expect(r.body).toContain(`Reporting organisation: X産業株式会社`);
  });

  it('shows a center admin who accessed the report (audit log), and leaves that out for an analyst', async () => {
    expect((await a.get(`/console/reports/${ids.mail}?lang=en`)).body).not.toContain('Access to this report');
    const admin = new PortalBrowser(w, '192.0.2.43');
    await admin.login(w.cast.admin.email);
    const r = await admin.get(`/console/reports/${ids.mail}?lang=en`);
    const log = r.body.slice(r.body.indexOf('<h3>Access to this report (audit log, newest 50)</h3>'));
    expect(log).toContain(` (user:${w.cast.analyst.userId})</td><td>report.read</td>`);
    expect(log).toContain(` (user:${w.cast.analyst.userId})</td><td>report.read-private</td>`);
    expect(log).toContain(`<td>user:${w.cast.x.userId}</td><td>report.create</td>`);
  });

  it('answers 404 for a report the analyst may not read, as for a missing one', async () => {
    expect((await a.get(`/console/reports/${ids.red}`)).status).toBe(404);
    expect((await a.get('/console/reports/999999')).status).toBe(404);
  });

  it('adds indicators through the form, and says why a value is refused', async () => {
    await a.get(`/console/reports/${ids.lone}`);
    const r = await a.post(`/console/reports/${ids.lone}/indicators`, {
      values: 'hxxp://drop-zone[.]example/x\n',
      role: 'c2',
      note: 'sandbox run',
    });
    expect(r.status).toBe(303);
    expect(r.res.headers.get('Location')).toBe(`/console/reports/${ids.lone}?done=added%3A1`);
    const page = await a.get(`/console/reports/${ids.lone}?done=added%3A1`);
    expect(page.body).toContain('<p class="done" role="status">1 件の指標を追加しました。</p>');
    expect(page.body).toContain('<code>http://drop-zone.example/x</code>');
    const bad = await a.post(`/console/reports/${ids.lone}/indicators`, {
      values: 'not a value at all',
      role: 'c2',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('indicator 1: &quot;not a value at all&quot; is not a valid indicator');
    const noToken = await a.post(
      `/console/reports/${ids.lone}/indicators`,
      { values: '203.0.113.9' },
      { csrf: false },
    );
    expect(noToken.status).toBe(403);
  });

  it('links the report to a campaign, and refuses linking it twice', async () => {
    await a.get(`/console/reports/${ids.mail}`);
    const other = await w.center.intel.campaigns.list(w.cast.analyst.actor);
    expect(other.map((c) => c.id)).toContain(ids.campaign);
    const before = await a.get(`/console/reports/${ids.lone}`);
    expect(before.body).toContain(`<option value="${ids.campaign}">#${ids.campaign} `);
    const r = await a.post(`/console/reports/${ids.lone}/campaign`, { campaignId: String(ids.campaign) });
    expect(r.status).toBe(303);
    const page = await a.get(`/console/reports/${ids.lone}?done=linked`);
    expect(page.body).toContain('キャンペーンに関連付けました。');
    expect(page.body).toContain(`<a href="/console/campaigns/${ids.campaign}">#${ids.campaign} `);
    const again = await a.post(`/console/reports/${ids.lone}/campaign`, { campaignId: String(ids.campaign) });
    expect(again.status).toBe(409);
  });

  it('changes a label only as intel’s rules allow: a request for a lower label, pending approval', async () => {
    const page = await a.get(`/console/reports/${ids.amber}?lang=en`);
    expect(page.body).toContain('<option value="GREEN">TLP:GREEN</option>');
    expect(page.body).not.toContain('<option value="RED">TLP:RED</option>');
    const up = await a.post(`/console/reports/${ids.amber}/label`, { tlp: 'RED', reason: 'more secret' });
    expect(up.status).toBe(400);
    expect(up.body).toContain(`report ${ids.amber} is TLP:AMBER: TLP:RED is not below it`);
    const r = await a.post(`/console/reports/${ids.amber}/label`, { tlp: 'GREEN', reason: 'widely seen' });
    expect(r.status).toBe(303);
    const after = await a.get(`/console/reports/${ids.amber}?lang=en&done=requested`);
    expect(after.body).toContain('<li>TLP:AMBER → TLP:GREEN · Pending · ');
    // The label itself is unchanged until approved.
    expect(after.body).toContain('<span class="tlp tlp-amber">TLP:AMBER</span> Kind: c2');
    const twice = await a.post(`/console/reports/${ids.amber}/label`, {
      tlp: 'GREEN',
      reason: 'widely seen',
    });
    expect(twice.status).toBe(409);
    expect(
      (await a.post(`/console/reports/${ids.amber}/label`, { tlp: 'GREEN', reason: 'x' }, { csrf: false }))
        .status,
    ).toBe(403);
  });
});

describe('the indicator search', () => {
  it('finds values with their aggregates, campaigns and reports', async () => {
    const r = await a.get(`/console/indicators?q=${encodeURIComponent('27.254.40')}&lang=en`);
    expect(r.status).toBe(200);
    const row = r.body.slice(r.body.indexOf(`<code>${C2_TH}</code>`));
    expect(row).toMatch(
      new RegExp(
        `^<code>${C2_TH.replace(/\./g, '\\.')}</code></td>\\s*<td class="n">3</td><td class="n">2</td>`,
      ),
    );
    expect(row).toContain(`<a href="/console/campaigns/${ids.campaign}?lang=en">#${ids.campaign} `);
    expect(row).toContain(`<a href="/console/reports/${ids.mail}?lang=en">#${ids.mail}</a>`);
    expect((await a.get('/console/indicators?q=no-such-thing.example&lang=en')).body).toContain(
      'No indicator matches.',
    );
  });
});

describe('campaigns', () => {
  it('lists campaigns and shows one with its reports and timeline', async () => {
    const list = await a.get('/console/campaigns');
    expect(list.body).toContain(`<a href="/console/campaigns/${ids.campaign}">`);
    const one = await a.get(`/console/campaigns/${ids.campaign}?lang=en`);
    expect(one.status).toBe(200);
    expect(one.body).toContain(
      '<figcaption id="timeline-h">Reports over time (per day)</figcaption><svg role="img" aria-labelledby="timeline-h"',
    );
    expect(one.body).toContain(`form="split-form" aria-label="Select report #${ids.amber}"`);
  });

  it('renames, splits off selected reports, merges back and relabels, each refused without a token', async () => {
    await a.get(`/console/campaigns/${ids.campaign}`);
    const base = `/console/campaigns/${ids.campaign}`;
    expect((await a.post(`${base}/rename`, { name: 'Gate 2012' })).status).toBe(303);
    expect((await a.get(base)).body).toContain('<h1>#' + ids.campaign + ' Gate 2012</h1>');
    expect((await a.post(`${base}/rename`, { name: 'x' }, { csrf: false })).status).toBe(403);
    expect((await a.post(`${base}/split`, { name: 'none' })).status).toBe(400);
    const split = await a.post(`${base}/split`, { reportIds: [String(ids.amber)], name: 'Gate 2012 (Y)' });
    expect(split.status).toBe(303);
    const created = Number(/\/console\/campaigns\/(\d+)\?/.exec(split.res.headers.get('Location')!)![1]);
    expect(
      (await w.center.intel.campaigns.get(w.cast.analyst.actor, created)).reports.map((r) => r.id),
    ).toEqual([ids.amber]);
    const merge = await a.post(`${base}/merge`, { sourceId: String(created) });
    expect(merge.status).toBe(303);
    expect(
      (await w.center.intel.campaigns.get(w.cast.analyst.actor, ids.campaign)).reports.map((r) => r.id),
    ).toContain(ids.amber);
    expect((await a.get(`/console/campaigns/${created}`)).status).toBe(404);
    expect((await a.post(`${base}/label`, { tlp: 'GREEN' })).status).toBe(303);
    expect((await w.center.intel.campaigns.get(w.cast.analyst.actor, ids.campaign)).tlp).toBe('GREEN');
    expect((await m.post(`${base}/label`, { tlp: 'CLEAR' })).status).toBe(403);
  });
});

describe('the triage queue’s pages', () => {
  it('shows 50 reports a page, the next page starting after the last one shown', async () => {
    const more: number[] = [];
    for (let i = 0; i < 48; i++)
      more.push(
        (
          await w.center.intel.intake.submitReport(
            w.cast.y.actor,
            { kind: 'text', title: `note ${i}`, text: 'nothing to extract' },
            { tlp: 'GREEN' },
          )
        ).reportId,
      );
    const all = [...more.reverse(), ids.mail, ids.lone, ids.amber, ids.green];
    const first = await a.get('/console/triage?lang=en');
    expect(rowIds(first.body)).toEqual(all.slice(0, 50));
    const next = /<a rel="next" href="([^"]+)">Next page →<\/a>/.exec(first.body);
    expect(next?.[1]).toBe(`/console/triage?before=${all[49]}&amp;lang=en`);
    const second = await a.get(`/console/triage?before=${all[49]}&lang=en`);
    expect(rowIds(second.body)).toEqual(all.slice(50));
    expect(second.body).not.toContain('rel="next"');
    expect(second.body).toContain('<a href="/console/triage?lang=en">First page</a>');
  });
});
