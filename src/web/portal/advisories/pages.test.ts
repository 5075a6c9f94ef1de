/**
 * Public advisories: the list, one advisory and the Atom feed show sent TLP:CLEAR alerts only (read
 * as the anonymous public through intel's access check), with the TLP:CLEAR banner, escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, C2_TH, openApiWorld } from '../../../../test/api-world.js';

let w: ApiWorld;
const ids = { clear: 0, green: 0, draft: 0 };
const TITLE = 'Lure <script>alert(1)</script> & "friends"';

beforeAll(async () => {
  w = await openApiWorld();
  const r = await w.request('/api/v1/reports', {
    token: w.cast.x.token,
    json: { report: { kind: 'c2', destinations: [{ value: C2_TH, port: 443 }] }, sharing: { tlp: 'CLEAR' } },
  });
  expect(r.status).toBe(201);
  const reportId = ((await r.json()) as { id: number }).id;
  const analyst = w.cast.analyst.actor;
  const draft = (tlp: 'CLEAR' | 'GREEN', title: string) =>
    w.center.intel.advisories.draft(analyst, {
      source: { type: 'report', id: reportId },
      title,
      tlp,
      bodyJa: '偽の請求書メールに注意してください。',
      bodyEn: 'Beware of fake invoice e-mails.',
    });
  ids.clear = (await draft('CLEAR', TITLE)).alertId;
  await w.center.intel.advisories.send(analyst, ids.clear, { audience: { public: true } });
  ids.green = (await draft('GREEN', 'Members only: GREEN')).alertId;
  await w.center.intel.advisories.send(analyst, ids.green, { audience: { allMembers: true } });
  ids.draft = (await draft('CLEAR', 'Unsent CLEAR draft')).alertId;
});
afterAll(async () => {
  await w.close();
});

const get = async (path: string) => {
  const r = await w.request(path);
  return { status: r.status, body: await r.text(), type: r.headers.get('Content-Type') };
};
const ESCAPED = 'Lure &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;';

describe('public advisories', () => {
  it('lists the sent TLP:CLEAR advisories only, escaped, under the TLP:CLEAR banner', async () => {
    const { status, body } = await get('/advisories?lang=en');
    expect(status).toBe(200);
    expect(body).toContain(
      '<p class="tlp-banner" role="note"><span class="tlp tlp-clear">TLP:CLEAR</span> Public information; disclosure is not limited',
    );
    expect(body).toContain(`<a href="/advisories/${ids.clear}?lang=en">${ESCAPED}</a>`);
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('Members only');
    expect(body).not.toContain('Unsent CLEAR draft');
  });

  it('shows one advisory in the page’s language, and no other label: GREEN and drafts are not found', async () => {
    const ja = await get(`/advisories/${ids.clear}`);
    expect(ja.status).toBe(200);
    expect(ja.body).toContain(`<h1>${ESCAPED}</h1>`);
    expect(ja.body).toContain('<div class="body">偽の請求書メールに注意してください。</div>');
    expect(ja.body).toContain('<span class="tlp tlp-clear">TLP:CLEAR</span> 公開情報です。');
    expect((await get(`/advisories/${ids.clear}?lang=en`)).body).toContain('Beware of fake invoice e-mails.');
    for (const path of [
      `/advisories/${ids.green}`,
      `/advisories/${ids.draft}`,
      '/advisories/999',
      '/advisories/x1',
    ])
      expect((await get(path)).status).toBe(404);
    expect((await get(`/advisories/${ids.green}`)).body).not.toContain('Members only');
  });

  it('publishes an Atom feed of the same advisories', async () => {
    const { status, body, type } = await get('/advisories.atom?lang=en');
    expect(status).toBe(200);
    expect(type).toBe('application/atom+xml; charset=utf-8');
    expect(body).toMatch(
      /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom" xml:lang="en">/,
    );
    expect(body.match(/<entry>/g)).toHaveLength(1);
    expect(body).toContain(`<id>urn:koban:advisory:${ids.clear}</id>`);
    expect(body).toContain(`<title>${ESCAPED}</title>`);
    expect(body).toContain('<category term="TLP:CLEAR"/>');
    expect(body).toContain('<content type="text">Beware of fake invoice e-mails.</content>');
    expect(body).toContain(`href="http://localhost/advisories/${ids.clear}?lang=en"`);
  });
});
