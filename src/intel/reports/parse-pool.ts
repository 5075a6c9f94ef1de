/**
 * E-mail parsing in worker threads: the main thread keeps storing and correlating while other
 * cores parse, and a message that still defeats the extraction's own bounds (a pathological regular
 * expression, a decoder bug) is contained — each worker has a heap limit and every job a hard
 * deadline, after which the worker is terminated and replaced and the job fails with `E_LIMIT`.
 * Nothing a message does can take the server down with it.
 *
 * The queue of messages waiting for a worker is bounded: past `maxQueue` a submission is refused
 * at once with E_LOCKED and a retry delay (HTTP 503 + Retry-After) instead of holding its bytes in
 * memory behind everyone else's. `stats()` counts what the pool did (metrics, tests).
 *
 * Workers exist only in the compiled build (`dist/intel/reports/parse-worker.js`); from TypeScript
 * sources (tests) `EmailParsePool.create` returns null and callers parse in the thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ERROR_CODES, type ErrorCode, KobanError } from '../../core/index.js';
import { DEFAULT_EMAIL_LIMITS, type EmailParseOptions } from '../../mail/index.js';
import type { WarningList } from '../indicators/warning-list.js';
import type { ParseReply, ParseRequest, ParseWorkerData } from './parse-worker.js';
import type { EmailPreparer, PreparedEmail } from './prepare-email.js';

/** Seconds a refused submission is told to wait when every worker is busy and the queue is full. */
export const PARSE_QUEUE_RETRY_AFTER_S = 5;

/** Workers when none are configured: the cores but one (the event loop keeps one), at least 1. */
export function defaultParseWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface ParsePoolOptions {
  /** Worker threads (default: `defaultParseWorkers()`). */
  readonly workers?: number;
  /** Messages waiting for a worker at most (default 16); more are refused with E_LOCKED. */
  readonly maxQueue?: number;
  /**
   * Heap limit of one worker (default 512 MiB, at least 64): past it the worker is terminated.
   * Below about 48 MiB V8 may abort the whole process instead (seen with 16 MiB on Node 20).
   */
  readonly maxHeapMb?: number;
  /** Wall-clock limit of one job, past the extraction's own timeout (default: that timeout + 5 s). */
  readonly hardTimeoutMs?: number;
  /** When given, workers also write each raw file to this evidence directory (`<data>/evidence`). */
  readonly evidence?: { readonly dir: string; readonly fsync: boolean };
}

interface Job {
  readonly raw: Buffer;
  readonly options: EmailParseOptions;
  readonly list: WarningList;
  readonly keepEvidence: boolean;
  readonly resolve: (p: PreparedEmail) => void;
  readonly reject: (e: Error) => void;
}

/** What the pool did since it started. */
export interface ParsePoolStats {
  readonly workers: number;
  /** Workers parsing now. */
  readonly busy: number;
  /** Messages waiting for a worker now. */
  readonly queued: number;
  readonly maxQueue: number;
  /** Messages prepared by a worker. */
  readonly completed: number;
  /** Messages a worker failed (E_FORMAT, E_LIMIT: heap, deadline). */
  readonly failed: number;
  /** Submissions refused because the queue was full. */
  readonly refused: number;
}

function workerScript(): URL | null {
  const url = new URL('./parse-worker.js', import.meta.url);
  try {
    return existsSync(fileURLToPath(url)) ? url : null;
  } catch {
    return null;
  }
}

function isErrorCode(c: string): c is ErrorCode {
  return c in ERROR_CODES;
}

/**
 * The workers are `piscina`'s: it starts them, gives each its heap limit, transfers the message's
 * bytes, terminates a worker whose job is aborted at its deadline and replaces any worker that
 * dies. The admission queue stays here, in front of it, so that a job is handed to piscina only
 * when a worker is free: the deadline counts from the start of parsing, not from arrival, and a
 * full queue is refused at once, with `checkCapacity` telling the HTTP layer before it reads an
 * upload.
 */
export class EmailParsePool {
  private readonly queue: Job[] = [];
  private running = 0;
  private closed = false;
  private readonly counts = { completed: 0, failed: 0, refused: 0 };

  private constructor(
    private readonly pool: Piscina<ParseRequest, ParseReply>,
    private readonly workers: number,
    private readonly hardTimeoutMs: number,
    private readonly maxQueue: number,
  ) {}

  /** A pool, or null when running from sources (no compiled worker script). */
  static create(opts: ParsePoolOptions = {}): EmailParsePool | null {
    const script = workerScript();
    if (!script) return null;
    const n = Math.max(1, opts.workers ?? defaultParseWorkers());
    const pool = new Piscina<ParseRequest, ParseReply>({
      filename: script.href,
      minThreads: n,
      maxThreads: n,
      concurrentTasksPerWorker: 1,
      // Message passing only: a worker's event loop stays free between jobs (extraction timers).
      atomics: 'disabled',
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, opts.maxHeapMb ?? 512) },
      workerData: { evidence: opts.evidence ?? null } satisfies ParseWorkerData,
    });
    return new EmailParsePool(
      pool,
      n,
      opts.hardTimeoutMs ?? DEFAULT_EMAIL_LIMITS.timeoutMs + 5000,
      Math.max(1, opts.maxQueue ?? 16),
    );
  }

  /** The pool as intake's preparer. */
  readonly prepare: EmailPreparer = (raw, options, list, keepEvidence = true) =>
    new Promise<PreparedEmail>((resolve, reject) => {
      if (this.closed) {
        reject(new KobanError('E_INTERNAL', 'the parse pool is closed'));
        return;
      }
      const full = this.fullError();
      if (full) {
        this.counts.refused++;
        reject(full);
        return;
      }
      this.queue.push({ raw, options, list, keepEvidence, resolve, reject });
      this.pump();
    });

  /** Throws what `prepare` would refuse with now (a full queue), taking nothing: checked before an upload is read. */
  checkCapacity(): void {
    const full = this.fullError();
    if (full) throw full;
  }

  stats(): ParsePoolStats {
    return {
      workers: this.workers,
      busy: this.running,
      queued: this.queue.length,
      maxQueue: this.maxQueue,
      ...this.counts,
    };
  }

  private fullError(): KobanError | null {
    // A free worker takes the job at once: only when all are busy does the queue grow.
    if (this.queue.length < this.maxQueue || this.running < this.workers) return null;
    return new KobanError(
      'E_LOCKED',
      `the e-mail parsers are busy (${this.queue.length} message(s) waiting); try again in ${PARSE_QUEUE_RETRY_AFTER_S} s`,
      { retryAfterS: PARSE_QUEUE_RETRY_AFTER_S },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new KobanError('E_INTERNAL', 'the parse pool is closed'));
    await this.pool.destroy();
  }

  private pump(): void {
    while (this.running < this.workers && this.queue.length > 0) void this.start(this.queue.shift()!);
  }

  private async start(job: Job): Promise<void> {
    this.running++;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.hardTimeoutMs);
    const copy = new Uint8Array(job.raw);
    try {
      const reply = await this.pool.run(
        { raw: copy.buffer, options: job.options, list: job.list.data, keepEvidence: job.keepEvidence },
        { transferList: [copy.buffer], signal: deadline.signal },
      );
      if (reply.ok) {
        this.counts.completed++;
        job.resolve(reply.prepared);
      } else {
        this.counts.failed++;
        job.reject(new KobanError(isErrorCode(reply.code) ? reply.code : 'E_FORMAT', reply.message));
      }
    } catch (e) {
      // The worker was terminated (deadline) or died (heap limit); piscina starts another.
      this.counts.failed++;
      job.reject(
        new KobanError(
          'E_LIMIT',
          deadline.signal.aborted
            ? `parsing did not finish within ${this.hardTimeoutMs} ms`
            : `the message exhausted its parser (${(e as Error).message})`,
        ),
      );
    } finally {
      clearTimeout(timer);
      this.running--;
      if (!this.closed) this.pump();
    }
  }
}
