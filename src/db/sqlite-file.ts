/**
 * The SQLite file of a data directory: created private (0600, so SQLite gives its -wal and -shm
 * files the same mode), tightened if an older version left it readable by others, checked at open
 * (`PRAGMA quick_check`, https://sqlite.org/pragma.html#pragma_quick_check) and watched while in
 * use: every query goes through a driver that turns a failure of the file itself (damaged, not a
 * database, the disk full) into one `E_STORE` error naming the file and what to do, and records it
 * for `/healthz`.
 */
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
  type TransactionSettings,
} from 'kysely';
import {
  ensurePrivateDir,
  KobanError,
  type Notice,
  PRIVATE_FILE_MODE,
  type StoreFault,
  StoreHealth,
  stderrNotice,
  tightenMode,
} from '../core/index.js';

export const SQLITE_FILE = 'koban.sqlite';

export interface OpenRelationalOptions {
  /**
   * Create the data directory and the store when they do not exist (default true). Commands that
   * only read pass false: a mistyped `--data` then says the store does not exist instead of
   * creating an empty one.
   */
  readonly create?: boolean;
  /** Run `PRAGMA quick_check` at open (default true): a damaged file fails here, not later. */
  readonly check?: boolean;
  /** Where notes about tightened file modes go (default stderr). */
  readonly notice?: Notice;
}

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
 * Opens the SQLite file of `dataDir` (or `:memory:`), applying the checks above. Returns the
 * connection and the health record its queries report to.
 */
export function openSqliteFile(
  dataDir: string,
  opts: OpenRelationalOptions = {},
): { sqlite: SQLite.Database; health: StoreHealth } {
  if (dataDir === ':memory:')
    return { sqlite: new SQLite(':memory:'), health: new StoreHealth('relational', null) };
  const notice = opts.notice ?? stderrNotice;
  const path = join(dataDir, SQLITE_FILE);
  if (opts.create === false) requireExisting(dataDir, path);
  ensurePrivateDir(dataDir, notice);
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

function requireExisting(dataDir: string, path: string): void {
  if (!existsSync(dataDir))
    throw new KobanError('E_NOT_FOUND', `no data directory ${dataDir} (check --data or KOBAN_DATA)`);
  if (!existsSync(path))
    throw new KobanError(
      'E_NOT_FOUND',
      `${path} does not exist: nothing has been stored in ${dataDir} yet (koban serve, or a command that adds something, creates it)`,
    );
}

/** Kysely's SQLite dialect whose queries report failures of the file to `health`. */
export class GuardedSqliteDialect extends SqliteDialect {
  constructor(
    sqlite: SQLite.Database,
    private readonly health: StoreHealth,
  ) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new GuardedDriver(super.createDriver(), this.health);
  }
}

class GuardedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly health: StoreHealth,
  ) {}

  private guard(e: unknown): unknown {
    const fault = sqliteFault(e);
    return fault ? this.health.fail(fault, (e as Error).message, e) : e;
  }

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const c = await this.inner.acquireConnection();
    const guard = (e: unknown) => this.guard(e);
    const health = this.health;
    return {
      async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        try {
          const r = await c.executeQuery<R>(q);
          if (r.numAffectedRows !== undefined) health.wrote();
          return r;
        } catch (e) {
          throw guard(e);
        }
      },
      async *streamQuery<R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
        try {
          yield* c.streamQuery<R>(q, chunkSize);
        } catch (e) {
          throw guard(e);
        }
      },
    };
  }

  beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(c, settings);
  }

  commitTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(c);
  }

  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(c);
  }

  savepoint(c: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]) {
    return this.inner.savepoint!(c, name, compile);
  }

  rollbackToSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2],
  ) {
    return this.inner.rollbackToSavepoint!(c, name, compile);
  }

  releaseSavepoint(
    c: DatabaseConnection,
    name: string,
    compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2],
  ) {
    return this.inner.releaseSavepoint!(c, name, compile);
  }

  releaseConnection(c: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(c);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}
