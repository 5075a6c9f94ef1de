/**
 * The ClickHouse adapter against the contract every event store passes (../event-store.contract.ts),
 * on one server (`KOBAN_TEST_CLICKHOUSE`, e.g. clickhouse://127.0.0.1:58123/koban_test) and on the
 * two shards of a cluster (`KOBAN_TEST_CLICKHOUSE_SHARDS`, e.g.
 * clickhouse://127.0.0.1:58223,127.0.0.1:58323/koban_test?cluster=koban_shards): `.ci/ch.sh`
 * starts both, `.ci/run` sets both. Each test works in a database of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { describeEventStoreContract } from '../event-store.contract.js';
import { ClickHouseHealth, ClickHouseNode } from './clickhouse-connection.js';
import { identifier } from './clickhouse-literals.js';
import { parseClickHouseUrl } from './clickhouse-url.js';
import { ClickHouseEventStore } from './index.js';

/** `url` (what follows `clickhouse:`, or the whole URL) with its database replaced by `database`. */
function withDatabase(url: string, database: string): string {
  const rest = url.replace(/^clickhouse:/, '');
  return rest.replace(/^(\/\/[^/]+\/)[^?#]*/, `$1${identifier('database', database)}`);
}

async function dropTestDatabase(url: string): Promise<void> {
  const target = parseClickHouseUrl(url);
  for (const base of target.nodes) {
    const node = new ClickHouseNode(base, target, new ClickHouseHealth());
    try {
      await node.run(`DROP DATABASE IF EXISTS ${target.database}`);
    } finally {
      await node.close();
    }
  }
}

// The DuckDB adapter keeps each hour's distinct sources with its rollups (docs/scale.md), so
// whole-hour source counts outlive raw events; this adapter still counts them from raw events.
const HOURLY_SOURCE_SETS = 'hourly source sets (distinct sources after raw events expire)';
const SOURCES_AFTER_EXPIRY =
  'keeps whole-hour distinct-source counts after raw events expire; bounds inside an hour see none';
const RAW_DELETED =
  'deletes raw events before a cut-off and keeps their counts in the rollups and source sets';

for (const [name, variable] of [
  ['ClickHouse, one server', 'KOBAN_TEST_CLICKHOUSE'],
  ['ClickHouse, two shards (Distributed, sharded by source address)', 'KOBAN_TEST_CLICKHOUSE_SHARDS'],
] as const) {
  const url = process.env[variable];
  describeEventStoreContract(
    name,
    () => {
      const own = withDatabase(url!, `koban_contract_${randomBytes(6).toString('hex')}`);
      return {
        open: () => ClickHouseEventStore.open({ url: own }),
        dispose: () => dropTestDatabase(own),
      };
    },
    {
      skip: url ? undefined : `${variable} is not set (.ci/ch.sh starts a server)`,
      notYet: {
        [SOURCES_AFTER_EXPIRY]: HOURLY_SOURCE_SETS,
        [RAW_DELETED]: HOURLY_SOURCE_SETS,
      },
    },
  );
}
