/**
 * The fleet's membership over time (docs/methods.md#daily-and-weekly-cycles-gaps): every stream
 * that joins (first seen) or is forgotten (coverage.ts) starts a new *epoch*. A detector that kept
 * counts from an earlier epoch reads them scaled by the fleet's usual volume now over the volume
 * the fleet of that epoch would carry at today's rates: the same members at the same rates give
 * exactly 1, so the slow drift of usual rates (a week's median, refreshed every 6 hours) never
 * moves a baseline, while a sensor joining raises it by its share. A log of the changes, not a
 * set per epoch: the size of an old epoch is today's size minus what joined since, plus what left.
 */
import type { EventKind } from '../core/index.js';

/** A stream as membership reads it: its kind and its usual rate (read when sizes are asked). */
export interface Member {
  readonly kind: EventKind;
  readonly ratePerMinute: number;
}

/** Changes kept at most: a fleet that changes more often reads the oldest epochs unscaled. */
const MAX_CHANGES = 10_000;

export class FleetMembership {
  /** The current epoch (0 before any stream). */
  epoch = 0;
  private log: { epoch: number; member: Member; sign: 1 | -1 }[] = [];

  joined(member: Member): void {
    this.change(member, 1);
  }

  left(member: Member): void {
    this.change(member, -1);
  }

  /**
   * Usual events per minute of the streams of `kinds` that were members at `epoch`, at their rates
   * now (a forgotten stream at its last); `current` is that figure for the current epoch. Undefined
   * for an epoch older than the log.
   */
  sizeAt(epoch: number, kinds: readonly EventKind[], current: number): number | undefined {
    if (epoch >= this.epoch) return current;
    if (this.log.length > 0 && epoch < this.log[0]!.epoch - 1) return undefined;
    let size = current;
    for (let i = this.log.length - 1; i >= 0 && this.log[i]!.epoch > epoch; i--) {
      const c = this.log[i]!;
      if (kinds.includes(c.member.kind)) size -= c.sign * Math.max(c.member.ratePerMinute, 0);
    }
    return size;
  }

  private change(member: Member, sign: 1 | -1): void {
    this.epoch++;
    this.log.push({ epoch: this.epoch, member, sign });
    if (this.log.length > 2 * MAX_CHANGES) this.log = this.log.slice(-MAX_CHANGES);
  }
}
