// Commands that only read never create a store: a mistyped --data says so and leaves nothing
// behind. Tables print identifiers (ports, ids) without thousands separators. A damaged store
// stops a command at open with one line naming the file (the built command).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { KobanError } from '../core/index.js';
import { table } from './_output.js';
import { registerAdvisory } from './advisory/index.js';
import { registerAlerts } from './alerts.js';
import { registerAudit } from './audit.js';
import { registerIntelStats } from './intel-stats.js';
import { registerOrg } from './org.js';
import { registerReport } from './report.js';
import { registerSensor } from './sensor.js';
import { registerStats, render } from './stats.js';
import { registerUser } from './user.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-read-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

async function run(args: string[]): Promise<unknown> {
  const program = new Command('koban').exitOverride();
  for (const r of [
    registerStats,
    registerSensor,
    registerAlerts,
    registerReport,
    registerAudit,
    registerOrg,
    registerUser,
    registerIntelStats,
    registerAdvisory,
  ])
    r(program);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(args, { from: 'user' });
    return null;
  } catch (e) {
    return e;
  } finally {
    vi.restoreAllMocks();
  }
}

const READERS = [
  ['stats', 'total'],
  ['sensor', 'list'],
  ['sensor', 'revoke', 'fw1'],
  ['alerts'],
  ['alerts', 'show', '1'],
  ['report', 'show', '1'],
  ['audit', 'verify'],
  ['org', 'list'],
  ['user', 'token', 'a@example.org', '--scopes', 'reports:read'],
  ['intel', 'stats'],
  ['advisory', 'list'],
];

describe('commands that read', () => {
  it.each(READERS)(
    '%s %s: a mistyped --data is E_NOT_FOUND and creates nothing',
    async (...cmd: string[]) => {
      const typo = join(dir, 'koban-dtaa');
      const e = await run([...cmd, '--data', typo]);
      expect(e).toBeInstanceOf(KobanError);
      expect((e as KobanError).code).toBe('E_NOT_FOUND');
      expect((e as KobanError).message).toBe(`no data directory ${typo} (check --data or KOBAN_DATA)`);
      expect(existsSync(typo)).toBe(false);
    },
  );

  it('in a data directory without the store say the store does not exist, and create none', async () => {
    const stats = await run(['stats', 'total', '--data', dir]);
    expect((stats as KobanError).message).toBe(
      `${join(dir, 'events.duckdb')} does not exist: no events have been stored in ${dir} yet (koban import or koban serve creates it)`,
    );
    const alerts = await run(['alerts', '--data', dir]);
    expect((alerts as KobanError).message).toBe(
      `${join(dir, 'koban.sqlite')} does not exist: nothing has been stored in ${dir} yet (koban serve, or a command that adds something, creates it)`,
    );
    expect(existsSync(join(dir, 'events.duckdb'))).toBe(false);
    expect(existsSync(join(dir, 'koban.sqlite'))).toBe(false);
  });

  it('that add what a fresh center starts from still create it', async () => {
    const fresh = join(dir, 'fresh');
    expect(await run(['org', 'add', 'Center', '--kind', 'center', '--data', fresh])).toBeNull();
    expect(await run(['sensor', 'add', 'fw1', '--data', join(dir, 'fresh2')])).toBeNull();
    expect(existsSync(join(fresh, 'koban.sqlite'))).toBe(true);
    expect(existsSync(join(dir, 'fresh2', 'koban.sqlite'))).toBe(true);
  });
});

describe('tables', () => {
  it('print ports, ids and AS numbers as they are, and counts with separators', () => {
    const text = render({
      view: 'ports',
      rows: [{ proto: 'tcp', port: 1433, service: 'ms-sql-s', count: 12345, share: 0.5 }],
    });
    expect(text.split('\n')[2]).toBe('tcp    1433  ms-sql-s  12,345  50.0%');
    expect(
      table(['id', 'asn', 'year', 'src_port', 'events'], [[10234, 64512, 2024, 50123, 1234567]]).split(
        '\n',
      )[2],
    ).toBe('10234  64512  2024     50123  1,234,567');
  });
});

describe.skipIf(!HAVE_BUILD)('a damaged store', () => {
  it('stops koban stats at open with one line naming the file and what to do', async () => {
    mkdirSync(join(dir, 'data'), { mode: 0o700 });
    const file = join(dir, 'data', 'events.duckdb');
    writeFileSync(file, Buffer.alloc(1 << 16, 0x41), { mode: 0o600 });
    const { code, out } = await runKoban(['stats', 'total', '--data', join(dir, 'data')]);
    expect(code).toBe(12);
    expect(out).toBe(
      `koban: ${file}: IO Error: The file "${file}" exists, but it is not a valid DuckDB database file!; ` +
        'the file is not a store Koban can read (overwritten, or another program’s file): restore it from the last backup (README, "Damaged stores")\n',
    );
  });

  it('stops koban serve at start with one line, not an internal error and a stack trace', async () => {
    mkdirSync(join(dir, 'data'), { mode: 0o700 });
    const file = join(dir, 'data', 'koban.sqlite');
    writeFileSync(file, Buffer.alloc(8192, 0x41), { mode: 0o600 });
    const { code, out } = await runKoban(['serve', '--listen', '127.0.0.1:0', '--data', join(dir, 'data')]);
    expect(code).toBe(12);
    expect(out).toBe(
      `koban: ${file}: file is not a database; the file is not a store Koban can read (overwritten, or another program’s file): ` +
        'restore it from the last backup (README, "Damaged stores")\n',
    );
  });
});
