/**
 * Per-organisation intake limits on the reference case's fixtures (docs/background.md#sharing-network), with the test clock: a burst,
 * the hourly rate refilling as the clock moves, other organisations unaffected, and the quota on
 * the evidence an organisation keeps (a file counted once however often it is reported).
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../../../test/samples.js';
import { type Cast, openTestIntel, seedCast, type TestIntel } from '../_testkit.js';

const lure = (name: string) => readFileSync(fixture(`intel/${name}`));
const text = (n: number) => ({ kind: 'text' as const, title: `note ${n}`, text: `observed ${n}` });

let t: TestIntel;
let cast: Cast;

afterEach(async () => {
  await t.close();
});

describe('the submission rate of one organisation', () => {
  beforeEach(async () => {
    t = await openTestIntel({ intakeLimits: { orgSubmissionBurst: 2, orgSubmissionsPerHour: 60 } });
    cast = await seedCast(t);
  });

  it('passes a burst, refuses the next with the wait, and refills one a minute', async () => {
    const intake = t.intel.intake;
    await intake.submitReport(cast.p1.actor, text(1));
    await intake.submitEmail(cast.p1.actor, lure('x-lure-p1.eml'));
    await expect(intake.submitReport(cast.p1.actor, text(3))).rejects.toMatchObject({
      code: 'E_LIMIT',
      retryAfterS: 60,
      message: `organisation ${cast.p1.org.id} submitted more than 2 reports at once (then 60 an hour); try again in 60 s`,
    });
    // The check before an upload is read says the same, and takes nothing.
    await expect(intake.admit(cast.p1.actor, { email: true, declaredBytes: 10 })).rejects.toMatchObject({
      retryAfterS: 60,
    });
    // Another organisation has its own bucket.
    await intake.submitReport(cast.p2.actor, text(4));
    t.clock.ms += 30_000;
    await expect(intake.submitReport(cast.p1.actor, text(5))).rejects.toMatchObject({ retryAfterS: 30 });
    t.clock.ms += 30_000;
    await intake.admit(cast.p1.actor, { email: false, declaredBytes: 0 });
    const r = await intake.submitReport(cast.p1.actor, text(6));
    expect(r.kind).toBe('text');
    await expect(intake.submitReport(cast.p1.actor, text(7))).rejects.toMatchObject({ code: 'E_LIMIT' });
  });

  it('does not audit a refusal (a flood would write the audit log at its own rate)', async () => {
    await t.intel.intake.submitReport(cast.p1.actor, text(1));
    await t.intel.intake.submitReport(cast.p1.actor, text(2));
    const before = (await t.intel.auditLog(t.system, {})).length;
    for (let i = 0; i < 5; i++)
      await expect(t.intel.intake.submitReport(cast.p1.actor, text(3 + i))).rejects.toMatchObject({
        code: 'E_LIMIT',
      });
    expect((await t.intel.auditLog(t.system, {})).length).toBe(before);
  });
});

describe('the evidence quota of one organisation', () => {
  const p1 = lure('x-lure-p1.eml');
  const p2 = lure('x-lure-p2.eml');
  const p3 = lure('y-lure-p3.eml');
  const quota = Math.floor(p1.length * 2.5);

  beforeEach(async () => {
    // Room for two lures and a half.
    t = await openTestIntel({ intakeLimits: { orgEvidenceQuotaBytes: quota } });
    cast = await seedCast(t);
  });

  it('refuses the file that would pass the quota, counting a file reported twice once', async () => {
    const intake = t.intel.intake;
    await intake.submitEmail(cast.p1.actor, p1);
    await intake.submitEmail(cast.p1.actor, p1);
    expect(await intake.evidenceBytes(cast.p1.org.id)).toBe(p1.length);
    await intake.submitEmail(cast.p1.actor, p2);
    expect(await intake.evidenceBytes(cast.p1.org.id)).toBe(p1.length + p2.length);
    await expect(intake.submitEmail(cast.p1.actor, p3)).rejects.toMatchObject({
      code: 'E_LIMIT',
      retryAfterS: undefined,
      message:
        `organisation ${cast.p1.org.id} keeps ${p1.length + p2.length} bytes of reported files; ` +
        `${p3.length} bytes more would pass its quota of ${quota} bytes (ask the center to raise it)`,
    });
    // The check before an upload is read uses the declared size.
    await expect(
      intake.admit(cast.p1.actor, { email: true, declaredBytes: p3.length }),
    ).rejects.toMatchObject({
      code: 'E_LIMIT',
    });
    await intake.admit(cast.p1.actor, { email: true, declaredBytes: 100 });
    // Reports without a raw file are not held back by the quota; other organisations have their own.
    await intake.submitReport(cast.p1.actor, text(1));
    await intake.submitEmail(cast.p2.actor, p3);
    expect(await intake.evidenceBytes(cast.p2.org.id)).toBe(p3.length);
  });
});
