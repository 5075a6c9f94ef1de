/**
 * The one retry rule: exponential back-off with a ceiling, and optionally "full jitter" — the
 * delay drawn uniformly below the ceiling (AWS Architecture Blog, "Exponential Backoff and
 * Jitter", 2015) so that many clients failing together do not retry in step. Used by the sensor
 * agent (shipping, spooling, reopening sources), the delivery schedule of advisories and the
 * operator's notifications.
 */

export interface BackoffPolicy {
  /** The delay before the first retry. */
  readonly baseMs: number;
  /** The largest delay (default: none). */
  readonly maxMs?: number;
  /** 'full': uniform in [0, delay) instead of the delay itself (default 'none': predictable). */
  readonly jitter?: 'none' | 'full';
  /** Uniform in [0, 1) (tests give their own; default Math.random). */
  readonly random?: () => number;
}

/** Doublings stop here: 2^30 × the base is past any sensible ceiling, and stays a finite number. */
const MAX_DOUBLINGS = 30;

/**
 * The delay before retry number `retry` (0: the first retry): `baseMs · 2^retry`, at most `maxMs`,
 * or with full jitter a whole number of milliseconds uniformly below that.
 */
export function backoffDelayMs(retry: number, p: BackoffPolicy): number {
  const doublings = Math.min(Math.max(0, Math.floor(retry)), MAX_DOUBLINGS);
  const ceiling = Math.min(p.maxMs ?? Number.POSITIVE_INFINITY, p.baseMs * 2 ** doublings);
  if (p.jitter !== 'full') return ceiling;
  return Math.floor((p.random ?? Math.random)() * ceiling);
}

/** One try's outcome: done, or failed with whether another try could help. */
export type TryOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly retry: boolean; readonly error: string };

export interface RetryResult {
  readonly ok: boolean;
  /** Tries made (1 when the first succeeded). */
  readonly attempts: number;
  /** The last try's error, when none succeeded. */
  readonly error?: string;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Tries up to `retries + 1` times, waiting `backoffDelayMs(i, policy)` before retry i, and stops at
 * the first success or at an error another try cannot help.
 */
export async function withRetries(
  retries: number,
  policy: BackoffPolicy,
  attempt: () => Promise<TryOutcome>,
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<RetryResult> {
  let error = '';
  for (let i = 0; i <= retries; i++) {
    if (i > 0) await sleep(backoffDelayMs(i - 1, policy));
    const r = await attempt();
    if (r.ok) return { ok: true, attempts: i + 1 };
    error = r.error;
    if (!r.retry) return { ok: false, attempts: i + 1, error };
  }
  return { ok: false, attempts: retries + 1, error };
}
