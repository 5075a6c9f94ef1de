/**
 * The public site's observation release over a hand-countable store (test/release-world.ts): the
 * month chosen and published only after the public cutoff, both languages, the thresholds of the
 * public view, the figures' data equal to their CSV and JSON, and the page's CSP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../../test/api-world.js';
import { seedReleaseMonths } from '../../../../test/release-world.js';
import { FIGURES } from './figures.js';

let w: ApiWorld;
beforeAll(async () => {
  // Counts below 3 are withheld: the 2 Scan detections a day and the 2 accesses to 31337/tcp.
  w = await openApiWorld({}, { config: { publicStats: { delayHours: 24, minCount: 3 } } });
  await seedReleaseMonths(w);
  w.center.simulated = true;
});
afterAll(async () => {
  await w.close();
});

const text = async (path: string, headers: Record<string, string> = {}) => {
  const r = await w.request(path, { headers });
  return { status: r.status, body: await r.text(), headers: r.headers };
};
type DatasetJson = { month: string; dataset: string; columns: string[]; rows: Record<string, unknown>[] };
const json = async (path: string) => (await (await w.request(path)).json()) as DatasetJson;

describe('the observation release', () => {
  it('shows the last month complete before the public cutoff, in Japanese by default, SIMULATED on top', async () => {
    const { status, body } = await text('/');
    expect(status).toBe(200);
    expect(body).toContain('<html lang="ja">');
    expect(body).toContain('<h1>2012年1月の観測結果</h1>');
    // The banner is the first thing after the skip link, before the header.
    expect(body.indexOf('<p class="sim"')).toBeLessThan(body.indexOf('<header'));
    expect(body).toContain('<strong>SIMULATED</strong>');
    expect(body).toContain(
      '報告中のセンサー 1 / 1 台、観測対象 256 アドレス (カバー率 100%)、2012/01/31 2:00 (UTC+09:00) 時点のデータ',
    );
    expect(body).toContain('href="/?month=2011-12"');
    expect(body).not.toContain('href="/?month=2012-02"');
    expect((body.match(/<svg role="img"/g) ?? []).length).toBe(FIGURES.length);
  });

  it('speaks English when asked by ?lang, the cookie or Accept-Language, in that order', async () => {
    expect((await text('/?lang=en')).body).toContain('<h1>Observations, January 2012</h1>');
    expect((await text('/', { 'Accept-Language': 'en-US,en;q=0.9,ja;q=0.5' })).body).toContain('lang="en"');
    expect((await text('/', { Cookie: 'koban_lang=en', 'Accept-Language': 'ja' })).body).toContain(
      'lang="en"',
    );
    expect((await text('/?lang=ja', { Cookie: 'koban_lang=en' })).body).toContain('lang="ja"');
    // A language from the URL is kept in the page's links.
    expect((await text('/?lang=en')).body).toContain('href="/?month=2011-12&amp;lang=en"');
  });

  it('counts each day: accesses, per address, sources, IDS detections and backscatter detections', async () => {
    const daily = await json('/release/2012-01/daily.json');
    expect(daily.rows).toHaveLength(31);
    expect(daily.rows[0]).toEqual({
      date: '2012-01-01',
      accesses: 46,
      accesses_per_address: 0.18,
      sources: 6,
      ids: 10,
      ids_per_address: 0.04,
      backscatter: null,
    });
    expect(daily.rows[4]).toMatchObject({ date: '2012-01-05', ids: 10, backscatter: 3 });
    expect(daily.rows[2]).toMatchObject({ date: '2012-01-03', accesses: 48 });
  });

  it('ranks the top 5 with the change from the previous month', async () => {
    expect((await json('/release/2012-01/top-ports.json')).rows).toEqual([
      { rank: 1, key: '445/tcp', count: 930, previous_rank: 2, previous_count: 372, change: 1.5 },
      { rank: 2, key: '23/tcp', count: 310, previous_rank: 1, previous_count: 620, change: -0.5 },
      { rank: 3, key: '1434/udp', count: 186, previous_rank: null, previous_count: 0, change: null },
    ]);
    expect((await json('/release/2012-01/top-techniques.json')).rows).toEqual([
      { rank: 1, key: 'Worm', count: 248, previous_rank: 1, previous_count: 186, change: 0.3333 },
      { rank: 2, key: 'Scan', count: 32, previous_rank: null, previous_count: 0, change: null },
    ]);
    const page = (await text('/?lang=en')).body;
    expect(page).toMatch(
      /<th scope="row">Japan<\/th>\s*<td class="n">932<\/td><td class="n">2<\/td>\s*<td class="n">\+150\.5%<\/td>/,
    );
    expect(page).toMatch(/<th scope="row">1434\/udp<\/th>[\s\S]*?<td class="n">new<\/td>/);
  });

  it('withholds small counts: rows below the threshold left out, small cells null', async () => {
    const ports = await json('/release/2012-01/ports.json');
    expect(ports.rows.map((r) => r.port)).toEqual(['445/tcp', '23/tcp', '1434/udp']);
    const techniques = await json('/release/2012-01/techniques.json');
    expect(techniques.columns).toEqual(['date', 'Worm', 'Scan']);
    expect(techniques.rows[0]).toEqual({ date: '2012-01-01', Worm: 8, Scan: null });
    const csv = (await text('/release/2012-01/ports.csv')).body;
    expect(csv).not.toContain('31337');
    expect((await text('/')).body).not.toContain('31337');
  });

  it('gives each figure its data as CSV and JSON, equal to what the chart draws', async () => {
    const page = (await text('/?lang=en')).body;
    for (const f of FIGURES) {
      const data = await json(`/release/2012-01/${f.id}.json`);
      const csvLines = (await text(`/release/2012-01/${f.id}.csv`)).body.trimEnd().split('\r\n');
      expect(csvLines[0]).toBe(data.columns.join(','));
      expect(csvLines.slice(1)).toEqual(data.rows.map((r) => data.columns.map((c) => r[c] ?? '').join(',')));
      expect(page).toContain(`href="/release/2012-01/${f.id}.csv`);
    }
    // The port ranking labels each bar with its count, and the series figure is of the top port.
    expect(page).toMatch(/>930<\/text>/);
    expect(page).toContain('Figure 5 Accesses to 445/tcp per day, domestic and foreign');
    const series = await json('/release/2012-01/port-series.json?port=445/tcp');
    // A 0 is withheld too: "none of my markers arrived" would tell a prober as much as a 1.
    expect(series.rows[0]).toEqual({
      date: '2012-01-01',
      domestic: 30,
      foreign: null,
      unattributed: null,
      count: 30,
    });
  });

  it('draws another port’s series when asked, the rest of the release unchanged', async () => {
    // 23/tcp: 10 accesses a day from CN (test/release-world.ts), all foreign.
    const other = (await w
      .request('/release/2012-01/port-series.json?port=23/tcp')
      .then((r) => r.json())) as DatasetJson & { port: string };
    expect(other.port).toBe('23/tcp');
    expect(other.rows[0]).toEqual({
      date: '2012-01-01',
      domestic: null,
      foreign: 10,
      unattributed: null,
      count: 10,
    });
    // Only the port figure differs from the month's release (its top port, 445/tcp).
    for (const id of ['daily', 'top-ports', 'countries'])
      expect(await json(`/release/2012-01/${id}.json?port=23/tcp`)).toEqual(
        await json(`/release/2012-01/${id}.json`),
      );
    const page = (await text('/?lang=en&month=2012-01&port=23/tcp')).body;
    expect(page).toContain('Figure 5 Accesses to 23/tcp per day, domestic and foreign');
  });

  it('draws worm detections by country and the neighbour-octet share, small counts withheld', async () => {
    const worm = await json('/release/2012-01/worm-countries.json');
    expect(worm.columns).toEqual(['date', 'CN', 'other']);
    expect(worm.rows).toHaveLength(31);
    expect(worm.rows[0]).toEqual({ date: '2012-01-01', CN: 8, other: null });
    const neighbours = await json('/release/2012-01/neighbours.json');
    expect(neighbours.rows).toEqual([
      { match: 'first-two-octets', count: null, share: null, sources: null, source_share: null },
      { match: 'first-octet', count: null, share: null, sources: null, source_share: null },
      { match: 'none', count: 1428, share: 1, sources: 6, source_share: 1 },
    ]);
    const page = (await text('/?lang=en')).body;
    expect(page).toContain('Figure 6 Worm detections per day by source country or region (top 5)');
    expect(page).toContain('Figure 7 Sources sharing leading octets with the sensor address they hit');
    expect(page).toContain('href="/release/2012-01/neighbours.csv');
    expect((await text('/')).body).toContain('図6 ワーム検知件数の送信元国・地域別推移（上位5）');
  });

  it('serves a month only once it is complete before the public cutoff', async () => {
    expect((await text('/?month=2012-02')).status).toBe(404);
    expect((await text('/release/2012-02/daily.json')).status).toBe(404);
    expect((await text('/?month=2012-13')).status).toBe(400);
    expect((await text('/?month=2012-01&port=99999/tcp')).status).toBe(400);
    const before = await text('/?month=2011-11&lang=en');
    expect(before.status).toBe(200);
    expect(before.body).toContain('No public data for this month.');
    expect((await text('/release/2011-11/daily.json')).status).toBe(404);
    const dec = await text('/?month=2011-12&lang=en');
    expect(dec.body).toContain('Observations, December 2011');
    expect(dec.body).toContain('href="/?month=2012-01&amp;lang=en"');
  });

  it('answers with a CSP that allows no inline script or style, and the page has none', async () => {
    const { body, headers } = await text('/');
    const csp = headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(headers.get('X-Frame-Options')).toBe('DENY');
    expect(body).not.toMatch(/<script|<style|\sstyle="|\son[a-z]+=/i);
    const css = await w.request('/assets/portal.css');
    expect(css.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
  });
});
