/**
 * The DuckDB file of the event store: private to its owner (0600 in a 0700 directory, tightened
 * if an earlier version left it open to others), never created by a reader, and its health —
 * which engine errors are failures of the file itself, and the read check run when it opens.
 * DuckDB verifies a checksum on every block it reads
 * (https://duckdb.org/docs/stable/internals/storage), so damage shows only where something reads:
 * the check reads every column of the small tables whole, and of `events` the newest two days —
 * what live detection reads first. Older damage surfaces when read, as `E_STORE`, and in `/healthz`.
 */
import { chmodSync, existsSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  ensurePrivateDir,
  KobanError,
  type Notice,
  PRIVATE_FILE_MODE,
  type StoreFault,
  type StoreHealth,
  stderrNotice,
  tightenMode,
} from '../../core/index.js';

/**
 * Before DuckDB opens `path` in `dataDir`: refuses a missing store to a reader (`create: false`),
 * makes the directory private and tightens existing files. Returns what to call once DuckDB has
 * opened it (a file DuckDB created gets the umask's mode; ours is private).
 */
export function prepareStoreFile(
  dataDir: string,
  path: string,
  opts: { create?: boolean | undefined; notice?: Notice | undefined },
): () => void {
  const existed = existsSync(path);
  if (opts.create === false && !existed) {
    if (!existsSync(dataDir))
      throw new KobanError('E_NOT_FOUND', `no data directory ${dataDir} (check --data or KOBAN_DATA)`);
    throw new KobanError(
      'E_NOT_FOUND',
      `${path} does not exist: no events have been stored in ${dataDir} yet (koban import or koban serve creates it)`,
    );
  }
  const notice = opts.notice ?? stderrNotice;
  ensurePrivateDir(dataDir, notice);
  for (const p of [path, `${path}.wal`]) tightenMode(p, notice);
  return () => {
    if (!existed) chmodSync(path, PRIVATE_FILE_MODE);
  };
}

/**
 * Opens DuckDB on `path` (null: in memory). DuckDB allows one writing process per file: a second
 * one gets E_LOCKED naming the holder, a damaged file E_STORE (recorded in `health`).
 */
export async function openInstance(path: string | null, health: StoreHealth): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(path ?? ':memory:');
  } catch (e) {
    const msg = (e as Error).message;
    if (/lock/i.test(msg)) {
      const pid = /PID (\d+)/.exec(msg)?.[1];
      throw new KobanError(
        'E_LOCKED',
        `the event store ${path} is in use by another Koban process${pid ? ` (pid ${pid})` : ''}; ` +
          'while a server owns the data directory, send data through its API (koban sensor run) ' +
          'or stop it first',
      );
    }
    const fault = duckDbFault(e);
    if (fault) throw health.fail(fault, msg, e);
    throw new KobanError('E_IO', `cannot open the event store ${path}: ${msg}`);
  }
}

/** Classifies a DuckDB error: null when it is the query's (bad input, a constraint), not the file's. */
export function duckDbFault(e: unknown): StoreFault | null {
  const msg = e instanceof Error ? e.message : '';
  if (/not a valid DuckDB database file/i.test(msg)) return 'not-a-store';
  if (/Corrupt database file|checksum|Could not read enough bytes|Serialization Error/i.test(msg))
    return 'damaged';
  if (/^(IO|FATAL) Error|database has been invalidated/i.test(msg)) return 'io';
  return null;
}

const TWO_DAYS_MS = 2 * 86_400_000;

/**
 * Statements that read the store's blocks (each returns one row); any failure is the file's.
 * `newestMs` is the newest raw event's time: a literal bound lets DuckDB skip older row groups by
 * their min/max statistics instead of reading them.
 */
export function readCheckStatements(newestMs: number | null): string[] {
  const small = ['meta', 'sensors', 'signatures', 'batches', 'ledger', 'rollup_hourly'];
  const statements = small.map((t) => `SELECT count(*), bit_xor(hash(t)) FROM ${t} AS t`);
  if (newestMs !== null) {
    const since = Math.trunc(newestMs) - TWO_DAYS_MS;
    statements.push(
      `SELECT count(*), bit_xor(hash(e)) FROM events AS e WHERE ts_ms >= ${since}`,
      // The hourly source sets grow like the events: their newest blocks too (duckdb-source-sets.ts).
      `SELECT count(*), bit_xor(hash(s)) FROM source_hourly AS s WHERE hour >= epoch_ms(${since}::BIGINT)`,
    );
  }
  return statements;
}
