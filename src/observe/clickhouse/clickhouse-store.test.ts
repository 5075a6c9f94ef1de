/**
 * What the ClickHouse adapter does beyond the port (the contract is clickhouse-store.contract.test.ts):
 * events spread over the shards by source address, retention by dropping day partitions, and a
 * read-only open of a database without a store. Needs the servers `.ci/ch.sh` starts.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ev } from '../../../test/events.js';
import { ClickHouseHealth, ClickHouseNode } from './clickhouse-connection.js';
import { parseClickHouseUrl } from './clickhouse-url.js';
import { ClickHouseEventStore } from './index.js';

const ONE = process.env.KOBAN_TEST_CLICKHOUSE;
const SHARDS = process.env.KOBAN_TEST_CLICKHOUSE_SHARDS;
const D = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A URL naming a fresh database on `base`'s servers, and each server's node for direct reads. */
function fresh(base: string): { url: string; nodes: ClickHouseNode[]; db: string } {
  const db = `koban_adapter_${randomBytes(6).toString('hex')}`;
  const url = base.replace(/^clickhouse:/, '').replace(/^(\/\/[^/]+\/)[^?#]*/, `$1${db}`);
  const target = parseClickHouseUrl(url);
  const nodes = target.nodes.map((n) => new ClickHouseNode(n, target, new ClickHouseHealth()));
  cleanups.push(async () => {
    for (const n of nodes) {
      await n.run(`DROP DATABASE IF EXISTS ${db}`);
      await n.close();
    }
  });
  return { url, nodes, db };
}

describe.skipIf(!SHARDS)(
  `ClickHouse on two shards${SHARDS ? '' : ' (skipped: KOBAN_TEST_CLICKHOUSE_SHARDS is not set)'}`,
  () => {
    it('stores each source’s events on one shard, spreads the sources over both, and reads them all', async () => {
      const { url, nodes, db } = fresh(SHARDS!);
      const store = await ClickHouseEventStore.open({ url });
      const events = [];
      for (let i = 0; i < 64; i++) {
        for (let k = 0; k < 3; k++) events.push(ev({ timeMs: T0 + i * 10 + k, src: `198.51.100.${i + 1}` }));
      }
      await store.append(events);
      const perShard = [];
      for (const n of nodes) {
        perShard.push(Number(await n.scalar(`SELECT count() FROM ${db}.events`)));
        // A source never straddles shards: every source on this shard has all three of its events here.
        expect(await n.rows(`SELECT src4 FROM ${db}.events GROUP BY src4 HAVING count() != 3`)).toEqual([]);
      }
      expect(perShard[0]! + perShard[1]!).toBe(192);
      expect(perShard[0]).toBeGreaterThan(0);
      expect(perShard[1]).toBeGreaterThan(0);
      expect(await store.aggregate({ groupBy: [], measure: 'sources' })).toEqual([{ count: 64 }]);
      expect(await store.aggregate({ groupBy: ['sensor'] })).toEqual([{ sensor: 's1', count: 192 }]);
      await store.close();
    });
  },
);

describe.skipIf(!ONE)(
  `ClickHouse on one server${ONE ? '' : ' (skipped: KOBAN_TEST_CLICKHOUSE is not set)'}`,
  () => {
    it('drops the day partitions wholly before the cut-off and deletes the rest of a partial day', async () => {
      const { url, nodes, db } = fresh(ONE!);
      const store = await ClickHouseEventStore.open({ url });
      await store.append(
        [0, 1, 2].flatMap((d) => [ev({ timeMs: T0 + d * D }), ev({ timeMs: T0 + d * D + 5 })]),
      );
      const partitions = async () =>
        (
          await nodes[0]!.rows(
            `SELECT DISTINCT partition FROM system.parts WHERE database = '${db}' AND table = 'events' AND active ORDER BY partition`,
          )
        ).map((r) => Number(r[0]));
      const day0 = T0 / D;
      expect(await partitions()).toEqual([day0, day0 + 1, day0 + 2]);
      expect(await store.deleteRawBefore(T0 + D + 3)).toBe(3);
      expect(await partitions()).toEqual([day0 + 1, day0 + 2]);
      expect(await store.rawHourCounts()).toEqual([
        { hourMs: T0 + D, events: 1 },
        { hourMs: T0 + 2 * D, events: 2 },
      ]);
      expect((await store.summary()).events).toBe(6);
      await store.close();
    });

    it('refuses to open a database without a store when asked not to create one (E_NOT_FOUND)', async () => {
      const { url } = fresh(ONE!);
      await expect(ClickHouseEventStore.open({ url, create: false })).rejects.toMatchObject({
        code: 'E_NOT_FOUND',
      });
    });
  },
);
