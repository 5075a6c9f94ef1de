/**
 * What the parts of the DuckDB event store share: its one connection (used one statement at a
 * time: duckdb-store.ts orders the calls) and the small tables it keeps in memory — sensor names
 * and their ids, known IDS signatures, the newest batch id.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { StoreHealth } from '../../core/index.js';

export interface DuckDbState {
  readonly con: DuckDBConnection;
  /** The file; null for an in-memory store. */
  readonly path: string | null;
  readonly health: StoreHealth;
  /** Sensor name → the small id events are stored under (the `sensors` table). */
  readonly sensorIds: Map<string, number>;
  /** Sensor id → name. */
  readonly sensorNames: string[];
  /** `gid:sid` of the signatures in the `signatures` table. */
  readonly knownSignatures: Set<string>;
  /** The newest batch id: the append mark. */
  lastBatch: number;
  /** Rollup rows and source tuples after the last compaction; -1 until read from `meta`. */
  compactedRows: number;
}

export async function rows(
  con: DuckDBConnection,
  sql: string,
  values?: DuckDBValue[],
): Promise<DuckDBValue[][]> {
  const reader = await con.runAndReadAll(sql, values);
  return reader.getRows();
}

export async function scalar(
  con: DuckDBConnection,
  sql: string,
  values?: DuckDBValue[],
): Promise<DuckDBValue | null> {
  const r = await rows(con, sql, values);
  return r[0]?.[0] ?? null;
}

/** The name of a stored sensor id (`#id` for one the cache does not know). */
export function sensorName(s: DuckDbState, v: DuckDBValue | undefined): string {
  return s.sensorNames[Number(v)] ?? `#${String(v)}`;
}

/** Runs `fn` in a transaction: committed when it returns, rolled back when it throws. */
export async function inTransaction<T>(con: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  await con.run('BEGIN TRANSACTION');
  try {
    const out = await fn();
    await con.run('COMMIT');
    return out;
  } catch (e) {
    await con.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
