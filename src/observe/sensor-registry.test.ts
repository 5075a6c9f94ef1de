// The sensor registry's delivery totals, on the run's relational dialect (test/relational.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational } from '../../test/relational.js';
import type { RelationalDb } from '../db/index.js';
import { SensorRegistry } from './sensor-registry.js';

const NOW = Date.UTC(2026, 10, 23, 12);

describe('SensorRegistry.recordDelivery', () => {
  let db: RelationalDb;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ db, close } = await openTestRelational());
  });
  afterEach(async () => {
    await close();
  });

  it('adds up deliveries of one sensor recorded at once (two batches, or two centers)', async () => {
    const registry = new SensorRegistry(db);
    const { sensor } = await registry.add({ name: 'fw' });
    const delivery = (events: number, newestEventMs: number, droppedTotal: number | null) =>
      registry.recordDelivery(sensor.id, { nowMs: NOW, events, newestEventMs, droppedTotal });
    await Promise.all([
      delivery(5, NOW - 2_000, 3),
      delivery(7, NOW - 1_000, 1),
      delivery(11, NOW - 3_000, null),
    ]);
    expect(await registry.get('fw')).toMatchObject({
      eventsTotal: 23,
      batchesTotal: 3,
      droppedTotal: 3,
      lastEventMs: NOW - 1_000,
      lastSeenMs: NOW,
    });
  });

  it('keeps the newest event time and the largest drop count when a delivery reports none', async () => {
    const registry = new SensorRegistry(db);
    const { sensor } = await registry.add({ name: 'fw' });
    await registry.recordDelivery(sensor.id, {
      nowMs: NOW,
      events: 2,
      newestEventMs: NOW - 500,
      droppedTotal: 4,
    });
    await registry.recordDelivery(sensor.id, {
      nowMs: NOW + 1,
      events: 0,
      batches: 2,
      newestEventMs: null,
      droppedTotal: null,
    });
    expect(await registry.get('fw')).toMatchObject({
      eventsTotal: 2,
      batchesTotal: 3,
      droppedTotal: 4,
      lastEventMs: NOW - 500,
      lastSeenMs: NOW + 1,
    });
  });
});
