/**
 * The release of a published month is kept a quarter of an hour (docs/portal.md#caching): events
 * imported late into January 2012 show on the page and in its data only once the entry expired.
 * Over the hand-countable store of test/release-world.ts (46 accesses on 2 January JST).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../../../test/api-world.js';
import { ev } from '../../../../test/events.js';
import { JAN_2012, seedReleaseMonths } from '../../../../test/release-world.js';
import { RELEASE_CACHE_TTL_MS } from './page.js';

let w: ApiWorld;
beforeAll(async () => {
  w = await openApiWorld({}, { config: { publicStats: { delayHours: 24, minCount: 3 } } });
  await seedReleaseMonths(w);
});
afterAll(async () => {
  await w.close();
});

const jan2 = async () => {
  const r = await w.request('/release/2012-01/daily.json');
  const rows = ((await r.json()) as { rows: { date: string; accesses: number }[] }).rows;
  return rows.find((x) => x.date === '2012-01-02')?.accesses;
};
const page = async () => (await (await w.request('/?lang=en&month=2012-01')).text()).replace(/\s+/g, ' ');
const JAN2_ROW = /<th scope="row">2 Jan 2012<\/th><td class="n">(\d+)<\/td>/;

describe('the release cache', () => {
  it('serves a published month from the cache until the entry expires', async () => {
    expect(await jan2()).toBe(46);
    expect(JAN2_ROW.exec(await page())?.[1]).toBe('46');
    // Seven firewall accesses to 2 January arrive late (a sensor's backlog).
    const t = JAN_2012 + 86_400_000 + 5 * 3_600_000;
    await w.center.observatory.store.append(
      Array.from({ length: 7 }, (_, i) => ev({ timeMs: t + i, dstPort: 445 })),
    );
    expect(await jan2()).toBe(46);
    expect(JAN2_ROW.exec(await page())?.[1]).toBe('46');
    w.clock.ms += RELEASE_CACHE_TTL_MS;
    expect(await jan2()).toBe(53);
    expect(JAN2_ROW.exec(await page())?.[1]).toBe('53');
  });
});
