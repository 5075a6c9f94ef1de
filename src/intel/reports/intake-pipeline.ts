/**
 * The write path of intake, in two batched steps on the one connection:
 *
 * 1. store — the reports submitted since the last round, up to `maxBatch`, in one transaction
 *    (batch-store.ts), each with a durable `report_correlation_queue` row;
 * 2. correlate — the queue, oldest first, `maxBatch` a transaction (batch-correlate.ts): links,
 *    campaigns, the `report.create` audit row, the queue rows deleted.
 *
 * A round starts on the next turn of the event loop after a submission (`setImmediate`), so the
 * messages the parse workers finished meanwhile join it: the batch grows with the load, and one
 * report alone costs no wait. Each caller's promise resolves once its report is correlated (the
 * result is what correlating it alone would have returned). A failed batch is retried report by
 * report, so only the faulty one fails — and a report that was stored but could not be correlated
 * is still a stored report: its caller gets it with `correlation: null` and the reason (a retry
 * would store it twice), and it keeps its queue row. The queue is retried on the next round, after
 * `retryMs` when no round comes (`close()` stops that timer), and by `drain()` on the next start
 * (IntelService.open) when the process stops first. The promise rejects only when the report was
 * not stored. All writes of
 * the intel context that read or change links go through `exclusive` (analysts' added indicators),
 * so they see every stored report correlated.
 */
import type { Kysely } from 'kysely';
import type { Database, RelationalDb } from '../../db/index.js';
import type { CorrelationResult } from '../campaigns/correlate.js';
import type { Sighted } from '../indicators/store.js';
import { IndicatorRoleSchema, IndicatorTypeSchema } from '../indicators/types.js';
import type { WarningList } from '../indicators/warning-list.js';
import { storedTlp } from '../labels/tlp.js';
import { correlateBatch, type PendingReport } from './batch-correlate.js';
import { chunked, rowsPer } from './batch-indicators.js';
import { type Stored, type StoreItem, storeBatch } from './batch-store.js';

export interface PipelineOptions {
  readonly fanOut: number;
  readonly centerOrgId: () => Promise<number | null>;
  readonly warningList: () => WarningList;
  /** Reports a transaction at most (default 256). */
  readonly maxBatch?: number;
  /** How long a round waits for more reports while they stream in (default 10 ms; see `schedule`). */
  readonly windowMs?: number;
  /** When a report's correlation failed, how long until the queue is tried again (default 60 s). */
  readonly retryMs?: number;
}

/** What a submission gives back: the stored report and its correlation, or why that is pending. */
export interface Submitted {
  readonly stored: Stored;
  /** Null when the report is stored but its correlation failed; it stays queued and is retried. */
  readonly correlation: CorrelationResult | null;
  readonly pendingReason?: string;
}

interface Job {
  readonly item: StoreItem;
  readonly resolve: (r: Submitted) => void;
  readonly reject: (e: unknown) => void;
}

export class IntakePipeline {
  private readonly pending: Job[] = [];
  /** Stored reports whose callers wait for their correlation, by report id. */
  private readonly waiting = new Map<number, { job: Job; stored: Stored }>();
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private lastRoundEnd = Number.NEGATIVE_INFINITY;
  private readonly windowMs: number;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly maxBatch: number;
  private readonly retryMs: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly db: RelationalDb,
    private readonly opts: PipelineOptions,
  ) {
    this.maxBatch = Math.max(1, opts.maxBatch ?? 256);
    this.windowMs = Math.max(0, opts.windowMs ?? 10);
    this.retryMs = Math.max(1, opts.retryMs ?? 60_000);
  }

  /**
   * Stores and correlates one report; resolves once the report is stored and its correlation
   * committed or found failing (then `correlation` is null), rejects when it could not be stored.
   */
  submit(item: StoreItem): Promise<Submitted> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Runs `work` when no round is in progress and every stored report is correlated. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(async () => {
      await this.correlateQueued();
      return work();
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Correlates whatever the queue holds (reports a previous process stored and did not correlate). */
  drain(): Promise<void> {
    return this.exclusive(async () => undefined);
  }

  /** Stops the retry timer; what is still queued is correlated by the next process's `drain()`. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** A failed correlation is tried again after `retryMs`, unless a round comes first. */
  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.drain().catch(() => this.scheduleRetry());
    }, this.retryMs);
    this.retryTimer.unref?.();
  }

  /**
   * Starts a round on the next turn of the event loop — or, while submissions stream in (the last
   * round ended less than `windowMs` ago), after `windowMs` or as soon as a full batch waits: the
   * parse workers keep finishing messages meanwhile, so under load a round takes many reports for
   * its fixed cost instead of the one or two finished since the last round.
   */
  private schedule(): void {
    if (this.timer && this.pending.length >= this.maxBatch) {
      clearTimeout(this.timer);
      this.timer = null;
      this.scheduled = false;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    const start = () => {
      this.timer = null;
      this.scheduled = false;
      this.lock = this.lock.then(() => this.round()).catch(() => undefined);
    };
    const streaming = performance.now() - this.lastRoundEnd < this.windowMs;
    if (streaming && this.pending.length < this.maxBatch) this.timer = setTimeout(start, this.windowMs);
    else setImmediate(start);
  }

  private async round(): Promise<void> {
    try {
      await this.roundOnce();
    } finally {
      this.lastRoundEnd = performance.now();
    }
  }

  private async roundOnce(): Promise<void> {
    while (this.pending.length > 0) {
      const jobs = this.pending.splice(0, this.maxBatch);
      await this.store(jobs);
      try {
        await this.correlateQueued();
      } catch (e) {
        // The queue could not even be read: the stored reports stay queued; their callers learn why.
        for (const id of [...this.waiting.keys()]) this.settle(id, null, e);
      }
    }
  }

  private async store(jobs: readonly Job[]): Promise<void> {
    const list = this.opts.warningList();
    try {
      const stored = await this.db.transaction().execute((tx) =>
        storeBatch(
          tx,
          jobs.map((j) => j.item),
          list,
        ),
      );
      for (const [i, s] of stored.entries()) this.waiting.set(s.reportId, { job: jobs[i]!, stored: s });
    } catch (e) {
      if (jobs.length === 1) {
        jobs[0]!.reject(e);
        return;
      }
      for (const j of jobs) await this.store([j]);
    }
  }

  /** Correlates the queue, oldest first, a batch a transaction, until it is empty or a report fails. */
  private async correlateQueued(): Promise<void> {
    const failed = new Set<number>();
    try {
      const ctx = { fanOut: this.opts.fanOut, centerOrgId: await this.opts.centerOrgId() };
      for (;;) {
        const done = await this.correlateSome(ctx, failed);
        if (done === 0) return;
      }
    } catch (e) {
      this.scheduleRetry();
      throw e;
    } finally {
      if (failed.size > 0) this.scheduleRetry();
    }
  }

  /** One batch; returns how many reports it correlated (0: nothing left but failures). */
  private async correlateSome(
    ctx: { fanOut: number; centerOrgId: number | null },
    failed: Set<number>,
  ): Promise<number> {
    let batch: PendingReport[] = [];
    // Nothing of this process waits: look before opening a write transaction (most starts).
    if (this.waiting.size === 0) {
      const any = await this.db.selectFrom('report_correlation_queue').select('report_id').limit(1).execute();
      if (any.length === 0) return 0;
    }
    try {
      const results = await this.db.transaction().execute(async (tx) => {
        batch = await this.queued(tx, failed);
        return correlateBatch(tx, batch, ctx);
      });
      for (const [i, p] of batch.entries()) this.settle(p.reportId, results[i]!, null);
      return batch.length;
    } catch (e) {
      if (batch.length <= 1) {
        // This report stays queued for the next round or start; its caller learns why now.
        for (const p of batch) {
          failed.add(p.reportId);
          this.settle(p.reportId, null, e);
        }
        return batch.length;
      }
      let done = 0;
      for (const p of batch) {
        try {
          const [r] = await this.db.transaction().execute((tx) => correlateBatch(tx, [p], ctx));
          this.settle(p.reportId, r!, null);
          done++;
        } catch (e2) {
          failed.add(p.reportId);
          this.settle(p.reportId, null, e2);
        }
      }
      return Math.max(done, 1);
    }
  }

  private settle(reportId: number, result: CorrelationResult | null, error: unknown): void {
    const w = this.waiting.get(reportId);
    if (!w) return;
    this.waiting.delete(reportId);
    if (result) w.job.resolve({ stored: w.stored, correlation: result });
    else
      w.job.resolve({
        stored: w.stored,
        correlation: null,
        pendingReason: error instanceof Error ? error.message : String(error),
      });
  }

  /** The oldest queued reports (not failed in this round), with their values. */
  private async queued(tx: Kysely<Database>, failed: ReadonlySet<number>): Promise<PendingReport[]> {
    let q = tx
      .selectFrom('report_correlation_queue as q')
      .innerJoin('reports as r', 'r.id', 'q.report_id')
      .select([
        'q.report_id',
        'q.actor_user_id',
        'q.actor_org_id',
        'q.actor_label',
        'q.details',
        'r.received_ms',
        'r.tlp',
      ])
      .orderBy('q.report_id')
      .limit(this.maxBatch);
    if (failed.size > 0) q = q.where('q.report_id', 'not in', [...failed]);
    const rows = await q.execute();
    const ids = rows.map((r) => Number(r.report_id));
    const recovered = await sightedOf(
      tx,
      ids.filter((id) => !this.waiting.has(id)),
    );
    return rows.map((r) => {
      const id = Number(r.report_id);
      return {
        reportId: id,
        nowMs: Number(r.received_ms),
        tlp: storedTlp(String(r.tlp)),
        // As recorded at storage when this process stored it; else the values' current state.
        sighted: this.waiting.get(id)?.stored.sighted ?? recovered.get(id) ?? [],
        actor: {
          userId: r.actor_user_id === null ? null : Number(r.actor_user_id),
          orgId: r.actor_org_id === null ? null : Number(r.actor_org_id),
          label: r.actor_label,
        },
        details: JSON.parse(r.details) as Record<string, unknown>,
      };
    });
  }
}

/** The recorded values of reports another process stored (after a restart). */
async function sightedOf(tx: Kysely<Database>, ids: readonly number[]): Promise<Map<number, Sighted[]>> {
  const out = new Map<number, Sighted[]>();
  for (const part of chunked(ids, rowsPer(1))) {
    const rows = await tx
      .selectFrom('report_indicators as ri')
      .innerJoin('indicators as i', 'i.id', 'ri.indicator_id')
      .select([
        'ri.report_id',
        'ri.indicator_id',
        'ri.role',
        'i.type',
        'i.value',
        'i.report_count',
        'i.warning',
      ])
      .where('ri.report_id', 'in', part)
      .orderBy('ri.report_id')
      .orderBy('ri.indicator_id')
      .execute();
    for (const r of rows) {
      const id = Number(r.report_id);
      const list = out.get(id) ?? [];
      list.push({
        indicatorId: Number(r.indicator_id),
        type: IndicatorTypeSchema.parse(r.type),
        value: r.value,
        role: IndicatorRoleSchema.parse(r.role),
        reportCount: Number(r.report_count),
        warning: r.warning,
      });
      out.set(id, list);
    }
  }
  return out;
}
