/**
 * `data-gap`: the whole fleet's data is missing for a while — an import that skipped days, a center
 * that was down, history replayed later into a store — and then resumes. Every sensor records
 * nothing in it (background and other episodes alike). It is a condition of the data, not an event
 * to alert on: detectors must read it as missing, neither as a baseline of zero nor as every sensor
 * failing, and the first hour after it is not a surge (docs/methods.md#daily-and-weekly-cycles-gaps).
 * No detector is scored against it (its truth is `alert: false`), so an alert it causes counts
 * as a false one. Not part of `all`
 * (a default set stays as it was); asked for by name.
 *
 * Subject: `{ problem: "gap" }`. Magnitude: the gap's length in hours, from 1 hour (weak) to three
 * days (strong).
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

export const dataGap: Scenario = {
  kind: 'data-gap',

  plan(env: ScenarioEnv, slot: EpisodeSlot, rng): EpisodePlan {
    const startMs = Math.floor(slot.earliestMs + rng.float() * (slot.latestMs - slot.earliestMs));
    const hours = sig3(geometric(1, 72, slot.strength));
    const endMs = startMs + Math.floor(fitDuration(startMs, env.endMs, hours * HOUR_MS, HOUR_MS / 2));
    return {
      index: slot.index,
      id: `data-gap-${slot.ordinal + 1}`,
      kind: 'data-gap',
      ordinal: slot.ordinal,
      startMs,
      endMs,
      strength: slot.strength,
      magnitude: sig3((endMs - startMs) / HOUR_MS),
      subject: { problem: 'gap' },
      // Not an event to alert on (docs/methods.md#gaps-in-the-data-are-not-alerts).
      alert: false,
      params: { label: labelId('data-gap') },
    };
  },

  runtime(plan: EpisodePlan): ScenarioRuntime {
    return {
      emit() {
        // Adds nothing: the gap removes what every sensor would have recorded (see `silence`).
      },
      silence(_sensor, hourStartMs) {
        const a = Math.max(plan.startMs, hourStartMs);
        const b = Math.min(plan.endMs, hourStartMs + HOUR_MS);
        return b > a ? [a, b] : null;
      },
    };
  },
};
