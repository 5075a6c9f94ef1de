/**
 * Reports, indicators and campaigns through HTTP (`app.request` on a center over a temporary data
 * directory): seed 002's lures uploaded as message/rfc822, C2 reports as JSON, the indicator
 * lookup with its aggregates, campaigns a page at a time, and a real phishing sample.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiWorld,
  C2_TH,
  C2_US,
  type ErrorBody,
  intelFixture,
  openApiWorld,
} from '../../../test/api-world.js';
import { HAVE_SAMPLES, sample } from '../../../test/samples.js';

type Json = Record<string, unknown>;
type Report = {
  id: number;
  kind: string;
  tlp: string;
  title: string;
  reporter: { orgName: string } | null;
  evidenceSha256: string | null;
  observables: {
    type: string;
    value: string;
    role: string;
    warning: string | null;
    reportCount: number;
    orgCount: number;
  }[];
  correlations: { links: { reportId: number; weight: number }[]; otherLinkedReports: number };
  campaign: { id: number; name: string; tlp: string } | null;
  private: unknown;
};
type Submitted = { id: number; report: Report | null; warnings: string[] };

let w: ApiWorld;
beforeEach(async () => {
  w = await openApiWorld();
});
afterEach(async () => {
  await w.close();
});

const MINUTE = 60_000;

async function postEmail(token: string, file: Buffer, query = ''): Promise<Submitted> {
  const r = await w.request(`/api/v1/reports${query}`, { token, body: file, type: 'message/rfc822' });
  expect(r.status).toBe(201);
  return (await r.json()) as Submitted;
}

async function postC2(token: string, value: string, tlp = 'GREEN'): Promise<Submitted> {
  const r = await w.request('/api/v1/reports', {
    token,
    json: { report: { kind: 'c2', destinations: [{ value, port: 443 }] }, sharing: { tlp } },
  });
  expect(r.status).toBe(201);
  return (await r.json()) as Submitted;
}

async function get(path: string, token: string | null = null): Promise<{ status: number; body: Json }> {
  const r = await w.request(path, { token });
  return { status: r.status, body: (await r.json()) as Json };
}

const seen = (r: Report) => r.observables.map((o) => `${o.type} ${o.value} ${o.role}`);

describe('reports through the API', () => {
  it('stores an e-mail uploaded as message/rfc822 and answers with the report and its observables', async () => {
    const r = await w.request('/api/v1/reports', {
      token: w.cast.x.token,
      body: intelFixture('x-lure-p1.eml'),
      type: 'message/rfc822',
    });
    expect(r.status).toBe(201);
    const body = (await r.json()) as Submitted;
    expect(r.headers.get('Location')).toBe(`/api/v1/reports/${body.id}`);
    expect(body.warnings).toEqual([]);
    const report = body.report!;
    expect(report).toMatchObject({
      id: body.id,
      kind: 'email',
      tlp: 'AMBER',
      title: '3月度 定例打合せ資料の送付について',
      receivedAt: '2012-02-10T00:00:00.000Z',
      observedAt: '2012-02-09T11:30:05.000Z',
      reporter: { orgName: 'X産業株式会社', sector: 'manufacturing', prefecture: 'hiroshima' },
      evidenceSha256: 'a940f104082a766504bb08e4dc3b6707aec07516ec91d0faad9a9c525701a73a',
      correlations: { links: [], otherLinkedReports: 0 },
      campaign: null,
      private: null,
    });
    expect(seen(report)).toEqual([
      'attachment-pattern 打合せ資料_#.zip template',
      'domain mx1.p1-kogyo.example relay',
      'ipv4 198.51.100.23 relay',
      'md5 bf986c9572fb3b116f18081b63fce248 attachment',
      'sha1 1a9405a08ba826ff2259ea2837db4771223293e6 attachment',
      'sha256 1a3cf4c5da005d271af608632de2365c14c007ece5e20c4915f055641b8f93a1 attachment',
      'subject-template a29ddeaa1c73bb032544ed8846517be6f1facdd433f17da45e8bcd5a1fd2fe53 template',
    ]);
    expect(report.observables.find((o) => o.value === '198.51.100.23')?.warning).toBe(
      'reserved address range',
    );
  });

  it('keeps the evidence file’s hash out of what anonymous readers and other members read', async () => {
    const sha = 'a940f104082a766504bb08e4dc3b6707aec07516ec91d0faad9a9c525701a73a';
    const posted = await postEmail(w.cast.x.token, intelFixture('x-lure-p1.eml'), '?tlp=CLEAR');
    expect(posted.report?.evidenceSha256).toBe(sha);
    for (const token of [null, w.cast.y.token]) {
      const { status, body } = await get(`/api/v1/reports/${posted.id}`, token);
      expect(status).toBe(200);
      expect(body.evidenceSha256).toBeNull();
      expect(JSON.stringify(body)).not.toContain(sha);
      expect(body.shared).toMatchObject({ view: 'shareable', headers: expect.any(Object) });
    }
  });

  it('gives the same report back on GET /api/v1/reports/{id}', async () => {
    const posted = await postEmail(w.cast.x.token, intelFixture('x-lure-p1.eml'));
    const { status, body } = await get(`/api/v1/reports/${posted.id}`, w.cast.x.token);
    expect(status).toBe(200);
    expect(body).toEqual(posted.report);
  });

  it('links the second lure to the first: the other member learns nothing of it, the analyst sees it and the campaign', async () => {
    const first = await postEmail(w.cast.x.token, intelFixture('x-lure-p1.eml'));
    w.clock.ms += MINUTE;
    const second = await postEmail(w.cast.y.token, intelFixture('x-lure-p2.eml'));
    // X's AMBER report is not Y's to read: no link, no count of hidden links, no counts of it.
    expect(second.report?.correlations).toEqual({ links: [], otherLinkedReports: 0 });
    expect(new Set(second.report?.observables.map((o) => `${o.reportCount}/${o.orgCount}`))).toEqual(
      new Set(['1/1']),
    );
    expect(second.report?.campaign).toBeNull();
    const { body } = await get(`/api/v1/reports/${second.id}`, w.cast.analyst.token);
    expect(body.correlations).toEqual({ links: [{ reportId: first.id, weight: 2 }], otherLinkedReports: 0 });
    expect(body.campaign).toMatchObject({ tlp: 'AMBER', name: expect.any(String) });
  });

  it('stores a C2 report sent as JSON under the label it was given', async () => {
    const posted = await postC2(w.cast.x.token, `${C2_TH.replace(/\./g, '[.]')}`);
    expect(posted.report).toMatchObject({ kind: 'c2', tlp: 'GREEN', title: 'C2 destinations (1)' });
    expect(seen(posted.report!)).toEqual([`ipv4 ${C2_TH} c2`]);
    const { body } = await get(`/api/v1/reports/${posted.id}`, w.cast.y.token);
    expect(body).toMatchObject({ id: posted.id, tlp: 'GREEN', reporter: null });
  });

  it('lists the reports the caller may read, newest first, a page at a time', async () => {
    const a = await postC2(w.cast.x.token, C2_TH);
    const b = await postC2(w.cast.x.token, C2_US, 'AMBER');
    const c = await postC2(w.cast.x.token, '203.0.113.200');
    const page1 = await get('/api/v1/reports?limit=2', w.cast.y.token);
    expect((page1.body.reports as Json[]).map((r) => r.id)).toEqual([c.id, a.id]);
    expect(page1.body.nextCursor).toBe(String(a.id));
    const page2 = await get(`/api/v1/reports?limit=2&cursor=${a.id}`, w.cast.y.token);
    expect(page2.body).toEqual({ reports: [], nextCursor: null });
    const own = await get('/api/v1/reports', w.cast.x.token);
    expect((own.body.reports as Json[]).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
  });
});

describe('indicator lookup', () => {
  it('shows the aggregates of a value two organisations reported, and the campaign only to the center', async () => {
    await postC2(w.cast.x.token, C2_TH);
    w.clock.ms += 90 * MINUTE;
    await postC2(w.cast.y.token, `${C2_TH}:8080`);
    const q = `/api/v1/indicators?value=${encodeURIComponent('27.254.40[.]5')}`;
    const member = await get(q, w.cast.mssp.token);
    expect(member.status).toBe(200);
    expect(member.body).toEqual({
      id: expect.any(Number),
      type: 'ipv4',
      value: C2_TH,
      tlp: 'GREEN',
      firstSeenAt: '2012-02-10T00:00:00.000Z',
      lastSeenAt: '2012-02-10T01:30:00.000Z',
      expiresAt: '2012-03-11T01:30:00.000Z',
      reportCount: 2,
      orgCount: 2,
      sectorCount: 1,
      prefectureCount: 2,
      confidence: 80,
      warning: null,
      fuzzy: false,
      campaigns: [],
    });
    const center = await get(q, w.cast.analyst.token);
    expect(center.body).toMatchObject({
      reportCount: 2,
      sectors: ['manufacturing'],
      prefectures: ['hiroshima', 'okayama'],
      campaigns: [{ id: expect.any(Number), name: expect.any(String), tlp: 'AMBER' }],
    });
  });

  it('answers 404 for a value no readable report holds, and 400 for something that is no indicator', async () => {
    await postC2(w.cast.x.token, C2_US, 'AMBER');
    const hidden = await get(`/api/v1/indicators?value=${C2_US}`, w.cast.y.token);
    const unknown = await get('/api/v1/indicators?value=192.0.2.99', w.cast.y.token);
    expect(hidden).toEqual(unknown);
    expect(hidden.status).toBe(404);
    expect((await get(`/api/v1/indicators?value=${C2_US}`, w.cast.x.token)).status).toBe(200);
    const bad = await get('/api/v1/indicators?value=not%20an%20indicator!', w.cast.y.token);
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.code).toBe('E_USAGE');
    const missing = await get('/api/v1/indicators', w.cast.y.token);
    expect(missing.status).toBe(400);
    expect((missing.body as ErrorBody).error.message).toMatch(/^query: value: /);
  });
});

describe('campaigns', () => {
  async function twoCampaigns() {
    await postC2(w.cast.x.token, C2_TH);
    await postC2(w.cast.y.token, C2_TH);
    w.clock.ms += MINUTE;
    await postC2(w.cast.x.token, C2_US);
    await postC2(w.cast.y.token, C2_US);
  }

  it('lists the campaigns the center reads a page at a time, and none to members of the AMBER campaigns', async () => {
    await twoCampaigns();
    const page1 = await get('/api/v1/campaigns?limit=1', w.cast.analyst.token);
    expect(page1.status).toBe(200);
    const first = (page1.body.campaigns as Json[])[0]!;
    expect(first).toMatchObject({ tlp: 'AMBER', reportCount: 2, updatedAt: '2012-02-10T00:01:00.000Z' });
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await get(
      `/api/v1/campaigns?limit=1&cursor=${page1.body.nextCursor}`,
      w.cast.analyst.token,
    );
    const second = (page2.body.campaigns as Json[])[0]!;
    expect(second).toMatchObject({ reportCount: 2, updatedAt: '2012-02-10T00:00:00.000Z' });
    expect(page2.body.nextCursor).toBeNull();
    expect((await get('/api/v1/campaigns', w.cast.x.token)).body).toEqual({
      campaigns: [],
      nextCursor: null,
    });
    expect((await get('/api/v1/campaigns')).body).toEqual({ campaigns: [], nextCursor: null });
  });

  it('pages through more than a thousand campaigns without skipping or repeating one', async () => {
    const n = 1005;
    // Pairs share an update time: the id orders them.
    const rows = Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      tlp: 'CLEAR',
      org_id: null,
      created_by: null,
      created_ms: w.clock.ms,
      updated_ms: w.clock.ms + Math.floor(i / 2) * MINUTE,
      merged_into: null,
    }));
    for (let i = 0; i < n; i += 250)
      await w.center.db
        .insertInto('campaigns')
        .values(rows.slice(i, i + 250))
        .execute();
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await get(
        `/api/v1/campaigns?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
        w.cast.analyst.token,
      );
      expect(page.status).toBe(200);
      seen.push(...(page.body.campaigns as Json[]).map((c) => c.id as number));
      cursor = page.body.nextCursor as string | null;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(6);
    expect(seen).toHaveLength(n);
    expect(new Set(seen).size).toBe(n);
    expect(seen.slice(0, 3)).toEqual([1005, 1004, 1003]);
    expect(seen.at(-1)).toBe(1);
  });

  it('shows one campaign with its reports to the center and answers 404 to a member', async () => {
    await twoCampaigns();
    const list = await get('/api/v1/campaigns', w.cast.analyst.token);
    const id = (list.body.campaigns as Json[])[1]!.id as number;
    const one = await get(`/api/v1/campaigns/${id}`, w.cast.analyst.token);
    expect(one.status).toBe(200);
    expect((one.body.reports as Json[]).length).toBe(2);
    expect(one.body.indicators).toEqual([{ type: 'ipv4', value: C2_TH, reports: 2, orgCount: 2 }]);
    expect((await get(`/api/v1/campaigns/${id}`, w.cast.x.token)).status).toBe(404);
    expect((await get('/api/v1/campaigns?cursor=nonsense', w.cast.analyst.token)).status).toBe(400);
  });
});

describe.skipIf(!HAVE_SAMPLES)('a real phishing sample (shared/samples/email)', () => {
  it('stores sample-666 and keeps the recipient’s internal relay address out of what other members read', async () => {
    const raw = readFileSync(sample('email/sample-666.eml'));
    const posted = await postEmail(w.cast.y.token, raw, '?tlp=GREEN');
    expect(posted.report).toMatchObject({
      title: 'FUND TRANSFER',
      tlp: 'GREEN',
      evidenceSha256: '66a1e108278d0ee6ab69a6b60854d850c905f681dd893a97774d2e5a1f9a0937',
    });
    expect(seen(posted.report!)).toEqual(
      expect.arrayContaining([
        'email richarddepartment101@indamail.hu sender',
        'email test@numzaan.com sender',
        'ipv4 222.73.208.80 relay',
        'ipv4 44.199.38.175 relay',
      ]),
    );
    const other = await get(`/api/v1/reports/${posted.id}?include=private`, w.cast.x.token);
    expect(other.body).toMatchObject({ reporter: null, private: null, evidenceSha256: null });
    expect(JSON.stringify(other.body)).not.toContain('phishing@pot');
    expect(JSON.stringify(other.body)).not.toContain('100.127.144.234');
    const own = await get(`/api/v1/reports/${posted.id}?include=private`, w.cast.y.token);
    expect(own.body.private).toMatchObject({
      observables: [{ kind: 'ip', value: '100.127.144.234', reason: 'private-address' }],
    });
  });
});
