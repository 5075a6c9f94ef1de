/**
 * /api/v1/recorder/*: members' recorder heads countersigned by the center over HTTP — write-once,
 * idempotent, conflicts refused and recorded, only the organisation's own machines listed — and the
 * answer is exactly what `koban recorder verify` checks (a chain of a real Recorder on a fake /proc).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiWorld, type ErrorBody, openApiWorld } from '../../test/api-world.js';
import { type Countersignature, publicKeyFromRaw, Recorder, verifyRecorderDir } from '../recorder/index.js';

let w: ApiWorld;
let work: string;
const FP = 'a'.repeat(64);
const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);

beforeAll(async () => {
  w = await openApiWorld();
  work = mkdtempSync(join(tmpdir(), 'koban-recorder-route-'));
});
afterAll(async () => {
  await w.close();
  rmSync(work, { recursive: true, force: true });
});

const post = (token: string | null, json: unknown) =>
  w.request('/api/v1/recorder/heads', { method: 'POST', token, json });

describe('POST /api/v1/recorder/heads', () => {
  it('countersigns a new head (201), gives the same countersignature for it again (200), refuses another hash (409)', async () => {
    const first = await post(w.cast.x.token, { keyFingerprint: FP, headSeq: 10, head: H1 });
    expect(first.status).toBe(201);
    const c = (await first.json()) as Countersignature;
    expect(c).toMatchObject({
      keyFingerprint: FP,
      headSeq: 10,
      head: H1,
      centerTime: new Date(w.clock.ms).toISOString(),
    });
    w.clock.ms += 60_000;
    const again = await post(w.cast.x2.token, { keyFingerprint: FP, headSeq: 10, head: H1 });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(c);
    const other = await post(w.cast.x.token, { keyFingerprint: FP, headSeq: 10, head: H2 });
    expect(other.status).toBe(409);
    expect(((await other.json()) as ErrorBody).error.code).toBe('E_CONFLICT');
    const conflicts = await w.center.db.selectFrom('recorder_head_conflicts').selectAll().execute();
    expect(
      conflicts.map((r) => [r.key_fingerprint, Number(r.head_seq), r.held_head, r.offered_head]),
    ).toEqual([[FP, 10, H1, H2]]);
  });

  it('binds a machine key to the first organisation: another may neither add nor read its heads', async () => {
    const key = 'b'.repeat(64);
    expect((await post(w.cast.x.token, { keyFingerprint: key, headSeq: 1, head: H1 })).status).toBe(201);
    const y = await post(w.cast.y.token, { keyFingerprint: key, headSeq: 2, head: H2 });
    expect(y.status).toBe(403);
    const list = await w.request(`/api/v1/recorder/heads?fingerprint=${key}`, { token: w.cast.y.token });
    expect(list.status).toBe(404);
    const own = await w.request(`/api/v1/recorder/heads?fingerprint=${key}`, { token: w.cast.x2.token });
    expect(own.status).toBe(200);
    const body = (await own.json()) as { countersignatures: Countersignature[]; conflicts: number };
    expect(body.countersignatures.map((c) => [c.headSeq, c.head])).toEqual([[1, H1]]);
    expect(body.conflicts).toBe(0);
  });

  it('refuses the anonymous, the operator-less public, a malformed head and an oversized body', async () => {
    expect((await post(null, { keyFingerprint: FP, headSeq: 1, head: H1 })).status).toBe(401);
    const bad = await post(w.cast.x.token, { keyFingerprint: FP, headSeq: -1, head: 'zz' });
    expect(bad.status).toBe(400);
    const none = await post(w.cast.x.token, { headSeq: 1, head: H1 });
    expect(none.status).toBe(400);
    const big = await post(w.cast.x.token, {
      keyFingerprint: FP,
      headSeq: 1,
      head: H1,
      pad: 'x'.repeat(5000),
    });
    expect(big.status).toBe(413);
  });

  it("answers in the form verify checks with the center's published key, and pins a rewritten chain", async () => {
    const keyAnswer = await w.request('/api/v1/recorder/center-key', { token: null });
    expect(keyAnswer.status).toBe(200);
    const { publicKey } = (await keyAnswer.json()) as { publicKey: string };
    const dir = join(work, 'chain');
    let t = Date.UTC(2026, 11, 7, 12);
    const rec = Recorder.open({ out: dir, procRoot: join(work, 'no-proc'), now: () => t++, host: 'pc1' });
    rec.seal();
    const r = await post(w.cast.x.token, {
      publicKey: rec.key.publicKey,
      headSeq: rec.lastSeq,
      head: rec.headHash,
    });
    expect(r.status).toBe(201);
    const c = (await r.json()) as Countersignature;
    expect(c.keyFingerprint).toBe(rec.key.fingerprint);
    rec.stop('test');
    const centerKey = publicKeyFromRaw(publicKey);
    const ok = verifyRecorderDir(dir, { centerKey, countersignatures: [c] });
    expect([ok.ok, ok.countersignatures, ok.problems]).toEqual([true, 1, []]);
    const forged = { ...c, head: H2 };
    const bad = verifyRecorderDir(dir, { centerKey, countersignatures: [forged] });
    expect(bad.problems).toEqual([
      `countersignature of record ${c.headSeq} (${c.centerTime}): bad signature`,
    ]);
  });
});
