import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FileFollower } from './tail.js';

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'koban-tail-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('FileFollower on a file that is not there', () => {
  it('says the file is missing until it appears, then reads it from the start', async () => {
    const path = join(tmp(), 'kern.log');
    const f = new FileFollower(path, null);
    onTestFinished(() => f.close());
    const before = await f.poll();
    expect([before.lines, before.missing, before.notes]).toEqual([[], true, []]);
    expect((await f.poll()).missing).toBe(true);
    writeFileSync(path, 'one\ntwo\n');
    const after = await f.poll();
    expect([after.lines, after.missing, after.position.offset]).toEqual([['one', 'two'], false, 8]);
  });
});
