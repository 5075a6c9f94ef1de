// `koban import --date` for pf lines that carry only a time of day, through the built command.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { fixture } from '../../test/samples.js';

describe.skipIf(!HAVE_BUILD)('koban import --date', () => {
  const pf = fixture('pf/tcpdump-org-default.txt');
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-import-date-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'data');
  };

  it('says what a time-of-day line lacks, then stores the lines once the date is given', async () => {
    const data = dataDir();
    const without = await runKoban(['import', '--data', data, '--json', pf]);
    // Nothing valid was read: exit 3, the summary on stdout, the reason on stderr.
    expect(without.code).toBe(3);
    const w = JSON.parse(without.stdout) as { stored: number; files: { rejected_by_reason: object }[] };
    expect(w.stored).toBe(0);
    expect(w.files[0]!.rejected_by_reason).toEqual({
      'time of day without a date: pass --date YYYY-MM-DD': 49,
    });
    const dated = await runKoban(['import', '--data', data, '--date', '2024-01-02', '--json', pf]);
    expect(dated.code).toBe(0);
    expect(JSON.parse(dated.stdout)).toMatchObject({ read: 49, stored: 49, rejected: 0 });
  });

  it('refuses a date that is not one before reading anything', async () => {
    const r = await runKoban(['import', '--data', dataDir(), '--date', '02/01/2024', pf]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('--date 02/01/2024: not a calendar date YYYY-MM-DD');
  });
});
