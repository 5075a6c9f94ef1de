/**
 * `port-surge`: from the episode's start, new sources start probing one TCP port and the number of
 * distinct sources on it rises several-fold — the 139/TCP rise from 18 August 2006 after the MS06-040
 * advisory (seed 000 figure 2.9), or the domestic bursts when an exploit is added to bots (§2.2.2).
 * The added traffic comes from a fresh population of hosts (domestic only, or worm-like countries),
 * each visiting a sensor about once a day, so the rise is in distinct sources, not only in packets.
 * It ramps up over 6 hours, holds, and fades over the last fifth of the episode.
 *
 * Subject: `{ proto: "tcp", port, domestic_only }`. Magnitude: the multiplier of source visits
 * (source→sensor contacts) on the port over the baseline at the plateau; since every added visit
 * comes from a host of the new population, distinct sources grow by at least about as much.
 * `added_sources` (in params, reported in truth as `expected_added_sources_per_day`) is that
 * population's size.
 */
import { DAY_MS } from '../../core/index.js';
import { type CountryMix, countryMix, DOMESTIC_COUNTRY } from '../country-space.js';
import { poolHost } from '../hosts.js';
import { labelId, Rng } from '../prng.js';
import type { SimSensor } from '../sensors.js';
import {
  type EpisodePlan,
  type EpisodeSlot,
  fitDuration,
  geometric,
  HOUR_MS,
  overlap,
  type Scenario,
  type ScenarioEnv,
  type ScenarioRuntime,
  sig3,
} from './types.js';

/** Ports a surge may hit after the first (139/TCP) one. */
const SURGE_PORTS = [445, 135, 1433, 22, 3389, 80, 5900, 4899, 2967, 1025, 8080];

const RAMP_UP_MS = 6 * HOUR_MS;

/** The family whose baseline covers `port`, and the port's weight within it. */
function baselineOf(env: ScenarioEnv, port: number): { family: number; fraction: number } {
  for (const f of env.prepared.families) {
    if (f.family.kind !== 'tcp-syn') continue;
    const total = f.family.ports.reduce((a, [, w]) => a + w, 0);
    const w = f.family.ports.find(([p]) => p === port)?.[1];
    if (w !== undefined) return { family: f.id, fraction: w / total };
  }
  const probes = env.prepared.families.find((f) => f.family.kind === 'tcp-syn') ?? env.prepared.families[0]!;
  return { family: probes.id, fraction: 0 };
}

/** Baseline visits per hour on the port at a sensor; floored at one a day so any port can surge. */
function baselineVisits(
  env: ScenarioEnv,
  family: number,
  fraction: number,
  s: SimSensor,
  hourMs: number,
): number {
  const f = env.prepared.families[family]!;
  return Math.max(env.background.expectedVisits(f, s, hourMs) * fraction, 1 / 24);
}

/** Multiplier at time t: ramps to `m` over RAMP_UP_MS, holds, fades over the last fifth. */
function multiplierAt(plan: EpisodePlan, m: number, t: number): number {
  const d = plan.endMs - plan.startMs;
  const up = Math.min(1, (t - plan.startMs) / Math.min(RAMP_UP_MS, d / 3));
  const fadeStart = plan.endMs - d / 5;
  const down = t > fadeStart ? Math.max(0, (plan.endMs - t) / (d / 5)) : 1;
  return 1 + (m - 1) * Math.max(0, Math.min(up, down));
}

export const portSurge: Scenario = {
  kind: 'port-surge',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng: Rng): EpisodePlan {
    const port = slot.ordinal === 0 ? 139 : SURGE_PORTS[rng.int(SURGE_PORTS.length)]!;
    const domestic = rng.chance(0.5);
    const multiplier = sig3(geometric(1.25, 8, slot.strength));
    const startMs = slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs);
    const endMs = startMs + fitDuration(startMs, env.endMs, (2 + 8 * rng.float()) * DAY_MS, 6 * HOUR_MS);
    const { family, fraction } = baselineOf(env, port);
    // Added visits per day over the fleet at the plateau, mid-week: the new population is sized so
    // each of its hosts makes about one visit a day.
    let perDay = 0;
    for (const s of env.fleet)
      for (let h = 0; h < 24; h++) perDay += baselineVisits(env, family, fraction, s, startMs + h * HOUR_MS);
    const added = Math.max(16, Math.round((multiplier - 1) * perDay));
    return {
      index: slot.index,
      id: `port-surge-${slot.ordinal + 1}`,
      kind: 'port-surge',
      ordinal: slot.ordinal,
      startMs: Math.floor(startMs),
      endMs: Math.floor(endMs),
      strength: slot.strength,
      magnitude: multiplier,
      subject: { proto: 'tcp', port, domestic_only: domestic },
      params: { family, fraction, added_sources: added },
    };
  },

  runtime(plan: EpisodePlan, env: ScenarioEnv): ScenarioRuntime {
    const port = plan.subject.port as number;
    const family = plan.params.family as number;
    const fraction = plan.params.fraction as number;
    const hosts = plan.params.added_sources as number;
    const f = env.prepared.families[family]!;
    const mix: CountryMix = plan.subject.domestic_only ? countryMix({ [DOMESTIC_COUNTRY]: 1 }) : f.countries;
    const pool = labelId('port-surge') ^ plan.index;
    return {
      emit(sensor, hourStartMs, buf, ids) {
        const o = overlap(plan.startMs, plan.endMs, hourStartMs, hourStartMs + HOUR_MS);
        if (!o) return;
        const m = multiplierAt(plan, plan.magnitude, (o[0] + o[1]) / 2);
        const base = baselineVisits(env, family, fraction, sensor, hourStartMs);
        const rng = new Rng(env.seed, 0x5e00 ^ plan.index, sensor.index, Math.floor(hourStartMs / HOUR_MS));
        const n = rng.poisson(((m - 1) * base * (o[1] - o[0])) / HOUR_MS);
        for (let v = 0; v < n; v++) {
          const t0 = Math.floor((o[0] + rng.float() * (o[1] - o[0])) * 1000);
          const src = poolHost(env.seed, pool, rng.int(hosts), 0, mix);
          if (src >= sensor.base && src < sensor.base + sensor.size) continue;
          env.background.visit(f, sensor, src, t0, plan.endMs * 1000, rng, buf, ids, plan.index, port);
        }
      },
    };
  },
};
