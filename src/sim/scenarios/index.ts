/**
 * The scenario registry and episode planning: which episodes a run injects, when, and how strong.
 * Episodes of one kind are spread over the run after a warm-up (each in its own stretch of time, at a
 * pseudo-random point in it) with strengths from weak (near the noise) to strong, shuffled; all of it
 * follows from the seed, so truth.json is known before a packet is generated.
 */
import { labelId, Rng } from '../prng.js';
import { backscatter } from './backscatter.js';
import { botnetInfection } from './botnet-infection.js';
import { dataGap } from './data-gap.js';
import { inboundFlood } from './inbound-flood.js';
import { messengerSpamScenario } from './messenger-spam.js';
import { portSurge } from './port-surge.js';
import { scan } from './scan.js';
import { sensorOutage } from './sensor-outage.js';
import {
  type EpisodePlan,
  SCENARIO_KINDS,
  type Scenario,
  type ScenarioEnv,
  type ScenarioKind,
} from './types.js';
import { wormOutbreak } from './worm-outbreak.js';

export {
  ALL_SCENARIO_KINDS,
  type EpisodePlan,
  isScenarioKind,
  type Json,
  SCENARIO_KINDS,
  type ScenarioEnv,
  type ScenarioKind,
  type ScenarioRuntime,
} from './types.js';
export { OUTBREAK_SCAN_RATE } from './worm-outbreak.js';

export const SCENARIOS: Readonly<Record<ScenarioKind, Scenario>> = {
  'port-surge': portSurge,
  backscatter,
  scan,
  'worm-outbreak': wormOutbreak,
  'messenger-spam': messengerSpamScenario,
  'botnet-infection': botnetInfection,
  'sensor-outage': sensorOutage,
  'data-gap': dataGap,
  'inbound-flood': inboundFlood,
};

/** One scenario to inject. */
export interface ScenarioRequest {
  readonly kind: ScenarioKind;
  /** Episodes of this kind (default: the run's `episodes`). */
  readonly episodes?: number;
  /**
   * Fixed strength in [0, 1] for every episode of this kind (0 weak … 1 strong). Default: spread
   * from 0 to 1 over the episodes (one episode: drawn from 0.35–1).
   */
  readonly strength?: number;
}

/** Plans every requested episode; indexes follow the order of SCENARIO_KINDS, then ordinal. */
export function planEpisodes(
  env: ScenarioEnv,
  requests: readonly ScenarioRequest[],
  defaultEpisodes: number,
  warmupMs: number,
): EpisodePlan[] {
  const plans: EpisodePlan[] = [];
  const ws = Math.min(env.startMs + warmupMs, env.endMs);
  // Leave room after the last start so even the latest episode shows for a while.
  const we = Math.max(ws, env.endMs - Math.min(6 * 3_600_000, (env.endMs - ws) / 10));
  for (const kind of SCENARIO_KINDS) {
    const req = requests.find((r) => r.kind === kind);
    if (!req) continue;
    const k = req.episodes ?? defaultEpisodes;
    const rng = new Rng(env.seed, labelId(`plan ${kind}`));
    let strengths: number[];
    if (req.strength !== undefined) strengths = new Array<number>(k).fill(req.strength);
    else if (k === 1) strengths = [0.35 + 0.65 * rng.float()];
    else strengths = rng.shuffle(Array.from({ length: k }, (_, i) => i / (k - 1)));
    for (let ordinal = 0; ordinal < k; ordinal++) {
      const earliestMs = ws + ((we - ws) * ordinal) / k;
      const latestMs = ws + ((we - ws) * (ordinal + 1)) / k;
      plans.push(
        SCENARIOS[kind].plan(
          env,
          { index: plans.length, ordinal, earliestMs, latestMs, strength: strengths[ordinal]! },
          rng,
        ),
      );
    }
  }
  return plans;
}
