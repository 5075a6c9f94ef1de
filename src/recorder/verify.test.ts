import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/samples.js';
import { countersignHead } from './countersign.js';
import { canonicalJson, recordHash, sealText } from './format.js';
import { generateSigningKey, KEY_FILE, loadOrCreateKey, publicKeyFromRaw } from './keys.js';
import { Recorder } from './recorder.js';
import { listSegments } from './segments.js';
import { verifyRecorderDir } from './verify.js';

const T0 = Date.parse('2026-12-07T10:00:00.000Z');
let work: string;
let out: string;
let seg: string;

beforeEach(async () => {
  work = mkdtempSync(join(tmpdir(), 'koban-recorder-verify-'));
  const procRoot = join(work, 'proc');
  out = join(work, 'out');
  cpSync(join(PROJECT_ROOT, 'test', 'fixtures', 'proc'), procRoot, {
    recursive: true,
    verbatimSymlinks: true,
  });
  const r = Recorder.open({
    out,
    procRoot,
    passwdFile: join(procRoot, 'passwd'),
    utmpFile: join(procRoot, 'utmp'),
    host: 'h',
    now: () => T0,
    sealEvery: 5,
  });
  await r.poll();
  r.stop('test');
  seg = join(out, listSegments(out)[0]!.name);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const lines = () =>
  readFileSync(seg, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const writeLines = (ls: string[]) => writeFileSync(seg, `${ls.join('\n')}\n`);

describe('koban recorder verify', () => {
  it('passes an untouched directory', () => {
    // 0 start, 1–3 processes, 4 connection, 5 seal, 6–7 connections, 8 stop, 9 seal
    expect(verifyRecorderDir(out)).toMatchObject({
      ok: true,
      records: 10,
      firstSeq: 0,
      lastSeq: 9,
      seals: 2,
      problems: [],
      warnings: [],
    });
  });

  it('finds a record altered in place', () => {
    const ls = lines();
    ls[2] = ls[2]!.replace('"user":"alice"', '"user":"bob"');
    writeLines(ls);
    expect(verifyRecorderDir(out)).toMatchObject({
      ok: false,
      problems: [
        `${listSegments(out)[0]!.name}:3: record 2 was altered (its hash does not match its content)`,
      ],
    });
  });

  it('finds a deleted record', () => {
    const ls = lines();
    ls.splice(3, 1);
    writeLines(ls);
    expect(verifyRecorderDir(out).problems).toEqual([
      `${listSegments(out)[0]!.name}:4: records 3–3 are missing`,
    ]);
  });

  it('finds reordered records', () => {
    const ls = lines();
    [ls[2], ls[3]] = [ls[3]!, ls[2]!];
    writeLines(ls);
    const name = listSegments(out)[0]!.name;
    expect(verifyRecorderDir(out).problems).toEqual([
      `${name}:3: records 2–2 are missing`,
      `${name}:4: record 2 is out of order (after 3)`,
      `${name}:5: records 3–3 are missing`,
    ]);
  });

  it('finds missing oldest records that no gap record declares, and a bad seal signature', () => {
    const ls = lines();
    writeLines(ls.slice(2));
    expect(verifyRecorderDir(out).problems).toContain(
      'records 0–1 are missing and no gap record says they were dropped',
    );
    const other = generateSigningKey().key;
    const forged = JSON.parse(lines().at(-1)!);
    forged.sig = other.sign(sealText(forged.keyFingerprint, forged.seq - 1, forged.prev));
    forged.hash = recordHash(forged);
    writeLines([...lines().slice(0, -1), canonicalJson(forged)]);
    expect(verifyRecorderDir(out).problems).toContain(
      `${listSegments(out)[0]!.name}:8: seal 9 has a bad signature`,
    );
  });

  it("catches history rewritten and re-sealed with the machine key through the center's countersignature", () => {
    const center = generateSigningKey().key;
    const machine = loadOrCreateKey(out);
    const original = lines().map((l) => JSON.parse(l));
    // The center countersigned the head at seal 5 (record 4) before the rewrite.
    const cs = countersignHead(
      center,
      { keyFingerprint: machine.fingerprint, headSeq: 4, head: original[4].hash },
      T0 + 60_000,
    );
    // The attacker, holding the key, removes curl's connection (record 4) and rebuilds the chain.
    const rewritten = original.filter((r) => r.seq !== 4).map((r) => ({ ...r }));
    let prev = '0'.repeat(64);
    rewritten.forEach((r, i) => {
      r.seq = i;
      r.prev = prev;
      if (r.kind === 'seal') r.sig = machine.sign(sealText(machine.fingerprint, i - 1, prev));
      r.hash = recordHash(r);
      prev = r.hash;
    });
    writeLines(rewritten.map(canonicalJson));
    const alone = verifyRecorderDir(out);
    expect(alone.ok).toBe(true); // the machine key alone cannot tell
    const centerKey = publicKeyFromRaw(center.publicKey);
    expect(verifyRecorderDir(out, { centerKey, countersignatures: [cs] })).toMatchObject({
      ok: false,
      countersignatures: 1,
      problems: [
        `countersignature of record 4 (2026-12-07T10:01:00.000Z): the center saw head ${original[4].hash}, the chain has ${rewritten[4].hash} — history was rewritten`,
      ],
    });
    // The same countersignature passes the untouched chain; a forged one does not.
    writeLines(original.map(canonicalJson));
    expect(verifyRecorderDir(out, { centerKey, countersignatures: [cs] })).toMatchObject({
      ok: true,
      countersignatures: 1,
    });
    expect(
      verifyRecorderDir(out, { centerKey, countersignatures: [{ ...cs, headSeq: 3 }] }).problems,
    ).toEqual(['countersignature of record 3 (2026-12-07T10:01:00.000Z): bad signature']);
  });

  it('reports records removed from the end that the center had seen', () => {
    const center = generateSigningKey().key;
    const machine = loadOrCreateKey(out);
    const last = JSON.parse(lines().at(-1)!);
    const cs = countersignHead(
      center,
      { keyFingerprint: machine.fingerprint, headSeq: 9, head: last.hash },
      T0,
    );
    writeLines(lines().slice(0, 6));
    const v = verifyRecorderDir(out, {
      centerKey: publicKeyFromRaw(center.publicKey),
      countersignatures: [cs],
    });
    expect(v.problems).toEqual([
      'countersignature of record 9 (2026-12-07T10:00:00.000Z): the center saw record 9, the chain ends at 5 (records removed from the end)',
    ]);
    expect(readFileSync(join(out, KEY_FILE), 'utf8')).toContain('PRIVATE KEY');
  });

  it('counts a malformed line and keeps checking the rest', () => {
    writeLines([...lines().slice(0, 3), 'not json', ...lines().slice(3)]);
    expect(verifyRecorderDir(out)).toMatchObject({
      ok: false,
      records: 10,
      problems: [`${listSegments(out)[0]!.name}:4: not JSON`],
    });
  });
});
