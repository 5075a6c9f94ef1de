// TAXII reads audited per reader: a walk of many pages is one row per reader, collection and hour,
// sealed into the hash-chained audit log once the hour is over — on the world's clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C2_US } from '../../../test/api-world.js';
import { MEMBERS, openTaxiiWorld, ROOT, type TaxiiWorld } from './_testkit.js';
import { HOUR_MS, TaxiiReadLog } from './read-audit.js';

let t: TaxiiWorld;
beforeEach(async () => {
  t = await openTaxiiWorld();
});
afterEach(async () => {
  await t.close();
});

const objectsOf = async (res: Response) =>
  ((await res.json()) as { objects?: unknown[] }).objects?.length ?? 0;

describe('TAXII reads, audited per reader per collection per hour', () => {
  it('counts every page of a walk into one row per reader, and seals the hour into the audit chain', async () => {
    const { w } = t;
    for (const value of [C2_US, '185.220.101.7']) {
      const r = await w.request('/api/v1/reports', {
        token: w.cast.y.token,
        json: { report: { kind: 'c2', destinations: [{ value }] }, sharing: { tlp: 'GREEN' } },
      });
      expect(r.status).toBe(201);
    }
    // Inside one hour: the walk starts 10 minutes into it.
    const hour = w.clock.ms - (w.clock.ms % HOUR_MS) + HOUR_MS;
    w.clock.ms = hour + 10 * 60_000;
    const url = `${ROOT}collections/${MEMBERS}/objects/`;
    let walked = 0;
    let pages = 0;
    let next: string | undefined;
    do {
      const res = await t.call(`${url}?limit=2${next ? `&next=${encodeURIComponent(next)}` : ''}`, {
        token: w.cast.mssp.token,
      });
      expect(res.status).toBe(200);
      const env = (await res.clone().json()) as { more: boolean; next?: string };
      walked += await objectsOf(res);
      pages++;
      next = env.more ? env.next : undefined;
      w.clock.ms += 1000;
    } while (next !== undefined);
    expect(pages).toBeGreaterThan(1);
    // Another reader (a user by HTTP Basic) in the same hour: a row of its own.
    w.clock.ms = hour + 20 * 60_000;
    const basic = await t.call(`${url}?limit=1`, { basic: w.cast.x.email });
    expect(await objectsOf(basic)).toBe(1);
    // The rows are the store's: any process serving it (or `koban feeds reads`) sees the same.
    const reads = new TaxiiReadLog(w.center.intel, () => w.clock.ms);
    const open = await reads.list(hour);
    expect(open.map((r) => [r.reader, r.userId, r.requests, r.objects, r.sealed])).toEqual([
      // A Basic login reads through the session it opened (the store's first).
      [`session:1 (user:${w.cast.x.userId})`, w.cast.x.userId, 1, 1, false],
      [
        `token:${tokenId(w.cast.mssp.token)} (user:${w.cast.mssp.userId})`,
        w.cast.mssp.userId,
        pages,
        walked,
        false,
      ],
    ]);
    const auditRows = () => w.center.intel.auditLog(w.system, { action: 'taxii.read', limit: 100 });
    expect(await auditRows()).toEqual([]);
    // The next hour: the first read seals the last hour's rows, one audit entry per reader.
    w.clock.ms = hour + HOUR_MS + 5 * 60_000;
    expect((await t.call(`${url}?limit=1`, { token: w.cast.mssp.token })).status).toBe(200);
    const audited = await auditRows();
    const mssp = audited.find((a) => a.actorUserId === w.cast.mssp.userId);
    expect(audited).toHaveLength(2);
    expect(mssp).toMatchObject({
      action: 'taxii.read',
      targetType: 'taxii-collection',
      targetId: MEMBERS,
      actorOrgId: w.cast.mssp.orgId,
      details: {
        hour: new Date(hour).toISOString(),
        requests: pages,
        objects: walked,
        first: new Date(hour + 10 * 60_000).toISOString(),
        last: new Date(hour + 10 * 60_000 + (pages - 1) * 1000).toISOString(),
      },
    });
    // Sealed once: sealing again (another process, the next minute) adds nothing.
    expect(await reads.seal()).toBe(0);
    w.clock.ms += 2 * 60_000;
    expect((await t.call(`${url}?limit=1`, { token: w.cast.mssp.token })).status).toBe(200);
    expect(await auditRows()).toHaveLength(2);
    expect((await reads.list(hour + HOUR_MS)).map((r) => [r.requests, r.objects, r.sealed])).toEqual([
      [2, 2, false],
    ]);
  });
});

/** An API token's id (`kbt_<id>_<secret>`). */
function tokenId(token: string): string {
  return token.split('_')[1] ?? '';
}
