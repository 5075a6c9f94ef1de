/**
 * The fleet's membership over time (docs/methods.md#daily-and-weekly-cycles-gaps): every stream
 * that joins (first seen) or is forgotten (coverage.ts) starts a new *epoch* of the families its
 * kind belongs to (an IDS stream appearing does not change the fleet that counts probes). A
 * detector that kept counts from an earlier epoch reads them scaled by the fleet's usual volume
 * now over the volume the fleet of that epoch would carry at today's rates: the same members give
 * exactly 1, so the slow drift of usual rates (a week's median, refreshed every 6 hours) never
 * moves a baseline, while a sensor joining raises it by its share. A log of the changes, not a set
 * per epoch: the size of an old epoch is today's size minus what joined since, plus what left.
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
  /** Changes (joins and departures) of each kind so far. */
  private readonly changes: Record<EventKind, number> = { firewall: 0, ids: 0, darknet: 0 };
  private log: { member: Member; sign: 1 | -1 }[] = [];

  joined(member: Member): void {
    this.change(member, 1);
  }

  left(member: Member): void {
    this.change(member, -1);
  }

  /** The current epoch of the streams of `kinds`: how many of them joined or left so far. */
  epoch(kinds: readonly EventKind[]): number {
    let n = 0;
    for (const k of kinds) n += this.changes[k];
    return n;
  }

  /**
   * Usual events per minute of the streams of `kinds` that were members at their `epoch`, at their
   * rates now (a forgotten stream at its last); `current` is that figure now. Undefined for an
   * epoch older than the log.
   */
  sizeAt(epoch: number, kinds: readonly EventKind[], current: number): number | undefined {
    let e = this.epoch(kinds);
    let size = current;
    for (let i = this.log.length - 1; i >= 0 && e > epoch; i--) {
      const c = this.log[i]!;
      if (!kinds.includes(c.member.kind)) continue;
      size -= c.sign * Math.max(c.member.ratePerMinute, 0);
      e--;
    }
    return e > epoch ? undefined : size;
  }

  private change(member: Member, sign: 1 | -1): void {
    this.changes[member.kind]++;
    this.log.push({ member, sign });
    if (this.log.length > 2 * MAX_CHANGES) this.log = this.log.slice(-MAX_CHANGES);
  }
}
