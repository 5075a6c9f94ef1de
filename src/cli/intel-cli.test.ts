/**
 * The intel commands end to end on a data directory: bootstrap the center and members, report
 * the cyber-intelligence half-year report's lures (test/fixtures/intel), add the analysis, read the statistics, verify the audit chain — and see it
 * fail after a row is altered behind the database's back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixture } from '../../test/samples.js';
import { registerAudit } from './audit.js';
import { registerIntelStats } from './intel-stats.js';
import { registerOrg } from './org.js';
import { registerReport } from './report.js';
import { registerUser } from './user.js';
import { registerWarningList } from './warninglist.js';

let dir: string;

async function run(args: string[], stdin?: string): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('koban').exitOverride();
  for (const r of [
    registerOrg,
    registerUser,
    registerAudit,
    registerReport,
    registerIntelStats,
    registerWarningList,
  ])
    r(program);
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
  if (stdin !== undefined)
    vi.spyOn(process, 'stdin', 'get').mockReturnValue(
      Readable.from([stdin]) as unknown as typeof process.stdin,
    );
  process.env.KOBAN_OPERATOR = 'tester';
  await program.parseAsync([...args, '--data', dir], { from: 'user' });
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  vi.restoreAllMocks();
  return { out, err, code };
}

const lure = (name: string) => fixture(`intel/${name}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-intel-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('koban org, user, report, intel stats, audit', () => {
  it('bootstraps the center and the members', async () => {
    expect((await run(['org', 'add', 'Center', '--kind', 'center'])).out).toBe(
      'organisation 1 "Center" added (center)\n',
    );
    const p1 = await run([
      'org',
      'add',
      'P1工業',
      '--kind',
      'member-company',
      '--sector',
      'manufacturing',
      '--prefecture',
      '東京都',
      '--domain',
      'p1-kogyo.example',
      '--json',
    ]);
    expect(JSON.parse(p1.out)).toMatchObject({
      id: 2,
      name: 'P1工業',
      kind: 'member-company',
      sector: 'manufacturing',
      prefecture: 'tokyo',
      domains: ['p1-kogyo.example'],
    });
    await run([
      'org',
      'add',
      'P2協会',
      '--kind',
      'member-company',
      '--prefecture',
      '27',
      '--domain',
      'p2-kyokai.example',
    ]);
    const list = await run(['org', 'list']);
    expect(list.out.split('\n')[0]).toBe('id  name    kind            sector         prefecture  domains');
    const analyst = await run(
      ['user', 'add', 'analyst@center.example', '--org', 'Center', '--role', 'analyst', '--password-stdin'],
      'a long enough passphrase\n',
    );
    expect(analyst.out).toBe('user 1 analyst@center.example added to "Center" as analyst\n');
    expect(
      (await run(['user', 'add', 'csirt@p1-kogyo.example', '--org', 'P1工業', '--role', 'org-member'])).out,
    ).toBe('user 2 csirt@p1-kogyo.example added to "P1工業" as org-member (no password: API tokens only)\n');
    await run(['user', 'add', 'csirt@p2-kyokai.example', '--org', 'P2協会', '--role', 'org-member']);
    const token = JSON.parse(
      (
        await run([
          'user',
          'token',
          'csirt@p1-kogyo.example',
          '--scopes',
          'reports:read,indicators:read',
          '--json',
        ])
      ).out,
    );
    expect(token).toMatchObject({ id: 1, scopes: ['indicators:read', 'reports:read'] });
    // Tokens expire after 90 days unless --expires-days says otherwise.
    expect(token.expires).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(token.token).toMatch(/^kbt_1_/);
  });

  it('refuses a user who does not fit the organisation', async () => {
    await expect(
      run(['user', 'add', 'x@p1-kogyo.example', '--org', 'P1工業', '--role', 'analyst']),
    ).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('reports the two lures and prints the campaign they form', async () => {
    const first = await run([
      'report',
      'add',
      lure('x-lure-p1.eml'),
      '--org',
      'P1工業',
      '--user',
      'csirt@p1-kogyo.example',
    ]);
    expect(first.out).toContain('report 1 (email, TLP:AMBER) "3月度 定例打合せ資料の送付について"');
    expect(first.out).toContain('  campaign: none');
    const second = await run([
      'report',
      'add',
      lure('x-lure-p2.eml'),
      '--org',
      'P2協会',
      '--user',
      'csirt@p2-kyokai.example',
      '--json',
    ]);
    const doc = JSON.parse(second.out);
    expect(doc).toMatchObject({
      id: 2,
      tlp: 'AMBER',
      campaign: 1,
      links: [],
      // P1's AMBER report joined too, but P2 may not read it: it is not named, nor counted.
      correlation: { created_campaign: true, assigned: [2] },
    });
    expect(doc.indicators.find((i: { type: string }) => i.type === 'email')).toMatchObject({
      value: 'tanaka@x-sangyo.example',
      reportCount: 1,
      orgCount: 1,
    });
    const asCenter = JSON.parse((await run(['report', 'show', '2', '--json'])).out);
    expect(asCenter.indicators.find((i: { type: string }) => i.type === 'email')).toMatchObject({
      reportCount: 2,
      orgCount: 2,
    });
  });

  it('adds the analysis as the operator and shows the C2 destinations by country', async () => {
    const a = await run(['report', 'indicators', '1', '27.254.40[.]5:443', '74.208.142.31']);
    expect(a.out).toMatch(/ipv4 {15}27\.254\.40\.5 {2}\[c2\] {2}seen in 1 report \/ 1 org/);
    await run(['report', 'indicators', '2', '27.254.40.5', '74.208.142.31']);
    const stats = JSON.parse((await run(['intel', 'stats', '--json'])).out);
    expect(stats).toEqual({
      bucket: 'month',
      // Months in the domestic country's offset (JP by default: +09:00).
      periods: [{ start: expect.stringMatching(/-01T00:00:00\+09:00$/), reports: 2, emails: 2 }],
      c2: {
        destinations: 2,
        addresses: 2,
        unresolved: 0,
        byCountry: [
          { country: 'TH', destinations: 1, share: 0.5 },
          { country: 'US', destinations: 1, share: 0.5 },
        ],
      },
    });
    const text = (await run(['intel', 'stats'])).out;
    expect(text).toContain('C2 destinations: 2 (2 addresses; 0 names not resolved)');
  });

  it('shows a report as a member who may not read it only as not found', async () => {
    await expect(run(['report', 'show', '1', '--user', 'csirt@p2-kyokai.example'])).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    expect((await run(['report', 'show', '1', '--user', 'csirt@p1-kogyo.example'])).out).toContain(
      'reporter: P1工業 (member-company, manufacturing, tokyo)',
    );
  });

  it('adds and lists warning-list entries', async () => {
    const add = await run([
      'warninglist',
      'add',
      'domain',
      'x-sangyo.example',
      '--reason',
      'spoofed member domain',
    ]);
    expect(add.out).toBe(
      'warning-list entry 1: domain x-sangyo.example (1 stored indicator(s) re-flagged)\n',
    );
    expect((await run(['warninglist', 'list'])).out).toContain(
      ' 1  domain  x-sangyo.example  spoofed member domain',
    );
  });

  it('verifies the audit chain, and names the first broken row after tampering', async () => {
    const ok = await run(['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^chain intact \(18 rows; custody 2 rows; head [0-9a-f]{64}\)\n$/);
    const sqlite = new Database(join(dir, 'koban.sqlite'));
    sqlite.exec('drop trigger audit_log_no_update');
    sqlite.prepare("update audit_log set actor_label = 'system:cli:someone-else' where id = 5").run();
    sqlite.close();
    const bad = await run(['audit', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('koban: audit chain broken: audit_log row 5: hash-mismatch\n');
    expect(JSON.parse((await run(['audit', 'verify', '--json'])).out)).toMatchObject({
      ok: false,
      audit: { broken: { id: 5, reason: 'hash-mismatch' } },
    });
  });
});
