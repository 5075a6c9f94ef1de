/**
 * How fast the background's own scanners reach new addresses, learnt (docs/methods.md#scans): the
 * large-campaign threshold follows it instead of being only a constant share of the monitored space.
 *
 * Why: a scan episode lasts until its source has been silent for an hour, so a busy background
 * host (a worm-infected machine, a bot probing 80, 1433 and 22/tcp) that is never silent that long
 * keeps one episode for days, and its reach grows with the background's rate and with the
 * episode's length. At three times the default simulated rate such hosts reached 463–1,690
 * monitored addresses within a day, past max(64, 10 % of the monitored addresses), and were
 * reported as "large new campaigns" though they were the background, every day.
 *
 * The level is a reach rate: addresses per hour of an episode that has gone on for `longAfterMs`
 * (6 hours: longer than a campaign takes to become large — an Internet-wide sweep crosses a
 * telescope in minutes to hours) without meeting an alert rule, from a source not on the
 * known-scanner list: such an episode is background. Per day (UTC) the largest such rate is kept;
 * the level is the largest over the last `days` days. A campaign is large when it also reaches
 * `factor` × level × its own duration in hours (at least one): a background host needs days to
 * reach what a campaign reaches in an hour or two, and a background host's own episode, once long,
 * is measured against its own rate too (it never outgrows itself). The same holds for distinct
 * ports: a host probing random high ports collects a hundred of them in a days-long episode. Before
 * a day has been watched (`known`), only a campaign within its first hour can be large by its
 * reach or its ports (scan-policy.ts).
 */
import { DAY_MS, HOUR_MS } from '../core/index.js';

export interface BackgroundReachOptions {
  /** Days of daily maxima kept. */
  readonly days: number;
  /** An episode without an alert rule counts as background once it has gone on this long. */
  readonly longAfterMs: number;
}

/** What is learnt: distinct addresses (horizontal reach) and distinct ports (vertical). */
const MEASURES = ['targets', 'ports'] as const;
type Measure = (typeof MEASURES)[number];

export const DEFAULT_BACKGROUND_REACH: BackgroundReachOptions = { days: 7, longAfterMs: 6 * HOUR_MS };

export class BackgroundReach {
  private readonly o: BackgroundReachOptions;
  /** The first event minute watched (-1: none yet). */
  private firstMs = -1;
  /** Per measure, day index (UTC) → the largest background rate (per hour) of that day. */
  private readonly daily = { targets: new Map<number, number>(), ports: new Map<number, number>() };

  constructor(options: Partial<BackgroundReachOptions> = {}) {
    this.o = { ...DEFAULT_BACKGROUND_REACH, ...options };
  }

  /**
   * Records an episode that met no alert rule, started at `startMs`, having reached `reach` (distinct
   * addresses and ports) at event minute `m` (minutes come in order).
   */
  note(startMs: number, m: number, reach: { readonly targets: number; readonly ports: number }): void {
    const ms = m - startMs;
    if (ms < this.o.longAfterMs) return;
    const day = Math.floor(m / DAY_MS);
    for (const measure of MEASURES) {
      const daily = this.daily[measure];
      const rate = reach[measure] / (ms / HOUR_MS);
      const had = daily.get(day);
      if (had === undefined) {
        daily.set(day, rate);
        // Days come in order: the oldest are first.
        for (const k of daily.keys()) {
          if (k > day - this.o.days) break;
          daily.delete(k);
        }
      } else if (rate > had) daily.set(day, rate);
    }
  }

  /** Records that event minute `m` was watched. */
  watch(m: number): void {
    if (this.firstMs < 0) this.firstMs = m;
  }

  /**
   * Whether the background is known at event minute `m`: a day since the first minute watched
   * (before, a busy background host is as large as a campaign and nothing tells them apart).
   */
  known(m: number): boolean {
    return this.firstMs >= 0 && m - this.firstMs >= DAY_MS;
  }

  /**
   * Addresses (or ports) per hour the background's scanners reach, as of event minute `m` (0: none
   * seen).
   */
  level(m: number, measure: Measure = 'targets'): number {
    const today = Math.floor(m / DAY_MS);
    let level = 0;
    for (const [k, v] of this.daily[measure]) if (k > today - this.o.days) level = Math.max(level, v);
    return level;
  }

  /** The reach the background gets to in an episode of `durationMs`, `factor` times over. */
  reach(m: number, durationMs: number, factor: number, measure: Measure = 'targets'): number {
    return Math.ceil(factor * this.level(m, measure) * Math.max(1, durationMs / HOUR_MS));
  }
}
