// `koban recorder run` and `verify` as processes: SIGTERM ends a run with a stop record and a
// seal; verify's exit status and report follow the directory's state.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HAVE_BUILD, koban, runKoban, waitFor } from '../../test/cli.js';
import { PROJECT_ROOT } from '../../test/samples.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'koban-recorder-cli-'));
  cpSync(join(PROJECT_ROOT, 'test', 'fixtures', 'proc'), join(work, 'proc'), {
    recursive: true,
    verbatimSymlinks: true,
  });
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!HAVE_BUILD)('koban recorder', () => {
  it('runs until SIGTERM, then verify passes; a tampered record makes verify fail with exit 1', async () => {
    const out = join(work, 'out');
    const seg = join(out, 'segment-000001.ndjson');
    const run = koban([
      'recorder',
      'run',
      '--out',
      out,
      '--proc-root',
      join(work, 'proc'),
      '--utmp',
      join(work, 'proc', 'utmp'),
      '--interval',
      '3600000',
    ]);
    // The first poll's records (three processes, three sockets) are in the file: stop then.
    await waitFor(() => {
      try {
        return readFileSync(seg, 'utf8').split('\n').length > 7;
      } catch {
        return false;
      }
    }, 'the first poll written');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const kinds = readFileSync(seg, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).kind);
    expect(kinds.slice(-2)).toEqual(['recorder-stop', 'seal']);
    const ok = await runKoban(['recorder', 'verify', out]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      `OK: ${kinds.length} records in 1 segments (seq 0…${kinds.length - 1}), 1 seals, 0 countersignatures checked`,
    );
    writeFileSync(seg, readFileSync(seg, 'utf8').replace('"cmdline":["curl"', '"cmdline":["wget"'));
    const bad = await runKoban(['recorder', 'verify', out, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      ok: false,
      problems: ['segment-000001.ndjson:3: record 2 was altered (its hash does not match its content)'],
    });
  });

  it('refuses a --max-bytes below the minimum with a usage error', async () => {
    const r = await runKoban(['recorder', 'run', '--out', join(work, 'o'), '--max-bytes', '100']);
    expect(r.code).toBe(2);
    expect(r.out).toContain('--max-bytes must be at least 16384');
  });
});
