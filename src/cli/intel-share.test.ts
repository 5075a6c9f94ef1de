/**
 * `koban intel export --format stix` and `koban intel import` on a data directory: a member's GREEN
 * report out to the members' audience and into a second center, a bad bundle's rejections listed
 * with the rest kept, unrecognised files refused by name; blocklists and MISP feeds out and in.
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
      `${out}: 9 objects — 1 reports, 0 campaigns, 1 indicators imported; 0 already held, 0 updated, 7 skipped, 0 rejected`,
    );
    const again = await run(b, ['intel', 'import', out, '--json']);
    expect(JSON.parse(again.out).files[0].counts).toEqual({
      reports: 0,
      campaigns: 0,
      indicators: 0,
      unchanged: 9,
      updated: 0,
      withdrawn: 0,
      added: 0,
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
    const what = join(dir, 'what.json');
    writeFileSync(what, JSON.stringify({ hello: 1 }));
    const r = await run(data, ['intel', 'import', bad, misp, what]);
    expect(r.out).toBe(
      [
        `${bad}: 2 objects — 0 reports, 0 campaigns, 1 indicators imported; 0 already held, 0 updated, 0 skipped, 1 rejected`,
        '  rejected #1 nope: needs a "type" and an "id" of the form type--UUID naming that type',
        `${misp}: 1 MISP events — 0 reports, 0 campaigns, 0 attributes imported; 0 already held, 0 updated, 0 skipped, 1 rejected; sightings 0 seen, 0 false positive`,
        '  rejected #1 (no id): uuid: an event needs a uuid',
        `${what}: could not recognise the format (expected a STIX 2.1 bundle, a MISP event or feed manifest, or a MISP warninglist)`,
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(3);
    expect(r.err).toBe('1 of 3 files not imported');
  });

  it('exports the C2 destinations as a blocklist and the members’ view as a MISP feed directory', async () => {
    const a = join(dir, 'a');
    const text = await run(a, ['intel', 'export', '--format', 'text', '--audience', 'members']);
    expect(text.code).toBe(0);
    expect(text.out.split('\n').filter((l) => !l.startsWith('#'))).toEqual(['45.77.12.34', '']);
    const feed = join(dir, 'feed');
    const misp = await run(a, [
      'intel',
      'export',
      '--format',
      'misp-feed',
      '--audience',
      'members',
      '--out',
      feed,
    ]);
    expect(misp.err).toBe(`${feed}: 1 MISP events (manifest.json, hashes.csv)\n`);
    const b = join(dir, 'b');
    const imported = await run(b, ['intel', 'import', feed, '--source', 'Center A']);
    expect(imported.out).toBe(
      `${feed}: 1 MISP events — 1 reports, 0 campaigns, 1 attributes imported; 0 already held, 0 updated, 0 skipped, 0 rejected; sightings 0 seen, 0 false positive\n`,
    );
    const none = await run(a, ['intel', 'export', '--format', 'misp-feed']);
    expect(none.err).toBe('a MISP feed is a directory: name it with --out DIR');
  });
});
