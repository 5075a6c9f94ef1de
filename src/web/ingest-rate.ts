/**
 * Request rate per sensor token on `POST /api/v1/ingest`: a token bucket per sensor (rate-limit.ts)
 * of `requestBurst` requests refilled at `requestsPerSecond`, charged before the body is read. An
 * agent ships a batch every half second or so and a relay a few per second; a token that sends
 * far more is refused with 429 + Retry-After, without costing the center a decode.
 */
import { BackpressureError, type IngestLimits } from '../observe/index.js';
import { TokenBuckets } from './rate-limit.js';

export class IngestRate {
  private readonly buckets: TokenBuckets;

  constructor(
    limits: Pick<IngestLimits, 'requestsPerSecond' | 'requestBurst'>,
    now: () => number = Date.now,
  ) {
    this.buckets = new TokenBuckets(
      { capacity: limits.requestBurst, refillIntervalMs: 1000 / limits.requestsPerSecond },
      now,
    );
  }

  /** Charges one request to the sensor; throws BackpressureError (429) when its bucket is empty. */
  charge(sensorId: number): void {
    const waitMs = this.buckets.take(String(sensorId));
    if (waitMs > 0) {
      const s = Math.max(1, Math.ceil(waitMs / 1000));
      throw new BackpressureError(s, `too many requests from this sensor; retry in ${s} s`, 429);
    }
  }
}
