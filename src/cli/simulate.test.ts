// `koban simulate --daily-cycle` through the built command, on small SIMULATED sets (no real data).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';

describe.skipIf(!HAVE_BUILD)('koban simulate --daily-cycle (the built command)', () => {
  it('shapes the background’s day and records the cycle in the manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-simulate-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const out = join(dir, 'set');
    const args = [
      'simulate',
      '--out',
      out,
      '--sensors',
      '2',
      '--days',
      '1',
      '--rate',
      '200',
      '--workers',
      '0',
    ];
    const r = await runKoban([...args, '--daily-cycle', 'working-day:3', '--json']);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.options.daily_cycle).toEqual({ shape: 'working-day', ratio: 3 });
    expect(manifest.options.background.hourOfDay.slice(8, 19)).toEqual([1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1]);
    // Without the option the manifest is as it always was: no daily_cycle key.
    const plain = await runKoban([...args, '--json']);
    expect(plain.code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).options).not.toHaveProperty(
      'daily_cycle',
    );
    // Without a shape: the working day (the cycle the default evening swell is not), before another option.
    const bare = await runKoban([...args, '--daily-cycle', '--seed', '2', '--json']);
    expect(bare.code).toBe(0);
    const bareOptions = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).options;
    expect(bareOptions.daily_cycle).toEqual({ shape: 'working-day' });
    expect(bareOptions.seed).toBe(2);
    const bad = await runKoban([...args, '--daily-cycle', 'noon']);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain(
      '--daily-cycle must be evening, working-day, flat (optionally :RATIO), not "noon"',
    );
  });
});
