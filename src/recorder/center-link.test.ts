/**
 * A recorder countersigned by a center over loopback: the center (in process, as `koban serve`
 * opens it) listens on 127.0.0.1; the recorder polls a fake /proc, sends each seal's head through
 * its link and appends the countersignatures; the verifier fetches the center's key and its own
 * copies, which catch a chain rewritten and re-sealed with the machine key — and the center will
 * not countersign the rewritten head. With the center unreachable, recording goes on.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiWorld, openApiWorld } from '../../test/api-world.js';
import { PROJECT_ROOT } from '../../test/samples.js';
import { fetchCenterKey, fetchCountersignatures } from './center-copies.js';
import { canonicalJson, type RecorderRecord, recordHash, sealText } from './format.js';
import { HeadLink } from './head-link.js';
import { loadOrCreateKey, publicKeyFromRaw } from './keys.js';
import { readChain } from './read.js';
import { Recorder } from './recorder.js';
import { listSegments } from './segments.js';
import { verifyRecorderDir } from './verify.js';

let w: ApiWorld;
let server: ServerType;
let centerUrl: string;
let work: string;
let procRoot: string;

beforeAll(async () => {
  w = await openApiWorld();
  server = await new Promise<ServerType>((ok) => {
    const s = serve({ fetch: w.app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  centerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await w.close();
});
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'koban-recorder-center-'));
  procRoot = join(work, 'proc');
  cpSync(join(PROJECT_ROOT, 'test', 'fixtures', 'proc'), procRoot, {
    recursive: true,
    verbatimSymlinks: true,
  });
  return () => rmSync(work, { recursive: true, force: true });
});

function recorderWithLink(out: string, center: string) {
  const problems: string[] = [];
  let rec: Recorder | null = null;
  const link = new HeadLink({
    center,
    token: w.cast.x.token,
    // Retries are driven by the test, never by a clock.
    schedule: () => ({ cancel: () => {} }),
    onCountersigned: (c) => rec?.appendCountersignature(c),
    onProblem: (m) => problems.push(m),
  });
  rec = Recorder.open({
    out,
    procRoot,
    passwdFile: join(procRoot, 'passwd'),
    utmpFile: join(procRoot, 'utmp'),
    host: 'pc1',
    now: () => w.clock.ms,
    sealEvery: 3,
    onSeal: (h) => link.submit(h),
  });
  return { rec, link, problems };
}

describe('countersigning over loopback', () => {
  it("keeps every seal's countersignature in the chain, and the center's copies catch a rewrite", async () => {
    const out = join(work, 'out');
    const { rec, link, problems } = recorderWithLink(out, centerUrl);
    await rec.poll();
    await link.pump();
    await rec.finish('test', () => link.flush(30_000));
    expect(problems).toEqual([]);
    const records = readChain(out).records;
    const seals = records.filter((r) => r.kind === 'seal');
    const signed = records.filter((r) => r.kind === 'countersign');
    // Each seal but the one closing the chain after the last countersignature was sent and answered.
    expect(signed.map((c) => [c.headSeq, c.head])).toEqual(seals.slice(0, -1).map((s) => [s.seq, s.hash]));
    expect(signed.length).toBe(3);
    expect(records.at(-1)?.kind).toBe('seal');

    const centerKey = publicKeyFromRaw(await fetchCenterKey({ center: centerUrl }));
    const copies = await fetchCountersignatures(
      { center: centerUrl, token: w.cast.x.token },
      rec.key.fingerprint,
    );
    expect(copies.map((c) => c.headSeq)).toEqual(signed.map((c) => c.headSeq));
    expect(verifyRecorderDir(out, { centerKey, countersignatures: copies })).toMatchObject({
      ok: true,
      countersignatures: 6,
      problems: [],
    });

    // Someone holding the machine key removes curl's connection and the countersign records, and re-seals.
    const seg = join(out, listSegments(out)[0]!.name);
    const machine = loadOrCreateKey(out);
    const kept = readFileSync(seg, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as RecorderRecord & Record<string, unknown>)
      .filter(
        (r) => r.kind !== 'countersign' && !(r.kind === 'connection' && r.pid === 200 && r.proto === 'tcp'),
      );
    let prev = '0'.repeat(64);
    kept.forEach((r, i) => {
      r.seq = i;
      r.prev = prev;
      if (r.kind === 'seal') r.sig = machine.sign(sealText(machine.fingerprint, i - 1, prev));
      r.hash = recordHash(r);
      prev = r.hash;
    });
    writeFileSync(seg, `${kept.map((r) => canonicalJson(r)).join('\n')}\n`);
    expect(verifyRecorderDir(out).ok).toBe(true);
    const v = verifyRecorderDir(out, { centerKey, countersignatures: copies });
    expect(v.ok).toBe(false);
    expect(v.problems.filter((p) => p.endsWith('history was rewritten')).length).toBeGreaterThan(0);

    // Nor will the center countersign the rewritten head at a position it holds.
    const held = copies.find((c) => kept[c.headSeq] !== undefined && kept[c.headSeq]!.hash !== c.head)!;
    const firstSeal = kept[held.headSeq]!;
    const again = recorderWithLink(join(work, 'other'), centerUrl);
    again.link.submit({
      keyFingerprint: machine.fingerprint,
      publicKey: machine.publicKey,
      headSeq: firstSeal.seq,
      head: firstSeal.hash,
    });
    await again.link.pump();
    expect(again.problems.at(-1)).toMatch(
      new RegExp(`^the center refused record ${firstSeal.seq}'s head: HTTP 409: `),
    );
    again.rec.stop('test');
  });

  it('never seals because of a countersign record, so --seal-every 1 cannot seal, send and countersign forever', () => {
    const out = join(work, 'once');
    const sent: number[] = [];
    const rec = Recorder.open({
      out,
      procRoot,
      now: () => w.clock.ms,
      host: 'pc1',
      sealEvery: 1,
      onSeal: (h) => sent.push(h.headSeq),
    });
    expect(sent).toEqual([1]); // recorder-start, then its seal
    const { keyFingerprint, headSeq, head } = {
      keyFingerprint: rec.key.fingerprint,
      headSeq: 1,
      head: rec.headHash,
    };
    expect(
      rec.appendCountersignature({
        keyFingerprint,
        headSeq,
        head,
        centerKeyId: 'k',
        centerTime: new Date(0).toISOString(),
        sig: 'A'.repeat(86),
      }),
    ).toBe(true);
    expect(readChain(out).records.map((r) => r.kind)).toEqual(['recorder-start', 'seal', 'countersign']);
    expect(sent).toEqual([1]);
    rec.stop('test');
    expect(readChain(out).records.map((r) => r.kind)).toEqual([
      'recorder-start',
      'seal',
      'countersign',
      'recorder-stop',
      'seal',
    ]);
    expect(
      rec.appendCountersignature({
        keyFingerprint,
        headSeq,
        head,
        centerKeyId: 'k',
        centerTime: new Date(0).toISOString(),
        sig: 'A'.repeat(86),
      }),
    ).toBe(false);
  });

  it('records on while the center is unreachable, keeping the heads to send later', async () => {
    const closed = await new Promise<number>((ok) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => ok(port));
      });
    });
    const out = join(work, 'out');
    const { rec, link, problems } = recorderWithLink(out, `http://127.0.0.1:${closed}`);
    expect(await rec.poll()).toBe(8); // six records and two seals: nothing waited for the center
    await link.pump();
    rec.stop('test');
    expect(link.pending().map((h) => h.headSeq)).toEqual([3, 7, 10]);
    expect(problems[0]).toMatch(/^cannot reach the center \(.*\); 2 head\(s\) wait, next try in \d+ ms$/);
    expect(verifyRecorderDir(out).ok).toBe(true);
  });
});
