/**
 * Correlation answers computed over what the reader may read: a member that reports a value learns
 * nothing — counts, first or last seen, expiry, links — about RED or AMBER+STRICT reports of other
 * organisations holding it. Checked the strongest way: the member's answers are the same whether
 * such a report exists or not. The center's staff still see the stored totals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../core/index.js';
import { addMember, type Member, openTestIntel, T0, type TestIntel } from '../_testkit.js';
import type { Tlp } from '../tlp.js';

const C2 = '27.254.40.5';
let worlds: TestIntel[] = [];

afterEach(async () => {
  for (const w of worlds) await w.close();
  worlds = [];
});

/**
 * A world where member A reported the value 40 days ago under `hidden` (or did not, with null),
 * then member B reports it under GREEN today; returns what B is told, and the analyst.
 */
async function world(hidden: Tlp | null) {
  const t = await openTestIntel();
  worlds.push(t);
  const analyst = await addMember(
    t,
    { name: 'Center', kind: 'center' },
    { email: 'an@center.example', role: 'analyst' },
  );
  const a = await addMember(
    t,
    { name: 'A', kind: 'bank', sector: 'finance', prefecture: 'osaka' },
    { email: 'a@a.example', role: 'org-member' },
  );
  const b = await addMember(
    t,
    { name: 'B', kind: 'member-company', sector: 'gas', prefecture: 'tokyo' },
    { email: 'b@b.example', role: 'org-member' },
  );
  if (hidden !== null) {
    t.clock.ms = T0 - 40 * DAY_MS;
    await t.intel.intake.submitReport(
      a.actor,
      { kind: 'c2', destinations: [{ value: C2 }] },
      { tlp: hidden },
    );
    t.clock.ms = T0;
  }
  const mine = await t.intel.intake.submitReport(
    b.actor,
    { kind: 'c2', destinations: [{ value: C2 }] },
    { tlp: 'GREEN' },
  );
  return { t, analyst, b, reportId: mine.reportId };
}

async function answers(w: { t: TestIntel; b: Member; reportId: number }) {
  const report = await w.t.intel.reports.get(w.b.actor, w.reportId);
  const { id: _id, ...value } = (await w.t.intel.indicators.lookup(w.b.actor, C2))!;
  const listed = await w.t.intel.indicators.list(w.b.actor, { minOrgs: 2 });
  const current = await w.t.intel.indicators.list(w.b.actor, {});
  return {
    observables: report.indicators.map((i) => [i.value, i.reportCount, i.orgCount]),
    links: report.links,
    value,
    withTwoOrgs: listed.length,
    current: current.map((c) => [c.value, c.reportCount, c.firstSeenMs, c.lastSeenMs, c.expiresMs]),
  };
}

describe('what a member learns when it reports a value', () => {
  for (const hidden of ['RED', 'AMBER+STRICT'] as const) {
    it(`is the same whether another member's ${hidden} report holds the value or not`, async () => {
      const without = await answers(await world(null));
      const withHidden = await answers(await world(hidden));
      expect(withHidden).toEqual(without);
      expect(without.value).toMatchObject({
        reportCount: 1,
        orgCount: 1,
        sectorCount: 1,
        prefectureCount: 1,
        firstSeenMs: T0,
        lastSeenMs: T0,
        expiresMs: T0 + 30 * DAY_MS,
        readAs: 'GREEN',
      });
      expect(without.withTwoOrgs).toBe(0);
    });
  }

  it('still counts another member’s GREEN report, which the member may read', async () => {
    const w = await world('GREEN');
    const r = await answers(w);
    expect(r.value).toMatchObject({ reportCount: 2, orgCount: 2, firstSeenMs: T0 - 40 * DAY_MS });
    expect(r.links).toEqual([{ reportId: 1, weight: 1 }]);
  });

  it('shows the center’s analysts the stored totals, AMBER+STRICT included', async () => {
    const w = await world('AMBER+STRICT');
    expect(await w.t.intel.indicators.lookup(w.analyst.actor, C2)).toMatchObject({
      reportCount: 2,
      orgCount: 2,
      firstSeenMs: T0 - 40 * DAY_MS,
      sectors: ['finance', 'gas'],
    });
    const seen = await w.t.intel.reports.get(w.analyst.actor, w.reportId);
    expect(seen.indicators.map((i) => [i.reportCount, i.orgCount])).toEqual([[2, 2]]);
  });
});
