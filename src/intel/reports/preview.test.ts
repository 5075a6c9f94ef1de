import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { C2_TH, type Cast, intelFixture, openTestIntel, seedCast, type TestIntel } from '../_testkit.js';
import { ANONYMOUS } from '../identity/actor.js';

let t: TestIntel;
let cast: Cast;

beforeEach(async () => {
  t = await openTestIntel({ emailLimits: { maxRawBytes: 64 * 1024 } });
  cast = await seedCast(t);
});
afterEach(async () => {
  await t.close();
});

const reportCount = async () =>
  Number(
    (
      await t.db
        .selectFrom('reports')
        .select((e) => e.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('submission preview', () => {
  it('shows an e-mail’s shareable view and keeps the recipient in the private part, storing nothing', async () => {
    const raw = intelFixture('x-lure-p1.eml');
    const p = await t.intel.intake.previewEmail(cast.p1.actor, raw);
    expect(p.kind).toBe('email');
    const shared = JSON.stringify(p.shared);
    const privatePart = JSON.stringify(p.privatePart);
    // The recipient is the reporter's own colleague: private, never in the shared view.
    expect(privatePart).toContain('suzuki@p1-kogyo.example');
    expect(shared).not.toContain('suzuki@p1-kogyo.example');
    // What intake would store is exactly what the preview showed.
    const stored = await t.intel.intake.submitEmail(cast.p1.actor, raw);
    const view = await t.intel.reports.get(cast.p1.actor, stored.reportId);
    expect(view.title).toBe(p.title);
    expect(await t.intel.reports.privatePart(cast.p1.actor, stored.reportId)).toEqual(p.privatePart);
  });

  it('writes no report, evidence file or audit row', async () => {
    const before = await t.db.selectFrom('audit_log').select('id').execute();
    await t.intel.intake.previewEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'));
    expect(await reportCount()).toBe(0);
    const dir = join(t.dir, 'evidence');
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect((await t.db.selectFrom('audit_log').select('id').execute()).length).toBe(before.length);
  });

  it('previews a C2 report with the destinations it would extract', async () => {
    const p = await t.intel.intake.previewReport(cast.p1.actor, {
      kind: 'c2',
      destinations: [{ value: C2_TH, port: 443 }],
    });
    expect(p.kind).toBe('c2');
    expect(p.title).toBe('C2 destinations (1)');
    expect(p.indicators).toEqual([{ type: 'ipv4', value: C2_TH, role: 'c2', warning: null }]);
    expect(await reportCount()).toBe(0);
  });

  it('refuses the anonymous public and oversized messages', async () => {
    await expect(
      t.intel.intake.previewReport(ANONYMOUS, { kind: 'c2', destinations: [{ value: C2_TH }] }),
    ).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await expect(
      t.intel.intake.previewEmail(cast.p1.actor, Buffer.alloc(64 * 1024 + 1, 0x41)),
    ).rejects.toMatchObject({
      code: 'E_LIMIT',
    });
  });
});
