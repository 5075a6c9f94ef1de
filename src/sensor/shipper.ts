/**
 * Ships spooled segments to the center: oldest first, a few at a time, each removed only after
 * the center's 2xx. Failures are retried with exponential backoff and full jitter (AWS
 * Architecture Blog, "Exponential Backoff and Jitter"); a 429's Retry-After is honoured. A batch
 * the center refuses as malformed (400/413/415), or whose id it stored with other content (409),
 * can never succeed: it is dropped and counted.
 */
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
}

export interface ShipperStats {
  sent: number;
  sentEvents: number;
  retries: number;
  discarded: number;
  lastError: string | null;
}

export class Shipper {
  readonly stats: ShipperStats = { sent: 0, sentEvents: 0, retries: 0, discarded: 0, lastError: null };
  private attempt = 0;
  private readonly client: IngestClient;

  constructor(
    private readonly spool: Spool,
    private readonly o: ShipperOptions,
  ) {
    this.client = ingestClient(o.center, o.token, { ca: o.ca, parallel: o.parallel, timeoutMs: o.timeoutMs });
  }

  /**
   * Sends what the spool holds, one round of up to `parallel` segments. Returns the delay to
   * wait before the next round: 0 when there may be more to send at once.
   */
  async round(): Promise<number> {
    const segments = this.spool.take(this.o.parallel);
    if (segments.length === 0) return -1;
    const results = await Promise.all(segments.map((s) => this.send(s)));
    const failures = results.filter((r) => r !== 'ok');
    if (failures.length === 0) {
      this.attempt = 0;
      return 0;
    }
    this.attempt++;
    this.stats.retries++;
    const retryAfter = Math.max(0, ...failures.map((f) => (typeof f === 'number' ? f * 1000 : 0)));
    const cap = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.min(this.attempt, 20));
    const jitter = Math.floor((this.o.random ?? Math.random)() * cap);
    return Math.max(retryAfter, jitter);
  }

  /** 'ok', 'retry', or seconds to wait (Retry-After). */
  private async send(s: Segment): Promise<'ok' | 'retry' | number> {
    let r: PostResult;
    try {
      r = await this.post(s.body);
    } catch (e) {
      this.spool.release(s.meta.seq);
      this.stats.lastError = (e as Error).message;
      return 'retry';
    }
    if (r.status >= 200 && r.status < 300) {
      this.spool.done(s.meta.seq);
      this.stats.sent++;
      this.stats.sentEvents += s.meta.events;
      this.stats.lastError = null;
      return 'ok';
    }
    this.stats.lastError = `HTTP ${r.status}: ${r.body.slice(0, 200)}`;
    // 409: the batch id was stored with other content; resending cannot change that.
    if (r.status === 400 || r.status === 409 || r.status === 413 || r.status === 415) {
      this.o.log(
        `center refused batch ${s.meta.batchId} for good (${this.stats.lastError}); dropping ${s.meta.events} events`,
      );
      this.spool.discard(s.meta.seq, s.meta.events);
      this.stats.discarded++;
      return 'ok';
    }
    this.spool.release(s.meta.seq);
    if (r.status === 401 || r.status === 403)
      this.o.log(`center refused the token (${this.stats.lastError}); keeping the data`);
    return r.retryAfterS ?? 'retry';
  }

  private post(body: Buffer): Promise<PostResult> {
    return this.client.post(body, { 'X-Koban-Dropped-Total': String(this.spool.droppedTotal) });
  }

  close(): void {
    this.client.close();
  }
}
