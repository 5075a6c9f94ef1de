import { describe, expect, it } from 'vitest';
import type { CoverageFamily, CoverageSnapshot } from './coverage.js';
import { HOUR_MS, MINUTE_MS } from './finding.js';
import { WatchedTime } from './watched-time.js';

const T0 = Date.UTC(2024, 0, 1);

/** The parts of a coverage snapshot WatchedTime reads. */
function snapshot(o: { known?: number; fraction?: number; gapSinceMs?: number | null; epoch?: number }) {
  return {
    knownSensors: o.known ?? 4,
    fraction: (_f: CoverageFamily) => o.fraction ?? 1,
    gapSinceMs: o.gapSinceMs ?? null,
    epochOf: (_f: CoverageFamily) => o.epoch ?? 0,
  } as unknown as CoverageSnapshot;
}

/** Feeds the minutes [from, to) with `at(m)`'s snapshot; returns the hours closed, watched or not. */
function feed(w: WatchedTime, from: number, to: number, at: (m: number) => CoverageSnapshot) {
  const hours: [number, boolean][] = [];
  for (let m = from; m < to; m += MINUTE_MS) {
    w.minute(m, at(m));
    const t = m + MINUTE_MS;
    if (t % HOUR_MS === 0) hours.push([(t - T0) / HOUR_MS - 1, w.closeHour(t).watched]);
  }
  return hours;
}

describe('WatchedTime', () => {
  it('watches from the first minute with a fleet, not from the first minute fed', () => {
    const w = new WatchedTime(['probes'], 60, 0.5);
    const hours = feed(w, T0, T0 + 3 * HOUR_MS, (m) => snapshot({ known: m < T0 + 30 * MINUTE_MS ? 0 : 4 }));
    expect(hours).toEqual([
      [0, false],
      [1, true],
      [2, true],
    ]);
    expect(w.firstMs).toBe(T0 + 30 * MINUTE_MS);
    expect(w.warm(T0 + 2 * HOUR_MS, 90 * MINUTE_MS)).toBe(true);
    expect(w.warm(T0 + 2 * HOUR_MS - MINUTE_MS, 90 * MINUTE_MS)).toBe(false);
  });

  it('misses a window with one minute below the coverage cut rather than scaling it up', () => {
    const w = new WatchedTime(['probes', 'payloads'], 60, 0.5);
    const short = T0 + 20 * MINUTE_MS;
    feed(w, T0, T0 + HOUR_MS, (m) => snapshot({ fraction: m === short ? 0.4 : 0.8 }));
    expect(w.window('probes')).toBe(0);
    // Sixty minutes later the short minute has left the window: the mean of the rest.
    feed(w, T0 + HOUR_MS, T0 + HOUR_MS + 21 * MINUTE_MS, () => snapshot({ fraction: 0.8 }));
    expect(w.window('payloads')).toBeCloseTo(0.8, 12);
  });

  it('misses an hour touched by a fleet gap from its first minute, or by a membership change', () => {
    const gapStart = T0 + 2 * HOUR_MS + 50 * MINUTE_MS;
    const w = new WatchedTime(['probes'], 60, 0.5, 'probes');
    // The gap is declared five minutes after it began (coverage.ts): its hour is missing still.
    const hours = feed(w, T0, T0 + 6 * HOUR_MS, (m) =>
      snapshot({
        gapSinceMs: m >= gapStart + 5 * MINUTE_MS && m < T0 + 4 * HOUR_MS ? gapStart : null,
        epoch: m < T0 + 5 * HOUR_MS + 10 * MINUTE_MS ? 0 : 1,
      }),
    );
    // Hours 2 and 3 touch the gap; hour 5 saw a sensor join.
    expect(hours).toEqual([
      [0, true],
      [1, true],
      [2, false],
      [3, false],
      [4, true],
      [5, false],
    ]);
  });
});
