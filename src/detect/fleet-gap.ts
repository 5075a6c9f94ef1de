/**
 * The fleet watched as one stream (docs/methods.md#daily-and-weekly-cycles-gaps): when every sensor
 * falls silent at once for longer than the fleet's own rate and bursts make plausible, the data has
 * a gap — an import that skipped days, a center that was down, history replayed later — rather than
 * every sensor failing together. Coverage (coverage.ts) then holds every stream inactive (its
 * minutes are missing for every detector) without counting the gap into any stream's own silence.
 *
 * The rule is a stream's (coverage.ts) applied to the fleet: its summed rate, its longest healthy
 * gap over the last day or two, a learning time, and a lower floor (`minSilenceMin`, 5 minutes,
 * below a stream's 15). The fleet's rate is the sum of its streams' and its quiet spells lie within
 * each stream's, so it is declared no later than the silence of a stream that went quiet with it;
 * the quiet minutes before the declaration are then taken back from every stream's own silence.
 */
import { DAY_MS, MINUTE_MS } from '../core/index.js';

export interface FleetGapOptions {
  readonly silenceEvents: number;
  readonly minSilenceMin: number;
  readonly maxSilenceMin: number;
  readonly learnMin: number;
}

export class FleetGap {
  /** First minute of the current gap, or null outside one. */
  sinceMs: number | null = null;
  private firstMs = -1;
  private lastEventMs = -1;
  private gapToday = 0;
  private gapYesterday = 0;
  private day = -1;

  constructor(private readonly o: FleetGapOptions) {}

  get inGap(): boolean {
    return this.sinceMs !== null;
  }

  /**
   * One minute of the fleet: its `events` and usual `ratePerMinute` (the sum of its streams').
   * Returns, when a gap is declared in this minute, the quiet minutes before it, which the streams
   * counted as their own silence and must take back; otherwise 0.
   */
  observe(minuteMs: number, events: number, ratePerMinute: number): number {
    const day = Math.floor(minuteMs / DAY_MS);
    if (day !== this.day) {
      this.gapYesterday = this.gapToday;
      this.gapToday = 0;
      this.day = day;
    }
    if (events > 0) {
      if (this.firstMs < 0) this.firstMs = minuteMs;
      // A quiet spell that ended before it was called a gap was a healthy one.
      else if (this.sinceMs === null)
        this.gapToday = Math.max(this.gapToday, (minuteMs - this.lastEventMs) / MINUTE_MS - 1);
      this.lastEventMs = minuteMs;
      this.sinceMs = null;
      return 0;
    }
    if (this.sinceMs !== null || this.firstMs < 0) return 0;
    if ((minuteMs - this.firstMs) / MINUTE_MS < this.o.learnMin) return 0;
    const quiet = (minuteMs - this.lastEventMs) / MINUTE_MS;
    if (quiet < this.limit(ratePerMinute)) return 0;
    this.sinceMs = this.lastEventMs + MINUTE_MS;
    return quiet - 1;
  }

  private limit(ratePerMinute: number): number {
    const poisson = this.o.silenceEvents / Math.max(ratePerMinute, 1e-9);
    const usualGap = 3 * Math.max(this.gapToday, this.gapYesterday);
    return Math.min(this.o.maxSilenceMin, Math.max(this.o.minSilenceMin, poisson, usualGap));
  }
}
