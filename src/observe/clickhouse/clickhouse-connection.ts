/**
 * HTTP to the ClickHouse servers of one store, through `@clickhouse/client` (which works against
 * 18.16's HTTP interface as long as no query parameters are sent: values are literals,
 * clickhouse-literals.ts). Reads come back as JSONCompact rows (64-bit integers as strings, read
 * with `Number`); inserts go as JSONEachRow. A server that cannot be reached, or fails, is recorded
 * in the store's health and thrown as E_STORE naming the server, never the credentials.
 */
import {
  type ClickHouseClient,
  ClickHouseLogLevel,
  type ClickHouseSettings,
  createClient,
} from '@clickhouse/client';
import { KobanError, type StoreStatus } from '../../core/index.js';
import type { ClickHouseTarget } from './clickhouse-url.js';

export type Row = readonly unknown[];

/** Errors ClickHouse raises for bad statements (syntax, types, unknown names): our bug, not the store's. */
const STATEMENT_ERRORS = /Code: (?:27|36|43|44|46|47|53|62|69|70|117|190|215|386)\b/;

/** Whether the store failed since it was opened (`/healthz`), and the one error of a failure. */
export class ClickHouseHealth {
  private problem: string | null = null;

  status(): StoreStatus {
    return this.problem === null
      ? { store: 'events', ok: true }
      : { store: 'events', ok: false, error: this.problem };
  }

  ok(): void {
    this.problem = null;
  }

  fail(server: string, e: unknown): KobanError {
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim().slice(0, 500);
    if (STATEMENT_ERRORS.test(message))
      return new KobanError('E_INTERNAL', `ClickHouse ${server}: ${message}`);
    this.problem = `ClickHouse ${server}: ${message}`;
    return new KobanError(
      'E_STORE',
      `ClickHouse ${server}: ${message}; check that the server runs and answers (docs/scale.md)`,
      { cause: e },
    );
  }
}

/** One server. */
export class ClickHouseNode {
  private readonly client: ClickHouseClient;
  /** The server as errors name it: host and port, no credentials. */
  readonly name: string;

  constructor(
    url: string,
    target: ClickHouseTarget,
    private readonly health: ClickHouseHealth,
  ) {
    this.name = new URL(url).host;
    this.client = createClient({
      url,
      username: target.username,
      password: target.password,
      // Compression settings (`enable_http_compression`) and the client's own logging (which
      // prints failed statements) stay off: errors reach the caller through `fail`.
      compression: { request: false, response: false },
      log: { level: ClickHouseLogLevel.OFF },
      request_timeout: 300_000,
    });
  }

  /** Runs a statement that returns nothing (DDL, ALTER, INSERT … SELECT). */
  async run(sql: string): Promise<void> {
    try {
      await this.client.command({ query: sql });
      this.health.ok();
    } catch (e) {
      throw this.health.fail(this.name, e);
    }
  }

  /** Runs a query and returns its rows, values in column order. */
  async rows(sql: string): Promise<Row[]> {
    try {
      const result = await this.client.query({ query: sql, format: 'JSONCompact' });
      const body = (await result.json()) as { data: Row[] };
      this.health.ok();
      return body.data;
    } catch (e) {
      throw this.health.fail(this.name, e);
    }
  }

  async scalar(sql: string): Promise<unknown> {
    return (await this.rows(sql))[0]?.[0] ?? null;
  }

  /** Inserts rows (objects keyed by column) into `table`: one INSERT, one block, one part. */
  async insert(
    table: string,
    values: readonly Record<string, unknown>[],
    settings?: ClickHouseSettings,
  ): Promise<void> {
    if (values.length === 0) return;
    try {
      await this.client.insert({
        table,
        values: values as Record<string, unknown>[],
        format: 'JSONEachRow',
        ...(settings ? { clickhouse_settings: settings } : {}),
      });
      this.health.ok();
    } catch (e) {
      throw this.health.fail(this.name, e);
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
