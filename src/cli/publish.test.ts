/**
 * `koban publish` as a process over a data directory filled with the hand-countable store
 * (test/release-world.ts): its usage errors, and a semiannual report printed to PDF by Chromium —
 * checked with poppler's pdfinfo (pages) and pdftotext (headings, era, figures' numbers). The PDF
 * test is skipped, and says so, without /usr/bin/chromium or poppler-utils.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiWorld } from '../../test/api-world.js';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { testDialect } from '../../test/relational.js';
import { seedReleaseMonths } from '../../test/release-world.js';

const has = (cmd: string) => {
  try {
    execFileSync(cmd, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const CAN_PRINT = existsSync('/usr/bin/chromium') && has('pdftotext') && has('pdfinfo');
if (!CAN_PRINT) console.warn('koban publish PDF test SKIPPED: needs /usr/bin/chromium and poppler-utils');

// The CLI opens the data directory's own SQLite store: a PostgreSQL world's store is elsewhere.
describe.skipIf(!HAVE_BUILD || testDialect() !== 'sqlite')('koban publish', () => {
  let dataDir = '';
  beforeAll(async () => {
    const w = await openApiWorld({}, { config: { publicStats: { delayHours: 24, minCount: 3 } } });
    await seedReleaseMonths(w);
    dataDir = w.center.dataDir;
    // Closed, not removed: the command opens the same files.
    await w.center.close();
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a missing period, a period of another kind and an unknown format, clearly', async () => {
    const out = join(dataDir, 'x.html');
    const a = await runKoban(['publish', 'semiannual', '--data', dataDir, '--out', out]);
    expect(a.code).toBe(2);
    expect(a.out).toContain('--period is required (2026-11, 2026-H1 or 2026)');
    const b = await runKoban([
      'publish',
      'semiannual',
      '--period',
      '2011-12',
      '--data',
      dataDir,
      '--out',
      out,
    ]);
    expect(b.code).toBe(2);
    expect(b.out).toContain('a semiannual period is written like 2026-H1, not "2011-12"');
    const c = await runKoban([
      'publish',
      'annual',
      '--period',
      '2011',
      '--format',
      'docx',
      '--data',
      dataDir,
      '--out',
      out,
    ]);
    expect(c.out).toContain('--format must be html or pdf, not "docx"');
    expect(existsSync(out)).toBe(false);
  });

  it('says which browser is missing when it cannot print', async () => {
    const out = join(dataDir, 'none.pdf');
    const r = await runKoban(
      ['publish', 'monthly', '--period', '2012-01', '--format', 'pdf', '--data', dataDir, '--out', out],
      { KOBAN_CHROMIUM: join(dataDir, 'no-such-chromium') },
    );
    expect(r.code).toBe(10);
    expect(r.out).toContain(
      `printing a PDF needs Chromium, not found at ${join(dataDir, 'no-such-chromium')}`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it.skipIf(!CAN_PRINT)(
    'writes a semiannual PDF: A4 pages with the headings, the era and the figures',
    async () => {
      const out = join(dataDir, 'report.pdf');
      const r = await runKoban([
        'publish',
        'semiannual',
        '--period',
        '2011-H2',
        '--format',
        'pdf',
        '--data',
        dataDir,
        '--out',
        out,
      ]);
      expect(r.out).toContain('wrote');
      expect(r.code).toBe(0);
      expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
      const info = execFileSync('pdfinfo', [out]).toString();
      expect(Number(/^Pages:\s+(\d+)/m.exec(info)?.[1])).toBeGreaterThanOrEqual(2);
      expect(info).toMatch(/Page size:\s+[\d.]+ x [\d.]+ pts \(A4\)/);
      const text = execFileSync('pdftotext', ['-layout', out, '-']).toString();
      expect(text).toContain('半期報告');
      expect(text).toContain('平成23年下半期');
      expect(text).toContain('第 1 章 インターネット定点観測の結果');
      expect(text).toContain('第 2 章 情報共有ネットワーク');
      expect(text).toContain('図 4 宛先ポート別アクセス件数 (上位 10)');
      // December's 992 accesses (the month-by-month table) and 23/tcp's 620 (the ranking's bar label).
      expect(text).toContain('992');
      expect(text).toContain('620');
    },
    120_000,
  );
});
