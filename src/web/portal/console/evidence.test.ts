/**
 * The console's site-evidence pages over the API world: two sites under allow-and-record post
 * records (through the API, about a listed Tor exit of an invented Onionoo document) with hostile
 * accounts, headers and notes; an investigator lists them (ja and en, filters, paging) and opens
 * one — all of it escaped — and each view leaves exactly the custody and audit entries the API's
 * read leaves; a member, a signed-out visitor and center staff without `evidence:read` are refused.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ApiWorld, openApiWorld, PASSWORD } from '../../../../test/api-world.js';
import { PortalBrowser } from '../../../../test/portal-browser.js';
import {
  EXIT,
  FP,
  HOSTILE,
  OTHER_EXIT,
  type SiteEvidenceSeed,
  seedSiteEvidence,
} from '../../../../test/site-evidence-world.js';

let w: ApiWorld;
let inv: PortalBrowser;
let member: PortalBrowser;
let sites: SiteEvidenceSeed['sites'];
let ids: SiteEvidenceSeed['ids'];

beforeAll(async () => {
  w = await openApiWorld();
  ({ sites, ids } = await seedSiteEvidence(w));
  inv = new PortalBrowser(w, '192.0.2.51');
  expect(await inv.login(w.cast.analyst.email)).toBe('/console/');
  member = new PortalBrowser(w, '192.0.2.52');
  await member.login(w.cast.x.email);
});
afterAll(async () => {
  await w.close();
});

/** The record ids linked from a list page, in order. */
const listed = (body: string) =>
  [...body.matchAll(/<a href="\/console\/evidence\/(\d+)(?:\?lang=en)?">/g)].map((m) => Number(m[1]));

/** The custody and audit rows of site evidence after `sinceId`s, without who and when. */
async function trail(since = { custody: 0, audit: 0 }) {
  const db = w.center.intel.db;
  const custody = await db
    .selectFrom('custody')
    .select(['id', 'evidence_sha256', 'report_id', 'action', 'details'])
    .where('id', '>', since.custody)
    .orderBy('id')
    .execute();
  const audit = await db
    .selectFrom('audit_log')
    .select(['id', 'action', 'target_type', 'target_id', 'details'])
    .where('target_type', '=', 'site-evidence')
    .where('id', '>', since.audit)
    .orderBy('id')
    .execute();
  const head = async (t: 'custody' | 'audit_log') =>
    Number(
      (
        await db
          .selectFrom(t)
          .select((e) => e.fn.max('id').as('m'))
          .executeTakeFirst()
      )?.m ?? 0,
    );
  return {
    custody: custody.map(({ id: _, ...r }) => ({ ...r, report_id: r.report_id ?? null })),
    audit: audit.map(({ id: _, ...r }) => ({
      ...r,
      target_id: r.target_id === null ? null : String(r.target_id),
    })),
    next: { custody: await head('custody'), audit: await head('audit_log') },
  };
}

describe('the evidence list', () => {
  it('lists the records newest first for an investigator, in Japanese by default', async () => {
    const r = await inv.get('/console/evidence');
    expect(r.status).toBe(200);
    expect(r.body).toContain('<h1>サイトの証跡</h1>');
    expect(r.body).toContain('<th scope="col">受領日時</th>');
    expect(listed(r.body)).toEqual([ids.shop, ids.hostile, ids.plain]);
    expect(r.body).toContain('<td>Forum &lt;b&gt;</td>');
    expect(r.body).toContain(`<code>${OTHER_EXIT}:8443</code>`);
    expect(r.body).toContain('<td>tor-exit (tor-exits)</td>');
    expect(r.body).toContain(`<code title="${'cd'.repeat(32)}">${'cd'.repeat(8)}…</code>`);
    expect(r.body).toContain(`<a href="/console/evidence/${ids.plain}">記録 #${ids.plain}</a>`);
  });

  it('speaks English, and escapes what the site wrote', async () => {
    const r = await inv.get('/console/evidence?lang=en');
    expect(r.body).toContain('<h1>Site evidence</h1>');
    expect(r.body).toContain('<th scope="col">Listed then by</th>');
    expect(r.body).toContain(`<a href="/console/evidence/${ids.hostile}?lang=en">Record #${ids.hostile}</a>`);
    expect(r.body).not.toContain(HOSTILE);
    expect(r.body).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;&lt;U+202E&gt;evil</td>');
    expect(r.body).not.toContain('\u202E');
  });

  it('filters by address and by site (name or number), and refuses what is neither', async () => {
    expect(listed((await inv.get(`/console/evidence?ip=${OTHER_EXIT}`)).body)).toEqual([ids.shop]);
    const byName = await inv.get(`/console/evidence?site=${encodeURIComponent('Forum <b>')}`);
    expect(listed(byName.body)).toEqual([ids.hostile, ids.plain]);
    expect(byName.body).toContain('value="Forum &lt;b&gt;"');
    expect(listed((await inv.get(`/console/evidence?site=${sites.shop}`)).body)).toEqual([ids.shop]);
    expect(listed((await inv.get(`/console/evidence?site=Shop&ip=${EXIT}`)).body)).toEqual([]);
    const before = await trail();
    const bad = await inv.get('/console/evidence?ip=not-an-ip&lang=en');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('<p class="withdrawn" role="alert">“not-an-ip” is not an IP address</p>');
    const nobody = await inv.get('/console/evidence?site=Nobody&lang=en');
    expect(nobody.status).toBe(400);
    expect(nobody.body).toContain('No organisation “Nobody” is registered');
    // A refused filter reads nothing, so nothing is marked viewed.
    const after = await trail(before.next);
    expect([after.custody, after.audit]).toEqual([[], []]);
  });

  it('pages with the limit, keyset on the last id shown, and marks viewed only what it shows', async () => {
    const since = (await trail()).next;
    const first = await inv.get('/console/evidence?limit=2&lang=en');
    expect(listed(first.body)).toEqual([ids.shop, ids.hostile]);
    expect(first.body).toContain(
      `<a rel="next" href="/console/evidence?limit=2&amp;before=${ids.hostile}&amp;lang=en">Next page →</a>`,
    );
    const second = await inv.get(`/console/evidence?limit=2&before=${ids.hostile}&lang=en`);
    expect(listed(second.body)).toEqual([ids.plain]);
    expect(second.body).toContain('<a href="/console/evidence?limit=2&amp;lang=en">First page</a>');
    expect(second.body).not.toContain('rel="next"');
    const t = await trail(since);
    expect(t.custody.map((c) => c.action)).toEqual(['viewed', 'viewed', 'viewed']);
    expect(t.audit.map((a) => [a.action, JSON.parse(a.details).ids])).toEqual([
      ['site-evidence.list', [ids.shop, ids.hostile]],
      ['site-evidence.list', [ids.plain]],
    ]);
  });
});

describe('one record', () => {
  it('shows the record in full with the listing then, escaped (en)', async () => {
    const r = await inv.get(`/console/evidence/${ids.hostile}?lang=en`);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`<h1>Site evidence #${ids.hostile}</h1>`);
    expect(r.body).toContain(
      `<dt>Site</dt><dd><a href="/console/evidence?site=${sites.forum}&amp;lang=en">Forum &lt;b&gt;</a></dd>`,
    );
    expect(r.body).toContain(`<dt>Address and port</dt><dd><code>${EXIT}:443</code></dd>`);
    expect(r.body).toContain(
      `<dt>Request time</dt><dd><time datetime="${new Date(w.clock.ms - 60_000).toISOString()}"`,
    );
    expect(r.body).toContain(`<dt>Content SHA-256</dt><dd><code>${'ab'.repeat(32)}</code></dd>`);
    expect(r.body).toMatch(
      /<dt>Record SHA-256 \(its custody key\)<\/dt><dd><code>[0-9a-f]{64}<\/code><\/dd>/,
    );
    expect(r.body).toMatch(/<dt>Posted by<\/dt><dd>token:\d+ \(user:\d+\)<\/dd>/);
    expect(r.body).toContain(
      '<tr><td><code>User-Agent</code></td><td><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></td></tr>',
    );
    expect(r.body).toContain('<td><code>&quot;&gt;&lt;img src=x onerror=alert(2)&gt;</code></td>');
    expect(r.body).toContain(
      '<p class="note">posted a phishing kit<br>&lt;img src=x onerror=alert(3)&gt;</p>',
    );
    expect(r.body).not.toContain(HOSTILE);
    expect(r.body).not.toContain('<img src=x');
    expect(r.body).toContain('<h2>The center’s listing then</h2>');
    expect(r.body).toMatch(
      new RegExp(
        `<tr><td>tor-exits</td><td>tor-exit</td><td><code>${EXIT}</code></td>\\s*<td><time [^>]*>[^<]+</time> – still listed</td><td><code>${FP}</code></td></tr>`,
      ),
    );
  });

  it('speaks Japanese by default, and answers 404 for a record that does not exist', async () => {
    const r = await inv.get(`/console/evidence/${ids.plain}`);
    expect(r.body).toContain(`<h1>サイトの証跡 #${ids.plain}</h1>`);
    expect(r.body).toContain('<dt>アカウント</dt><dd>alice</dd>');
    expect(r.body).toContain('<p>メモはありません。</p>');
    expect((await inv.get('/console/evidence/999999')).status).toBe(404);
    expect((await inv.get('/console/evidence/abc')).status).toBe(404);
  });

  it('leaves exactly the custody entry and audit row the API’s read leaves', async () => {
    const before = await trail();
    expect((await inv.get(`/console/evidence/${ids.plain}`)).status).toBe(200);
    const page = await trail(before.next);
    const api = await w.request(`/api/v1/anonymizer/evidence/${ids.plain}`, { token: w.cast.analyst.token });
    expect(api.status).toBe(200);
    const viaApi = await trail(page.next);
    expect(page.custody).toHaveLength(1);
    expect(page.custody[0]).toMatchObject({ action: 'viewed', report_id: null });
    expect(JSON.parse(page.custody[0]!.details)).toEqual({
      siteEvidenceId: ids.plain,
      siteOrgId: sites.forum,
    });
    expect(page.audit.map((a) => [a.action, a.target_id])).toEqual([
      ['site-evidence.read', String(ids.plain)],
    ]);
    expect([page.custody, page.audit]).toEqual([viaApi.custody, viaApi.audit]);
    // The list too, for the same filter and limit.
    const list = await trail();
    await inv.get(`/console/evidence?site=${sites.shop}&limit=20`);
    const listPage = await trail(list.next);
    await w.request(`/api/v1/anonymizer/evidence?site=${sites.shop}&limit=20`, {
      token: w.cast.analyst.token,
    });
    const listApi = await trail(listPage.next);
    expect(listPage.custody).toHaveLength(1);
    expect([listPage.custody, listPage.audit]).toEqual([listApi.custody, listApi.audit]);
    // The session's reads are the signed-in analyst's.
    const who = await w.center.intel.db
      .selectFrom('custody')
      .select('actor_user_id')
      .where('id', '>', before.next.custody)
      .execute();
    expect(new Set(who.map((c) => c.actor_user_id))).toEqual(new Set([w.cast.analyst.userId]));
    expect((await w.center.intel.verifyAudit()).ok).toBe(true);
  });
});

describe('who may read it', () => {
  it('refuses a member (403) and sends the signed-out to /login', async () => {
    for (const path of ['/console/evidence', `/console/evidence/${ids.plain}`]) {
      expect((await member.get(path)).status).toBe(403);
      const out = await w.request(path);
      expect(out.status).toBe(303);
      expect(out.headers.get('Location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('shows the menu entry to an investigator', async () => {
    const home = await inv.get('/console/?lang=en');
    expect(home.body).toContain('<li><a href="/console/evidence?lang=en">Site evidence</a></li>');
    expect((await inv.get('/console/alerts')).body).toContain(
      '<li><a href="/console/evidence">サイトの証跡</a></li>',
    );
  });

  it('refuses center staff without evidence:read (403, nothing read), and hides the menu entry', async () => {
    const u = await w.center.intel.users.add(w.system, {
      email: 'narrow@center.example',
      orgId: w.cast.analyst.orgId,
      role: 'analyst',
      password: PASSWORD,
    });
    const narrow = new PortalBrowser(w, '192.0.2.53');
    await narrow.login('narrow@center.example');
    // Sessions carry the role's scopes; an actor without evidence:read is made by narrowing this one's.
    const auth = w.center.intel.auth;
    const check = auth.check.bind(auth);
    const spy = vi.spyOn(auth, 'check').mockImplementation(async (token) => {
      const r = await check(token);
      if (!r.ok || r.actor.userId !== u.id) return r;
      return {
        ...r,
        actor: { ...r.actor, scopes: new Set([...r.actor.scopes].filter((s) => s !== 'evidence:read')) },
      };
    });
    try {
      const before = await trail();
      expect((await narrow.get('/console/evidence')).status).toBe(403);
      expect((await narrow.get(`/console/evidence/${ids.plain}`)).status).toBe(403);
      expect((await narrow.get('/console/evidence/999999')).status).toBe(403);
      const after = await trail(before.next);
      expect([after.custody, after.audit]).toEqual([[], []]);
      const home = await narrow.get('/console/?lang=en');
      expect(home.status).toBe(200);
      expect(home.body).not.toContain('/console/evidence');
    } finally {
      spy.mockRestore();
    }
  });
});
