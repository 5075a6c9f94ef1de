/**
 * The simulator's options, their documented defaults, and their resolution into the plain data a
 * worker thread receives.
 */
import { KobanError, parseDateArg } from '../core/index.js';
import { type BackgroundOptions, type DailyCycle, dailyCycleProfile } from './background.js';
import { DEFAULT_BACKGROUND } from './background-defaults.js';
import {
  ALL_SCENARIO_KINDS,
  isScenarioKind,
  SCENARIO_KINDS,
  type ScenarioKind,
  type ScenarioRequest,
} from './scenarios/index.js';
import { DEFAULT_FLEET, type FleetOptions } from './sensors.js';

export const SIM_FORMATS = ['iptables', 'eve', 'pcap'] as const;
/** Output formats: netfilter log and EVE alerts at firewall+IDS sites, pcap at darknet sensors. */
export type SimFormat = (typeof SIM_FORMATS)[number];

export interface SimulationProgress {
  /** Sensor-hours generated so far, and in all. */
  readonly done: number;
  readonly total: number;
  readonly events: number;
}

export interface SimulationOptions {
  /** Output directory (created; must be empty or hold an earlier simulation). */
  readonly outDir: string;
  /** Sensors (default 57, the annual report §2, docs/background.md#observation). */
  readonly sensors?: number;
  /** Days simulated (default 30). */
  readonly days?: number;
  /**
   * Start: a date or ISO 8601 date-time (read in JST when it has no offset) or UTC ms. Default
   * 2006-08-01 (JST), so a 30-day run covers the month of the annual report's 139/TCP rise.
   */
  readonly start?: string | number;
  /** Seed (a non-negative safe integer; default 1). Same seed and options → byte-identical output. */
  readonly seed?: number;
  /**
   * Mean packets (firewall log lines / captured packets) per sensor per day, before scenarios
   * (default 5,000: a dense sample; the annual report §1.1, docs/background.md#observation reports about one access every 3 minutes per site,
   * ≈ 480 a day, in 2006 — use `--rate 480` for that level).
   */
  readonly ratePerSensorPerDay?: number;
  /** Scenarios to inject: kinds, `all`, or requests with their own episode count and strength. */
  readonly scenarios?: readonly (ScenarioKind | 'all' | ScenarioRequest)[];
  /** Episodes per scenario (default 1). */
  readonly episodes?: number;
  /** Formats written (default all three). */
  readonly formats?: readonly SimFormat[];
  /** Days at the start without episodes, a baseline for detectors (default: a quarter of the run, ≤ 7). */
  readonly warmupDays?: number;
  /** Background model overrides (default {@link DEFAULT_BACKGROUND}). */
  readonly background?: Partial<BackgroundOptions>;
  /**
   * The background's daily cycle by name (background.ts `DAILY_CYCLES`): sets
   * `background.hourOfDay`. Default: the `evening` shape, today's output unchanged.
   */
  readonly dailyCycle?: DailyCycle;
  /** Fleet layout overrides (default {@link DEFAULT_FLEET}). */
  readonly fleet?: Partial<Omit<FleetOptions, 'count'>>;
  /**
   * Worker threads (default: 2 when running compiled JavaScript and there are several sensors, else
   * 0 = in this thread). The output does not depend on it.
   */
  readonly workers?: number;
  readonly onProgress?: (p: SimulationProgress) => void;
}

/** Options after defaults, as plain data (what workers receive and the manifest records). */
export interface ResolvedOptions {
  readonly outDir: string;
  readonly sensors: number;
  readonly days: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly seed: number;
  readonly ratePerSensorPerDay: number;
  readonly scenarios: readonly ScenarioRequest[];
  readonly episodes: number;
  readonly formats: readonly SimFormat[];
  readonly warmupDays: number;
  readonly background: BackgroundOptions;
  /** The named daily cycle asked for, or null (the background's `hourOfDay` as given). */
  readonly dailyCycle: DailyCycle | null;
  readonly fleet: FleetOptions;
}

export const DEFAULT_START = '2006-08-01';
export const DEFAULT_RATE = 5000;
const JST_MINUTES = 540;

function usage(msg: string): never {
  throw new KobanError('E_USAGE', msg);
}

export function resolveOptions(o: SimulationOptions): ResolvedOptions {
  const sensors = o.sensors ?? DEFAULT_FLEET.count;
  if (!Number.isInteger(sensors) || sensors < 1 || sensors > 10_000)
    usage('--sensors must be an integer in 1–10000');
  const days = o.days ?? 30;
  if (!(days > 0) || days > 3660) usage('--days must be a positive number of days (at most 3660)');
  const seed = o.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) usage('--seed must be a non-negative integer');
  const rate = o.ratePerSensorPerDay ?? DEFAULT_RATE;
  if (!(rate >= 0) || !Number.isFinite(rate)) usage('--rate must be a non-negative number');
  const episodes = o.episodes ?? 1;
  if (!Number.isInteger(episodes) || episodes < 0 || episodes > 1000)
    usage('--episodes must be an integer in 0–1000');
  if (o.dailyCycle && o.background?.hourOfDay)
    usage('give either a daily cycle or the background hourOfDay multipliers, not both');
  let background = { ...DEFAULT_BACKGROUND, ...o.background };
  if (o.dailyCycle) {
    try {
      background = { ...background, hourOfDay: dailyCycleProfile(o.dailyCycle) };
    } catch (e) {
      usage(`--daily-cycle: ${(e as Error).message}`);
    }
  }
  const startMs =
    typeof o.start === 'number'
      ? o.start
      : parseDateArg(o.start ?? DEFAULT_START, background.utcOffsetMinutes ?? JST_MINUTES);
  const endMs = startMs + Math.round(days * 86_400_000);
  const formats = [...new Set(o.formats ?? SIM_FORMATS)];
  for (const f of formats)
    if (!(SIM_FORMATS as readonly string[]).includes(f)) usage(`unknown format "${f}"`);
  const requests: ScenarioRequest[] = [];
  for (const s of o.scenarios ?? []) {
    const list: ScenarioRequest[] =
      s === 'all'
        ? ALL_SCENARIO_KINDS.map((kind) => ({ kind }))
        : typeof s === 'string'
          ? isScenarioKind(s)
            ? [{ kind: s }]
            : usage(`unknown scenario "${s}" (${SCENARIO_KINDS.join(', ')}, all)`)
          : [s];
    for (const r of list) {
      if (!isScenarioKind(r.kind)) usage(`unknown scenario "${r.kind}"`);
      if (r.strength !== undefined && !(r.strength >= 0 && r.strength <= 1)) {
        usage('scenario strength must be in 0–1');
      }
      if (
        r.episodes !== undefined &&
        !(Number.isInteger(r.episodes) && r.episodes >= 0 && r.episodes <= 1000)
      ) {
        usage('scenario episodes must be an integer in 0–1000');
      }
      if (!requests.some((x) => x.kind === r.kind)) requests.push(r);
    }
  }
  const warmupDays = o.warmupDays ?? Math.min(7, days / 4);
  if (!(warmupDays >= 0)) usage('warm-up days must be non-negative');
  return {
    outDir: o.outDir,
    sensors,
    days,
    startMs,
    endMs,
    seed,
    ratePerSensorPerDay: rate,
    scenarios: requests,
    episodes,
    formats,
    warmupDays,
    background,
    dailyCycle: o.dailyCycle ?? null,
    fleet: { ...DEFAULT_FLEET, ...o.fleet, count: sensors },
  };
}
