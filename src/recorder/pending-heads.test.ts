// The queue of unsent heads kept between runs (pending-heads.ts): written and taken back in order,
// removed once taken or when nothing is left, a damaged file set aside with why. Invented heads.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PENDING_HEADS_FILE, savePendingHeads, takePendingHeads } from './pending-heads.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-pending-heads-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const head = (headSeq: number) => ({
  keyFingerprint: 'ab'.repeat(32),
  publicKey: 'AAAA',
  headSeq,
  head: (headSeq % 10).toString().repeat(64),
});

describe('pending heads', () => {
  it('gives back what was kept, oldest first, once', () => {
    savePendingHeads(dir, [head(9), head(3)]);
    expect(takePendingHeads(dir)).toEqual({ heads: [head(3), head(9)], problem: null });
    expect(existsSync(join(dir, PENDING_HEADS_FILE))).toBe(false);
    expect(takePendingHeads(dir)).toEqual({ heads: [], problem: null });
  });

  it('removes the file when nothing is left to send', () => {
    savePendingHeads(dir, [head(1)]);
    savePendingHeads(dir, []);
    expect(existsSync(join(dir, PENDING_HEADS_FILE))).toBe(false);
  });

  it('sets a damaged file aside and says so, without failing', () => {
    writeFileSync(join(dir, PENDING_HEADS_FILE), '{"version":1,"heads":[{"headSeq":"x"}]}');
    const r = takePendingHeads(dir);
    expect(r.heads).toEqual([]);
    expect(r.problem).toContain(`set aside as ${PENDING_HEADS_FILE}.bad`);
    expect(existsSync(join(dir, `${PENDING_HEADS_FILE}.bad`))).toBe(true);
    writeFileSync(join(dir, PENDING_HEADS_FILE), 'not json');
    expect(takePendingHeads(dir).problem).toContain('could not be read');
  });
});
