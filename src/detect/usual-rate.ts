/**
 * A stream's usual rate (coverage.ts): what its silence is judged by and what it weighs in the
 * fleet's coverage. It learns only from active minutes, so a dead sensor keeps its weight in the
 * denominators (its share stays missing instead of shrinking to nothing). At first it is the plain
 * mean; then the median hourly count of the past week, which neither a single first minute nor a
 * day-long outbreak can inflate, refreshed every 6 hours. A stream joining a fleet whose other
 * streams of its kind have a day of history is measured against them until it has a day of its
 * own: its events over theirs in the same minutes, times their usual rate — the mean of its first
 * hours would carry the time of day it joined at (a working-day peak), and the fleet's size with it
 * (docs/methods.md#daily-and-weekly-cycles-gaps).
 */
import type { EventKind } from '../core/index.js';
import { median } from './stats.js';

/** What a stream's usual rate is learnt from; coverage keeps one per stream. */
export interface RateState {
  readonly kind: EventKind;
  ratePerMinute: number;
  /**
   * Its rate in its quiet hours: the 5th percentile of the past week's hourly counts (the plain
   * rate while learning). Silence is judged by it (coverage.ts): a working-day stream's nights and
   * weekends run far below the week's median hour, and a silence ordinary there is no outage.
   */
  quietPerMinute: number;
  /** Still learning (too new to be declared silent). */
  learning: boolean;
  /** Events this minute. */
  events: number;
  /** Events of the current hour so far, and of the past hours while active (oldest first). */
  hourEvents: number;
  hourMinutes: number;
  hoursSeen: number;
  readonly hours: number[];
  /** Events and active minutes seen (what the first estimates are made of). */
  seenEvents: number;
  seenMinutes: number;
  /** Minutes measured against the established streams of its kind: its events, theirs, their rates. */
  shareMinutes: number;
  shareEvents: number;
  seenRefEvents: number;
  seenRefRate: number;
}

/** A new stream's rate state. */
export function newRateState(): Omit<RateState, 'kind'> {
  return {
    ratePerMinute: 0,
    quietPerMinute: 0,
    learning: true,
    events: 0,
    hourEvents: 0,
    hourMinutes: 0,
    hoursSeen: 0,
    hours: [],
    seenEvents: 0,
    seenMinutes: 0,
    shareMinutes: 0,
    shareEvents: 0,
    seenRefEvents: 0,
    seenRefRate: 0,
  };
}

/** This minute's events and usual rates of the established streams (a day of hours, active), by kind. */
export class References {
  readonly events: Record<EventKind, number> = { firewall: 0, ids: 0, darknet: 0 };
  readonly rate: Record<EventKind, number> = { firewall: 0, ids: 0, darknet: 0 };

  measure(streams: Iterable<RateState & { readonly active: boolean }>): void {
    for (const k of ['firewall', 'ids', 'darknet'] as const) {
      this.events[k] = 0;
      this.rate[k] = 0;
    }
    for (const s of streams) {
      if (s.hours.length < 24 || !s.active) continue;
      this.events[s.kind] += s.events;
      this.rate[s.kind] += s.ratePerMinute;
    }
  }
}

export interface RateOptions {
  readonly learnMin: number;
  /** Hours of history whose median hourly count is the usual rate. */
  readonly rateHours: number;
}

/** One active minute of stream `s`: updates what it has seen and returns its usual rate after it. */
export function learnRate(s: RateState, refs: References, o: RateOptions): number {
  const shareBased = s.hours.length < 24 && (s.shareMinutes > 0 || refs.events[s.kind] > 0);
  s.seenEvents += s.events;
  s.seenMinutes++;
  if (shareBased) {
    s.shareMinutes++;
    s.shareEvents += s.events;
    s.seenRefEvents += refs.events[s.kind];
    s.seenRefRate += refs.rate[s.kind];
  }
  let rate = s.ratePerMinute;
  s.hourEvents += s.events;
  if (++s.hourMinutes === 60) {
    s.hours.push(s.hourEvents);
    if (s.hours.length > o.rateHours) s.hours.shift();
    s.hourEvents = 0;
    s.hourMinutes = 0;
    // The week's median moves slowly: refreshed every 6 hours of activity.
    if (!s.learning && !shareBased && ++s.hoursSeen % 6 === 0) {
      rate = median(s.hours) / 60;
      s.quietPerMinute = lowQuantile(s.hours, QUIET_QUANTILE) / 60;
    }
  }
  if (s.learning || shareBased) {
    s.learning = s.seenMinutes < o.learnMin;
    rate =
      s.seenRefEvents > 0
        ? (s.shareEvents / s.seenRefEvents) * (s.seenRefRate / s.shareMinutes)
        : s.seenEvents / s.seenMinutes;
    s.quietPerMinute = rate;
  }
  return rate;
}

/** The share of a week's hours below a stream's quiet rate (docs/methods.md#sensor-health). */
const QUIET_QUANTILE = 0.05;

/** The q-quantile (lower) of the values. */
function lowQuantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0;
  const v = Float64Array.from(xs).sort();
  return v[Math.floor(q * (v.length - 1))]!;
}
