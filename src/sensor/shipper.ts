/**
 * Ships spooled segments to the center: oldest first, a few at a time, each removed only after
 * the center's 2xx. Failures are retried with exponential backoff and full jitter (AWS
 * Architecture Blog, "Exponential Backoff and Jitter"); a 429's Retry-After is honoured. A batch
 * the center refuses as malformed (400/413/415), or whose id it stored with other content (409),
 * can never succeed: it is dropped and counted.
 * The operator hears once when the center becomes unreachable (or starts refusing) and once when
 * it accepts batches again, not at every retry.
 */
import { backoffDelayMs } from '../core/index.js';
import { type IngestClient, ingestClient, type PostResult } from './http.js';
import type { Segment, Spool } from './spool.js';

export interface ShipperOptions {
  readonly center: string;
  readonly token: string;
  /** Extra CA certificate(s) (PEM) to trust, e.g. a center's self-signed certificate. */
  readonly ca?: Buffer | undefined;
  readonly parallel: number;
  readonly timeoutMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly log: (msg: string) => void;
  readonly random?: () => number;
  /** The transport (default: HTTP(S) to `center`). */
  readonly client?: IngestClient | undefined;
}

export interface ShipperStats {
  sent: number;
  sentEvents: number;
  retries: number;
  discarded: number;
  /** The last failure, cleared by the next success. */
  lastError: string | null;
  /** The last failure and when it happened, kept after recovery for the status. */
  lastFailure: { message: string; atMs: number } | null;
  /** Whether the last attempt reached the center (any HTTP answer); null before the first. */
  centerReachable: boolean | null;
}

export class Shipper {
  readonly stats: ShipperStats = {
    sent: 0,
    sentEvents: 0,
    retries: 0,
    discarded: 0,
    lastError: null,
    lastFailure: null,
    centerReachable: null,
  };
  private attempt = 0;
  /** Failing since the last success (the operator has been told). */
  private failing = false;
  private readonly client: IngestClient;

  constructor(
    private readonly spool: Spool,
    private readonly o: ShipperOptions,
  ) {
    this.client =
      o.client ?? ingestClient(o.center, o.token, { ca: o.ca, parallel: o.parallel, timeoutMs: o.timeoutMs });
  }

  /**
   * Sends what the spool holds, one round of up to `parallel` segments. Returns the delay to
   * wait before the next round: 0 when there may be more to send at once.
   */
  async round(): Promise<number> {
    const segments = this.spool.take(this.o.parallel);
    if (segments.length === 0) return -1;
    const results = await Promise.all(
      segments.map((s) =>
        this.send(s).catch((e: unknown) => {
          // The spool could not record the outcome (EIO removing a segment): send it again later;
          // the center recognises a batch id it has already stored.
          const message = `spool: ${(e as Error).message}`;
          this.spool.release(s.meta.seq);
          this.o.log(`${message}; batch ${s.meta.batchId} is sent again later`);
          this.stats.lastError = message;
          this.stats.lastFailure = { message, atMs: Date.now() };
          return 'retry' as const;
        }),
      ),
    );
    const failures = results.filter((r) => r !== 'ok');
    if (failures.length === 0) {
      this.attempt = 0;
      return 0;
    }
    this.attempt++;
    this.stats.retries++;
    const retryAfter = Math.max(0, ...failures.map((f) => (typeof f === 'number' ? f * 1000 : 0)));
    const jitter = backoffDelayMs(this.attempt, {
      baseMs: this.o.baseDelayMs,
      maxMs: this.o.maxDelayMs,
      jitter: 'full',
      ...(this.o.random ? { random: this.o.random } : {}),
    });
    return Math.max(retryAfter, jitter);
  }

  /** 'ok', 'retry', or seconds to wait (Retry-After). */
  private async send(s: Segment): Promise<'ok' | 'retry' | number> {
    let r: PostResult;
    try {
      r = await this.post(s.body);
    } catch (e) {
      this.spool.release(s.meta.seq);
      this.failed((e as Error).message, false);
      return 'retry';
    }
    if (r.status >= 200 && r.status < 300) {
      this.spool.done(s.meta.seq);
      this.stats.sent++;
      this.stats.sentEvents += s.meta.events;
      this.succeeded();
      return 'ok';
    }
    const error = `HTTP ${r.status}: ${r.body.slice(0, 200)}`;
    // 409: the batch id was stored with other content; resending cannot change that.
    if (r.status === 400 || r.status === 409 || r.status === 413 || r.status === 415) {
      this.o.log(
        `center refused batch ${s.meta.batchId} for good (${error}); dropping ${s.meta.events} events`,
      );
      this.spool.discard(s.meta.seq, s.meta.events);
      this.stats.discarded++;
      this.stats.centerReachable = true;
      this.stats.lastError = error;
      this.stats.lastFailure = { message: error, atMs: Date.now() };
      return 'ok';
    }
    this.spool.release(s.meta.seq);
    this.failed(
      r.status === 401 || r.status === 403 ? `the center refused the token (${error})` : error,
      true,
    );
    return r.retryAfterS ?? 'retry';
  }

  /** Records a failure; tells the operator when the center stops taking batches. */
  private failed(message: string, reachable: boolean): void {
    this.stats.lastError = message;
    this.stats.lastFailure = { message, atMs: Date.now() };
    const wasReachable = this.stats.centerReachable;
    this.stats.centerReachable = reachable;
    if (!reachable && wasReachable !== false) {
      this.o.log(
        `center ${this.o.center} unreachable (${message}); batches stay in the spool and are retried`,
      );
    } else if (reachable && (!this.failing || wasReachable === false)) {
      this.o.log(
        `center ${this.o.center} answers but is not taking batches (${message}); keeping them and retrying`,
      );
    }
    this.failing = true;
  }

  private succeeded(): void {
    if (this.failing) this.o.log(`center ${this.o.center} is taking batches again`);
    this.failing = false;
    this.stats.centerReachable = true;
    this.stats.lastError = null;
  }

  private post(body: Buffer): Promise<PostResult> {
    return this.client.post(body, { 'X-Koban-Dropped-Total': String(this.spool.droppedTotal) });
  }

  close(): void {
    this.client.close();
  }
}
