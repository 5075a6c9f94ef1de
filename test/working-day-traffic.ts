/**
 * An independent generator of detection rows (probe and sensor-volume rows, minute by minute) whose
 * background follows a working day: every day at the same local hours the rate of every port steps
 * up `step` times (default 2.3×, 09:00–18:00 in UTC+9) and back down. Written for the tests of the
 * detectors' baselines (docs/methods.md#daily-and-weekly-cycles-gaps); it shares nothing with the
 * project's simulator (src/sim/), so a detector tuned on the simulator's smooth evening peak is
 * tested on a cycle it was not tuned on. SIMULATED, seeded (same options → same rows), no real data.
 *
 * Sources are persistent hosts: each port has a pool of hosts with a skewed popularity (a few
 * come back many times an hour, most once in a while), so the hourly distinct-source counts grow
 * less than linearly with time and with the number of sensors, as real counts do. Sensors are
 * firewall sites each watching a /28; `silent` removes a sensor's rows for chosen minutes (an
 * outage, a sensor that joins late or leaves early, a gap in the whole fleet's data).
 */
import type { ProbeRow, SensorVolumeRow } from '../src/observe/index.js';
import { mulberry32 } from './prng.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * A port of the background: protocol, port and visits per hour to the default fleet of 8 sensors at
 * the low level (each sensor receives its eighth: a larger fleet sees more).
 */
export type BackgroundPort = readonly [proto: 'tcp' | 'udp', port: number, visitsPerHour: number];

/** The default ports: 445/tcp busiest, then a spread down to a few visits an hour. */
export const WORKING_DAY_PORTS: readonly BackgroundPort[] = [
  ['tcp', 445, 90],
  ['tcp', 135, 60],
  ['tcp', 139, 30],
  ['tcp', 22, 18],
  ['tcp', 80, 12],
  ['udp', 1434, 10],
  ['tcp', 23, 8],
  ['tcp', 3389, 5],
];

/** Extra probes for minute `m`: pushed into `probes` (a surge, a scanner…). */
export type ProbeInjection = (
  m: number,
  rng: () => number,
  probes: ProbeRow[],
  at: (sensor: number) => { sensor: string; dst: string },
) => void;

export interface WorkingDayOptions {
  /** First minute (UTC ms; a local midnight keeps the days aligned). */
  readonly startMs: number;
  readonly days: number;
  readonly seed?: number;
  /** Firewall sensors (default 8), named `wd-1`, `wd-2`, … */
  readonly sensors?: number;
  /** Rate multiplier during working hours (default 2.3). */
  readonly step?: number;
  /** Local working hours [from, to) (default 9–18). */
  readonly hours?: readonly [number, number];
  /** Offset of local time from UTC in minutes (default 540, JST). */
  readonly utcOffsetMinutes?: number;
  /** Rate multipliers by local day of the week, Monday first (default: every day 1). */
  readonly dayOfWeek?: readonly number[];
  readonly ports?: readonly BackgroundPort[];
  readonly inject?: ProbeInjection;
  /** Sensors (by index, 0-based) with no rows at all in minute `m`. */
  readonly silent?: (m: number, sensor: number) => boolean;
}

export const workingDaySensor = (i: number) => `wd-${i + 1}`;

/** The sensors' monitored IPv4 addresses (a /28 each), as coverage reads them. */
export function workingDayAddresses(sensors = 8): Map<string, number> {
  return new Map(Array.from({ length: sensors }, (_, i) => [workingDaySensor(i), 16]));
}

function poisson(rng: () => number, mu: number): number {
  const l = Math.exp(-mu);
  let k = 0;
  let p = rng();
  while (p > l) {
    k++;
    p *= rng();
  }
  return k;
}

const COUNTRIES = ['JP', 'JP', 'JP', 'CN', 'US', 'KR', 'TW', 'BR', 'RU', 'DE'] as const;

/** Host `i` of a port's pool: a fixed address, country and AS (a hash, no state). */
function host(port: number, i: number): { src: string; country: string; asn: number } {
  let h = Math.imul(port + 1, 0x9e3779b1) ^ Math.imul(i + 7, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  const a = h >>> 0;
  return {
    src: `${11 + (a % 200)}.${(a >>> 8) & 255}.${(a >>> 16) & 255}.${1 + ((a >>> 24) % 254)}`,
    country: COUNTRIES[i % COUNTRIES.length]!,
    asn: 65000 + (a % 97),
  };
}

/**
 * The rate multiplier of minute `m`: `step` in working hours, 1 otherwise, times the day of the
 * week's multiplier.
 */
export function workingDayFactor(o: WorkingDayOptions, m: number): number {
  const [from, to] = o.hours ?? [9, 18];
  const local = m + (o.utcOffsetMinutes ?? 540) * MINUTE_MS;
  const hour = Math.floor(local / HOUR_MS) % 24;
  // 1970-01-01 was a Thursday: day 0 is index 3 of a Monday-first week.
  const weekday = (Math.floor(local / (24 * HOUR_MS)) + 3) % 7;
  const week = o.dayOfWeek?.[weekday] ?? 1;
  return (hour >= from && hour < to ? (o.step ?? 2.3) : 1) * week;
}

/** The rows of every minute of the run, in order (one object per minute, probes and volume). */
export function* workingDayMinutes(
  o: WorkingDayOptions,
): Generator<{ minuteMs: number; probes: ProbeRow[]; volume: SensorVolumeRow[] }> {
  const rng = mulberry32(o.seed ?? 7);
  const sensors = o.sensors ?? 8;
  const ports = o.ports ?? WORKING_DAY_PORTS;
  const at = (s: number) => ({
    sensor: workingDaySensor(s),
    dst: `198.18.${s}.${Math.floor(rng() * 16)}`,
  });
  const end = o.startMs + o.days * 24 * HOUR_MS;
  for (let m = o.startMs; m < end; m += MINUTE_MS) {
    const f = workingDayFactor(o, m);
    const probes: ProbeRow[] = [];
    for (const [proto, port, perHour] of ports) {
      // A pool of about two days' visits at the low level; popularity u² (a few hosts often).
      const pool = perHour * 48;
      const k = poisson(rng, (perHour * f * sensors) / 8 / 60);
      for (let j = 0; j < k; j++) {
        const h = host(port, Math.floor(pool * rng() ** 2));
        const { sensor, dst } = at(Math.floor(rng() * sensors));
        probes.push({
          minuteMs: m,
          sensor,
          kind: 'firewall',
          proto,
          port,
          src: h.src,
          dst,
          country: h.country,
          asn: h.asn,
          packets: 1 + Math.floor(rng() * 3),
          udpPayload: false,
        });
      }
    }
    o.inject?.(m, rng, probes, at);
    const volume: SensorVolumeRow[] = [];
    const kept: ProbeRow[] = [];
    for (let s = 0; s < sensors; s++) {
      const name = workingDaySensor(s);
      if (o.silent?.(m, s)) continue;
      let own = 0;
      for (const p of probes) {
        if (p.sensor !== name) continue;
        own += p.packets;
        kept.push(p);
      }
      // Besides the probes counted above, each site logs other events (the same cycle).
      volume.push({ minuteMs: m, sensor: name, kind: 'firewall', packets: own + poisson(rng, 20 * f) });
    }
    yield { minuteMs: m, probes: kept, volume };
  }
}

/**
 * A surge to inject: new sources (never seen in the background's pools) on 139/tcp, one a minute
 * from `startMs` for `hours`, each probing one sensor of the fleet of `sensors`.
 */
export function surgeOn139(startMs: number, hours: number, sensors = 8): ProbeInjection {
  let k = 0;
  return (m, rng, probes, at) => {
    if (m < startMs || m >= startMs + hours * HOUR_MS) return;
    k++;
    probes.push({
      minuteMs: m,
      ...at(Math.floor(rng() * sensors)),
      kind: 'firewall',
      proto: 'tcp',
      port: 139,
      src: `77.${(k >> 8) & 255}.${k & 255}.9`,
      country: 'CN',
      asn: 4134 + (k % 5),
      packets: 1,
      udpPayload: false,
    });
  };
}
