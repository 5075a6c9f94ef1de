/**
 * When a minute is complete for live detection: per stream (sensor × kind: one agent may follow a
 * firewall log and an IDS log), from its volume rows, the newest event minute delivered, the newest
 * one delivered at least `settleMs` ago, and the newer ones with when they were first seen (one
 * entry per poll). An agent ships a source nearly in order; the settle time covers what it sends out
 * of order (two segments in flight, a retried one).
 */
import type { SensorVolumeRow } from '../observe/index.js';

interface Stream {
  latest: number;
  settled: number;
  readonly queue: [minuteMs: number, seenAtMs: number][];
}

export class StreamClock {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly settleMs: number) {}

  /** Notes the newest minute of each stream among `rows`, first seen at `seenAt`. */
  note(rows: readonly SensorVolumeRow[], seenAt: number): void {
    const newest = new Map<string, number>();
    for (const x of rows) {
      const key = `${x.sensor}\u0000${x.kind}`;
      if (x.minuteMs > (newest.get(key) ?? Number.NEGATIVE_INFINITY)) newest.set(key, x.minuteMs);
    }
    for (const [key, m] of newest) {
      let st = this.streams.get(key);
      if (!st) {
        st = { latest: Number.NEGATIVE_INFINITY, settled: Number.NEGATIVE_INFINITY, queue: [] };
        this.streams.set(key, st);
      }
      if (m <= st.latest) continue;
      st.latest = m;
      st.queue.push([m, seenAt]);
    }
  }

  /**
   * At wall time `t`, the minute every stream heard from within `graceMs` of `topMs` has settled
   * past (+∞ when there is none); streams silent for `maxGapMs` before `topMs` are forgotten.
   */
  settledPast(t: number, topMs: number, graceMs: number, maxGapMs: number): number {
    let allPast = Number.POSITIVE_INFINITY;
    for (const [key, st] of this.streams) {
      while (st.queue.length > 0 && st.queue[0]![1] <= t - this.settleMs) st.settled = st.queue.shift()![0];
      if (st.latest >= topMs - graceMs) allPast = Math.min(allPast, st.settled);
      else if (st.latest < topMs - maxGapMs) this.streams.delete(key);
    }
    return allPast;
  }
}
