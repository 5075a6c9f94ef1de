/**
 * The SQLite file of a data directory: created private (0600, so SQLite gives its -wal and -shm
 * files the same mode), tightened if an older version left it readable by others, checked at open
 * (`PRAGMA quick_check`, https://sqlite.org/pragma.html#pragma_quick_check) and watched while in
 * use: `sqliteFault` says which engine errors are the file's (damaged, not a database, the disk
 * full), which the dialect's driver (sqlite-dialect.ts) turns into one `E_STORE` error naming the
 * file and what to do, recorded for `/healthz`.
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  ensurePrivateDir,
  KobanError,
  PRIVATE_FILE_MODE,
  type StoreFault,
  StoreHealth,
  stderrNotice,
  tightenMode,
} from '../../../core/index.js';
import type { OpenRelationalOptions } from '../open-options.js';

export const SQLITE_FILE = 'koban.sqlite';

/** Which failures are the file's, not the query's (https://sqlite.org/rescode.html). */
export function sqliteFault(e: unknown): StoreFault | null {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  if (typeof code !== 'string') return null;
  if (code.startsWith('SQLITE_CORRUPT')) return 'damaged';
  if (code === 'SQLITE_NOTADB') return 'not-a-store';
  if (/^SQLITE_(IOERR|FULL|CANTOPEN|READONLY|PERM)/.test(code)) return 'io';
  return null;
}

/**
 * Opens the SQLite file of `dataDir` (or `:memory:`), or the one `file` names (`sqlite:PATH`),
 * applying the checks above. Returns the connection and the health record its queries report to.
 */
export function openSqliteFile(
  dataDir: string,
  opts: OpenRelationalOptions = {},
  file?: string,
): { sqlite: SQLite.Database; health: StoreHealth } {
  if (dataDir === ':memory:' || file === ':memory:')
    return { sqlite: new SQLite(':memory:'), health: new StoreHealth('relational', null) };
  const notice = opts.notice ?? stderrNotice;
  const path = file ?? join(dataDir, SQLITE_FILE);
  const dir = file === undefined ? dataDir : dirname(file);
  if (opts.create === false) requireExisting(dir, path, file === undefined);
  ensurePrivateDir(dir, notice);
  // An empty file is a new, empty SQLite database; created here so that its mode is ours.
  if (!existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) tightenMode(p, notice);
  const health = new StoreHealth('relational', path);
  let sqlite: SQLite.Database | null = null;
  try {
    sqlite = new SQLite(path, { fileMustExist: true });
    // WAL: the server writes while CLI commands read; a busy timeout instead of SQLITE_BUSY errors.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // 64 MiB page cache (the default is 2 MB): indicator and link tables reach gigabytes.
    sqlite.pragma('cache_size = -65536');
    if (opts.check !== false) {
      const problems = (sqlite.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
      if (problems[0] !== 'ok')
        throw health.fail('damaged', `integrity check failed: ${problems.slice(0, 3).join('; ')}`);
    }
    return { sqlite, health };
  } catch (e) {
    sqlite?.close();
    if (e instanceof KobanError) throw e;
    const fault = sqliteFault(e);
    if (fault) throw health.fail(fault, (e as Error).message, e);
    throw e;
  }
}

function requireExisting(dir: string, path: string, dataDir: boolean): void {
  if (!existsSync(dir))
    throw new KobanError(
      'E_NOT_FOUND',
      dataDir
        ? `no data directory ${dir} (check --data or KOBAN_DATA)`
        : `no directory ${dir} for ${path} (check --db)`,
    );
  if (!existsSync(path))
    throw new KobanError(
      'E_NOT_FOUND',
      `${path} does not exist: nothing has been stored in ${dir} yet (koban serve, or a command that adds something, creates it)`,
    );
}
