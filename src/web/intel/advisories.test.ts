/**
 * Advisories (alerts to members) through HTTP: an analyst drafts one from the lure fixtures' campaign and
 * sends it to all members; another member reads it and answers "received too"; the public sees
 * nothing. The paths of the previous release (/api/v1/alerts…) still answer, deprecated; with the
 * operator token, GET /api/v1/alerts still lists detection alerts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ApiWorld,
  C2_TH,
  C2_US,
  type ErrorBody,
  intelFixture,
  openApiWorld,
  rotateOperatorToken,
} from '../../../test/api-world.js';

let w: ApiWorld;
beforeEach(async () => {
  w = await openApiWorld();
});
afterEach(async () => {
  await w.close();
});

async function campaignOfSeed002(): Promise<{ campaignId: number; reportIds: number[] }> {
  const { cast } = w;
  const ids: number[] = [];
  for (const [who, file] of [
    [cast.x, 'x-lure-p1.eml'],
    [cast.y, 'y-lure-p3.eml'],
  ] as const) {
    const r = await w.request('/api/v1/reports', {
      token: who.token,
      body: intelFixture(file),
      type: 'message/rfc822',
    });
    expect(r.status).toBe(201);
    ids.push(((await r.json()) as { id: number }).id);
    w.clock.ms += 60_000;
  }
  for (const id of ids) {
    await w.center.intel.intake.addIndicators(w.cast.analyst.actor, id, [
      { value: `${C2_TH}:443`, role: 'c2' },
      { value: C2_US, role: 'c2', port: 80 },
    ]);
  }
  const report = (await w.center.intel.reports.get(w.cast.analyst.actor, ids[1]!)) as {
    campaignId: number | null;
  };
  expect(report.campaignId).not.toBeNull();
  return { campaignId: report.campaignId!, reportIds: ids };
}

/** The analyst asks to publish the members' AMBER reports as GREEN; each reporting org consents. */
async function declassifyAsGreen(reportIds: number[]): Promise<void> {
  const asked = await w.request('/api/v1/declassifications', {
    token: w.cast.analyst.token,
    json: { reportIds, tlp: 'GREEN', reason: 'C2 addresses and lure facts only' },
  });
  expect(asked.status).toBe(201);
  const { declassifications } = (await asked.json()) as { declassifications: { id: number }[] };
  for (const [d, who] of [
    [declassifications[0]!, w.cast.x],
    [declassifications[1]!, w.cast.y],
  ] as const) {
    const r = await w.request(`/api/v1/declassifications/${d.id}/consent`, { token: who.token, json: {} });
    expect(await r.json()).toMatchObject({ status: 'approved', approval: 'consent', decidedBy: who.userId });
  }
}

/** Keys that carry epoch milliseconds by their name. */
function epochFields(v: unknown, where = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => epochFields(x, `${where}[${i}]`));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => [
    ...(/(Ms|_ms)$/.test(k) ? [`${where}.${k}`] : []),
    ...epochFields(x, `${where}.${k}`),
  ]);
}

describe('advisories (alerts to members) over HTTP', () => {
  it('are drafted with a preview, sent, read by members and answered "received too"', async () => {
    const { campaignId, reportIds } = await campaignOfSeed002();
    const json = {
      source: { type: 'campaign', id: campaignId },
      title: 'Targeted mails reusing partners’ real mails',
      tlp: 'GREEN',
      downgradeReason: 'shared with all members to find more recipients',
    };
    // Below the members' AMBER: refused until the reporting organisations consent.
    const early = await w.request('/api/v1/advisories', { token: w.cast.analyst.token, json });
    expect(early.status).toBe(403);
    await declassifyAsGreen(reportIds);
    const draft = await w.request('/api/v1/advisories', { token: w.cast.analyst.token, json });
    expect(draft.status).toBe(201);
    const preview = (await draft.json()) as { alertId: number; content: { indicators: { value: string }[] } };
    expect(preview.content.indicators.map((i) => i.value)).toEqual(expect.arrayContaining([C2_US]));

    // A member may not draft.
    const refused = await w.request('/api/v1/advisories', {
      token: w.cast.mssp.token,
      json: { source: { type: 'campaign', id: campaignId }, title: 't' },
    });
    expect(refused.status).toBe(403);

    const sent = await w.request(`/api/v1/advisories/${preview.alertId}/send`, {
      token: w.cast.analyst.token,
      json: { audience: { allMembers: true } },
    });
    expect(sent.status).toBe(200);

    // The service provider, who reported nothing, reads it; the anonymous public does not.
    const read = await w.request(`/api/v1/advisories/${preview.alertId}`, { token: w.cast.mssp.token });
    expect(read.status).toBe(200);
    const view = (await read.json()) as Record<string, unknown>;
    expect(view.tlp).toContain('GREEN');
    // Times are ISO 8601, as everywhere in the API; no epoch milliseconds.
    expect(view).toMatchObject({
      sentAt: '2012-02-10T00:02:00.000Z',
      updatedAt: '2012-02-10T00:02:00.000Z',
      withdrawn: null,
      receivedToo: null,
      analysis: null,
    });
    const analystView = (await (
      await w.request(`/api/v1/advisories/${preview.alertId}`, { token: w.cast.analyst.token })
    ).json()) as { analysis: { createdAt: string } };
    expect(analystView.analysis.createdAt).toBe('2012-02-10T00:02:00.000Z');
    expect(epochFields(view)).toEqual([]);
    expect(epochFields(analystView)).toEqual([]);
    expect((await w.request(`/api/v1/advisories/${preview.alertId}`)).status).toBe(404);
    const list = (await (await w.request('/api/v1/advisories', { token: w.cast.mssp.token })).json()) as {
      advisories: { id: number }[];
    };
    expect(list.advisories.map((a) => a.id)).toEqual([preview.alertId]);
    expect(list.advisories[0]).toMatchObject({
      createdAt: '2012-02-10T00:02:00.000Z',
      sentAt: '2012-02-10T00:02:00.000Z',
      updatedAt: '2012-02-10T00:02:00.000Z',
    });
    expect(epochFields(list)).toEqual([]);

    const answer = await w.request(`/api/v1/advisories/${preview.alertId}/received`, {
      token: w.cast.mssp.token,
      json: { note: 'our customer got the same mail on 9 Feb' },
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      alertId: preview.alertId,
      orgId: w.cast.mssp.orgId,
      created: true,
    });
    const counts = await w.center.intel.advisories.counts(w.cast.analyst.actor, preview.alertId);
    expect(counts.receivedToo).toBe(1);
  });

  it('reads the paging numbers of the list from the query string', async () => {
    const { campaignId, reportIds } = await campaignOfSeed002();
    await declassifyAsGreen(reportIds);
    const ids: number[] = [];
    for (const title of ['first', 'second']) {
      const json = {
        source: { type: 'campaign', id: campaignId },
        title,
        tlp: 'GREEN',
        downgradeReason: 'test',
      };
      const draft = await w.request('/api/v1/advisories', { token: w.cast.analyst.token, json });
      ids.push(((await draft.json()) as { alertId: number }).alertId);
    }
    const page = async (q: string) => {
      const r = await w.request(`/api/v1/advisories?${q}`, { token: w.cast.analyst.token });
      expect(r.status).toBe(200);
      return ((await r.json()) as { advisories: { id: number }[] }).advisories.map((a) => a.id);
    };
    expect(await page('limit=1')).toEqual([ids[1]]);
    expect(await page(`limit=1&beforeId=${ids[1]}`)).toEqual([ids[0]]);
    expect(await page(`campaignId=${campaignId}`)).toEqual([ids[1], ids[0]]);
    const bad = await w.request('/api/v1/advisories?limit=0', { token: w.cast.analyst.token });
    expect(bad.status).toBe(400);
  });
});

describe('the advisory paths of the previous release (/api/v1/alerts…)', () => {
  it('still answer, each saying it is deprecated and linking to its successor', async () => {
    const { campaignId, reportIds } = await campaignOfSeed002();
    await declassifyAsGreen(reportIds);
    const deprecated = (r: Response, successor: string) => {
      expect(r.headers.get('Deprecation')).toBe('true');
      expect(r.headers.get('Link')).toBe(`<${successor}>; rel="successor-version"`);
    };
    const json = {
      source: { type: 'campaign', id: campaignId },
      title: 'old path',
      tlp: 'GREEN',
      downgradeReason: 'test',
    };
    const draft = await w.request('/api/v1/alerts', { token: w.cast.analyst.token, json });
    expect(draft.status).toBe(201);
    deprecated(draft, '/api/v1/advisories');
    const id = ((await draft.json()) as { alertId: number }).alertId;
    const sent = await w.request(`/api/v1/alerts/${id}/send`, {
      token: w.cast.analyst.token,
      json: { audience: { allMembers: true } },
    });
    expect(sent.status).toBe(200);
    deprecated(sent, `/api/v1/advisories/${id}/send`);
    const read = await w.request(`/api/v1/alerts/${id}`, { token: w.cast.mssp.token });
    expect(await read.json()).toMatchObject({ id, title: 'old path' });
    deprecated(read, `/api/v1/advisories/${id}`);
    const list = await w.request('/api/v1/alerts', { token: w.cast.mssp.token });
    expect(((await list.json()) as { alerts: { id: number }[] }).alerts.map((a) => a.id)).toEqual([id]);
    deprecated(list, '/api/v1/advisories');
    const received = await w.request(`/api/v1/alerts/${id}/received`, { token: w.cast.mssp.token, json: {} });
    expect(await received.json()).toMatchObject({ alertId: id, orgId: w.cast.mssp.orgId, created: true });
    deprecated(received, `/api/v1/advisories/${id}/received`);
    // Errors say so too.
    const missing = await w.request('/api/v1/alerts/999', { token: w.cast.mssp.token });
    expect(missing.status).toBe(404);
    deprecated(missing, '/api/v1/advisories/999');
  });

  it('still lists detection alerts for the operator token on the same path', async () => {
    const token = rotateOperatorToken(w.center.dataDir);
    const r = await w.request('/api/v1/alerts', { token });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ alerts: [] });
    expect(r.headers.get('Deprecation')).toBe('true');
    expect(r.headers.get('Link')).toBe('</api/v1/operator/alerts>; rel="successor-version"');
    const bad = await w.request('/api/v1/alerts', { token: 'kbo_wrong' });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as ErrorBody).error.code).toBe('E_AUTH');
  });

  it('drafts one from scratch (source none), refused without a label', async () => {
    const json = { source: { type: 'none' }, title: 'VPN appliances under attack', bodyEn: 'Update them.' };
    const refused = await w.request('/api/v1/advisories', { token: w.cast.analyst.token, json });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorBody).error).toEqual({
      code: 'E_USAGE',
      message: 'alert: tlp: a draft without a source needs a label (CLEAR, GREEN, AMBER…)',
    });
    const draft = await w.request('/api/v1/advisories', {
      token: w.cast.analyst.token,
      json: { ...json, tlp: 'GREEN' },
    });
    expect(draft.status).toBe(201);
    expect(await draft.json()).toMatchObject({
      status: 'draft',
      tlpFloor: 'CLEAR',
      sources: [],
      content: { tlp: 'GREEN', bodyEn: 'Update them.', indicators: [], lures: [] },
    });
  });
});
