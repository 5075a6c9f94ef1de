import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import { ConfigSchema } from '../core/index.js';
import { openEventStore } from './open-event-store.js';
import type { EventStore } from './ports/event-store.js';
import { applyRetention, newestBulkEnd } from './retention.js';

const DAY = 86_400_000;
const H = 3_600_000;
const config = ConfigSchema.parse({ retentionDays: 90 });
/** The review's case: 23 events of January history, one line of it given December by the year guess. */
const JAN = Date.UTC(2024, 0, 15, 10, 0);
const DEC = Date.UTC(2024, 11, 15, 10, 0);
const NOW = Date.UTC(2025, 5, 1);

describe('raw-event retention', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await openEventStore({ dataDir: ':memory:' });
  });
  afterEach(async () => {
    await store.close();
  });

  const history = () =>
    store.append([
      ...Array.from({ length: 23 }, (_, i) => ev({ timeMs: JAN + i * 60_000 })),
      ev({ timeMs: DEC }),
    ]);

  it('counts back from the wall clock by default, whatever the newest event says', async () => {
    const now = JAN + 100 * DAY;
    await store.append([ev({ timeMs: JAN }), ev({ timeMs: now - DAY })]);
    // One event a century ahead, and one a month ahead of the rest but not of the clock.
    await store.append([ev({ timeMs: Date.UTC(2106, 0, 1) }), ev({ timeMs: now - 2 * H })]);
    expect(await applyRetention(store, config, { nowMs: now })).toEqual({
      cutoffMs: now - 90 * DAY,
      from: 'wall-clock',
      deleted: 1,
      deletedSince: 0,
    });
    expect((await store.rawTimeRange())?.firstMs).toBe(now - DAY);
    // Rollups keep every event.
    expect((await store.summary()).events).toBe(4);
  });

  it('deletes old history by the wall clock and says how much of one import it removed', async () => {
    await store.append([ev({ timeMs: NOW - DAY })]);
    const before = await store.latestBatch();
    await history();
    expect(await applyRetention(store, config, { nowMs: NOW, sinceBatch: before })).toEqual({
      cutoffMs: NOW - 90 * DAY,
      from: 'wall-clock',
      deleted: 24,
      deletedSince: 24,
    });
  });

  it('measured from the newest data, keeps history: one wrongly dated record does not move the cut-off', async () => {
    await history();
    const r = await applyRetention(store, config, { nowMs: NOW, from: 'newest-event' });
    // From the end of January's last hour, not from December.
    expect(r).toEqual({ cutoffMs: JAN + H - 90 * DAY, from: 'newest-event', deleted: 0, deletedSince: 0 });
    expect(await store.countRawBefore(Number.MAX_SAFE_INTEGER)).toBe(24);
  });

  it('measured from the newest data, follows the majority when it is the newer part', async () => {
    await store.append([
      ev({ timeMs: JAN }),
      ...Array.from({ length: 5 }, (_, i) => ev({ timeMs: DEC + i * 60_000 })),
    ]);
    expect(await applyRetention(store, config, { nowMs: NOW, from: 'newest-event' })).toEqual({
      cutoffMs: DEC + H - 90 * DAY,
      from: 'newest-event',
      deleted: 1,
      deletedSince: 0,
    });
  });

  it('takes retentionFrom from the configuration, and never counts back from the future', async () => {
    await store.append([
      ev({ timeMs: NOW - 200 * DAY }),
      ev({ timeMs: NOW - 10 * DAY }),
      ev({ timeMs: NOW + DAY }),
    ]);
    const fromData = ConfigSchema.parse({ retentionDays: 90, retentionFrom: 'newest-event' });
    expect(await applyRetention(store, fromData, { nowMs: NOW })).toMatchObject({
      cutoffMs: NOW - 90 * DAY,
      deleted: 1,
    });
  });

  it('deletes nothing when retention is off', async () => {
    await history();
    const off = ConfigSchema.parse({ retentionDays: 0 });
    expect(await applyRetention(store, off, { nowMs: NOW })).toEqual({
      cutoffMs: null,
      from: 'wall-clock',
      deleted: 0,
      deletedSince: 0,
    });
  });
});

describe('newestBulkEnd', () => {
  const w = 90 * DAY;
  it('is the end of the newest hour when the data has no long gap', () => {
    expect(
      newestBulkEnd(
        [
          { hourMs: 0, events: 5 },
          { hourMs: 10 * DAY, events: 1 },
        ],
        w,
      ),
    ).toBe(10 * DAY + H);
  });
  it('passes over a minority set apart by more than the window, however many gaps it spans', () => {
    const hours = [
      { hourMs: 0, events: 10 },
      { hourMs: 100 * DAY, events: 2 },
      { hourMs: 300 * DAY, events: 1 },
    ];
    expect(newestBulkEnd(hours, w)).toBe(H);
  });
  it('is null without events', () => {
    expect(newestBulkEnd([], w)).toBeNull();
  });
});
