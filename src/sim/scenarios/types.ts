/**
 * What every scenario provides: `plan` decides an episode (its times, subject and magnitude — what
 * truth.json records) from the seed alone; `runtime` turns a plan into packets, one sensor-hour at a
 * time, and is rebuilt from the plan in every worker, so plans are plain data.
 */
import type { PreparedBackground } from '../background.js';
import type { EventBuffer } from '../event-buffer.js';
import type { StandardPayloads } from '../payloads.js';
import type { Rng } from '../prng.js';
import type { SimSensor } from '../sensors.js';
import type { BackgroundGenerator } from '../traffic.js';

export const SCENARIO_KINDS = [
  'port-surge',
  'backscatter',
  'scan',
  'worm-outbreak',
  'messenger-spam',
  'botnet-infection',
  'sensor-outage',
  'data-gap',
  'inbound-flood',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

/**
 * What `all` stands for: every kind but `data-gap`, a condition of the data rather than an event
 * (so a set made with `all` stays what it was before gaps could be simulated).
 */
export const ALL_SCENARIO_KINDS: readonly ScenarioKind[] = SCENARIO_KINDS.filter((k) => k !== 'data-gap');

export function isScenarioKind(s: string): s is ScenarioKind {
  return (SCENARIO_KINDS as readonly string[]).includes(s);
}

/** JSON-safe values (what subjects and plan parameters are made of). */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };

export interface EpisodePlan {
  /** Position in truth.json's `episodes` (also the tag packets carry). */
  readonly index: number;
  /** `<kind>-<n>`, n counting from 1 per kind. */
  readonly id: string;
  readonly kind: ScenarioKind;
  /** n − 1: the episode's rank among its kind's episodes. */
  readonly ordinal: number;
  readonly startMs: number;
  readonly endMs: number;
  /** 0 (weak, near the noise) … 1 (strong); how magnitude was chosen. */
  readonly strength: number;
  readonly magnitude: number;
  /**
   * Whether the episode deserves an operator alert (docs/methods.md#what-deserves-an-alert);
   * false: it is a statistic — listed as data, neither expected nor counted as missed by evaluation.
   * Absent: true.
   */
  readonly alert?: boolean;
  /** What truth.json says the episode is about (snake_case keys, JSON values). */
  readonly subject: { readonly [k: string]: Json };
  /** Everything else the runtime needs, as JSON. */
  readonly params: { readonly [k: string]: Json };
}

/** What scenarios may read: the fleet, the background model and the run's payload table. */
export interface ScenarioEnv {
  readonly seed: number;
  readonly fleet: readonly SimSensor[];
  readonly startMs: number;
  readonly endMs: number;
  /** IPv4 addresses the fleet monitors. */
  readonly monitored: number;
  readonly background: BackgroundGenerator;
  readonly prepared: PreparedBackground;
  readonly payloads: StandardPayloads;
}

/** Where an episode may be placed and how strong it is. */
export interface EpisodeSlot {
  readonly index: number;
  readonly ordinal: number;
  /** Earliest and latest start (UTC ms). */
  readonly earliestMs: number;
  readonly latestMs: number;
  readonly strength: number;
}

export interface ScenarioRuntime {
  /** Appends the episode's packets at `sensor` in [hourStartMs, hourStartMs + 1 h). */
  emit(sensor: SimSensor, hourStartMs: number, buf: EventBuffer, ids: boolean): void;
  /**
   * The part of [hourStartMs, hourStartMs + 1 h) in which `sensor` records nothing at all (an
   * outage), or null. Whatever falls in it — background and every episode — is not written.
   */
  silence?(sensor: SimSensor, hourStartMs: number): [number, number] | null;
}

export interface Scenario {
  readonly kind: ScenarioKind;
  plan(env: ScenarioEnv, slot: EpisodeSlot, rng: Rng): EpisodePlan;
  runtime(plan: EpisodePlan, env: ScenarioEnv): ScenarioRuntime;
}

/** Overlap of [a0, a1) and [b0, b1), or null. */
export function overlap(a0: number, a1: number, b0: number, b1: number): [number, number] | null {
  const s = Math.max(a0, b0);
  const e = Math.min(a1, b1);
  return e > s ? [s, e] : null;
}

/** Geometric interpolation: lo at strength 0, hi at strength 1. */
export function geometric(lo: number, hi: number, strength: number): number {
  return lo * (hi / lo) ** strength;
}

/** Three significant digits, as magnitudes are recorded. */
export function sig3(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(3));
}

export { HOUR_MS, MINUTE_MS } from '../../core/index.js';

/** A duration that fits between `startMs` and `limitMs`, at least `minMs` when possible. */
export function fitDuration(startMs: number, limitMs: number, wantedMs: number, minMs: number): number {
  return Math.max(Math.min(wantedMs, limitMs - startMs), Math.min(minMs, limitMs - startMs));
}
