// Sensor-silence alerts on hand-built heartbeats (written for this test), on the run's relational dialect.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestRelational } from '../../test/relational.js';
import type { RelationalDb } from '../db/index.js';
import { AlertStore } from './alerts.js';
import { checkSensorSilence, type SensorHeartbeat } from './sensor-silence.js';

const T0 = Date.UTC(2026, 10, 23, 9);
const MIN = 60_000;
const HOUR = 60 * MIN;

const sensor = (over: Partial<SensorHeartbeat> = {}): SensorHeartbeat => ({
  name: 'fw-tokyo',
  site: 'Tokyo',
  createdMs: T0 - 24 * HOUR,
  lastSeenMs: T0,
  revokedMs: null,
  ...over,
});

describe('checkSensorSilence', () => {
  let db: RelationalDb;
  let close: () => Promise<void>;
  let alerts: AlertStore;
  beforeEach(async () => {
    ({ db, close } = await openTestRelational());
    alerts = new AlertStore(db, () => T0);
  });
  afterEach(async () => {
    await close();
  });

  it('raises one alert per silence, updated while it lasts, closed when the sensor delivers again', async () => {
    expect((await checkSensorSilence(alerts, [sensor()], HOUR, T0 + 30 * MIN)).raised).toEqual([]);
    const first = await checkSensorSilence(alerts, [sensor()], HOUR, T0 + 61 * MIN);
    expect(first.raised.map((r) => r.change)).toEqual(['opened']);
    const again = await checkSensorSilence(alerts, [sensor()], HOUR, T0 + 90 * MIN);
    expect(again.raised.map((r) => [r.change, r.alert.id])).toEqual([['updated', first.raised[0]!.alert.id]]);
    const back = await checkSensorSilence(
      alerts,
      [sensor({ lastSeenMs: T0 + 100 * MIN })],
      HOUR,
      T0 + 101 * MIN,
    );
    expect(back.closed).toEqual([first.raised[0]!.alert.id]);
    // A new silence is a new alert.
    const later = await checkSensorSilence(
      alerts,
      [sensor({ lastSeenMs: T0 + 100 * MIN })],
      HOUR,
      T0 + 200 * MIN,
    );
    expect(later.raised.map((r) => r.change)).toEqual(['opened']);
    expect(later.raised[0]!.alert.id).not.toBe(first.raised[0]!.alert.id);
  });

  it('counts no silence from before the center listened: a restart after a day down raises nothing at once', async () => {
    // The center was down from T0 (the sensors' last deliveries) for a day and restarts at T0 + 24 h.
    const fleet = [sensor(), sensor({ name: 'fw-osaka', site: 'Osaka' })];
    const restart = T0 + 24 * HOUR;
    const soon = await checkSensorSilence(alerts, fleet, HOUR, restart + 30 * MIN, restart);
    expect(soon.raised).toEqual([]);
    // Both back within the hour: nothing. One still silent an hour after the restart: its alert,
    // which says how long it has really been silent.
    const back = [sensor({ lastSeenMs: restart + 2 * MIN }), fleet[1]!];
    const late = await checkSensorSilence(alerts, back, HOUR, restart + 61 * MIN, restart);
    expect(late.raised.map((r) => [r.change, r.alert.evidence.sensor, r.alert.evidence.silent_s])).toEqual([
      ['opened', 'fw-osaka', 24 * 3600 + 61 * 60],
    ]);
  });

  it('does not reopen a silence the operator closed', async () => {
    const first = await checkSensorSilence(alerts, [sensor()], HOUR, T0 + 61 * MIN);
    await alerts.close(first.raised[0]!.alert.id, 'analyst');
    const again = await checkSensorSilence(alerts, [sensor()], HOUR, T0 + 62 * MIN);
    expect(again.raised).toEqual([]);
    expect(await alerts.list({ kind: 'sensor-silent' })).toHaveLength(1);
  });

  it('closes the alert of a sensor that was revoked', async () => {
    const first = await checkSensorSilence(alerts, [sensor()], HOUR, T0 + 61 * MIN);
    const r = await checkSensorSilence(alerts, [sensor({ revokedMs: T0 + 70 * MIN })], HOUR, T0 + 71 * MIN);
    expect(r.closed).toEqual([first.raised[0]!.alert.id]);
    expect((await alerts.get(first.raised[0]!.alert.id))!.closedBy).toBe('system: sensor revoked');
  });
});
