/**
 * The keyed audit chain: a rewritten row whose later hashes are recomputed (the attack a plain
 * SHA-256 chain cannot see), the signed checkpoints that pin the heads even against someone
 * holding the key, the switch-over from an unkeyed chain, and the key file itself.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropAppendOnlyGuards, openTestRelational } from '../../../test/relational.js';
import { addMember, intelFixture, openTestIntel, type TestIntel } from '../_testkit.js';
import { systemActor } from '../identity/actor.js';
import { IntelService } from '../service.js';
import { appendAudit } from './audit.js';
import { type ChainedRow, chainHash, rowContent } from './chain.js';
import { ChainKey, type ChainTable, chainKeyOf, chainPage, withChainKey } from './keyed-chain.js';

let t: TestIntel;

beforeEach(async () => {
  t = await openTestIntel();
});
afterEach(async () => {
  await t.close();
});

async function history() {
  const m = await addMember(
    t,
    { name: 'P1', kind: 'member-company' },
    { email: 'a@p1.example', role: 'org-member' },
  );
  await t.intel.intake.submitReport(
    m.actor,
    { kind: 'text', title: 'scan', text: 'from 27.254.40.5' },
    { tlp: 'GREEN' },
  );
  await t.intel.intake.submitEmail(m.actor, intelFixture('x-lure-p1.eml'));
  return m;
}

async function dropGuards(table: ChainTable) {
  await dropAppendOnlyGuards(t.db, table);
}

/**
 * The attacker with write access to the database: changes row `id`, then recomputes that row's and
 * every later row's chain columns with `hash` (plain SHA-256, or the key if they hold it).
 */
async function rewrite(
  table: ChainTable,
  id: number,
  change: Record<string, string>,
  hash: (id: number, prev: string, content: Record<string, unknown>) => string,
) {
  await dropGuards(table);
  await t.db.updateTable(table).set(change).where('id', '=', id).execute();
  const rows = (await chainPage(t.db, table)(-1, 10_000)) as ChainedRow[];
  let prev = rows.find((r) => r.id === id - 1)?.hash ?? '0'.repeat(64);
  for (const r of rows.filter((x) => x.id >= id)) {
    const h = hash(r.id, prev, rowContent(r));
    await t.db.updateTable(table).set({ prev_hash: prev, hash: h }).where('id', '=', r.id).execute();
    prev = h;
  }
}

describe('the keyed audit chain', () => {
  it('catches a row rewritten with every later hash recomputed as plain SHA-256', async () => {
    await history();
    await rewrite('audit_log', 2, { details: '{"email":"someone-else@p1.example"}' }, (_id, prev, c) =>
      chainHash(prev, c),
    );
    const v = await t.intel.verifyAudit();
    expect(v.ok).toBe(false);
    expect(v.message).toBe('audit_log row 2: hash-mismatch');
  });

  it('catches the same on the custody chain, keyed by the same helper', async () => {
    await history();
    await rewrite('custody', 1, { actor_label: 'user:999' }, (_id, prev, c) => chainHash(prev, c));
    expect((await t.intel.verifyAudit()).message).toBe('custody row 1: hash-mismatch');
  });

  it('refuses to append through a handle without the key', async () => {
    const store = await openTestRelational();
    const raw = store.db;
    try {
      await expect(
        appendAudit(raw, systemActor('test'), { action: 'x', targetType: 'y' }, 0),
      ).rejects.toMatchObject({ code: 'E_CONFIG' });
    } finally {
      await store.close();
    }
  });

  it('keeps the key outside the database, readable by its owner only', async () => {
    const path = join(t.dir, 'audit.key');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      version: 1,
      switchover: { audit_log: 0, custody: 0 },
    });
  });
});

describe('signed checkpoints', () => {
  it('are written on demand, verified, and skipped by the periodic job when nothing moved', async () => {
    await history();
    const c = await t.intel.checkpointAudit();
    expect(c).toMatchObject({ v: 1, seq: 4, custodySeq: 1, keyId: chainKeyOf(t.db).keyId });
    expect(await t.intel.checkpointAudit()).toBeNull();
    const v = await t.intel.verifyAudit();
    expect(v.ok).toBe(true);
    expect(v.message).toBe(
      `chain intact (4 rows; custody 1 rows; head ${c!.head}); reaches the signed checkpoint of ${c!.at} (row 4)`,
    );
    expect((await t.intel.auditStatus()).lastCheckpoint).toEqual(c);
  });

  it('catch rows cut off the end', async () => {
    await history();
    await t.intel.checkpointAudit();
    await dropGuards('audit_log');
    await sql`delete from audit_log where id = 4`.execute(t.db);
    expect((await t.intel.verifyAudit()).message).toBe(
      'audit_log: the chain ends at row 3, short of the signed checkpoint at row 4: rows were removed from the end',
    );
  });

  it('catch a chain rewritten by someone who holds the HMAC key', async () => {
    const m = await history();
    await t.intel.checkpointAudit();
    await t.intel.reports.get(m.actor, 2);
    const rule = chainKeyOf(t.db).ruleFor('audit_log');
    await rewrite('audit_log', 2, { details: '{}' }, rule);
    const v = await t.intel.verifyAudit();
    expect(v.ok).toBe(false);
    expect(v.message).toBe('audit_log row 4: differs from the signed checkpoint (the chain was rewritten)');
  });

  it('refuse to sign a head the chain does not reach from the last checkpoint', async () => {
    await history();
    await t.intel.checkpointAudit();
    await t.intel.reports.list(t.system);
    await rewrite('audit_log', 5, { actor_label: 'x' }, (_id, prev, c) => chainHash(prev, c));
    await expect(t.intel.checkpointAudit({ force: true })).rejects.toMatchObject({
      code: 'E_INTERNAL',
      message:
        'no checkpoint written: audit_log row 5 fails the check (hash-mismatch) since the last checkpoint; run koban audit verify',
    });
  });

  it('fail verification when a checkpoint line is altered or is not a checkpoint', async () => {
    await history();
    const c = (await t.intel.checkpointAudit())!;
    const shipped = join(t.dir, 'shipped.jsonl');
    writeFileSync(shipped, `${JSON.stringify({ ...c, seq: 3 })}\nnot json\n`);
    const v = await t.intel.verifyAudit({ checkpointFile: shipped });
    expect(v.ok).toBe(false);
    expect(v.checkpoints.problems).toEqual([
      `${shipped} line 1 (row 3): bad signature`,
      `${shipped} line 2: not a checkpoint`,
    ]);
    expect(v.message).toBe(v.checkpoints.problems.join('; '));
    await expect(t.intel.verifyAudit({ checkpointFile: join(t.dir, 'missing.jsonl') })).rejects.toMatchObject(
      {
        code: 'E_NOT_FOUND',
      },
    );
  });

  it('read the last good line from the tail, whatever was appended after it', async () => {
    await history();
    const c = await t.intel.checkpointAudit();
    appendFileSync(t.intel.checkpointFile, '{"v":1,"truncated');
    expect((await t.intel.auditStatus()).lastCheckpoint).toEqual(c);
  });
});

describe('switching an unkeyed chain over to the key', () => {
  /** A key whose switch-over lies beyond any row: it writes the legacy, unkeyed chain. */
  function legacyKey(): ChainKey {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return new ChainKey(randomBytes(32), privateKey, publicKey, { audit_log: 1e12, custody: 1e12 });
  }

  it('verifies old rows by the old rule up to the recorded switch-over and pins them with a first checkpoint', async () => {
    const store = await openTestRelational();
    const raw = store.db;
    const legacy = withChainKey(raw, legacyKey());
    const admin = systemActor('legacy');
    for (let i = 0; i < 3; i++) await appendAudit(legacy, admin, { action: `old.${i}`, targetType: 'x' }, i);
    const dir = join(t.dir, 'switch');
    const intel = await IntelService.open(raw, { evidenceDir: join(dir, 'evidence'), auditDir: dir });
    try {
      expect(chainKeyOf(intel.db).switchover).toEqual({ audit_log: 3, custody: 0 });
      await appendAudit(intel.db, admin, { action: 'new', targetType: 'x' }, 4);
      const rows = await chainPage(intel.db, 'audit_log')(-1, 10);
      expect(rows[2]!.hash).toBe(chainHash(rows[2]!.prev_hash, rowContent(rows[2]!)));
      expect(rows[3]!.hash).not.toBe(chainHash(rows[3]!.prev_hash, rowContent(rows[3]!)));
      const v = await intel.verifyAudit();
      expect(v.ok).toBe(true);
      expect(v.checkpoints.last).toMatchObject({ seq: 3 });
      // An old row rewritten with the old rule up to the switch-over still breaks the first keyed row.
      await dropAppendOnlyGuards(raw, 'audit_log');
      await raw.updateTable('audit_log').set({ action: 'forged' }).where('id', '=', 3).execute();
      const r3 = (await chainPage(raw, 'audit_log')(2, 1))[0]!;
      await raw
        .updateTable('audit_log')
        .set({ hash: chainHash(r3.prev_hash, rowContent(r3)) })
        .where('id', '=', 3)
        .execute();
      expect((await intel.verifyAudit()).message).toBe(
        'audit_log row 3: differs from the signed checkpoint (the chain was rewritten)',
      );
    } finally {
      await intel.close();
      await store.close();
    }
  });

  it('refuses to make a new key when the chain was written with one that is now missing', async () => {
    await history();
    rmSync(join(t.dir, 'audit.key'));
    await expect(
      IntelService.open(t.db, { evidenceDir: join(t.dir, 'evidence'), auditDir: t.dir }),
    ).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: expect.stringContaining(
        `audit_log row 4 does not verify without a key: it was written with the audit chain key ${join(t.dir, 'audit.key')}, which is missing`,
      ),
    });
  });
});
