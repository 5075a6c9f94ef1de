/**
 * The one place an event-store adapter is chosen. Callers name where events live and get the
 * `EventStore` port; none of them imports an adapter. The adapter's module is loaded only when a
 * store of its kind is opened, so a caller that never opens one (the sensor agent, `koban
 * --help`) loads no database engine.
 */
import { KobanError, type Notice } from '../core/index.js';
import type { EventStore } from './ports/event-store.js';

/** Where events live (`events` URL schemes this version knows). */
export const EVENT_STORE_SCHEMES = ['duckdb', 'clickhouse'] as const;

export interface EventStoreConfig {
  /** The data directory: embedded stores keep their files in it; `:memory:` for a throw-away store. */
  readonly dataDir: string;
  /**
   * Which store, as a URL: `duckdb:` (the default) is `events.duckdb` in the data directory, and
   * `duckdb:DIR` the one in DIR; `clickhouse://HOST:PORT/DB` a ClickHouse server, or
   * `clickhouse://H1:P1,H2:P2/DB?cluster=NAME` the shards of a cluster (clickhouse/clickhouse-url.ts).
   * Another scheme is E_CONFIG.
   */
  readonly events?: string | undefined;
  /** Create the store when absent (default true); false: E_NOT_FOUND instead (read-only commands). */
  readonly create?: boolean | undefined;
  /** Read the store's blocks at open (an embedded file's damage check; default true). */
  readonly check?: boolean | undefined;
  /** Where notes about the store's files go (loose file modes; default stderr). */
  readonly notice?: Notice | undefined;
}

const known = () => EVENT_STORE_SCHEMES.map((s) => `${s}:`).join(', ');

/** The scheme and the rest of an `events` URL. */
function parseEventsUrl(events: string): { scheme: string; rest: string } {
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(events);
  if (!m) {
    throw new KobanError('E_CONFIG', `the event store must be named by a URL (${known()})`);
  }
  return { scheme: m[1]!.toLowerCase(), rest: m[2]! };
}

/** Opens the event store `config` names (DuckDB in the data directory unless it says otherwise). */
export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
  const { scheme, rest } = parseEventsUrl(config.events ?? 'duckdb:');
  switch (scheme) {
    case 'duckdb': {
      const { DuckDbEventStore } = await import('./duckdb/index.js');
      return DuckDbEventStore.open({
        dataDir: rest === '' ? config.dataDir : rest,
        create: config.create,
        check: config.check,
        notice: config.notice,
      });
    }
    case 'clickhouse': {
      const { ClickHouseEventStore } = await import('./clickhouse/index.js');
      return ClickHouseEventStore.open({ url: rest, create: config.create });
    }
    default:
      // The scheme alone: the rest of a URL may hold a password.
      throw new KobanError('E_CONFIG', `unknown event store "${scheme}:" (this version knows ${known()})`);
  }
}
