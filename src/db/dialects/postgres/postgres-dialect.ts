/**
 * The server dialect: Kysely's PostgresDialect over a `pg` Pool, for several centers sharing one
 * relational store (docs/scale.md). Three things make it behave as the stores expect from SQLite:
 *
 * - `bigint` columns (the UTC millisecond times, counters, `count(*)`) and `numeric` results (`sum`)
 *   come back as numbers, not the strings `pg` gives by default, when they fit a double exactly
 *   (they are all far below 2^53); an integer that does not fit stays a string rather than lose
 *   digits.
 * - Transactions run one at a time per schema, as SQLite's do: each takes a transaction-scoped
 *   advisory lock right after `begin`. The stores read and then write inside a transaction (the
 *   chain head before an append, "is this name taken" before an insert) and rely on nobody
 *   writing in between; PostgreSQL's default READ COMMITTED isolation would let two transactions
 *   — of this process or of another center — interleave there.
 * - A failure of the server (unreachable, out of resources, damaged data) is one `E_STORE` error
 *   naming the database (password hidden) and what to do, recorded for `/healthz`
 *   (postgres-faults.ts); a refused login or a missing database is `E_CONFIG`.
 */
import {
  CompiledQuery,
  type Driver,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
} from 'kysely';
import pg from 'pg';
import { describeRelationalUrl } from '../../relational-url.js';
import { GuardedDriver } from '../guarded-driver.js';
import { PostgresHealth, pgFault } from './postgres-faults.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** int8 as a number when exact; its text otherwise (what `pg` returns by default). */
function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/**
 * numeric (what `sum` of a bigint column gives) as a number, as SQLite gives it; an integer beyond
 * 2^53 stays text rather than lose digits.
 */
function parseNumeric(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) && (Number.isSafeInteger(n) || !/^-?\d+$/.test(text)) ? n : text;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary' && oid === INT8_OID) return parseInt8;
    if (format !== 'binary' && oid === NUMERIC_OID) return parseNumeric;
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as typeof pg.types.getTypeParser,
};

/** The transaction lock: pg_advisory_xact_lock(int, int), first key "Kob" (0x4b6f62), second the schema. */
const LOCK_STATEMENT = CompiledQuery.raw(
  "select pg_advisory_xact_lock(4943714, hashtext(coalesce(current_schema(), '')))",
);

/**
 * pg's pool, whose clients leave it when the server ended their connection. A backend ended by the
 * server (a restart, pg_terminate_backend) fails the running query with its own error while the
 * socket still looks open; given back as it is, the client would fail the next query too.
 */
function discardingBroken(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken: Error | undefined;
      const query = (text: unknown, parameters?: readonly unknown[]) => {
        // A cursor (Kysely's streams; not configured here) goes through untouched.
        if (typeof text !== 'string') return client.query(text as never);
        return client.query(text, parameters as unknown[]).catch((e: unknown) => {
          if (pgFault(e)?.fault === 'unreachable') broken = e as Error;
          throw e;
        });
      };
      return {
        query: query as unknown as PostgresPoolClient['query'],
        release: () => client.release(broken),
      };
    },
    end: () => pool.end(),
  };
}

class GuardedPostgresDialect extends PostgresDialect {
  constructor(
    pool: pg.Pool,
    private readonly health: PostgresHealth,
  ) {
    super({ pool: discardingBroken(pool) });
  }

  override createDriver(): Driver {
    const health = this.health;
    return new GuardedDriver(super.createDriver(), {
      fail(e) {
        const f = pgFault(e);
        return f ? health.fail(f.fault, f.problem, e) : e;
      },
      succeeded() {
        health.succeeded();
      },
      async afterBegin(connection) {
        // Keyed by schema: databases shared by several Koban stores (one schema each) don't wait on each other.
        await connection.executeQuery(LOCK_STATEMENT);
      },
    });
  }
}

/** How long a connection may take before the query waiting for it fails (E_STORE) instead of hanging. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** libpq's `connect_timeout` (whole seconds) when the URL sets one above zero, else the default. */
export function connectTimeoutMs(url: string): number {
  const given = Number(new URL(url).searchParams.get('connect_timeout') ?? '');
  return Number.isInteger(given) && given > 0 ? given * 1000 : DEFAULT_CONNECT_TIMEOUT_MS;
}

/** The dialect over the database `url` names, and the health its queries report to. */
export function postgresDialect(url: string): { dialect: PostgresDialect; health: PostgresHealth } {
  const health = new PostgresHealth(describeRelationalUrl(url));
  const pool = new pg.Pool({
    connectionString: url,
    types,
    application_name: 'koban',
    connectionTimeoutMillis: connectTimeoutMs(url),
    // A server that vanished without closing the connection (host down, cable pulled) is noticed.
    keepAlive: true,
  });
  // An idle connection the server drops emits `error` on the pool; one checked out, on its client.
  // Unheard, either would end the process: both are the store's failure, seen at the next query.
  const onError = (e: Error) => {
    const f = pgFault(e) ?? { fault: 'unreachable' as const, problem: e.message };
    health.fail(f.fault, f.problem, e);
  };
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return { dialect: new GuardedPostgresDialect(pool, health), health };
}
