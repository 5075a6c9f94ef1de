/**
 * Taking access away from the console: list and revoke API tokens (which now expire after 90 days
 * by default), end a user's sessions, disable and enable users and organisations — and the audit
 * commands that sign a checkpoint and verify the chain against it.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAudit } from './audit.js';
import { registerOrg } from './org.js';
import { registerUser } from './user.js';

let dir: string;

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('koban').exitOverride();
  for (const r of [registerOrg, registerUser, registerAudit]) r(program);
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
  await program.parseAsync([...args, '--data', dir], { from: 'user' });
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  vi.restoreAllMocks();
  return { out, err, code };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-access-'));
  await run(['org', 'add', 'Center', '--kind', 'center']);
  await run(['org', 'add', 'P1工業', '--kind', 'member-company']);
  await run(['user', 'add', 'csirt@p1-kogyo.example', '--org', 'P1工業', '--role', 'org-member']);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('koban user and org: revocation', () => {
  it('issues a token that expires in 90 days by default, lists it and revokes it', async () => {
    const before = Date.now();
    const issued = JSON.parse(
      (await run(['user', 'token', 'csirt@p1-kogyo.example', '--scopes', 'reports:read', '--json'])).out,
    );
    const after = Date.now();
    // The CLI reads the wall clock: the expiry is 90 days after some instant of the call.
    expect(Date.parse(issued.expires)).toBeGreaterThanOrEqual(before + 90 * 86_400_000);
    expect(Date.parse(issued.expires)).toBeLessThanOrEqual(after + 90 * 86_400_000);
    const listed = JSON.parse((await run(['user', 'tokens', 'csirt@p1-kogyo.example', '--json'])).out);
    expect(listed.tokens).toEqual([
      expect.objectContaining({ id: issued.id, expires: issued.expires, revoked: null }),
    ]);
    expect((await run(['user', 'token-revoke', String(issued.id)])).out).toBe(
      `API token ${issued.id} revoked\n`,
    );
    const revoked = JSON.parse((await run(['user', 'tokens', 'csirt@p1-kogyo.example', '--json'])).out);
    expect(revoked.tokens[0].revoked).not.toBeNull();
  });

  it('refuses an expiry out of range with a clear message', async () => {
    await expect(
      run(['user', 'token', 'csirt@p1-kogyo.example', '--scopes', 'reports:read', '--expires-days', '0']),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message: '--expires-days must be a whole number from 1 to 3650, not "0"',
    });
  });

  it('ends sessions and disables and enables a user and an organisation', async () => {
    expect((await run(['user', 'sessions-end', 'csirt@p1-kogyo.example'])).out).toBe(
      '0 session(s) of csirt@p1-kogyo.example ended\n',
    );
    expect((await run(['user', 'disable', 'csirt@p1-kogyo.example'])).out).toBe(
      'user 1 csirt@p1-kogyo.example disabled\n',
    );
    expect(
      JSON.parse((await run(['user', 'enable', 'csirt@p1-kogyo.example', '--json'])).out).disabled,
    ).toBeNull();
    expect((await run(['org', 'disable', 'P1工業'])).out).toBe('organisation 2 "P1工業" disabled\n');
    expect(JSON.parse((await run(['org', 'enable', 'P1工業', '--json'])).out).active).toBe(true);
    await expect(run(['org', 'disable', 'Center'])).rejects.toMatchObject({
      code: 'E_USAGE',
      message: '"Center" is the center: it cannot be disabled',
    });
  });
});

describe('koban user notifications', () => {
  it('shows that a user has not chosen, sets a daily digest, and refuses another mode', async () => {
    expect((await run(['user', 'notifications', 'csirt@p1-kogyo.example'])).out).toBe(
      'csirt@p1-kogyo.example: not chosen (advisories naming the user by e-mail one by one; those to the organisation in the inbox only)\n',
    );
    const set = JSON.parse(
      (await run(['user', 'notifications', 'csirt@p1-kogyo.example', '--advisories', 'daily', '--json'])).out,
    );
    expect(set).toMatchObject({ email: 'csirt@p1-kogyo.example', advisories: 'daily', chosen: true });
    // The default digest time: 08:00 at +09:00, i.e. 23:00 UTC.
    expect(set.next_digest).toMatch(/T23:00:00\.000Z$/);
    await expect(
      run(['user', 'notifications', 'csirt@p1-kogyo.example', '--advisories', 'hourly']),
    ).rejects.toMatchObject({ code: 'E_USAGE' });
    expect((await run(['user', 'notifications', 'csirt@p1-kogyo.example'])).out).toMatch(
      /^csirt@p1-kogyo\.example: advisories by e-mail in a daily digest \(next .*T23:00:00\.000Z\)\n$/,
    );
  });
});

describe('koban audit checkpoint and verify', () => {
  it('signs a checkpoint and fails verification when rows after it are cut off', async () => {
    const cp = JSON.parse((await run(['audit', 'checkpoint', '--json'])).out);
    expect(cp.file).toBe(join(dir, 'audit-checkpoints.jsonl'));
    const shipped = join(dir, 'shipped.jsonl');
    copyFileSync(cp.file, shipped);
    const ok = await run(['audit', 'verify', '--checkpoint', shipped]);
    expect(ok.out).toContain(
      `reaches the signed checkpoint of ${cp.checkpoint.at} (row ${cp.checkpoint.seq})`,
    );
    const sqlite = new Database(join(dir, 'koban.sqlite'));
    sqlite.exec('drop trigger audit_log_no_delete');
    sqlite.prepare('delete from audit_log where id = ?').run(cp.checkpoint.seq);
    sqlite.close();
    const bad = await run(['audit', 'verify', '--checkpoint', shipped]);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      `koban: audit chain broken: audit_log: the chain ends at row ${cp.checkpoint.seq - 1}, short of the ` +
        `signed checkpoint at row ${cp.checkpoint.seq}: rows were removed from the end\n`,
    );
  });
});
