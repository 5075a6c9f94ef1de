/**
 * Live detection on the one node holding a lease (docs/scale.md: several centers ingest,
 * one runs the detectors). The lease is renewed on its own timer, every third of its term, whether
 * the detectors are warming up, running or stopped; they run only while the last successful
 * renewal is recent enough that the lease cannot have passed to another node (two thirds of the
 * term: a node whose renewals fail or hang stops its detectors before the lease expires for the
 * others). When the lease comes (back), the detectors start afresh, warmed on stored history.
 */
import type { LiveDetection, LiveDetectionStats } from './live.js';

/** Where it says what it does (the center's pino logger). */
export interface LeaseLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What this needs of the relational store's lease (`db` context's `Lease`). */
export interface DetectionLease {
  readonly holder: string;
  readonly ttlMs: number;
  acquire(): Promise<boolean>;
  release(): Promise<void>;
  state(): Promise<{ readonly holder: string } | undefined>;
}

export class LeasedDetection {
  private live: LiveDetection | null = null;
  /** Wall time until which this node surely holds the lease (its last renewal's start + term). */
  private validUntil = Number.NEGATIVE_INFINITY;
  private starting: Promise<void> | null = null;
  private renewing = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly lease: DetectionLease,
    private readonly start: () => Promise<LiveDetection>,
    private readonly log: LeaseLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes the lease if free and, if so, starts the detectors (resolves once they are warm). */
  async begin(): Promise<void> {
    this.timer = setInterval(
      () => {
        this.running = this.tick();
      },
      Math.max(250, Math.floor(this.lease.ttlMs / 3)),
    );
    this.timer.unref();
    await this.tick();
    if (!this.held()) {
      this.log.info(
        { holder: (await this.lease.state().catch(() => undefined))?.holder },
        'live detection: another node holds the lease; this one ingests only',
      );
    }
    await this.starting;
  }

  /** The running detectors, or null (lease held elsewhere, or still warming up). */
  get detection(): LiveDetection | null {
    return this.live;
  }

  stats(): LiveDetectionStats | null {
    return this.live?.stats() ?? null;
  }

  /** Whether this node holds the lease (renewed recently enough). */
  held(): boolean {
    return this.now() < this.validUntil - this.lease.ttlMs / 3;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    // Detectors warming up are stopped when their start resolves (see tick).
    await this.starting;
    const d = this.live;
    this.live = null;
    await d?.stop();
    // Released for another node to take over at once, not after the term.
    if (this.validUntil > this.now()) {
      await this.lease.release().catch((err: unknown) => this.log.warn({ err }, 'lease release failed'));
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    await this.renew();
    if (this.held() && !this.live && !this.starting && !this.stopped) {
      this.starting = (async () => {
        try {
          const d = await this.start();
          // The lease may have passed while the detectors warmed up, or the node began stopping.
          if (this.stopped || !this.held()) await d.stop();
          else {
            this.live = d;
            this.log.info({ holder: this.lease.holder }, 'live detection: this node holds the lease');
          }
        } catch (err) {
          this.log.error({ err }, 'live detection failed to start');
        } finally {
          this.starting = null;
        }
      })();
    } else if (!this.held() && this.live) {
      const d = this.live;
      this.live = null;
      this.log.warn(
        { holder: this.lease.holder },
        'live detection: lease lost or not renewed; detectors stopped',
      );
      await d.stop();
    }
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    const t0 = this.now();
    let timeout: NodeJS.Timeout | undefined;
    try {
      // A renewal that hangs counts as failed after a third of the term.
      const held = await Promise.race([
        this.lease.acquire(),
        new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error('lease renewal timed out')), this.lease.ttlMs / 3);
        }),
      ]);
      this.validUntil = held ? t0 + this.lease.ttlMs : Number.NEGATIVE_INFINITY;
    } catch (err) {
      // validUntil stands: the lease runs out by itself if renewals keep failing.
      this.log.error({ err }, 'live detection lease renewal failed');
    } finally {
      clearTimeout(timeout);
      this.renewing = false;
    }
  }
}
