/**
 * Findings kept as data rather than alerts (docs/methods.md#what-deserves-an-alert): the latest
 * finding of each episode marked `statistic` — a DDoS victim estimated below the alerting rate — for
 * `koban detect` to list beside the alerts it raised. An episode that later becomes an alert leaves
 * the list. Bounded: past `max` episodes, the one updated longest ago makes room.
 */
import type { Finding } from './finding.js';

export class ListedFindings {
  private readonly byKey = new Map<string, Finding>();
  /** Episodes dropped because the list was full. */
  dropped = 0;

  constructor(private readonly max = 10_000) {}

  /** Takes every finding of a run (the alert sink takes them too); keeps the statistics. */
  readonly accept = (f: Finding): void => {
    this.byKey.delete(f.key);
    if (!f.statistic) return;
    if (this.byKey.size >= this.max) {
      this.byKey.delete(this.byKey.keys().next().value!);
      this.dropped++;
    }
    this.byKey.set(f.key, f);
  };

  /** The listed episodes, the latest first. */
  list(): Finding[] {
    return [...this.byKey.values()].sort((a, b) => b.lastMs - a.lastMs || (a.key < b.key ? -1 : 1));
  }
}
