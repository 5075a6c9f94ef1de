/**
 * `koban intel export --format stix` and `koban intel import` on a data directory: a member's GREEN
 * report out to the members' audience and into a second center, a bad bundle's rejections listed
 * with the rest kept, and the formats not built yet refused by name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerIntelStats } from './intel-stats.js';
import { registerOrg } from './org.js';
import { registerReport } from './report.js';
import { registerUser } from './user.js';

let dir: string;

async function run(data: string, args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('koban').exitOverride();
  for (const r of [registerOrg, registerUser, registerReport, registerIntelStats]) r(program);
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += chunk.toString();
    return true;
  });
  process.env.KOBAN_OPERATOR = 'tester';
  let code = 0;
  try {
    await program.parseAsync([...args, '--data', data], { from: 'user' });
  } catch (e) {
    code = (e as { exitStatus?: number }).exitStatus ?? 1;
    err += (e as Error).message;
  }
  vi.restoreAllMocks();
  return { out, err, code };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-stix-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('koban intel export and import', () => {
  it('exports a member’s GREEN report to the members and imports it into a second center', async () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    await run(a, ['org', 'add', 'Center A', '--kind', 'center']);
    await run(a, ['org', 'add', 'P1', '--kind', 'member-company']);
    const report = join(dir, 'c2.json');
    writeFileSync(report, JSON.stringify({ kind: 'c2', destinations: [{ value: '45.77.12.34' }] }));
    await run(a, ['user', 'add', 'csirt@p1.example', '--org', 'P1', '--role', 'org-member']);
    expect(
      (await run(a, ['report', 'add', report, '--org', 'P1', '--user', 'csirt@p1.example', '--tlp', 'GREEN']))
        .code,
    ).toBe(0);
    const out = join(dir, 'members.json');
    const exported = await run(a, [
      'intel',
      'export',
      '--format',
      'stix',
      '--audience',
      'members',
      '--out',
      out,
    ]);
    expect(exported.code).toBe(0);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as { objects: { type: string; pattern?: string }[] };
    expect(bundle.objects.filter((o) => o.type === 'indicator').map((o) => o.pattern)).toEqual([
      "[ipv4-addr:value = '45.77.12.34']",
    ]);

    await run(b, ['org', 'add', 'Center B', '--kind', 'center']);
    const imported = await run(b, ['intel', 'import', out, '--source', 'Center A']);
    expect(imported.out.split('\n')[0]).toBe(
      `${out}: 7 objects — 1 reports, 0 campaigns, 1 indicators imported; 0 already held, 0 updated, 5 skipped, 0 rejected`,
    );
    const again = await run(b, ['intel', 'import', out, '--json']);
    expect(JSON.parse(again.out).files[0].counts).toEqual({
      reports: 0,
      campaigns: 0,
      indicators: 0,
      unchanged: 7,
      updated: 0,
    });
  });

  it('lists a bad bundle’s rejections, keeps the rest, and fails on a file it cannot read', async () => {
    const data = join(dir, 'c');
    await run(data, ['org', 'add', 'Center C', '--kind', 'center']);
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--6d7f4c4e-1b8f-4d0e-9a0b-6f1c2d3e4f50',
        objects: [
          { type: 'indicator', id: 'nope' },
          {
            type: 'indicator',
            spec_version: '2.1',
            id: 'indicator--00000000-0000-4000-8000-000000000001',
            created: '2026-11-01T00:00:00.000Z',
            modified: '2026-11-01T00:00:00.000Z',
            pattern: "[domain-name:value = 'kept.evil-c2.example']",
            pattern_type: 'stix',
            valid_from: '2026-11-01T00:00:00.000Z',
          },
        ],
      }),
    );
    const misp = join(dir, 'event.json');
    writeFileSync(misp, JSON.stringify({ Event: { info: 'x', Attribute: [] } }));
    const r = await run(data, ['intel', 'import', bad, misp]);
    expect(r.out).toBe(
      [
        `${bad}: 2 objects — 0 reports, 0 campaigns, 1 indicators imported; 0 already held, 0 updated, 0 skipped, 1 rejected`,
        '  rejected #1 nope: needs a "type" and an "id" of the form type--UUID naming that type',
        `${misp}: a MISP event: MISP import is not yet supported`,
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(3);
    expect(r.err).toBe('1 of 2 files not imported');
  });

  it('refuses an export format that is not built yet', async () => {
    const r = await run(join(dir, 'a'), ['intel', 'export', '--format', 'suricata']);
    expect(r.err).toBe('export format "suricata" is not yet supported (available: stix)');
    expect(r.code).toBe(2);
  });
});
