/**
 * `koban report add` with a file that is not an e-mail: refused with the parser's reason, nothing
 * stored (the review's `koban report add /bin/ls` stored 11 junk indicators).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerOrg } from './org.js';
import { registerReport } from './report.js';
import { registerUser } from './user.js';

let dir: string;

async function run(args: string[]): Promise<string> {
  const program = new Command('koban').exitOverride();
  for (const r of [registerOrg, registerUser, registerReport]) r(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  process.env.KOBAN_OPERATOR = 'tester';
  try {
    await program.parseAsync([...args, '--data', dir], { from: 'user' });
  } finally {
    vi.restoreAllMocks();
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-report-add-'));
  await run(['org', 'add', 'P1', '--kind', 'member-company', '--domain', 'p1.example']);
  await run(['user', 'add', 'csirt@p1.example', '--org', 'P1', '--role', 'org-member']);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('koban report add', () => {
  it('refuses an executable with E_FORMAT and the reason, and stores no report', async () => {
    // The start of an x86-64 ELF executable such as /bin/ls, and the strings that made junk indicators.
    const file = join(dir, 'ls');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('7f454c46020101000000000000000000030003e000', 'hex'),
        Buffer.alloc(300, 0),
        Buffer.from('\nhttps://www.gnu.org/software/coreutils/ bug-coreutils@gnu.org\n'),
      ]),
    );
    await expect(
      run(['report', 'add', file, '--org', 'P1', '--user', 'csirt@p1.example']),
    ).rejects.toMatchObject({
      code: 'E_FORMAT',
      message:
        'not an e-mail message: it does not begin with a header block ("Name: value" lines, RFC 5322 §2.2); its content looks like elf',
    });
    await expect(run(['report', 'show', '1'])).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });

  it('accepts a message whose lines end in a bare CR', async () => {
    const file = join(dir, 'mac.eml');
    writeFileSync(
      file,
      'From: billing@attacker.example\rTo: csirt@p1.example\rSubject: Mac mail\r\rPay at https://pay.attacker.example/\r',
    );
    const out = await run(['report', 'add', file, '--org', 'P1', '--user', 'csirt@p1.example']);
    expect(out).toContain('report 1 (email, TLP:AMBER) "Mac mail"');
    expect(out).toContain('url                https://pay.attacker.example/  [link]');
  });
});
