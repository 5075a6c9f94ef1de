/**
 * The recorder's link to the center (docs/recorder-format.md#countersignatures-from-the-center):
 * each seal's head goes into a bounded queue; a pump POSTs the queue, oldest first, to
 * `/api/v1/recorder/heads` and hands each countersignature back to the recorder, which appends it
 * to the chain. Recording never waits for it: a center that is down or slow only lets the queue
 * fill, and a full queue forgets its oldest heads — a later head countersigned covers all the
 * history before it, so the newest ones matter most. Failures that another try may cure (network,
 * timeouts, 408, 429, 5xx) are retried with the one back-off rule (core/backoff.ts); others (a
 * refused token, a 409 — the center holds another hash at that position) drop the head and are
 * reported.
 */
import { type BackoffPolicy, backoffDelayMs, KobanError } from '../core/index.js';
import { type Countersignature, CountersignatureSchema } from './format.js';

export interface Head {
  readonly keyFingerprint: string;
  readonly publicKey: string;
  readonly headSeq: number;
  readonly head: string;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface HeadLinkOptions {
  /** The center's base URL (`https://center.example`). */
  readonly center: string;
  readonly token: string;
  /** Heads waiting at most (default 64); beyond it the oldest are dropped. */
  readonly maxQueue?: number;
  readonly timeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly fetch?: FetchLike;
  /** Schedules the next try (default setTimeout, unref'd: a pending retry keeps no process alive). */
  readonly schedule?: (run: () => void, ms: number) => { cancel(): void };
  /** A countersignature arrived. */
  readonly onCountersigned: (c: Countersignature) => void;
  /** Something worth telling the owner (a failure, a drop). */
  readonly onProblem?: (message: string) => void;
}

export interface HeadLinkStats {
  queued: number;
  countersigned: number;
  /** Heads forgotten: the queue was full, or the center refused them for good. */
  dropped: number;
  failedTries: number;
  lastError: string | null;
}

const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 300_000, jitter: 'full' };

type TryResult = { ok: true; c: Countersignature } | { ok: false; retry: boolean; error: string };

function defaultSchedule(run: () => void, ms: number) {
  const t = setTimeout(run, ms);
  t.unref();
  return { cancel: () => clearTimeout(t) };
}

export function headsUrl(center: string): string {
  let u: URL;
  try {
    u = new URL('/api/v1/recorder/heads', center);
  } catch {
    throw new KobanError('E_USAGE', `--center "${center}" is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new KobanError('E_USAGE', `--center ${center}: only http(s) URLs`);
  return u.href;
}

export class HeadLink {
  private readonly queue: Head[] = [];
  private readonly url: string;
  private readonly maxQueue: number;
  private readonly fetchFn: FetchLike;
  private readonly schedule: NonNullable<HeadLinkOptions['schedule']>;
  private running: Promise<void> | null = null;
  private retryTimer: { cancel(): void } | null = null;
  private failures = 0;
  readonly stats: HeadLinkStats = {
    queued: 0,
    countersigned: 0,
    dropped: 0,
    failedTries: 0,
    lastError: null,
  };

  constructor(private readonly o: HeadLinkOptions) {
    this.url = headsUrl(o.center);
    this.maxQueue = o.maxQueue ?? 64;
    if (!Number.isSafeInteger(this.maxQueue) || this.maxQueue < 1)
      throw new KobanError('E_USAGE', 'the head queue holds at least one head');
    this.fetchFn = o.fetch ?? ((url, init) => fetch(url, init));
    this.schedule = o.schedule ?? defaultSchedule;
  }

  /** Queues a head and starts sending unless a retry is already scheduled; never waits. */
  submit(h: Head): void {
    this.queue.push(h);
    if (this.queue.length > this.maxQueue) {
      const gone = this.queue.shift()!;
      this.stats.dropped += 1;
      this.o.onProblem?.(`head queue full: record ${gone.headSeq}'s head will not be countersigned`);
    }
    this.stats.queued = this.queue.length;
    if (this.retryTimer === null) void this.pump();
  }

  /**
   * Sends what is queued, oldest first, until the queue is empty or the center fails; one run at a
   * time, and none while a retry waits for its back-off.
   */
  pump(): Promise<void> {
    if (this.retryTimer !== null) return Promise.resolve();
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const h = this.queue[0];
      if (h === undefined) return;
      const r = await this.tryOne(h);
      if (r.ok) {
        this.queue.shift();
        this.failures = 0;
        this.stats.countersigned += 1;
        this.o.onCountersigned(r.c);
      } else {
        this.stats.failedTries += 1;
        this.stats.lastError = r.error;
        if (!r.retry) {
          this.queue.shift();
          this.stats.dropped += 1;
          this.o.onProblem?.(`the center refused record ${h.headSeq}'s head: ${r.error}`);
        } else {
          const delay = backoffDelayMs(this.failures++, this.o.backoff ?? DEFAULT_BACKOFF);
          this.o.onProblem?.(
            `cannot reach the center (${r.error}); ${this.queue.length} head(s) wait, next try in ${delay} ms`,
          );
          this.retryTimer = this.schedule(() => {
            this.retryTimer = null;
            void this.pump();
          }, delay);
          this.stats.queued = this.queue.length;
          return;
        }
      }
      this.stats.queued = this.queue.length;
    }
  }

  private async tryOne(h: Head): Promise<TryResult> {
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.o.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          publicKey: h.publicKey,
          keyFingerprint: h.keyFingerprint,
          headSeq: h.headSeq,
          head: h.head,
        }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000),
        redirect: 'error',
      });
    } catch (e) {
      return { ok: false, retry: true, error: e instanceof Error ? e.message : String(e) };
    }
    const text = await res.text().catch(() => '');
    if (res.status === 200 || res.status === 201) {
      const parsed = CountersignatureSchema.safeParse(safeJson(text));
      // The center must sign what was sent; anything else is not a countersignature of this head.
      if (
        parsed.success &&
        parsed.data.headSeq === h.headSeq &&
        parsed.data.head === h.head &&
        parsed.data.keyFingerprint === h.keyFingerprint
      )
        return { ok: true, c: parsed.data };
      return { ok: false, retry: false, error: `HTTP ${res.status} without a countersignature of this head` };
    }
    const transient = res.status === 408 || res.status === 429 || res.status >= 500;
    return { ok: false, retry: transient, error: `HTTP ${res.status}: ${errorMessage(text)}` };
  }

  /** Cancels a scheduled retry and tries once more, for at most `deadlineMs` (at stop). */
  async flush(deadlineMs: number): Promise<void> {
    this.cancelRetry();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([this.pump(), deadline]);
    clearTimeout(timer);
    this.cancelRetry();
  }

  private cancelRetry(): void {
    this.retryTimer?.cancel();
    this.retryTimer = null;
  }

  /** Heads not countersigned (yet). */
  pending(): readonly Head[] {
    return [...this.queue];
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function errorMessage(text: string): string {
  const j = safeJson(text) as { error?: { message?: unknown } } | null;
  const m = j?.error?.message;
  return typeof m === 'string' ? m : text.slice(0, 200);
}
