/**
 * The site-evidence store: write-once under custody, idempotent by the record's hash, read only by
 * center staff with `evidence:read`, every read audited — in the run's dialect (test/relational.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMember, type Cast, openTestIntel, seedCast, type TestIntel } from '../_testkit.js';
import { userActor } from '../identity/actor.js';
import type { SiteEvidenceInput } from './site-evidence.js';

let t: TestIntel;
let cast: Cast;
let site: Awaited<ReturnType<typeof addMember>>;

beforeEach(async () => {
  t = await openTestIntel();
  cast = await seedCast(t);
  site = await addMember(
    t,
    { name: 'Forum', kind: 'website-operator' },
    { email: 'ops@forum.example', role: 'org-admin' },
  );
});
afterEach(async () => {
  await t.close();
});

const input = (over: Partial<SiteEvidenceInput> = {}): SiteEvidenceInput => ({
  requestMs: t.clock.ms - 60_000,
  ip: '203.0.113.5',
  port: 443,
  account: 'alice',
  contentSha256: 'ab'.repeat(32),
  headers: { 'user-agent': 'Mozilla/5.0' },
  note: null,
  listing: { listed: true, ip: '203.0.113.5' },
  ...over,
});

describe('site evidence', () => {
  it('keeps a record once, chains its custody, and the chains verify', async () => {
    const rec = input();
    const a = await t.intel.siteEvidence.record(site.actor, rec);
    t.clock.ms += 1000;
    const b = await t.intel.siteEvidence.record(site.actor, { ...rec, headers: { ...rec.headers } });
    expect([a.created, b.created, b.view.id, b.view.receivedMs]).toEqual([
      true,
      false,
      a.view.id,
      a.view.receivedMs,
    ]);
    const other = await t.intel.siteEvidence.record(site.actor, { ...rec, account: 'bob' });
    expect(other.view.id).not.toBe(a.view.id);
    const custody = await t.db
      .selectFrom('custody')
      .select(['action', 'evidence_sha256'])
      .orderBy('id')
      .execute();
    expect(custody).toEqual([
      { action: 'received', evidence_sha256: a.view.recordSha256 },
      { action: 'received', evidence_sha256: other.view.recordSha256 },
    ]);
    expect((await t.intel.verifyAudit()).ok).toBe(true);
  });

  it('cannot be changed or deleted in the store', async () => {
    const { view } = await t.intel.siteEvidence.record(site.actor, input());
    await expect(
      t.db.updateTable('site_evidence').set({ account: 'mallory' }).where('id', '=', view.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('site_evidence').where('id', '=', view.id).execute()).rejects.toThrow(
      /append-only/,
    );
  });

  it('is read by an investigator only, each read in custody and the audit log', async () => {
    const { view } = await t.intel.siteEvidence.record(site.actor, input());
    expect((await t.intel.siteEvidence.get(cast.analyst.actor, view.id)).account).toBe('alice');
    expect(
      (await t.intel.siteEvidence.list(cast.admin.actor, { siteOrgId: site.org.id })).map((v) => v.id),
    ).toEqual([view.id]);
    for (const actor of [
      site.actor,
      cast.x.actor,
      userActor({ userId: cast.analyst.user.id, orgId: cast.analyst.org.id, role: 'analyst' }, [
        'reports:read',
      ]),
    ]) {
      await expect(t.intel.siteEvidence.get(actor, view.id)).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
      await expect(t.intel.siteEvidence.list(actor)).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    }
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_type', '=', 'site-evidence')
      .orderBy('id')
      .execute();
    expect(audit.map((r) => r.action)).toEqual([
      'site-evidence.record',
      'site-evidence.read',
      'site-evidence.list',
    ]);
    const viewed = await t.db.selectFrom('custody').select('action').where('action', '=', 'viewed').execute();
    expect(viewed).toHaveLength(2);
    expect((await t.intel.verifyAudit()).ok).toBe(true);
  });

  it('refuses a post from an actor without an organisation', async () => {
    await expect(t.intel.siteEvidence.record(t.system, input())).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
  });
});
