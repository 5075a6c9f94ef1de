/**
 * A Kysely driver around a dialect's own: every query, connection and transaction command goes
 * through `guard`, which turns a failure of the store itself (a damaged file, a server gone) into
 * one `E_STORE` error and records it for `/healthz`; the dialect's driver does the rest. Both
 * dialects use it, each with its own classification of its engine's errors.
 */
import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely';

export interface DriverGuard {
  /** The error to throw in place of the engine's (the same error when it is the query's own). */
  fail(e: unknown): unknown;
  /** A statement went through; `wrote` when it changed rows (a transient fault is then over). */
  succeeded(wrote: boolean): void;
  /** Run on the connection right after `begin` (PostgreSQL takes its write lock here). */
  afterBegin?(connection: DatabaseConnection): Promise<void>;
}

type Compile = Parameters<NonNullable<Driver['savepoint']>>[2];

export class GuardedDriver implements Driver {
  /** The dialect's connection behind each connection handed out (its driver releases its own). */
  private readonly inner = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(
    private readonly driver: Driver,
    private readonly guard: DriverGuard,
  ) {}

  private async guarded<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw this.guard.fail(e);
    }
  }

  init(): Promise<void> {
    return this.guarded(() => this.driver.init());
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const c = await this.guarded(() => this.driver.acquireConnection());
    const guard = this.guard;
    const guarded = <T>(run: () => Promise<T>) => this.guarded(run);
    const wrapped: DatabaseConnection = {
      executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
        return guarded(async () => {
          const r = await c.executeQuery<R>(q);
          guard.succeeded(r.numAffectedRows !== undefined);
          return r;
        });
      },
      async *streamQuery<R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
        try {
          yield* c.streamQuery<R>(q, chunkSize);
        } catch (e) {
          throw guard.fail(e);
        }
      },
    };
    this.inner.set(wrapped, c);
    return wrapped;
  }

  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.driver.beginTransaction(c, settings);
    await this.guard.afterBegin?.(c);
  }

  commitTransaction(c: DatabaseConnection): Promise<void> {
    return this.driver.commitTransaction(c);
  }

  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return this.driver.rollbackTransaction(c);
  }

  savepoint(c: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    return this.driver.savepoint!(c, name, compile);
  }

  rollbackToSavepoint(c: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    return this.driver.rollbackToSavepoint!(c, name, compile);
  }

  releaseSavepoint(c: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    return this.driver.releaseSavepoint!(c, name, compile);
  }

  releaseConnection(c: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(this.inner.get(c) ?? c);
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }
}
