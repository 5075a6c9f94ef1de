/**
 * What the parts of the ClickHouse event store share: its servers (entry node first), the table
 * names reads and appends use (clickhouse-schema.ts), and the small tables it keeps in memory —
 * the order sensors were first seen in, the signatures' texts, the newest append mark.
 */
import { KobanError } from '../../core/index.js';
import type { ClickHouseHealth, ClickHouseNode } from './clickhouse-connection.js';
import { str } from './clickhouse-literals.js';
import type { Tables } from './clickhouse-schema.js';

export interface ClickHouseState {
  readonly nodes: readonly ClickHouseNode[];
  /** The entry node: small tables, and reads through the Distributed tables of a cluster. */
  readonly entry: ClickHouseNode;
  readonly db: string;
  readonly cluster: string | null;
  readonly t: Tables;
  readonly health: ClickHouseHealth;
  /** Sensor name → the batch that first stored it (the first-seen order). */
  readonly sensorFirst: Map<string, number>;
  /** `gid:sid` → the signature's text. */
  readonly signatures: Map<string, string | null>;
  /** The newest batch id: the append mark. */
  lastBatch: number;
}

/** Longest a mutation (ALTER … DELETE) may take before the store reports it as failing. */
const MUTATION_WAIT_MS = 300_000;

/**
 * Runs `ALTER TABLE … DELETE` on every node holding `table` and waits until the mutations are done:
 * 18.16 has no `mutations_sync` (19.x), so completion is read from `system.mutations`.
 */
export async function deleteWhere(
  s: ClickHouseState,
  table: string,
  where: string,
  nodes: readonly ClickHouseNode[],
): Promise<void> {
  for (const node of nodes) {
    await node.run(`ALTER TABLE ${s.db}.${table} DELETE WHERE ${where}`);
    const started = Date.now();
    for (;;) {
      const pending = Number(
        await node.scalar(
          `SELECT count() FROM system.mutations WHERE database = ${str(s.db)} AND table = ${str(table)} AND is_done = 0`,
        ),
      );
      if (pending === 0) break;
      if (Date.now() - started > MUTATION_WAIT_MS) {
        throw new KobanError('E_STORE', `ClickHouse ${node.name}: a delete on ${table} did not finish`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
