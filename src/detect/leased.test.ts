// LeasedDetection with a hand-driven lease and fake detectors; real timers on a short term.
import { describe, expect, it } from 'vitest';
import { type DetectionLease, LeasedDetection } from './leased.js';
import type { LiveDetection } from './live.js';

const TERM = 900;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
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

describe('LeasedDetection', () => {
  it('runs the detectors while it holds the lease, and stops them before the term when renewals fail', async () => {
    const lease = new FakeLease();
    const started: ReturnType<typeof fakeDetection>[] = [];
    const leased = new LeasedDetection(lease, async () => started[started.push(fakeDetection()) - 1]!, quiet);
    await leased.begin();
    expect(leased.detection).not.toBeNull();
    expect(leased.held()).toBe(true);
    lease.mode = 'fail';
    // Two thirds of the term after the last good renewal at most, plus a tick (and slack for a
    // loaded machine).
    await sleep(2 * TERM);
    expect(leased.held()).toBe(false);
    expect(leased.detection).toBeNull();
    expect(started[0]!.stopped).toBe(true);
    // Renewals succeed again: detectors start afresh.
    lease.mode = 'grant';
    await sleep(2 * TERM);
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
    await sleep(2 * TERM);
    expect(leased.detection).toBeNull();
    await leased.stop();
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
    await sleep(TERM);
    // The first call is begin's own; at least one more came during the warm-up.
    expect(lease.calls).toBeGreaterThanOrEqual(2);
    // The lease passes to another node during the warm-up: the warmed detectors are stopped.
    lease.mode = 'deny';
    await sleep(TERM);
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
    await sleep(TERM / 2);
    expect(starts).toBe(0);
    expect(leased.stats()).toBeNull();
    await leased.stop();
  });
});
