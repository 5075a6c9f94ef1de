/**
 * `koban anonymizer import`, `check` and `export` on a data directory: the real TorDNSEL sample and
 * an invented bulk list with a bad line, the rbldnsd export read back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HAVE_SAMPLES, sample } from '../../test/samples.js';
import { registerAnonymizer, registerDnsbl } from './anonymizer.js';

let dir: string;

async function run(args: string[]): Promise<{ out: string; code: number; err: string }> {
  const program = new Command('koban').exitOverride();
  registerAnonymizer(program);
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out += `${a.join(' ')}\n`;
  });
  let code = 0;
  let err = '';
  try {
    await program.parseAsync(['anonymizer', ...args, '--data', dir], { from: 'user' });
  } catch (e) {
    code = (e as { exitStatus?: number }).exitStatus ?? 1;
    err = (e as Error).message;
  }
  vi.restoreAllMocks();
  return { out, code, err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-anon-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('koban anonymizer', () => {
  it('imports a bulk list at --published, reports its bad line, and answers check and export from it', async () => {
    const file = join(dir, 'bulk.txt');
    writeFileSync(file, '# exits\n192.0.2.1\n192.0.2.300\n198.51.100.2\n');
    const published = new Date(Date.now() - 3_600_000).toISOString();
    const imp = await run(['import', file, '--published', published]);
    expect([imp.code, imp.err]).toEqual([0, '']);
    expect(imp.out).toBe(
      `bulk.txt: bulk list tor-exits (tor-exit) of ${published}: 2 entries — 2 intervals opened, 0 continued, 0 closed; 1 lines rejected\n  line 3: not an address: 192.0.2.300\n`,
    );
    const check = JSON.parse((await run(['check', '198.51.100.2'])).out) as {
      listed: boolean;
      evidence: { firstList: { source: string } }[];
    };
    expect([check.listed, check.evidence[0]!.firstList.source]).toEqual([true, 'bulk.txt']);
    const exp = await run(['export', '--format', 'rbldnsd']);
    expect(exp.out.split('\n').slice(3)).toEqual(['192.0.2.1', '198.51.100.2', '']);
  });

  it.skipIf(!HAVE_SAMPLES)(
    'refuses the 2017 TorDNSEL sample after a newer list of the same name',
    async () => {
      const text = readFileSync(sample('tor/metrics-lib-tordnsel-2017-07-17-17-02-00'), 'utf8');
      const file = join(dir, 'exits-2017');
      writeFileSync(file, text);
      const r = await run(['import', file]);
      expect(r.code).toBe(9);
      expect(r.err).toMatch(/history is built in publication order/);
      const other = await run(['import', file, '--list', 'tor-exits-2017', '--json']);
      expect(JSON.parse(other.out)).toMatchObject([
        { list: 'tor-exits-2017', entries: 44, opened: 44, rejected: [] },
      ]);
    },
  );
});

describe('koban dnsbl serve', () => {
  it('refuses a --threads outside 1 to the cores available, before opening anything', async () => {
    for (const n of ['0', '1.5', String(availableParallelism() + 1)]) {
      const program = new Command('koban').exitOverride();
      registerDnsbl(program);
      const args = ['dnsbl', 'serve', '--listen', '127.0.0.1:0', '--threads', n, '--data', dir];
      await expect(program.parseAsync(args, { from: 'user' })).rejects.toThrow(
        `--threads must be 1 to ${availableParallelism()} (the cores available), not ${n}`,
      );
    }
  });
});
