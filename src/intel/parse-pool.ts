/**
 * E-mail parsing in worker threads: the main thread keeps storing and correlating while other
 * cores parse, and a message that still defeats the extraction's own bounds (a pathological regular
 * expression, a decoder bug) is contained — each worker has a heap limit and every job a hard
 * deadline, after which the worker is terminated and replaced and the job fails with `E_LIMIT`.
 * Nothing a message does can take the server down with it.
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

export interface ParsePoolOptions {
  /** Worker threads (default: available cores, at least 1). */
  readonly workers?: number;
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

  private constructor(
    private readonly script: URL,
    private readonly maxHeapMb: number,
    private readonly hardTimeoutMs: number,
    private readonly evidence: ParseWorkerData['evidence'],
    workers: number,
  ) {
    for (let i = 0; i < workers; i++) this.slots.push(this.spawn());
  }

  /** A pool, or null when running from sources (no compiled worker script). */
  static create(opts: ParsePoolOptions = {}): EmailParsePool | null {
    const script = workerScript();
    if (!script) return null;
    const n = Math.max(1, opts.workers ?? availableParallelism());
    return new EmailParsePool(
      script,
      Math.max(64, opts.maxHeapMb ?? 512),
      opts.hardTimeoutMs ?? DEFAULT_EMAIL_LIMITS.timeoutMs + 5000,
      opts.evidence ?? null,
      n,
    );
  }

  /** The pool as intake's preparer. */
  readonly prepare: EmailPreparer = (raw, options, list) =>
    new Promise<PreparedEmail>((resolve, reject) => {
      if (this.closed) {
        reject(new KobanError('E_INTERNAL', 'the parse pool is closed'));
        return;
      }
      this.queue.push({ id: this.nextId++, raw, options, list, resolve, reject });
      this.pump();
    });

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
      if (m.ok) job.resolve(m.prepared);
      else job.reject(new KobanError(isErrorCode(m.code) ? m.code : 'E_FORMAT', m.message));
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
