// Operator alerts on the run's relational dialect (test/relational.ts), with a hand-driven clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational, type TestRelational } from '../../test/relational.js';
import { AlertStore, type RaiseAlert } from './alerts.js';

const T0 = Date.UTC(2026, 10, 23, 9);
const MIN = 60_000;

const surge = (over: Partial<RaiseAlert> = {}): RaiseAlert => ({
  kind: 'port-surge',
  dedupKey: 'port-surge:tcp/23',
  severity: 'medium',
  title: 'TCP/23 surge',
  atMs: T0,
  evidence: { phase: 'opened', sources: 120 },
  ...over,
});

describe('AlertStore', () => {
  let store: TestRelational;
  let now: number;
  let alerts: AlertStore;
  beforeEach(async () => {
    store = await openTestRelational({ shared: true });
    now = T0 + MIN;
    alerts = new AlertStore(store.db, () => now);
  });
  afterEach(async () => {
    await store.close();
  });

  it('opens one alert per episode and updates it while the episode goes on', async () => {
    const opened = await alerts.raise(surge());
    expect(opened).toEqual({
      change: 'opened',
      alert: {
        id: 1,
        kind: 'port-surge',
        dedupKey: 'port-surge:tcp/23',
        severity: 'medium',
        title: 'TCP/23 surge',
        status: 'open',
        firstMs: T0,
        lastMs: T0,
        updatedMs: T0 + MIN,
        evidence: { phase: 'opened', sources: 120 },
        ackedBy: null,
        ackedMs: null,
        closedBy: null,
        closedMs: null,
      },
    });
    now += MIN;
    const updated = await alerts.raise(
      surge({
        severity: 'high',
        title: 'TCP/23 surge (growing)',
        atMs: T0 + 5 * MIN,
        evidence: { phase: 'updated' },
      }),
    );
    expect(updated.change).toBe('updated');
    expect(updated.alert).toMatchObject({
      id: 1,
      severity: 'high',
      title: 'TCP/23 surge (growing)',
      firstMs: T0,
      lastMs: T0 + 5 * MIN,
      updatedMs: T0 + 2 * MIN,
      evidence: { phase: 'updated' },
    });
    // A late sighting does not move the last time back.
    const late = await alerts.raise(surge({ atMs: T0 + MIN }));
    expect(late.alert.lastMs).toBe(T0 + 5 * MIN);
    expect(await alerts.list()).toHaveLength(1);
  });

  it('records who acknowledged and closed an alert, and opens a new one when the episode returns', async () => {
    const { alert } = await alerts.raise(surge());
    now += MIN;
    expect(await alerts.acknowledge(alert.id, 'operator-a')).toMatchObject({
      status: 'acknowledged',
      ackedBy: 'operator-a',
      ackedMs: T0 + 2 * MIN,
    });
    now += MIN;
    // Acknowledging twice keeps the first acknowledgement.
    expect((await alerts.acknowledge(alert.id, 'operator-b')).ackedBy).toBe('operator-a');
    expect(await alerts.close(alert.id, 'operator-b')).toMatchObject({
      status: 'closed',
      closedBy: 'operator-b',
      closedMs: T0 + 3 * MIN,
    });
    await expect(alerts.close(alert.id, 'operator-a')).rejects.toMatchObject({ code: 'E_CONFLICT' });
    await expect(alerts.acknowledge(99, 'operator-a')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    expect(await alerts.active('port-surge:tcp/23')).toBeNull();
    expect(await alerts.known('port-surge:tcp/23')).toBe(true);
    expect(await alerts.known('port-surge:tcp/445')).toBe(false);
    const again = await alerts.raise(surge({ atMs: T0 + 60 * MIN }));
    expect(again).toMatchObject({
      change: 'opened',
      alert: { id: 2, status: 'open', firstMs: T0 + 60 * MIN },
    });
    expect((await alerts.active('port-surge:tcp/23'))?.id).toBe(2);
  });

  it('lists newest first, by status and kind, up to a limit', async () => {
    await alerts.raise(surge());
    await alerts.raise(surge({ kind: 'backscatter', dedupKey: 'backscatter:198.51.100.7' }));
    const third = await alerts.raise(surge({ dedupKey: 'port-surge:tcp/445' }));
    await alerts.acknowledge(third.alert.id, 'operator-a');
    expect((await alerts.list()).map((a) => a.id)).toEqual([3, 2, 1]);
    expect((await alerts.list({ status: ['open'] })).map((a) => a.id)).toEqual([2, 1]);
    expect((await alerts.list({ kind: 'port-surge' })).map((a) => a.id)).toEqual([3, 1]);
    expect((await alerts.list({ limit: 1 })).map((a) => a.id)).toEqual([3]);
    expect(await alerts.get(4)).toBeNull();
  });

  it('closes the alerts whose episode ended, of one kind or ended long enough ago', async () => {
    await alerts.raise(surge({ evidence: { phase: 'ended' } }));
    now += 60 * MIN;
    await alerts.raise(surge({ dedupKey: 'port-surge:tcp/445', evidence: { phase: 'ended' } }));
    await alerts.raise(surge({ kind: 'scan', dedupKey: 'scan:203.0.113.5', evidence: { phase: 'ended' } }));
    // The phase is read from the evidence, not from text that merely looks like it.
    await alerts.raise(surge({ dedupKey: 'port-surge:udp/53', evidence: { note: '"phase":"ended"' } }));
    const old = await alerts.closeEnded({ by: 'koban', endedBeforeMs: T0 + 30 * MIN });
    expect(old.map((a) => [a.id, a.closedBy])).toEqual([[1, 'koban']]);
    const surges = await alerts.closeEnded({ by: 'koban', kind: 'port-surge' });
    expect(surges.map((a) => a.id)).toEqual([2]);
    expect((await alerts.closeEnded({ by: 'koban' })).map((a) => a.id)).toEqual([3]);
    expect((await alerts.list({ status: ['open'] })).map((a) => a.id)).toEqual([4]);
  });

  it('opens one alert for an episode raised at once, here and by another center on the same store', async () => {
    // Centers share a PostgreSQL store; a SQLite file has one center, so there the other raiser
    // is a second caller in the same process.
    const elsewhere = new AlertStore(
      store.dialect === 'postgres' ? await store.another() : store.db,
      () => now,
    );
    const changes = await Promise.all([
      alerts.raise(surge()),
      elsewhere.raise(surge({ atMs: T0 + MIN })),
      alerts.raise(surge({ atMs: T0 + 2 * MIN })),
      elsewhere.raise(surge({ atMs: T0 + 3 * MIN })),
    ]);
    expect(changes.map((c) => c.change).sort()).toEqual(['opened', 'updated', 'updated', 'updated']);
    const all = await alerts.list();
    expect(all.map((a) => [a.id, a.status, a.lastMs])).toEqual([[1, 'open', T0 + 3 * MIN]]);
  });
});
