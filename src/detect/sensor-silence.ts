/**
 * Sensor health, delivery side: a registered sensor that has sent nothing for longer than the
 * configured time raises a `sensor-silent` alert (docs/methods.md#sensor-health: sensors fail
 * silently; a silent sensor must raise its own alert rather than look like quiet traffic). When the
 * sensor delivers again, its alert is closed by the system.
 *
 * A sensor can only be heard while the center listens: after the center was down (or a gap in
 * what it received), every sensor looks silent since before the outage, and one alert per sensor
 * would bury the operators (docs/methods.md#daily-and-weekly-cycles-gaps). The silence that counts
 * against the threshold starts no earlier than `listeningSinceMs`; the alert, when one is due,
 * still says when the sensor was last seen.
 */
import type { AlertChange, AlertStore } from './alerts.js';

export interface SensorHeartbeat {
  readonly name: string;
  readonly site: string | null;
  readonly createdMs: number;
  readonly revokedMs: number | null;
  readonly lastSeenMs: number | null;
}

export interface SilenceCheckResult {
  readonly raised: AlertChange[];
  readonly closed: number[];
}

/**
 * Raises or closes `sensor-silent` alerts for the given sensors at `nowMs`; `listeningSinceMs` is
 * when the center began receiving (its start), before which no silence is the sensor's.
 */
export async function checkSensorSilence(
  alerts: AlertStore,
  sensors: readonly SensorHeartbeat[],
  silentAfterMs: number,
  nowMs: number,
  listeningSinceMs = Number.NEGATIVE_INFINITY,
): Promise<SilenceCheckResult> {
  const raised: AlertChange[] = [];
  const closed: number[] = [];
  // Open alerts by sensor: one per silence (its key carries when the silence began).
  const open = new Map<string, number[]>();
  for (const a of await alerts.list({
    kind: 'sensor-silent',
    status: ['open', 'acknowledged'],
    limit: 100_000,
  })) {
    const name = String(a.evidence.sensor ?? '');
    open.set(name, [...(open.get(name) ?? []), a.id]);
  }
  const closeAll = async (name: string, why: string) => {
    for (const id of open.get(name) ?? []) {
      await alerts.close(id, why);
      closed.push(id);
    }
  };
  for (const s of sensors) {
    if (s.revokedMs !== null) {
      await closeAll(s.name, 'system: sensor revoked');
      continue;
    }
    const since = s.lastSeenMs ?? s.createdMs;
    const key = `sensor-silent:${s.name}:${since}`;
    const silentMs = nowMs - since;
    if (nowMs - Math.max(since, listeningSinceMs) > silentAfterMs) {
      // An operator who closed the alert of this silence has decided: it is not raised again
      // until the sensor delivers and falls silent anew.
      if (!(await alerts.active(key)) && (await alerts.known(key))) continue;
      const hours = silentMs / 3_600_000;
      raised.push(
        await alerts.raise({
          kind: 'sensor-silent',
          dedupKey: key,
          severity: hours > 24 ? 'high' : 'medium',
          title: `Sensor ${s.name} silent for ${formatDuration(silentMs)}`,
          atMs: nowMs,
          evidence: {
            sensor: s.name,
            site: s.site,
            last_seen: s.lastSeenMs === null ? null : new Date(s.lastSeenMs).toISOString(),
            silent_s: Math.round(silentMs / 1000),
            threshold_s: Math.round(silentAfterMs / 1000),
          },
        }),
      );
    } else await closeAll(s.name, 'system: sensor delivered again');
  }
  return { raised: raised.filter((r) => r.change === 'opened' || r.change === 'updated'), closed };
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}
