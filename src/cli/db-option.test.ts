// `--db URL` (then KOBAN_DB, then koban.json `db`) reaches the relational store's opener from
// every way a command opens it: the alert and sensor commands, the intel services, detection and
// the center. The opener is replaced here by one that records its arguments and stops the command.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { HAVE_BUILD, runKoban } from '../../test/cli.js';
import { openRelational } from '../db/index.js';
import { openObservatory } from '../observe/index.js';
import { buildProgram } from './program.js';

vi.mock('../db/index.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../db/index.js')>()),
  openRelational: vi.fn(async () => {
    throw new Error('openRelational reached');
  }),
}));

const URL_FLAG = 'postgres://koban@db.example:5432/koban';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'koban-cli-db-'));
  // `koban detect` reads stored events before it opens the relational store: an empty store.
  await (await openObservatory(dir)).close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the command as `koban` does (only its module loaded) and returns what the opener got. */
async function openedWith(args: string[], env: Record<string, string> = {}): Promise<unknown[]> {
  vi.mocked(openRelational).mockClear();
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  try {
    const argv = [...args, '--data', dir];
    await expect(
      (await buildProgram(argv)).exitOverride().parseAsync(argv, { from: 'user' }),
    ).rejects.toThrow('openRelational reached');
  } finally {
    vi.unstubAllEnvs();
  }
  expect(vi.mocked(openRelational)).toHaveBeenCalledTimes(1);
  return vi.mocked(openRelational).mock.calls[0]!;
}

describe('--db', () => {
  it.each([
    [['alerts'], false],
    [['alerts', 'show', '1'], false],
    [['scanners'], false],
    [['backscatter'], false],
    [['sensor', 'list'], false],
    [['sensor', 'add', 'fw1'], true],
    [['org', 'list'], false],
    [['org', 'add', 'Center', '--kind', 'center'], true],
    [['audit', 'verify'], false],
    [['intel', 'stats'], false],
    [['warninglist', 'list'], false],
    [['report', 'show', '1'], false],
    [['user', 'tokens', 'a@example.org'], false],
    [['advisory', 'list'], false],
    [['declassify', 'list', '--as', 'a@example.org'], false],
    [['detect'], true],
  ] as const)('%j opens the store it names', async (args, create) => {
    expect(await openedWith([...args, '--db', URL_FLAG])).toEqual([dir, { create, url: URL_FLAG }]);
  });

  it('koban serve hands it to the center, which opens the store it names', async () => {
    const [dataDir, opts] = await openedWith([
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--no-detect',
      '--db',
      URL_FLAG,
    ]);
    expect(dataDir).toBe(dir);
    expect(opts).toMatchObject({ url: URL_FLAG });
  });

  it('else KOBAN_DB, else koban.json db, else the SQLite file (no URL)', async () => {
    const file = join(dir, 'koban.json');
    writeFileSync(file, JSON.stringify({ db: 'postgresql://file@db.example/koban' }), { mode: 0o600 });
    try {
      const env = { KOBAN_DB: 'postgres://env@db.example/koban' };
      expect(await openedWith(['alerts', '--db', URL_FLAG], env)).toEqual([
        dir,
        { create: false, url: URL_FLAG },
      ]);
      expect(await openedWith(['alerts'], env)).toEqual([dir, { create: false, url: env.KOBAN_DB }]);
      expect(await openedWith(['alerts'])).toEqual([
        dir,
        { create: false, url: 'postgresql://file@db.example/koban' },
      ]);
      const [, centerOpts] = await openedWith(['serve', '--listen', '127.0.0.1:0', '--no-detect'], env);
      expect(centerOpts).toMatchObject({ url: env.KOBAN_DB });
    } finally {
      rmSync(file);
    }
    expect(await openedWith(['alerts'])).toEqual([dir, { create: false, url: undefined }]);
  });
});

describe.skipIf(!HAVE_BUILD)('a --db koban cannot open', () => {
  it('is one line naming the flag and the scheme, not the password, and exit status 2', async () => {
    const data = join(dir, 'none');
    for (const args of [
      ['alerts', '--db', 'mysql://root:hunter2@db.example/koban', '--data', data],
      ['import', '--db', 'mysql://root:hunter2@db.example/koban', '--data', data, '-'],
    ]) {
      const { code, out } = await runKoban(args);
      expect(code).toBe(2);
      expect(out).toBe(
        'koban: --db: unsupported scheme "mysql:" (expected postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory)\n',
      );
    }
  });
});
