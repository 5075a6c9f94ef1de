import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixture } from '../../test/samples.js';
import { registerEmail } from './email.js';

async function run(args: string[]): Promise<string> {
  const program = new Command('koban').exitOverride();
  registerEmail(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  await program.parseAsync(args, { from: 'user' });
  return out;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('koban email parse', () => {
  it('prints every part of the extraction with shared and PRIVATE marked, escaping bidi controls', async () => {
    const out = await run(['email', 'parse', fixture('email/hostile-tricks.eml')]);
    expect(out).toContain('  From: "IT Support" <it-support@attacker.example> [shared]');
    expect(out).toContain('  To: "Taro Yamada" <taro.yamada@example.co.jp> [PRIVATE: recipient-address]');
    expect(out).toContain('  - "invoice<U+202E>fdp.exe" [shared]');
    expect(out).toContain('flags: rtlo, executable-extension, executable-content');
    expect(out).toContain('  url    https://collect.attacker.example/post.php [shared]  ← body-html: action');
    expect(out).not.toContain('\u202e');
    expect(out).toMatch(/^Warnings \(\d+\):$/m);
  });

  it('prints one JSON document with --json', async () => {
    const out = await run(['email', 'parse', fixture('email/iso-2022-jp.eml'), '--json']);
    const doc = JSON.parse(out) as { view: string; headers: { subject: { value: string } } };
    expect(doc.view).toBe('full');
    expect(doc.headers.subject.value).toBe('【重要】アカウント確認のお願い');
  });

  it('prints only the sanitised view with --shareable', async () => {
    const out = await run(['email', 'parse', fixture('email/forwarded-report.eml'), '--shareable', '--json']);
    expect(out).toContain('"view": "shareable"');
    expect(out).not.toMatch(/suzuki|hanako|example\.co\.jp/i);
  });

  it('fails with E_NOT_FOUND for a missing file', async () => {
    await expect(run(['email', 'parse', fixture('email/no-such.eml')])).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
  });
});
