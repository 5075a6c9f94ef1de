/**
 * Drafting in the console beyond a draft from a report: an advisory written from scratch (no
 * source; its label must be chosen), the preview in both languages (a missing text said so, and
 * what those readers get instead), and an audience of organisations named by name or number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';

let w: ApiWorld;
let analyst: PortalBrowser;
let x: PortalBrowser;
let y: PortalBrowser;

beforeAll(async () => {
  w = await openApiWorld();
  analyst = new PortalBrowser(w, '192.0.2.51');
  await analyst.login(w.cast.analyst.email);
  x = new PortalBrowser(w, '192.0.2.52');
  await x.login(w.cast.x.email);
  y = new PortalBrowser(w, '192.0.2.53');
  await y.login(w.cast.y.email);
});
afterAll(async () => {
  await w.close();
});

const BODY_JA = '外部機関の公表によれば、VPN 装置の脆弱性が悪用されています。';

/** Drafts from scratch through the form; returns the draft's id. */
async function blankDraft(title: string, fields: Record<string, string>): Promise<number> {
  await analyst.get('/console/advisories/new?source=none&lang=en');
  const r = await analyst.post('/console/advisories?lang=en', {
    sourceType: 'none',
    title,
    tlp: 'AMBER',
    ...fields,
  });
  expect(r.status).toBe(303);
  return Number(/^\/console\/advisories\/(\d+)/.exec(r.res.headers.get('Location')!)![1]);
}

describe('a draft written from scratch', () => {
  it('offers the form without a source, its label to choose, linked from the list', async () => {
    const list = await analyst.get('/console/advisories?lang=en');
    expect(list.body).toContain(
      '<a href="/console/advisories/new?source=none&amp;lang=en">Write one without a source report (an outside source, say)</a>',
    );
    const form = await analyst.get('/console/advisories/new?source=none&lang=en');
    expect(form.status).toBe(200);
    expect(form.body).toContain('<h1>Draft an advisory from scratch</h1>');
    expect(form.body).toContain('<input type="hidden" name="sourceType" value="none">');
    expect(form.body).not.toContain('name="sourceId"');
    expect(form.body).toContain(
      '<select id="f-tlp" name="tlp" required><option value="">Choose one</option>',
    );
    expect(form.body).not.toContain('name="downgradeReason"');
  });

  it('refuses it without a label on the form, then drafts and sends it to a sector', async () => {
    await analyst.get('/console/advisories/new?source=none&lang=en');
    const refused = await analyst.post('/console/advisories?lang=en', {
      sourceType: 'none',
      title: 'VPN appliances under attack',
      bodyJa: BODY_JA,
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain(
      'Not saved: alert: tlp: a draft without a source needs a label (CLEAR, GREEN, AMBER…)',
    );
    expect(refused.body).toContain('value="VPN appliances under attack"');
    const id = await blankDraft('VPN appliances under attack', { bodyJa: BODY_JA, sectors: 'manufacturing' });
    const page = await analyst.get(`/console/advisories/${id}?sectors=manufacturing&lang=en`);
    expect(page.body).toContain('No source report: the label is the author’s choice');
    const sent = await analyst.post(`/console/advisories/${id}/send?lang=en`, {
      sectors: 'manufacturing',
      do: 'send',
    });
    expect(sent.status).toBe(303);
    const v = await w.center.intel.advisories.get(w.cast.analyst.actor, id);
    expect([v.status, v.tlp, v.analysis?.source, v.analysis?.recipients.organisations]).toEqual([
      'sent',
      'AMBER',
      { type: 'none' },
      2,
    ]);
    expect((await x.get('/member/')).body).toContain(`href="/member/advisories/${id}"`);
  });
});

describe('the preview in both languages', () => {
  it('shows each language’s readers their version, and says what the English readers get without an English text', async () => {
    const id = await blankDraft('VPN 装置の脆弱性', { bodyJa: BODY_JA, sectors: 'manufacturing' });
    const page = await analyst.get(`/console/advisories/${id}?sectors=manufacturing&lang=en`);
    const panes = page.body.split('<section class="preview-lang"').slice(1);
    expect(panes.length).toBe(2);
    expect(panes[0]).toContain('<h4 id="pv-0-ja">Recipients reading in Japanese</h4>');
    expect(panes[0]).not.toContain('class="notice fallback"');
    expect(panes[0]).toContain(`<div class="body">${BODY_JA}</div>`);
    expect(panes[1]).toContain('<h4 id="pv-0-en">Recipients reading in English</h4>');
    expect(panes[1]).toContain(
      '<p class="notice fallback">There is no English text: recipients reading in English see the Japanese text, with a note.</p>',
    );
    // The English inbox's own note, as the member will see it (advisories/pages.ts).
    expect(panes[1]).toContain('<p class="notice">The text exists in Japanese only.</p>');
    expect(panes[1]).toContain(`<div class="body">${BODY_JA}</div>`);
    const ja = await analyst.get(`/console/advisories/${id}?sectors=manufacturing&lang=ja`);
    expect(ja.body).toContain(
      '<p class="notice fallback">英語の本文がありません。英語の画面で読む受信者には日本語の本文が注記付きで表示されます。</p>',
    );
  });

  it('says when neither language has a text', async () => {
    const id = await blankDraft('Title only', { sectors: 'manufacturing' });
    const page = await analyst.get(`/console/advisories/${id}?sectors=manufacturing&lang=en`);
    expect(
      page.body.split(
        'There is no text in either language: recipients see the title and the shared values only.',
      ).length - 1,
    ).toBe(2);
  });
});

describe('an audience of named organisations', () => {
  it('previews and sends to organisations by name or number; an unknown name is refused on the form', async () => {
    const id = await blankDraft('To Y only', { bodyJa: BODY_JA });
    const unknown = await analyst.get(
      `/console/advisories/${id}?orgs=${encodeURIComponent('Y精機株式会社,Z商事')}&lang=en`,
    );
    expect(unknown.body).toContain('<h3 id="pv-0">Named organisations (0)</h3>');
    expect(unknown.body).toContain('No organisation is named “Z商事”');
    const refused = await analyst.post(`/console/advisories/${id}/send?lang=en`, {
      orgs: 'Y精機株式会社\nZ商事',
      do: 'send',
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('Not saved: No organisation is named “Z商事”');
    expect(refused.body).toContain(
      '<textarea id="f-orgs" name="orgs" rows="3" cols="40" maxlength="8000">Y精機株式会社\nZ商事</textarea>',
    );
    const preview = await analyst.get(
      `/console/advisories/${id}?orgs=${encodeURIComponent(`Y精機株式会社,${w.cast.y.orgId}`)}&lang=en`,
    );
    expect(preview.body).toContain('<h3 id="pv-0">Named organisations (1)</h3>');
    const sent = await analyst.post(`/console/advisories/${id}/send?lang=en`, {
      orgs: 'Y精機株式会社',
      do: 'send',
    });
    expect(sent.status).toBe(303);
    const v = await w.center.intel.advisories.get(w.cast.analyst.actor, id);
    expect(v.analysis?.audience?.orgIds).toEqual([w.cast.y.orgId]);
    expect((await y.get('/member/')).body).toContain(`href="/member/advisories/${id}"`);
    expect((await x.get('/member/')).body).not.toContain(`href="/member/advisories/${id}"`);
  });

  it('refuses the center as an audience with intel’s reason', async () => {
    const id = await blankDraft('Not to ourselves', { bodyJa: BODY_JA });
    const r = await analyst.post(`/console/advisories/${id}/send?lang=en`, {
      orgs: String(w.cast.analyst.orgId),
      do: 'send',
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('Not saved: audience: the center does not receive its own alerts');
  });
});
