/**
 * Publishing a member's report below its label: refused with a reason alone (the review's finding:
 * an analyst could publish a member's AMBER+STRICT value to the public with free text), allowed
 * once the reporting organisation consented or a second center admin approved — both audited.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMember, type Cast, type Member, openTestIntel, seedCast, type TestIntel } from '../_testkit.js';
import { listAudit } from '../audit/audit.js';

const C2 = '27.254.40.5';
const REASON = 'C2 address only, the reporter anonymised: every member should block it';
let t: TestIntel;
let cast: Cast;
let admin2: Member;
let reportId: number;

beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
  admin2 = await addMember(
    t,
    { name: 'Cyber Intelligence Center', kind: 'center' },
    { email: 'admin2@center.example', role: 'center-admin' },
  );
  // P1 reports a C2 address it wants kept inside its own organisation (and the center).
  const r = await t.intel.intake.submitReport(
    cast.p1.actor,
    { kind: 'c2', destinations: [{ value: C2 }] },
    { tlp: 'AMBER+STRICT' },
  );
  reportId = r.reportId;
});
afterEach(async () => {
  await t.close();
});

function publishDraft() {
  return t.intel.advisories.draft(cast.analyst.actor, {
    source: { type: 'report', id: reportId },
    title: 'C2 address seen by a member',
    tlp: 'CLEAR',
    downgradeReason: REASON,
  });
}

async function publish() {
  const d = await publishDraft();
  return t.intel.advisories.send(cast.analyst.actor, d.alertId, { audience: { public: true } });
}

function request(to: 'CLEAR' | 'GREEN' = 'CLEAR') {
  return t.intel.declassifications.request(cast.analyst.actor, {
    reportIds: [reportId],
    tlp: to,
    reason: REASON,
  });
}

const REFUSAL =
  `TLP:CLEAR is below the label of report 1 (TLP:AMBER+STRICT): publishing a member's report below its ` +
  "label needs an approved declassification — the reporting organisation's consent or a second center " +
  "admin's approval (koban declassify request, POST /api/v1/declassifications)";

describe('publishing a member’s report below its label', () => {
  it('is refused with a free-text reason only, and nothing is stored', async () => {
    await expect(publishDraft()).rejects.toMatchObject({ code: 'E_FORBIDDEN', message: REFUSAL });
    expect(await t.intel.advisories.list(cast.analyst.actor)).toEqual([]);
  });

  it('is refused while the request is pending, and after it was refused', async () => {
    const [d] = await request();
    await expect(publishDraft()).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await t.intel.declassifications.refuse(admin2.actor, d!.id, {
      reason: 'the address is a member honeypot',
    });
  });

  it('passes with the consent of an admin of the reporting organisation, audited', async () => {
    const p1Admin = await addMember(
      t,
      { name: 'P1工業', kind: 'member-company' },
      { email: 'admin@p1-kogyo.example', role: 'org-admin' },
    );
    const [d] = await request();
    await expect(t.intel.declassifications.consent(cast.x.actor, d!.id)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: `user:${cast.x.user.id}: only an org admin of the reporting organisation consents to declassifying report 1`,
    });
    await expect(t.intel.declassifications.consent(cast.p1.actor, d!.id)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    const ok = await t.intel.declassifications.consent(p1Admin.actor, d!.id, { note: 'fine by us' });
    expect(ok).toMatchObject({ status: 'approved', approval: 'consent', decidedBy: p1Admin.user.id });
    const sent = await publish();
    expect(sent.version).toBe(1);
    const actions = (await listAudit(t.db, { limit: 100 })).map((r) => r.action).reverse();
    expect(actions.filter((a) => a.startsWith('declassification.') || a.startsWith('alert.'))).toEqual([
      'declassification.request',
      'declassification.consent',
      'alert.draft',
      'alert.send',
    ]);
    const [send] = await listAudit(t.db, { action: 'alert.send' });
    expect(send?.details).toMatchObject({
      floor: 'AMBER+STRICT',
      downgradeReason: REASON,
      declassifications: [d!.id],
    });
  });

  it('passes with a second center admin’s approval, never the requester’s own (four eyes)', async () => {
    const [d] = await t.intel.declassifications.request(cast.admin.actor, {
      reportIds: [reportId],
      tlp: 'CLEAR',
      reason: REASON,
    });
    await expect(t.intel.declassifications.approve(cast.admin.actor, d!.id)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: `four eyes: user ${cast.admin.user.id} requested declassification ${d!.id}; a different center admin approves it`,
    });
    await expect(t.intel.declassifications.approve(cast.analyst.actor, d!.id)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    expect(await t.intel.declassifications.approve(admin2.actor, d!.id)).toMatchObject({
      status: 'approved',
      approval: 'second-admin',
    });
    await expect(publish()).resolves.toMatchObject({ version: 1 });
    expect((await listAudit(t.db, { action: 'declassification.second-admin' }))[0]).toMatchObject({
      actorUserId: admin2.user.id,
      targetId: String(reportId),
    });
  });

  it('covers only as low as approved', async () => {
    const [d] = await request('GREEN');
    await t.intel.declassifications.approve(cast.admin.actor, d!.id);
    await expect(publishDraft()).rejects.toMatchObject({ code: 'E_FORBIDDEN', message: REFUSAL });
    await expect(
      t.intel.advisories.draft(cast.analyst.actor, {
        source: { type: 'report', id: reportId },
        title: 'C2 address seen by a member',
        tlp: 'GREEN',
        downgradeReason: REASON,
      }),
    ).resolves.toMatchObject({ tlpFloor: 'AMBER+STRICT', downgradeReason: REASON });
  });

  it('no longer covers a report whose label was raised after the approval', async () => {
    const amber = await t.intel.intake.submitReport(cast.p1.actor, {
      kind: 'c2',
      destinations: [{ value: C2 }],
    });
    const [d] = await t.intel.declassifications.request(cast.analyst.actor, {
      reportIds: [amber.reportId],
      tlp: 'GREEN',
      reason: REASON,
    });
    await t.intel.declassifications.approve(cast.admin.actor, d!.id);
    const draft = () =>
      t.intel.advisories.draft(cast.analyst.actor, {
        source: { type: 'report', id: amber.reportId },
        title: 'C2 address seen by a member',
        tlp: 'GREEN',
        downgradeReason: REASON,
      });
    await expect(draft()).resolves.toMatchObject({ tlpFloor: 'AMBER' });
    await sql`update reports set tlp = 'AMBER+STRICT' where id = ${amber.reportId}`.execute(t.db);
    await expect(draft()).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: expect.stringContaining(
        `TLP:GREEN is below the label of report ${amber.reportId} (TLP:AMBER+STRICT)`,
      ),
    });
  });

  it('refuses a request for a label that is not below the report’s, and a second pending one', async () => {
    await expect(
      t.intel.declassifications.request(cast.analyst.actor, {
        reportIds: [reportId],
        tlp: 'RED',
        reason: REASON,
      }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'report 1 is TLP:AMBER+STRICT: TLP:RED is not below it',
    });
    const [d] = await request();
    await expect(request()).rejects.toMatchObject({
      code: 'E_CONFLICT',
      message: `declassification ${d!.id} of report 1 to TLP:CLEAR is already pending`,
    });
  });

  it('shows requests to the center and to the reporting organisation’s admin only', async () => {
    const [d] = await request();
    expect((await t.intel.declassifications.list(cast.admin.actor)).map((x) => x.id)).toEqual([d!.id]);
    expect(await t.intel.declassifications.list(cast.x.actor)).toEqual([]);
    await expect(t.intel.declassifications.get(cast.x.actor, d!.id)).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    await expect(t.intel.declassifications.list(cast.p1.actor)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
  });
});
