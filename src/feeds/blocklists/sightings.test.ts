// Sightings through the service: distinct customers of distinct providers per destination and per
// campaign, the same customer hash from two providers as two unrelated pseudonyms, and a
// provider seeing only its own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addMember,
  C2_TH,
  type Cast,
  openTestIntel,
  seedCast,
  type TestIntel,
} from '../../intel/_testkit.js';
import { BlocklistService, SightingService } from '../index.js';

let t: TestIntel;
let cast: Cast;
beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
});
afterEach(async () => {
  await t.close();
});

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

describe('sightings per destination and campaign', () => {
  it('counts distinct customers and providers, and keeps each provider to its own', async () => {
    const green = { tlp: 'GREEN' as const };
    await t.intel.intake.submitReport(cast.x.actor, { kind: 'c2', destinations: [{ value: C2_TH }] }, green);
    const second = await t.intel.intake.submitReport(
      cast.y.actor,
      { kind: 'c2', destinations: [{ value: C2_TH }] },
      green,
    );
    const campaign = second.correlation!.campaignId!;
    await t.intel.campaigns.rename(cast.analyst.actor, campaign, 'Gate 2012');
    await t.intel.campaigns.setLabel(cast.analyst.actor, campaign, 'GREEN');
    const isp = await addMember(
      t,
      { name: 'Net KK', kind: 'isp' },
      { email: 'noc@net.example', role: 'org-member' },
    );
    const s = new SightingService(t.intel, new BlocklistService(t.intel, () => t.clock.ms), () => t.clock.ms);
    const seen = t.clock.ms - 60_000;
    const a = await s.report(cast.mssp.actor, [
      { value: C2_TH, customer_hash: H1, seen: seen / 1000 },
      { value: C2_TH, customer_hash: H2, seen: seen / 1000 },
    ]);
    const b = await s.report(isp.actor, [{ value: C2_TH, customer_hash: H1, seen: seen / 1000 }]);
    expect([a.accepted, b.accepted]).toEqual([2, 1]);
    // The same hash from two providers: two pseudonyms, neither the hash.
    expect(b.newInfected[0]!.customer_key).not.toBe(a.newInfected[0]!.customer_key);
    const all = await s.summary(cast.analyst.actor);
    expect(all).toEqual({
      destinations: [{ type: 'ipv4', value: C2_TH, customers: 3, providers: 2, campaigns: ['Gate 2012'] }],
      campaigns: [{ campaign: 'Gate 2012', destinations: 1, customers: 3, providers: 2 }],
    });
    const own = await s.summary(isp.actor);
    expect(own.destinations).toEqual([
      { type: 'ipv4', value: C2_TH, customers: 1, providers: 1, campaigns: ['Gate 2012'] },
    ]);
    await expect(s.report(cast.x.actor, [])).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });
});
