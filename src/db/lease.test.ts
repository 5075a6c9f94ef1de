// The lease over an in-memory SQLite store, with a hand-driven clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lease, openRelational, type RelationalDb } from './index.js';

describe('Lease', () => {
  let db: RelationalDb;
  let now: number;
  const clock = () => now;
  beforeEach(async () => {
    db = await openRelational(':memory:');
    now = 1_000_000;
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('has one holder at a time; the other gets it only once it expires', async () => {
    const a = new Lease(db, 'detection', 'node-a', 30_000, clock);
    const b = new Lease(db, 'detection', 'node-b', 30_000, clock);
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    // a renews within its term: still a's, and b still loses.
    now += 20_000;
    expect(await a.acquire()).toBe(true);
    now += 20_000;
    expect(await b.acquire()).toBe(false);
    expect((await a.state())?.acquiredMs).toBe(1_000_000);
    // a stops renewing: 30 s after its last renewal b takes over, and a has lost it.
    now += 10_000;
    expect(await b.acquire()).toBe(true);
    expect(await b.state()).toEqual({ holder: 'node-b', expiresMs: now + 30_000, acquiredMs: now });
    expect(await a.acquire()).toBe(false);
  });

  it('is free at once when its holder releases it, and a release by another node does nothing', async () => {
    const a = new Lease(db, 'detection', 'node-a', 30_000, clock);
    const b = new Lease(db, 'detection', 'node-b', 30_000, clock);
    expect(await a.acquire()).toBe(true);
    await b.release();
    expect(await b.acquire()).toBe(false);
    await a.release();
    expect(await b.acquire()).toBe(true);
  });

  it('keeps leases of different jobs apart', async () => {
    expect(await new Lease(db, 'detection', 'node-a', 30_000, clock).acquire()).toBe(true);
    expect(await new Lease(db, 'retention', 'node-b', 30_000, clock).acquire()).toBe(true);
  });
});
