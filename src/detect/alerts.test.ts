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

  it('lists the most severe first, then the most recently seen, by status and kind, up to a limit', async () => {
    await alerts.raise(surge({ severity: 'low', dedupKey: 'a', atMs: T0 + 9 * MIN }));
    await alerts.raise(surge({ kind: 'backscatter', severity: 'critical', dedupKey: 'b', atMs: T0 }));
    await alerts.raise(surge({ severity: 'medium', dedupKey: 'c', atMs: T0 + 5 * MIN }));
    const d = await alerts.raise(
      surge({ kind: 'scan', severity: 'medium', dedupKey: 'd', atMs: T0 + 7 * MIN }),
    );
    await alerts.acknowledge(d.alert.id, 'operator-a');
    // An update moves an alert: a new sighting and a rise in severity.
    await alerts.raise(surge({ severity: 'high', dedupKey: 'a', atMs: T0 + 10 * MIN }));
    expect((await alerts.list()).map((a) => [a.id, a.severity, a.lastMs - T0])).toEqual([
      [2, 'critical', 0],
      [1, 'high', 10 * MIN],
      [4, 'medium', 7 * MIN],
      [3, 'medium', 5 * MIN],
    ]);
    expect((await alerts.list({ status: ['open'] })).map((a) => a.id)).toEqual([2, 1, 3]);
    expect((await alerts.list({ kind: 'port-surge' })).map((a) => a.id)).toEqual([1, 3]);
    expect((await alerts.list({ limit: 1 })).map((a) => a.id)).toEqual([2]);
    expect(await alerts.get(5)).toBeNull();
  });

  it('selects the alerts whose episode began in a time range, and counts them', async () => {
    await alerts.raise(surge({ dedupKey: 'a', atMs: T0 }));
    await alerts.raise(surge({ dedupKey: 'b', atMs: T0 + 5 * MIN }));
    await alerts.raise(surge({ dedupKey: 'c', atMs: T0 + 10 * MIN }));
    // A later sighting of episode a moves its last time, not its beginning.
    await alerts.raise(surge({ dedupKey: 'a', atMs: T0 + 7 * MIN }));
    const range = { firstFromMs: T0 + 5 * MIN, firstToMs: T0 + 10 * MIN };
    expect((await alerts.list(range)).map((a) => a.dedupKey)).toEqual(['b']);
    expect((await alerts.list({ firstFromMs: T0 + MIN })).map((a) => a.dedupKey)).toEqual(['c', 'b']);
    expect((await alerts.counts({ firstToMs: T0 + 5 * MIN })).total).toBe(1);
  });

  it('pages through the order with a keyset cursor: no alert skipped or repeated', async () => {
    // Ties on severity and on last sighting, so every part of the key decides somewhere.
    const plan: [RaiseAlert['severity'], number][] = [
      ['low', 3],
      ['high', 1],
      ['low', 3],
      ['medium', 2],
      ['high', 1],
      ['critical', 0],
      ['low', 1],
      ['medium', 2],
    ];
    for (const [i, [severity, at]] of plan.entries())
      await alerts.raise(surge({ severity, dedupKey: `k${i}`, atMs: T0 + at * MIN }));
    const pages: number[][] = [];
    let cursor: string | undefined;
    do {
      const p = await alerts.page({ limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(p.alerts.map((a) => a.id));
      cursor = p.nextCursor ?? undefined;
    } while (cursor);
    expect(pages).toEqual([
      [6, 5, 2],
      [8, 4, 3],
      [1, 7],
    ]);
    expect((await alerts.list()).map((a) => a.id)).toEqual(pages.flat());
    // A new alert raised between pages lands in its place, not on a page already read.
    const first = await alerts.page({ limit: 3 });
    expect(first.nextCursor).toBe(`3-${T0 + MIN}-2`);
    await alerts.raise(surge({ severity: 'critical', dedupKey: 'late', atMs: T0 + 9 * MIN }));
    const second = await alerts.page({ limit: 3, cursor: first.nextCursor! });
    expect(second.alerts.map((a) => a.id)).toEqual([8, 4, 3]);
    const exact = await alerts.page({ limit: 2, cursor: '1-' + String(T0 + 3 * MIN) + '-3' });
    expect(exact).toMatchObject({ nextCursor: null });
    expect(exact.alerts.map((a) => a.id)).toEqual([1, 7]);
    await expect(alerts.page({ limit: 3, cursor: '9-1-1' })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(alerts.page({ limit: 3, cursor: 'x' })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('counts the alerts of a filter per severity and per kind, and selects by severity', async () => {
    await alerts.raise(surge({ severity: 'low', dedupKey: 'a' }));
    await alerts.raise(surge({ kind: 'scan', severity: 'low', dedupKey: 'b' }));
    await alerts.raise(surge({ kind: 'scan', severity: 'high', dedupKey: 'c' }));
    const closed = await alerts.raise(surge({ kind: 'backscatter', severity: 'critical', dedupKey: 'd' }));
    await alerts.close(closed.alert.id, 'operator-a');
    await alerts.raise(surge({ kind: 'scan', severity: 'medium', dedupKey: 'e' }));
    expect(await alerts.counts()).toEqual({
      total: 5,
      severity: { info: 0, low: 2, medium: 1, high: 1, critical: 1 },
      kind: { scan: 3, backscatter: 1, 'port-surge': 1 },
    });
    expect(Object.keys((await alerts.counts()).kind)).toEqual(['scan', 'backscatter', 'port-surge']);
    expect(await alerts.counts({ status: ['open', 'acknowledged'], kind: 'scan' })).toEqual({
      total: 3,
      severity: { info: 0, low: 1, medium: 1, high: 1, critical: 0 },
      kind: { scan: 3 },
    });
    expect(await alerts.counts({ severity: ['high', 'critical'] })).toEqual({
      total: 2,
      severity: { info: 0, low: 0, medium: 0, high: 1, critical: 1 },
      kind: { scan: 1, backscatter: 1 },
    });
    expect(
      (await alerts.list({ severity: ['low'], kind: 'scan' })).map((a) => [a.dedupKey, a.severity]),
    ).toEqual([['b', 'low']]);
    expect(await alerts.counts({ kind: 'worm-outbreak' })).toEqual({
      total: 0,
      severity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 },
      kind: {},
    });
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
