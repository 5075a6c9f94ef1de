/**
 * Which minutes, sliding windows and hours a detector with a learned baseline watched — the one
 * rule port surges and worms share (docs/methods.md#daily-and-weekly-cycles-gaps):
 * - minutes before any sensor reported are not quiet minutes: nothing watched them;
 * - a window with a minute below `minCoverage` is missing, not scaled up: the distinct sources of
 *   35 minutes are more than 35/60 of an hour's (sources come back), so a window partly in a gap
 *   would read as a surge when the data resumes;
 * - an hour is watched only when every minute was covered, none was in a gap of the whole fleet's
 *   data (its minutes before coverage could call it a gap included, within the hour), and,
 *   when the detector follows the fleet's membership (membership.ts), no stream joined or was
 *   forgotten in it (it is neither the old fleet's hour nor the new one's).
 */
import type { CoverageFamily, CoverageSnapshot } from './coverage.js';
import { HOUR_MS, MINUTE_MS } from './finding.js';

export class WatchedTime {
  /** The first minute with a fleet (a known sensor stream), or -1. */
  firstMs = -1;
  /** Coverage of each minute of the window, per family (rings; NaN: not fed yet). */
  private readonly rings = new Map<CoverageFamily, Float64Array>();
  private hourMinutes = 0;
  private hourShort = false;
  /** The membership epoch of `epochFamily` at the hour's first minute. */
  private epoch = -1;

  constructor(
    families: readonly CoverageFamily[],
    private readonly windowMin: number,
    private readonly minCoverage: number,
    /** The family whose membership changes make an hour missing (none: membership not followed). */
    private readonly epochFamily?: CoverageFamily,
  ) {
    for (const f of families) this.rings.set(f, new Float64Array(windowMin).fill(Number.NaN));
  }

  /** Records minute `m` (minutes come in order, every one of them). */
  minute(m: number, cov: CoverageSnapshot): void {
    if (this.firstMs < 0 && cov.knownSensors > 0) this.firstMs = m;
    // In a gap of the whole fleet's data (coverage declares it a few minutes after its first
    // minute: those are short too, as long as the declaration falls in the same hour).
    let short = cov.gapSinceMs !== null;
    for (const [f, ring] of this.rings) {
      const v = this.firstMs < 0 ? 0 : cov.fraction(f);
      ring[(m / MINUTE_MS) % this.windowMin] = v;
      if (v < this.minCoverage) short = true;
    }
    if (this.epochFamily !== undefined) {
      const e = cov.epochOf(this.epochFamily);
      if (this.hourMinutes === 0) this.epoch = e;
      else if (e !== this.epoch) short = true;
    }
    if (short) this.hourShort = true;
    this.hourMinutes++;
  }

  /** Mean coverage of `family` over the window; 0 (missing) unless every minute was covered. */
  window(family: CoverageFamily): number {
    const ring = this.rings.get(family)!;
    let sum = 0;
    for (const v of ring) {
      if (!(v >= this.minCoverage)) return 0;
      sum += v;
    }
    return sum / this.windowMin;
  }

  /**
   * At the end `t` of an hour: whether that hour was watched whole, and the membership epoch it was
   * watched in (-1 when membership is not followed); starts the next hour.
   */
  closeHour(t: number): { watched: boolean; epoch: number } {
    const watched = this.hourMinutes === 60 && !this.hourShort && this.started(t - HOUR_MS);
    const epoch = this.epoch;
    this.hourMinutes = 0;
    this.hourShort = false;
    return { watched, epoch };
  }

  /** True once a fleet was known at `t` (and `t` is not before it). */
  started(t: number): boolean {
    return this.firstMs >= 0 && t >= this.firstMs;
  }

  /** True once `warmupMs` have passed since the fleet was first known. */
  warm(t: number, warmupMs: number): boolean {
    return this.firstMs >= 0 && t - this.firstMs >= warmupMs;
  }
}
