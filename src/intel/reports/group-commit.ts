/**
 * Group commit: work submitted while a transaction is running waits and is then committed
 * together, in one transaction, so many concurrent intakes share one fsync instead of paying one
 * each (the commit is the slow part on real disks: ~2 ms here). Each caller's promise still
 * resolves only after its own work is durable. If a batch fails, its members are retried one by
 * one so that only the faulty one fails.
 */
import type { Kysely } from 'kysely';
import type { Database, RelationalDb } from '../../db/index.js';

interface Pending<T> {
  readonly work: (tx: Kysely<Database>) => Promise<T>;
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
}

export class GroupCommit<T> {
  private readonly pending: Pending<T>[] = [];
  private running = false;

  constructor(
    private readonly db: RelationalDb,
    private readonly maxBatch = 64,
  ) {}

  run(work: (tx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        try {
          const results = await this.db.transaction().execute(async (tx) => {
            const out: T[] = [];
            for (const p of batch) out.push(await p.work(tx));
            return out;
          });
          for (const [i, p] of batch.entries()) p.resolve(results[i]!);
        } catch (e) {
          if (batch.length === 1) batch[0]!.reject(e);
          else {
            for (const p of batch) {
              try {
                p.resolve(await this.db.transaction().execute((tx) => p.work(tx)));
              } catch (e2) {
                p.reject(e2);
              }
            }
          }
        }
      }
    } finally {
      this.running = false;
    }
  }
}
