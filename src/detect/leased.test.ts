// LeasedDetection with a hand-driven lease and fake detectors, on fake timers and a fake clock:
// the renewal timer, the hung renewal's timeout and the term all run on time the test advances.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type DetectionLease, LeasedDetection } from './leased.js';
import type { LiveDetection } from './live.js';

const TERM = 900;
/** Lets `ms` of fake time pass, running the timers due and the promises they start. */
const elapse = (ms: number) => vi.advanceTimersByTimeAsync(ms);
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

class FakeLease implements DetectionLease {
  readonly holder = 'node-a';
  readonly ttlMs = TERM;
  calls = 0;
  released = 0;
  mode: 'grant' | 'deny' | 'fail' | 'hang' = 'grant';
  async acquire(): Promise<boolean> {
    this.calls++;
    if (this.mode === 'fail') throw new Error('SQLITE_BUSY');
    if (this.mode === 'hang') return new Promise<boolean>(() => undefined);
    return this.mode === 'grant';
  }
  async release(): Promise<void> {
    this.released++;
  }
  async state() {
    return { holder: this.mode === 'grant' ? 'node-a' : 'node-b' };
  }
}

function fakeDetection(): LiveDetection & { stopped: boolean } {
  const d = {
    stopped: false,
    async stop() {
      d.stopped = true;
    },
    stats: () => ({
      cursor: 0,
      watermarkMs: null,
      minutesFed: 0,
      findings: 0,
      lateRows: 0,
      futureRows: 0,
      state: {},
    }),
    poll: async () => undefined,
  };
  return d;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LeasedDetection', () => {
  it('runs the detectors while it holds the lease, and stops them before the term when renewals fail', async () => {
    const lease = new FakeLease();
    const started: ReturnType<typeof fakeDetection>[] = [];
    const leased = new LeasedDetection(lease, async () => started[started.push(fakeDetection()) - 1]!, quiet);
    await leased.begin();
    expect(leased.detection).not.toBeNull();
    expect(leased.held()).toBe(true);
    lease.mode = 'fail';
    // The last good renewal was at 0: held until two thirds of the term, stopped at the renewal
    // tick (every third of the term) that finds it no longer held.
    await elapse((2 * TERM) / 3 - 1);
    expect(leased.held()).toBe(true);
    expect(started[0]!.stopped).toBe(false);
    await elapse(1);
    expect(leased.held()).toBe(false);
    expect(leased.detection).toBeNull();
    expect(started[0]!.stopped).toBe(true);
    // Renewals succeed again: the next tick starts the detectors afresh.
    lease.mode = 'grant';
    await elapse(TERM / 3);
    expect(leased.held()).toBe(true);
    expect(leased.detection).not.toBeNull();
    expect(started).toHaveLength(2);
    await leased.stop();
    expect(started[1]!.stopped).toBe(true);
    expect(lease.released).toBe(1);
  });

  it('treats a renewal that hangs as failed', async () => {
    const lease = new FakeLease();
    const leased = new LeasedDetection(lease, async () => fakeDetection(), quiet);
    await leased.begin();
    lease.mode = 'hang';
    // The renewal at a third of the term hangs; the lease still holds until two thirds.
    await elapse((2 * TERM) / 3 - 1);
    expect(leased.detection).not.toBeNull();
    // Its timeout (a third of the term) counts it failed: stopped by the next tick at the latest.
    await elapse(TERM / 3 + 1);
    expect(leased.held()).toBe(false);
    expect(leased.detection).toBeNull();
    // Stopping waits for the renewal in flight, which ends by its timeout.
    const stopping = leased.stop();
    await elapse(TERM / 3);
    await stopping;
  });

  it('keeps renewing while the detectors warm up, and does not run them on a node that lost the lease meanwhile', async () => {
    const lease = new FakeLease();
    let warm!: () => void;
    const d = fakeDetection();
    const leased = new LeasedDetection(
      lease,
      () =>
        new Promise<LiveDetection>((r) => {
          warm = () => r(d);
        }),
      quiet,
    );
    const begun = leased.begin();
    await elapse(TERM);
    // The first call is begin's own; one more every third of the term during the warm-up.
    expect(lease.calls).toBe(4);
    // The lease passes to another node during the warm-up: the warmed detectors are stopped.
    lease.mode = 'deny';
    await elapse(TERM);
    warm();
    await begun;
    expect(leased.detection).toBeNull();
    expect(d.stopped).toBe(true);
    await leased.stop();
    expect(lease.released).toBe(0);
  });

  it('does not start the detectors while another node holds the lease', async () => {
    const lease = new FakeLease();
    lease.mode = 'deny';
    let starts = 0;
    const leased = new LeasedDetection(
      lease,
      async () => {
        starts++;
        return fakeDetection();
      },
      quiet,
    );
    await leased.begin();
    await elapse(TERM / 2);
    expect(starts).toBe(0);
    expect(leased.stats()).toBeNull();
    await leased.stop();
  });
});
