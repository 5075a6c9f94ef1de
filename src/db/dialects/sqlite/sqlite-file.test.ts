// The relational store's file: private modes, checked at open, failures named as E_STORE.
import {
  chmodSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KobanError } from '../../../core/index.js';
import { openRelational, relationalHealth, SQLITE_FILE } from '../../index.js';

let dir: string;
let path: string;
const quiet = () => {};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-sqlite-file-'));
  path = join(dir, SQLITE_FILE);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A migrated store with a table of 5,000 rows (many pages), closed (its WAL merged into the file). */
async function filledStore(): Promise<void> {
  const db = await openRelational(dir);
  await db.destroy();
  const raw = new SQLite(path);
  raw.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT)');
  const insert = raw.prepare('INSERT INTO filler (text) VALUES (?)');
  raw.transaction(() => {
    for (let i = 0; i < 5000; i++) insert.run(`row ${i} ${'x'.repeat(200)}`);
  })();
  raw.close();
}

function pageOf(table: string): { page: number; size: number } {
  const raw = new SQLite(path, { readonly: true });
  const page = (
    raw.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number }
  ).rootpage;
  const size = raw.pragma('page_size', { simple: true }) as number;
  raw.close();
  return { page, size };
}

function overwritePage(page: number, size: number): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(size, 0x5a), 0, size, (page - 1) * size);
  closeSync(fd);
}

async function openError(opts: { check?: boolean } = {}): Promise<KobanError> {
  const e = await openRelational(dir, { notice: quiet, ...opts }).then(
    async (db) => {
      await db.destroy();
      return null;
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KobanError);
  return e as KobanError;
}

describe('a damaged relational store', () => {
  it('that is not a SQLite file fails at open: one line, the file, what to do', async () => {
    writeFileSync(path, Buffer.alloc(64 * 1024, 0x41));
    const e = await openError();
    expect(e.code).toBe('E_STORE');
    expect(e.message).toBe(
      `${path}: file is not a database; the file is not a store Koban can read (overwritten, or another program’s file): ` +
        'restore it from the last backup (README, "Damaged stores")',
    );
  });

  it('cut short fails at open as damaged', async () => {
    await filledStore();
    writeFileSync(path, readFileSync(path).subarray(0, 40 * 4096));
    const e = await openError();
    expect(e.code).toBe('E_STORE');
    expect(e.message).toMatch(
      /: (database disk image is malformed|integrity check failed: .+); the file is damaged: stop Koban/,
    );
  });

  it('with overwritten pages fails the integrity check at open, which it passed before without one', async () => {
    await filledStore();
    const { page, size } = pageOf('filler');
    overwritePage(page + 20, size);
    const e = await openError();
    expect(e.code).toBe('E_STORE');
    // quick_check either lists the damage or stops at it.
    expect(e.message).toMatch(
      /koban\.sqlite: (database disk image is malformed|integrity check failed: .+); the file is damaged: stop Koban, move the file aside and restore it from the last backup/,
    );
    expect(e.message.startsWith(`${path}: `)).toBe(true);
    expect(e.message).not.toContain('\n');
    // Unchecked, the same file opens as if healthy: the check is what catches it.
    const db = await openRelational(dir, { check: false, notice: quiet });
    expect(relationalHealth(db)).toEqual({ store: 'relational', ok: true });
    await db.destroy();
  });

  it('damaged where a query reads fails that query with E_STORE and reports it in its health', async () => {
    await filledStore();
    const { page, size } = pageOf('sensors');
    overwritePage(page, size);
    const db = await openRelational(dir, { check: false, notice: quiet });
    try {
      const e = await db
        .selectFrom('sensors')
        .selectAll()
        .execute()
        .catch((err: unknown) => err);
      expect(e).toBeInstanceOf(KobanError);
      expect((e as KobanError).code).toBe('E_STORE');
      expect(
        (e as KobanError).message.startsWith(
          `${path}: database disk image is malformed; the file is damaged`,
        ),
      ).toBe(true);
      expect(relationalHealth(db)).toEqual({
        store: 'relational',
        ok: false,
        error: 'koban.sqlite: database disk image is malformed',
      });
    } finally {
      await db.destroy();
    }
  });
});

describe('the relational store on disk', () => {
  it('is created private to its owner, its WAL and shared-memory files too', async () => {
    const sub = join(dir, 'new');
    const db = await openRelational(sub);
    await db.selectFrom('sensors').selectAll().execute();
    const file = join(sub, SQLITE_FILE);
    const modes = [sub, file, `${file}-wal`, `${file}-shm`].map((p) => statSync(p).mode & 0o777);
    await db.destroy();
    expect(modes).toEqual([0o700, 0o600, 0o600, 0o600]);
  });

  it('left readable by others by an earlier version is tightened when opened, and said so', async () => {
    await (await openRelational(dir)).destroy();
    chmodSync(dir, 0o755);
    chmodSync(path, 0o644);
    const notes: string[] = [];
    await (await openRelational(dir, { notice: (m) => notes.push(m) })).destroy();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(notes).toEqual([
      `${dir} was readable by other users (mode 0755): changed to 0700`,
      `${path} was readable by other users (mode 0644): changed to 0600`,
    ]);
  });

  it('is not created by a reader: a missing store is E_NOT_FOUND and nothing is written', async () => {
    const missing = join(dir, 'typo');
    await expect(openRelational(missing, { create: false })).rejects.toThrow(
      `no data directory ${missing} (check --data or KOBAN_DATA)`,
    );
    await expect(openRelational(dir, { create: false })).rejects.toThrow(
      `${path} does not exist: nothing has been stored in ${dir} yet (koban serve, or a command that adds something, creates it)`,
    );
    expect(() => statSync(missing)).toThrow();
    expect(() => statSync(path)).toThrow();
  });
});
