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
 * Workers exist only in the compiled build (`dist/intel/parse-worker.js`); from TypeScript sources
 * (tests) `EmailParsePool.create` returns null and callers parse in the thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, type ErrorCode, KobanError } from '../core/index.js';
import { DEFAULT_EMAIL_LIMITS, type EmailParseOptions } from './email/index.js';
import type { WarningList } from './indicators/warning-list.js';
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
  readonly id: number;
  readonly raw: Buffer;
  readonly options: EmailParseOptions;
  readonly list: WarningList;
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

interface Slot {
  readonly worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | null;
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

export class EmailParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly counts = { completed: 0, failed: 0, refused: 0 };

  private constructor(
    private readonly script: URL,
    private readonly maxHeapMb: number,
    private readonly hardTimeoutMs: number,
    private readonly evidence: ParseWorkerData['evidence'],
    workers: number,
    private readonly maxQueue: number,
  ) {
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  /** A pool, or null when running from sources (no compiled worker script). */
  static create(opts: ParsePoolOptions = {}): EmailParsePool | null {
    const script = workerScript();
    if (!script) return null;
    const n = Math.max(1, opts.workers ?? defaultParseWorkers());
    return new EmailParsePool(
      script,
      Math.max(64, opts.maxHeapMb ?? 512),
      opts.hardTimeoutMs ?? DEFAULT_EMAIL_LIMITS.timeoutMs + 5000,
      opts.evidence ?? null,
      n,
      Math.max(1, opts.maxQueue ?? 16),
    );
  }

  /** The pool as intake's preparer. */
  readonly prepare: EmailPreparer = (raw, options, list) =>
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
      this.queue.push({ id: this.nextId++, raw, options, list, resolve, reject });
      this.pump();
    });

  /** Throws what `prepare` would refuse with now (a full queue), taking nothing: checked before an upload is read. */
  checkCapacity(): void {
    const full = this.fullError();
    if (full) throw full;
  }

  stats(): ParsePoolStats {
    return {
      workers: this.slots.length,
      busy: this.slots.filter((s) => s.job !== null).length,
      queued: this.queue.length,
      maxQueue: this.maxQueue,
      ...this.counts,
    };
  }

  private fullError(): KobanError | null {
    // A free worker takes the job at once: only when all are busy does the queue grow.
    if (this.queue.length < this.maxQueue || this.slots.some((s) => s.job === null)) return null;
    return new KobanError(
      'E_LOCKED',
      `the e-mail parsers are busy (${this.queue.length} message(s) waiting); try again in ${PARSE_QUEUE_RETRY_AFTER_S} s`,
      { retryAfterS: PARSE_QUEUE_RETRY_AFTER_S },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new KobanError('E_INTERNAL', 'the parse pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(this.script, {
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
      workerData: { evidence: this.evidence } satisfies ParseWorkerData,
    });
    const slot: Slot = { worker, job: null, timer: null };
    worker.on('message', (m: ParseReply) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      this.finish(slot);
      if (m.ok) {
        this.counts.completed++;
        job.resolve(m.prepared);
      } else {
        this.counts.failed++;
        job.reject(new KobanError(isErrorCode(m.code) ? m.code : 'E_FORMAT', m.message));
      }
      this.pump();
    });
    worker.on('error', (e: Error) => this.replace(slot, `the message exhausted its parser (${e.message})`));
    worker.on('exit', () => {
      if (!this.closed && slot.job) this.replace(slot, 'the parser stopped unexpectedly');
    });
    worker.unref();
    return slot;
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
  }

  /** Fails the slot's job with E_LIMIT and puts a fresh worker in its place. */
  private replace(slot: Slot, why: string): void {
    const i = this.slots.indexOf(slot);
    if (i === -1) return; // already replaced (a late 'error' or 'exit' of a terminated worker)
    const job = slot.job;
    this.finish(slot);
    this.slots[i] = this.spawn();
    void slot.worker.terminate();
    if (job) this.counts.failed++;
    job?.reject(new KobanError('E_LIMIT', why));
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(
        () => this.replace(slot, `parsing did not finish within ${this.hardTimeoutMs} ms`),
        this.hardTimeoutMs,
      );
      const copy = new Uint8Array(job.raw);
      const req: ParseRequest = { id: job.id, raw: copy.buffer, options: job.options, list: job.list.data };
      slot.worker.postMessage(req, [copy.buffer]);
    }
  }
}
