import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropAppendOnlyGuards } from '../../../test/relational.js';
import { addMember, intelFixture, openTestIntel, type TestIntel } from '../_testkit.js';
import { listAudit, verifyAuditChain } from './audit.js';
import { canonicalJson, chainHash, GENESIS_HASH } from './chain.js';

let t: TestIntel;

beforeEach(async () => {
  t = await openTestIntel();
});
afterEach(async () => {
  await t.close();
});

async function sampleHistory() {
  const m = await addMember(
    t,
    { name: 'P1', kind: 'member-company' },
    { email: 'a@p1.example', role: 'org-member' },
  );
  const r = await t.intel.intake.submitReport(
    m.actor,
    { kind: 'text', title: 'scan', text: 'from 27.254.40.5' },
    { tlp: 'GREEN' },
  );
  await t.intel.reports.get(m.actor, r.reportId);
  await t.intel.intake.submitEmail(m.actor, intelFixture('x-lure-p1.eml'));
  return m;
}

/** The attacker's first move: the database refuses UPDATE and DELETE on the chained tables. */
async function dropGuards() {
  for (const table of ['audit_log', 'custody'] as const) await dropAppendOnlyGuards(t.db, table);
}

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null], c: true }, u: undefined })).toBe(
      '{"a":{"c":true,"d":[1,"x",null]},"b":1}',
    );
  });

  it('chains from 64 zeros with SHA-256 over the previous hash, a newline and the canonical row', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    // printf '%s\n%s' 000…0 '{"a":"x","id":1}' | sha256sum
    expect(chainHash(GENESIS_HASH, { id: 1, a: 'x' })).toBe(
      '20ccb027d2bc9cb7b88219762e456b7c419272d3ea320ce5df0cc12dad878e16',
    );
  });
});

describe('the audit log', () => {
  it('records every change and every AMBER read, in order, but not a GREEN read', async () => {
    const m = await sampleHistory();
    const emailReport = 2;
    await t.intel.reports.get(m.actor, emailReport);
    const rows = await listAudit(t.db, { limit: 100 });
    expect(rows.map((r) => r.action).reverse()).toEqual([
      'org.create',
      'user.create',
      'report.create',
      'report.create',
      'report.read',
    ]);
    expect(rows[0]).toMatchObject({
      action: 'report.read',
      targetType: 'report',
      targetId: '2',
      tlp: 'AMBER',
      actorLabel: `user:${m.user.id}`,
    });
  });

  it('verifies an untouched chain and reports its length and head', async () => {
    await sampleHistory();
    const v = await verifyAuditChain(t.db);
    expect(v.ok).toBe(true);
    expect(v.audit.rows).toBe(4);
    expect(v.custody.rows).toBe(1);
    expect(v.message).toBe(`chain intact (4 rows; custody 1 rows; head ${v.audit.head})`);
  });

  it('refuses UPDATE and DELETE on the audit log and the custody table in the database itself', async () => {
    await sampleHistory();
    await expect(sql`update audit_log set action = 'x' where id = 1`.execute(t.db)).rejects.toThrow(
      'audit_log is append-only',
    );
    await expect(sql`delete from audit_log where id = 1`.execute(t.db)).rejects.toThrow(
      'audit_log is append-only',
    );
    await expect(sql`delete from custody`.execute(t.db)).rejects.toThrow('custody is append-only');
  });

  it('finds a tampered row', async () => {
    await sampleHistory();
    await dropGuards();
    await sql`update audit_log set details = '{"email":"someone-else@p1.example"}' where id = 2`.execute(
      t.db,
    );
    const v = await verifyAuditChain(t.db);
    expect(v.ok).toBe(false);
    expect(v.audit.broken).toEqual({ id: 2, reason: 'hash-mismatch' });
    expect(v.message).toBe('audit_log row 2: hash-mismatch');
  });

  it('finds a deleted row at the row after it', async () => {
    await sampleHistory();
    await dropGuards();
    await sql`delete from audit_log where id = 2`.execute(t.db);
    expect((await verifyAuditChain(t.db)).message).toBe('audit_log row 3: prev-mismatch');
  });

  it('finds rows swapped with their hashes (the id is part of the hashed content)', async () => {
    await sampleHistory();
    await dropGuards();
    await sql`update audit_log set id = -2 where id = 2`.execute(t.db);
    await sql`update audit_log set id = 2 where id = 3`.execute(t.db);
    await sql`update audit_log set id = 3 where id = -2`.execute(t.db);
    expect((await verifyAuditChain(t.db)).message).toBe('audit_log row 2: prev-mismatch');
  });

  it('finds a cut-off tail only against the head recorded earlier', async () => {
    await sampleHistory();
    const before = await verifyAuditChain(t.db);
    await dropGuards();
    await sql`delete from audit_log where id = 4`.execute(t.db);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
    const v = await verifyAuditChain(t.db, { expectHead: before.audit.head });
    expect(v.audit.broken).toEqual({ id: null, reason: 'head-mismatch' });
    expect(v.message).toContain('audit_log: head-mismatch (the chain ends at');
  });

  it('finds a tampered custody record', async () => {
    await sampleHistory();
    await dropGuards();
    await sql`update custody set actor_label = 'user:999' where id = 1`.execute(t.db);
    expect((await verifyAuditChain(t.db)).message).toBe('custody row 1: hash-mismatch');
  });
});
