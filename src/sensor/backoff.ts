/**
 * The agent's one back-off rule: the delay ceiling doubles with each consecutive failure up to a
 * maximum. The shipper draws its delay uniformly below the ceiling ("full jitter", AWS
 * Architecture Blog, "Exponential Backoff and Jitter") so that many sensors do not retry against
 * the center in step; a local source waits the ceiling itself.
 */
export function backoffCeilingMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
}
