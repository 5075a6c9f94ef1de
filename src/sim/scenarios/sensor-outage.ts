/**
 * `sensor-outage`: one sensor records nothing for a while — a crashed agent, a full disk, a cut
 * link — and then carries on (what a sensor-health check must notice, and what every other detector
 * must not mistake for an attack ending or a port going quiet: docs/methods.md#coverage).
 * Everything the sensor would have logged in the outage (background and other episodes alike) is
 * missing from its files; the rest of the fleet goes on as usual.
 *
 * Subject: `{ sensor, problem: "silent" }`. Magnitude: the outage's length in hours, from 1 hour
 * (weak) to a day (strong).
 */
import { labelId } from '../prng.js';
import {
  type EpisodePlan,
  type EpisodeSlot,
  fitDuration,
  geometric,
  HOUR_MS,
  type Scenario,
  type ScenarioEnv,
  type ScenarioRuntime,
  sig3,
} from './types.js';

export const sensorOutage: Scenario = {
  kind: 'sensor-outage',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng): EpisodePlan {
    const sensor = env.fleet[rng.int(env.fleet.length)]!;
    const startMs = Math.floor(slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs));
    const hours = sig3(geometric(1, 24, slot.strength));
    const endMs = startMs + Math.floor(fitDuration(startMs, env.endMs, hours * HOUR_MS, HOUR_MS / 2));
    return {
      index: slot.index,
      id: `sensor-outage-${slot.ordinal + 1}`,
      kind: 'sensor-outage',
      ordinal: slot.ordinal,
      startMs,
      endMs,
      strength: slot.strength,
      magnitude: sig3((endMs - startMs) / HOUR_MS),
      subject: { sensor: sensor.name, problem: 'silent' },
      params: { sensor_index: sensor.index, label: labelId('sensor-outage') },
    };
  },

  runtime(plan: EpisodePlan): ScenarioRuntime {
    const index = plan.params.sensor_index as number;
    return {
      emit() {
        // Adds nothing: the outage removes what the sensor would have recorded (see `silence`).
      },
      silence(sensor, hourStartMs) {
        if (sensor.index !== index) return null;
        const a = Math.max(plan.startMs, hourStartMs);
        const b = Math.min(plan.endMs, hourStartMs + HOUR_MS);
        return b > a ? [a, b] : null;
      },
    };
  },
};
