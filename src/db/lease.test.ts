// The lease over the run's relational dialect (test/relational.ts), with a hand-driven clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational, type TestRelational } from '../../test/relational.js';
import { Lease, type RelationalDb } from './index.js';

describe('Lease', () => {
  let store: TestRelational;
  let db: RelationalDb;
  let now: number;
  const clock = () => now;
  beforeEach(async () => {
    store = await openTestRelational({ shared: true });
    db = store.db;
    now = 1_000_000;
  });
  afterEach(async () => {
    await store.close();
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

  it('goes to exactly one of two nodes taking it at once, each through its own connection', async () => {
    const other = await store.another();
    for (let round = 0; round < 5; round++) {
      const name = `job-${round}`;
      const a = new Lease(db, name, 'node-a', 30_000, clock);
      const b = new Lease(other, name, 'node-b', 30_000, clock);
      const won = await Promise.all([a.acquire(), b.acquire()]);
      expect(won.filter(Boolean)).toHaveLength(1);
      const holder = won[0] ? 'node-a' : 'node-b';
      expect(await a.state()).toEqual({ holder, expiresMs: now + 30_000, acquiredMs: now });
      expect(await b.state()).toEqual({ holder, expiresMs: now + 30_000, acquiredMs: now });
    }
  });
});
