/**
 * Which hours a detector watched with enough coverage, shared by all its series
 * (seasonal-baseline.ts), and under which membership of the fleet (membership.ts): series store
 * counts already divided by the share of the fleet reporting at the time, but when sensors join or
 * are forgotten the fleet itself changes, so a count of an earlier membership is read scaled by
 * the fleet's size now over its size then (`factor`), and a sensor joining raises the baseline with
 * the counts it adds instead of raising an alert (docs/methods.md#daily-and-weekly-cycles-gaps).
 */
export class HourBook {
  /** Per hour: NaN not watched; 0 watched, membership unknown; epoch + 1 watched in that epoch. */
  private readonly hours = new Map<number, number>();
  /** Watched hours retained per epoch key (epoch + 1), and the factor its counts are read with. */
  private readonly epochHours = new Map<number, number>();
  private factors = new Map<number, number>();
  private watchedHours = 0;
  /** Changes whenever the factors do (values read through `factor` are then stale). */
  version = 0;

  constructor(private readonly retainHours: number) {}

  /** Records `hour` as watched or not, and the fleet's membership epoch over it (if known). */
  mark(hour: number, watched: boolean, epoch?: number): void {
    this.forget(hour);
    const key = watched ? (epoch === undefined ? 0 : epoch + 1) : Number.NaN;
    this.hours.set(hour, key);
    if (watched) {
      this.watchedHours++;
      this.epochHours.set(key, (this.epochHours.get(key) ?? 0) + 1);
    }
    this.forget(hour - this.retainHours);
  }

  /**
   * Recomputes each retained epoch's factor, the fleet's size now over its size then (`sizeAt`;
   * 1 when unknown). Moves of under 1 % are ignored, so the series' memos survive rounding.
   */
  refresh(sizeAt: (epoch: number) => number | undefined, currentEpoch: number): void {
    const now = sizeAt(currentEpoch);
    const next = new Map<number, number>();
    let changed = false;
    for (const key of this.epochHours.keys()) {
      if (key === 0) continue;
      const then = sizeAt(key - 1);
      const f = now !== undefined && now > 0 && then !== undefined && then > 0 ? now / then : 1;
      const old = this.factors.get(key) ?? 1;
      if (Math.abs(f - old) > 0.01 * old) changed = true;
      next.set(key, f);
    }
    if (!changed) return;
    this.factors = next;
    this.version++;
  }

  /** What a count of `hour` is multiplied by to be read at today's fleet (1 when unknown). */
  factor(hour: number): number {
    const key = this.hours.get(hour)!;
    return key > 0 ? (this.factors.get(key) ?? 1) : 1;
  }

  /** Watched hours within the retention. */
  count(): number {
    return this.watchedHours;
  }

  watched(hour: number): boolean {
    return (this.hours.get(hour) ?? Number.NaN) >= 0;
  }

  private forget(hour: number): void {
    const key = this.hours.get(hour);
    if (key === undefined) return;
    this.hours.delete(hour);
    if (!(key >= 0)) return;
    this.watchedHours--;
    const n = (this.epochHours.get(key) ?? 1) - 1;
    if (n > 0) this.epochHours.set(key, n);
    else {
      this.epochHours.delete(key);
      this.factors.delete(key);
    }
  }
}
