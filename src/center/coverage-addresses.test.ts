// The center's coverage learns the monitored space of sensors nobody gave blocks for from the
// destinations of what they deliver (hand-built events, documentation addresses), on a fake clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import { openRelational, type RelationalDb } from '../db/index.js';
import { type EventStore, openEventStore, SensorRegistry } from '../observe/index.js';
import { coverageAddresses } from './live-detection.js';

const T0 = Date.UTC(2026, 10, 23, 9);

/** Probes from three sources to `first` … `last` of 203.0.113.0/24 at `sensor`. */
const probes = (sensor: string, first: number, last: number) =>
  [first, last].flatMap((a, i) =>
    [1, 2, 3].map((s) =>
      ev({ timeMs: T0 + i * 1000 + s, sensor, src: `198.51.100.${s}`, dst: `203.0.113.${a}` }),
    ),
  );

describe('coverageAddresses', () => {
  let db: RelationalDb;
  let store: EventStore;
  beforeEach(async () => {
    db = await openRelational(':memory:');
    store = await openEventStore({ dataDir: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it('learns blocks from stored destinations, at most every learnEveryMs, after registered and extra ones', async () => {
    let now = 0;
    await new SensorRegistry(db).add({ name: 'fw2', addressBlocks: ['192.0.2.0/26'] });
    const center = { db, extraAddressBlocks: new Map([['sim-01', ['10.1.0.0/24']]]), observatory: { store } };
    const cov = coverageAddresses(center, { learnEveryMs: 60_000, nowMs: () => now });
    await store.append(probes('fw1', 17, 30));
    await cov.refresh();
    expect(Object.fromEntries(cov.addresses)).toEqual({ fw1: 16, fw2: 64, 'sim-01': 256 });

    // Delivered later: learned at the next pass due, not before.
    await store.append(probes('fw1', 2, 20));
    now = 30_000;
    await cov.refresh();
    expect(cov.addresses.get('fw1')).toBe(16);
    now = 60_000;
    await cov.refresh();
    expect(cov.addresses.get('fw1')).toBe(32);
  });
});
