/**
 * Two centers on one PostgreSQL store (KOBAN_TEST_PG; the postgresql project only), each with its
 * own data directory, as `koban serve --db postgres://…` runs them: exactly one runs the detectors;
 * when it stops, or is cut off from the database without giving the lease up (killed, partitioned),
 * the other takes over — at once after a stop, only once the term has run out otherwise. The
 * lease's clock is faked (Date and the renewal interval), so no test waits for a term to pass.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FreshRelational, freshRelational } from '../../test/relational.js';
import { HOUR_MS, SECRET_KEY_FILE } from '../core/index.js';
import { Lease } from '../db/index.js';
import { CHAIN_KEY_FILE } from '../intel/index.js';
import { type CenterDetection, startCenterDetection } from './live-detection.js';
import { type Center, openCenter } from './wiring.js';

const TERM = 30_000;
/** LeasedDetection renews every third of the term. */
const RENEWAL = TERM / 3;
const HOLDS = 'live detection: this node holds the lease';
const LOST = 'live detection: lease lost or not renewed; detectors stopped';

/** The messages a center logs, and a promise for the next one of a kind. */
function watchLog(center: Center): { next(msg: string): Promise<void> } {
  const waiters: { msg: string; resolve: () => void }[] = [];
  for (const level of ['info', 'warn', 'error'] as const) {
    vi.spyOn(center.log, level).mockImplementation(((obj: unknown, msg?: unknown) => {
      const text = typeof obj === 'string' ? obj : String(msg ?? '');
      for (const w of waiters.filter((x) => x.msg === text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }) as never);
  }
  return { next: (msg) => new Promise<void>((resolve) => waiters.push({ msg, resolve })) };
}

describe('two centers on one PostgreSQL store', () => {
  let store: FreshRelational;
  const dirs: string[] = [];
  const centers: Center[] = [];
  const detections: CenterDetection[] = [];
  /** Renewals under way (each center's lease, spied on), so a test can wait for a round to finish. */
  const renewals: Promise<unknown>[] = [];

  const openOne = async (keysFrom?: string): Promise<Center> => {
    const dir = mkdtempSync(join(tmpdir(), 'koban-shared-lease-'));
    dirs.push(dir);
    // Every center of one store needs the same key files (README, "PostgreSQL").
    for (const f of [CHAIN_KEY_FILE, SECRET_KEY_FILE])
      if (keysFrom && existsSync(join(keysFrom, f))) copyFileSync(join(keysFrom, f), join(dir, f));
    const center = await openCenter({ dataDir: dir, relationalUrl: store.url, logLevel: 'silent' });
    centers.push(center);
    return center;
  };
  const detect = async (center: Center): Promise<CenterDetection> => {
    const d = await startCenterDetection(center, null, { detectEveryMs: HOUR_MS, detectLeaseMs: TERM });
    detections.push(d);
    return d;
  };
  /** Moves the clock on by one renewal interval and waits for every center's renewal to be done. */
  const renewalRound = async () => {
    await vi.advanceTimersByTimeAsync(RENEWAL);
    await Promise.all(renewals.splice(0));
    // What follows a renewal (held or not, stopping detectors) is promise continuations only.
    await new Promise((r) => setImmediate(r));
  };
  const holder = async (center: Center) =>
    (await new Lease(center.db, 'live-detection', '-', TERM).state())?.holder;

  beforeEach(async () => {
    store = await freshRelational('postgres');
    const acquire = Lease.prototype.acquire;
    vi.spyOn(Lease.prototype, 'acquire').mockImplementation(function (this: Lease) {
      const p = acquire.call(this);
      renewals.push(p.catch(() => undefined));
      return p;
    });
  });
  afterEach(async () => {
    for (const d of detections.splice(0)) await d.stop();
    vi.useRealTimers();
    vi.restoreAllMocks();
    for (const c of centers.splice(0)) await c.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    renewals.length = 0;
    await store.drop();
  });

  /** Center A holding the lease and running the detectors, B only ingesting, the clock faked. */
  async function aHoldsBWaits() {
    const a = await openOne();
    const b = await openOne(a.dataDir);
    const logA = watchLog(a);
    const logB = watchLog(b);
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const dA = await detect(a);
    const dB = await detect(b);
    expect([dA.held(), dA.detection !== null]).toEqual([true, true]);
    expect([dB.held(), dB.detection]).toEqual([false, null]);
    const holderA = await holder(a);
    expect(holderA).toMatch(/^.+:\d+:[0-9a-f-]{36}$/);
    // A renewal round changes nothing: A renews, B is refused.
    await renewalRound();
    expect([dA.held(), dB.held(), dB.detection]).toEqual([true, false, null]);
    expect(await holder(b)).toBe(holderA);
    return { a, b, dA, dB, holderA, logA, logB };
  }

  it('gives the detectors to one of them; when it stops, the other takes over at its next renewal', async () => {
    const { b, dA, dB, holderA, logB } = await aHoldsBWaits();
    await dA.stop();
    // Given up on stopping: the row is gone, B need not wait for the term.
    expect(await holder(b)).toBeUndefined();
    const bStarts = logB.next(HOLDS);
    await renewalRound();
    await bStarts;
    expect([dB.held(), dB.detection !== null]).toEqual([true, true]);
    const holderB = await holder(b);
    expect(holderB).not.toBe(holderA);
    expect(holderB).toMatch(/^.+:\d+:[0-9a-f-]{36}$/);
  });

  it('when the holder is cut off from the database, it stops detecting before the other takes over at the end of the term', async () => {
    const { a, b, dA, dB, holderA, logA, logB } = await aHoldsBWaits();
    // A renewed in the round just done: its term ends three renewal intervals from now.
    const aStops = logA.next(LOST);
    // Its connections gone, nothing released (as when its process is killed).
    await a.db.destroy();
    await renewalRound();
    // A's renewal failed, but its term is not over: it still runs; B is still refused.
    expect([dA.held(), dA.detection !== null, dB.held()]).toEqual([true, true, false]);
    await renewalRound();
    // A third of the term before it ends, A stops its detectors; B still may not take over.
    await aStops;
    expect([dA.held(), dA.detection, dB.held(), dB.detection]).toEqual([false, null, false, null]);
    expect(await holder(b)).toBe(holderA);
    const bStarts = logB.next(HOLDS);
    await renewalRound();
    // The term has run out: B takes over.
    await bStarts;
    expect([dB.held(), dB.detection !== null]).toEqual([true, true]);
    expect(await holder(b)).not.toBe(holderA);
  });
});
