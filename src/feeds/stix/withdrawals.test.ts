// A revoked import's values leave what the center shares: the blocklists (whole, and as removed
// in the incremental variant), the STIX export and the MISP feed — the report itself stays, and
// the withdrawal is audited once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C2_TH, C2_US, type Cast, openTestIntel, seedCast, type TestIntel } from '../../intel/_testkit.js';
import { BlocklistService } from '../blocklists/service.js';
import { MispService } from '../misp/service.js';
import { StixService } from './service.js';
import { withdrawRevoked } from './withdrawals.js';

let t: TestIntel;
let cast: Cast;
beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
});
afterEach(async () => {
  await t.close();
});

const REVOKED = {
  stixId: 'report--00000000-0000-4000-8000-0000000000aa',
  type: 'report',
  source: 'peer:center-a',
};

describe('values withdrawn by their source', () => {
  it('leave the blocklists (listed as removed since before), the STIX export and the MISP feed; audited once', async () => {
    const green = { tlp: 'GREEN' as const };
    const gone = await t.intel.intake.submitReport(
      cast.x.actor,
      { kind: 'c2', destinations: [{ value: C2_TH }, { value: C2_US }] },
      green,
    );
    // C2_US is also held by another report: it stays listed.
    await t.intel.intake.submitReport(cast.y.actor, { kind: 'c2', destinations: [{ value: C2_US }] }, green);
    const lists = new BlocklistService(t.intel, () => t.clock.ms);
    const before = await lists.render(cast.analyst.actor, 'text');
    expect(before.body.split('\n').filter((l) => !l.startsWith('#'))).toEqual([C2_TH, C2_US, '']);
    const sinceMs = t.clock.ms;

    t.clock.ms += 60_000;
    const n = await withdrawRevoked(t.intel, cast.analyst.actor, REVOKED, gone.reportId, null, t.clock.ms);
    expect(n).toBe(2);
    // Again (the same revoked version pulled twice): nothing more, no second audit entry.
    expect(await withdrawRevoked(t.intel, cast.analyst.actor, REVOKED, gone.reportId, null, t.clock.ms)).toBe(
      0,
    );

    const after = await lists.render(cast.analyst.actor, 'text');
    expect(after.body.split('\n').filter((l) => !l.startsWith('#'))).toEqual([C2_US, '']);
    expect(after.etag).not.toBe(before.etag);
    expect(after.versionMs).toBe(t.clock.ms);
    const changes = await lists.render(cast.analyst.actor, 'text', { sinceMs });
    expect(changes.body.split('\n').filter((l) => !l.startsWith('#'))).toEqual([`-${C2_TH}`, '']);

    const bundle = await new StixService(t.intel, {}, () => t.clock.ms).exportBundle(
      cast.analyst.actor,
      'members',
    );
    const patterns = bundle.objects.filter((o) => o.type === 'indicator').map((o) => String(o.pattern));
    expect(patterns.some((p) => p.includes(C2_TH))).toBe(false);
    expect(patterns.some((p) => p.includes(C2_US))).toBe(true);
    const feed = await new MispService(t.intel, () => t.clock.ms).exportFeed(cast.analyst.actor, 'members');
    const events = [...feed.files.values()].join('\n');
    expect(events).not.toContain(C2_TH);
    expect(events).toContain(C2_US);

    const audit = await t.intel.auditLog(t.system, { action: 'report.withdraw-revoked' });
    expect(audit.map((r) => [r.targetId, r.tlp, r.details])).toEqual([
      [
        String(gone.reportId),
        'GREEN',
        {
          source: 'peer:center-a',
          revoked: REVOKED.stixId,
          revokedType: 'report',
          why: 'revoked',
          values: [`ipv4:${C2_TH}`, `ipv4:${C2_US}`],
        },
      ],
    ]);
    // The report stays, with its values, for the center's own work.
    expect((await t.intel.reports.get(cast.analyst.actor, gone.reportId)).id).toBe(gone.reportId);
  });
});
