/**
 * `koban recorder verify`: re-reads every segment and checks the chain (each record's hash, each
 * prev against the record before, consecutive seq), that missing early records are declared by a
 * gap record, every seal's signature with the chain's key, and countersignatures (in the chain or
 * from a file the center gave) with the center's key and against the chain's hash at that seq —
 * which is what catches history rewritten and re-sealed by someone holding the machine key.
 */

import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Countersignature,
  CountersignatureSchema,
  countersignText,
  GENESIS_HASH,
  RecordSchema,
  recordHash,
  sealText,
} from './format.js';
import { fingerprintOf, publicKeyFromRaw, verifySignature } from './keys.js';
import { listSegments } from './segments.js';

export interface VerifyOptions {
  /** The center's public key (raw base64url); without it countersignatures are not checked. */
  readonly centerKey?: KeyObject;
  /** Countersignatures kept apart from the directory (the center's copies). */
  readonly countersignatures?: readonly Countersignature[];
  /** Pins the machine key: the fingerprint the chain must be sealed with. */
  readonly expectFingerprint?: string;
}

export interface VerifyReport {
  ok: boolean;
  segments: number;
  records: number;
  firstSeq: number | null;
  lastSeq: number | null;
  head: string | null;
  keyFingerprint: string | null;
  seals: number;
  countersignatures: number;
  gaps: string[];
  problems: string[];
  warnings: string[];
}

interface State {
  prevSeq: number | null;
  prevHash: string | null;
  key: KeyObject | null;
  lastSealSeq: number;
  droppedThrough: { seq: number; hash: string } | null;
  firstPrev: string | null;
}

export function verifyRecorderDir(dir: string, o: VerifyOptions = {}): VerifyReport {
  const r: VerifyReport = {
    ok: false,
    segments: 0,
    records: 0,
    firstSeq: null,
    lastSeq: null,
    head: null,
    keyFingerprint: null,
    seals: 0,
    countersignatures: 0,
    gaps: [],
    problems: [],
    warnings: [],
  };
  const hashes = new Map<number, string>();
  const inChain: Countersignature[] = [];
  const st: State = {
    prevSeq: null,
    prevHash: null,
    key: null,
    lastSealSeq: -1,
    droppedThrough: null,
    firstPrev: null,
  };
  const segs = listSegments(dir);
  r.segments = segs.length;
  if (segs.length === 0) r.problems.push(`${dir}: no segment files`);
  for (const seg of segs) {
    const lines = readFileSync(join(dir, seg.name), 'utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    lines.forEach((line, i) => {
      const where = `${seg.name}:${i + 1}`;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        r.problems.push(`${where}: not JSON`);
        return;
      }
      const parsed = RecordSchema.safeParse(json);
      if (!parsed.success) {
        r.problems.push(
          `${where}: not a record of the format (${parsed.error.issues[0]?.message ?? 'invalid'})`,
        );
        return;
      }
      const rec = parsed.data;
      r.records += 1;
      if (recordHash(rec) !== rec.hash)
        r.problems.push(`${where}: record ${rec.seq} was altered (its hash does not match its content)`);
      checkLink(r, st, rec.seq, rec.prev, where);
      hashes.set(rec.seq, rec.hash);
      if (r.firstSeq === null) {
        r.firstSeq = rec.seq;
        st.firstPrev = rec.prev;
      }
      st.prevSeq = rec.seq;
      st.prevHash = rec.hash;
      if (rec.kind === 'recorder-start' || rec.kind === 'seal') declareKey(r, st, rec, where, o);
      if (rec.kind === 'seal') {
        r.seals += 1;
        if (st.key === null || rec.keyFingerprint !== r.keyFingerprint)
          r.problems.push(`${where}: seal ${rec.seq} by a key the chain did not declare`);
        else if (!verifySignature(st.key, sealText(rec.keyFingerprint, rec.seq - 1, rec.prev), rec.sig))
          r.problems.push(`${where}: seal ${rec.seq} has a bad signature`);
        else st.lastSealSeq = rec.seq;
      } else if (rec.kind === 'gap') {
        r.gaps.push(
          `record ${rec.seq}: ${rec.reason}: ${rec.detail}` +
            (rec.droppedThroughSeq === null ? '' : ` (records up to ${rec.droppedThroughSeq} dropped)`),
        );
        if (rec.droppedThroughSeq !== null && rec.droppedThroughHash !== null)
          st.droppedThrough = { seq: rec.droppedThroughSeq, hash: rec.droppedThroughHash };
      } else if (rec.kind === 'countersign') {
        const { keyFingerprint, headSeq, head, centerKeyId, centerTime, sig } = rec;
        inChain.push({ keyFingerprint, headSeq, head, centerKeyId, centerTime, sig });
      }
    });
  }
  r.lastSeq = st.prevSeq;
  r.head = st.prevHash;
  checkStart(r, st);
  for (const c of [...inChain, ...(o.countersignatures ?? [])]) checkCountersignature(r, c, hashes, o);
  if (r.lastSeq !== null && st.lastSealSeq < r.lastSeq)
    r.warnings.push(
      `records ${st.lastSealSeq + 1}–${r.lastSeq} come after the last valid seal (a recorder still running, or one that was killed)`,
    );
  if (st.key === null && r.records > 0)
    r.problems.push('no recorder-start record declares the machine key: no seal can be checked');
  r.ok = r.problems.length === 0;
  return r;
}

/** The first recorder-start or seal names the machine key; every later one must name the same. */
function declareKey(
  r: VerifyReport,
  st: State,
  rec: { keyFingerprint: string; publicKey: string },
  where: string,
  o: VerifyOptions,
): void {
  if (fingerprintOf(rec.publicKey) !== rec.keyFingerprint) {
    r.problems.push(`${where}: the fingerprint is not that of the public key`);
    return;
  }
  if (r.keyFingerprint === null) {
    if (o.expectFingerprint && rec.keyFingerprint !== o.expectFingerprint)
      r.problems.push(`${where}: key ${rec.keyFingerprint} is not the expected ${o.expectFingerprint}`);
    st.key = publicKeyFromRaw(rec.publicKey);
    r.keyFingerprint = rec.keyFingerprint;
  } else if (rec.keyFingerprint !== r.keyFingerprint)
    r.problems.push(`${where}: the machine key changed from ${r.keyFingerprint} to ${rec.keyFingerprint}`);
}

function checkLink(r: VerifyReport, st: State, seq: number, prev: string, where: string): void {
  if (st.prevSeq === null) return;
  if (seq !== st.prevSeq + 1)
    r.problems.push(
      seq > st.prevSeq + 1
        ? `${where}: records ${st.prevSeq + 1}–${seq - 1} are missing`
        : `${where}: record ${seq} is out of order (after ${st.prevSeq})`,
    );
  else if (prev !== st.prevHash)
    r.problems.push(`${where}: record ${seq} does not follow record ${st.prevSeq} (prev hash differs)`);
}

/** The first record kept is the chain's first, or follows what a gap record says was dropped. */
function checkStart(r: VerifyReport, st: State): void {
  if (r.firstSeq === null) return;
  if (r.firstSeq === 0) {
    if (st.firstPrev !== GENESIS_HASH) r.problems.push('record 0 does not start from the genesis hash');
    return;
  }
  const d = st.droppedThrough;
  if (d === null || d.seq + 1 !== r.firstSeq)
    r.problems.push(`records 0–${r.firstSeq - 1} are missing and no gap record says they were dropped`);
  else if (d.hash !== st.firstPrev)
    r.problems.push(`record ${r.firstSeq} does not follow the dropped record ${d.seq} the gap record names`);
}

function checkCountersignature(
  r: VerifyReport,
  c: Countersignature,
  hashes: Map<number, string>,
  o: VerifyOptions,
): void {
  const what = `countersignature of record ${c.headSeq} (${c.centerTime})`;
  if (o.centerKey === undefined) {
    r.warnings.push(`${what}: not checked (no center key given)`);
    return;
  }
  if (
    !verifySignature(o.centerKey, countersignText(c.keyFingerprint, c.headSeq, c.head, c.centerTime), c.sig)
  ) {
    r.problems.push(`${what}: bad signature`);
    return;
  }
  r.countersignatures += 1;
  if (r.keyFingerprint !== null && c.keyFingerprint !== r.keyFingerprint) {
    r.problems.push(`${what}: for machine key ${c.keyFingerprint}, not this chain's ${r.keyFingerprint}`);
    return;
  }
  const h = hashes.get(c.headSeq);
  if (h === undefined) {
    if (r.lastSeq !== null && c.headSeq > r.lastSeq)
      r.problems.push(
        `${what}: the center saw record ${c.headSeq}, the chain ends at ${r.lastSeq} (records removed from the end)`,
      );
    else r.warnings.push(`${what}: record ${c.headSeq} is no longer kept`);
  } else if (h !== c.head)
    r.problems.push(`${what}: the center saw head ${c.head}, the chain has ${h} — history was rewritten`);
}

export function parseCountersignatures(text: string): { sigs: Countersignature[]; rejected: number } {
  const sigs: Countersignature[] = [];
  let rejected = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      sigs.push(CountersignatureSchema.parse(JSON.parse(line)));
    } catch {
      rejected += 1;
    }
  }
  return { sigs, rejected };
}
