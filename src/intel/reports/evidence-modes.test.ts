// Evidence files hold members' private parts: private to the center's account on disk.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational } from '../../../test/relational.js';
import { IntelService } from '../service.js';
import { writeEvidenceFileSync } from './evidence.js';

let dir: string;
const mode = (p: string) => statSync(p).mode & 0o777;
const SHA = 'ab'.repeat(32);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-evidence-modes-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('evidence on disk', () => {
  it('written by a parse worker is 0400 in 0700 directories', () => {
    const evidence = join(dir, 'evidence');
    writeEvidenceFileSync(evidence, Buffer.from('raw'), SHA, false);
    expect([mode(evidence), mode(join(evidence, 'ab')), mode(join(evidence, 'ab', SHA))]).toEqual([
      0o700, 0o700, 0o400,
    ]);
  });

  it('left readable by others by an earlier version is tightened once when the services open', async () => {
    const evidence = join(dir, 'evidence');
    mkdirSync(join(evidence, 'ab'), { recursive: true });
    chmodSync(evidence, 0o755);
    chmodSync(join(evidence, 'ab'), 0o755);
    writeFileSync(join(evidence, 'ab', SHA), 'raw', { mode: 0o444 });
    const store = await openTestRelational();
    const notes: string[] = [];
    const intel = await IntelService.open(store.db, { evidenceDir: evidence, notice: (m) => notes.push(m) });
    await intel.close();
    await store.close();
    expect([mode(evidence), mode(join(evidence, 'ab')), mode(join(evidence, 'ab', SHA))]).toEqual([
      0o700, 0o700, 0o400,
    ]);
    expect(notes).toEqual([`${evidence}: 3 files and directories were readable by other users: tightened`]);
  });
});
