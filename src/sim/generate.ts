/**
 * The generation loop for a set of sensors: for each sensor, hour by hour, background packets plus
 * every episode's packets into one buffer, sorted by time, written by that sensor's writers (packets
 * that fall after the hour — retransmissions of late visits — carry over into the next one). Memory
 * is one hour of one sensor's packets plus the writers' buffers, whatever the run's length and rate.
 * Runs in the main thread or in a worker; the output is the same either way.
 */
import { HOUR_MS } from '../core/index.js';
import { prepareBackground } from './background.js';
import { EventBuffer, sortByTime, type TimeOrder } from './event-buffer.js';
import type { ResolvedOptions, SimFormat } from './options.js';
import { standardPayloads } from './payloads.js';
import { labelId, Rng, rootSeed } from './prng.js';
import {
  type EpisodePlan,
  planEpisodes,
  SCENARIOS,
  type ScenarioEnv,
  type ScenarioRuntime,
} from './scenarios/index.js';
import { type FileResult, SensorOutput } from './sensor-output.js';
import { buildFleet, monitoredAddresses, type SimSensor } from './sensors.js';
import { BASE_SIGNATURES, outbreakSignature, type Signature } from './signatures.js';
import { BackgroundGenerator } from './traffic.js';

/** Sources remembered per episode (for truth.json's observed source counts and botnet sources). */
export const MAX_EPISODE_SOURCES = 200_000;

/** Everything the generation needs, rebuilt identically from the resolved options in each thread. */
export interface SimulationRun {
  readonly options: ResolvedOptions;
  readonly root: number;
  readonly fleet: readonly SimSensor[];
  readonly env: ScenarioEnv;
  readonly plans: readonly EpisodePlan[];
  readonly runtimes: readonly ScenarioRuntime[];
  readonly signatures: readonly Signature[];
}

export function buildRun(options: ResolvedOptions): SimulationRun {
  const root = rootSeed(options.seed);
  const fleet = buildFleet(root, options.fleet);
  const prepared = prepareBackground(options.background);
  const payloads = standardPayloads();
  const background = new BackgroundGenerator(prepared, root, options.ratePerSensorPerDay, payloads);
  const env: ScenarioEnv = {
    seed: root,
    fleet,
    startMs: options.startMs,
    endMs: options.endMs,
    monitored: monitoredAddresses(fleet),
    background,
    prepared,
    payloads,
  };
  const plans = planEpisodes(env, options.scenarios, options.episodes, options.warmupDays * 86_400_000);
  const runtimes = plans.map((p) => SCENARIOS[p.kind].runtime(p, env));
  const signatures = [
    ...BASE_SIGNATURES,
    ...plans
      .filter((p) => p.kind === 'worm-outbreak')
      .map((p) => outbreakSignature(p.subject.signature_id as number, p.subject.family as string)),
  ];
  return { options, root, fleet, env, plans, runtimes, signatures };
}

export interface SensorResult {
  readonly index: number;
  readonly files: readonly FileResult[];
  /** Packets written (firewall log lines or captured packets). */
  readonly events: number;
  readonly alerts: number;
}

export interface EpisodeStats {
  events: number;
  alerts: number;
  sensors: string[];
  sources: number[];
}

/** Which writers a sensor has under the chosen formats. */
export function sensorFormats(sensor: SimSensor, formats: readonly SimFormat[]): SimFormat[] {
  const want: SimFormat[] = sensor.site === 'darknet' ? ['pcap'] : ['iptables', 'eve'];
  return want.filter((f) => formats.includes(f));
}

const BG_STREAM = labelId('background');

/** Per-episode counts of what reached the written files. */
class EpisodeTally {
  private readonly stats: EpisodeStats[];
  private readonly sources: Set<number>[];
  private readonly sensors: Set<string>[];

  constructor(episodes: number) {
    this.stats = Array.from({ length: episodes }, () => ({ events: 0, alerts: 0, sensors: [], sources: [] }));
    this.sources = Array.from({ length: episodes }, () => new Set<number>());
    this.sensors = Array.from({ length: episodes }, () => new Set<string>());
  }

  add(
    buf: EventBuffer,
    order: Uint32Array,
    n: number,
    sensor: string,
    packets: boolean,
    alerts: boolean,
  ): void {
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      const e = buf.episode[i]!;
      if (e < 0) continue;
      const alerted = alerts && buf.alert[i]! >= 0;
      if (!packets && !alerted) continue;
      const st = this.stats[e]!;
      if (packets) st.events++;
      if (alerted) st.alerts++;
      this.sensors[e]!.add(sensor);
      const ss = this.sources[e]!;
      if (ss.size < MAX_EPISODE_SOURCES) ss.add(buf.src[i]!);
    }
  }

  result(): EpisodeStats[] {
    return this.stats.map((s, e) => ({
      ...s,
      sensors: [...this.sensors[e]!],
      sources: [...this.sources[e]!],
    }));
  }
}

/** Reusable per-thread scratch: the hour's buffer, the carry-over and the sort arrays. */
class HourScratch {
  readonly buf = new EventBuffer(8192);
  readonly carry = new EventBuffer(256);
  order = new Uint32Array(8192);
  keys = new Float64Array(8192);

  fit(n: number): void {
    if (this.order.length < n) {
      this.order = new Uint32Array(n * 2);
      this.keys = new Float64Array(n * 2);
    }
  }
}

/** One sensor, hour by hour, into its files. */
function generateSensor(
  run: SimulationRun,
  sensor: SimSensor,
  out: SensorOutput,
  scratch: HourScratch,
  tally: EpisodeTally,
  onProgress?: (sensorHours: number, events: number) => void,
): SensorResult {
  const { options, env, runtimes } = run;
  const hours = Math.ceil((options.endMs - options.startMs) / HOUR_MS);
  const endUs = options.endMs * 1000;
  const ids = sensor.site === 'firewall-ids';
  const { buf, carry } = scratch;
  const time: TimeOrder = { lastUs: -1 };
  carry.clear();
  let events = 0;
  let alerts = 0;
  for (let h = 0; h < hours; h++) {
    const hourStartMs = options.startMs + h * HOUR_MS;
    if (h % 24 === 0) out.markDay(hourStartMs);
    buf.clear();
    // Retransmissions of visits that began late in the previous hour come first.
    for (let i = 0; i < carry.length; i++) buf.append(carry, i);
    carry.clear();
    const rng = new Rng(run.root, BG_STREAM, sensor.index, Math.floor(hourStartMs / HOUR_MS));
    env.background.generate(sensor, hourStartMs, rng, buf, ids);
    for (const rt of runtimes) rt.emit(sensor, hourStartMs, buf, ids);
    scratch.fit(buf.length);
    const hourEndUs = (hourStartMs + HOUR_MS) * 1000;
    let n = sortByTime(
      buf,
      hourStartMs * 1000,
      Math.min(hourEndUs, endUs),
      scratch.order,
      scratch.keys,
      time,
    );
    // Outages: the sensor records nothing in them (carried retransmissions included).
    for (const rt of runtimes) {
      const off = rt.silence?.(sensor, hourStartMs);
      if (!off) continue;
      const [a, b] = [off[0] * 1000, off[1] * 1000];
      let w = 0;
      for (let i = 0; i < n; i++) {
        const k = scratch.order[i]!;
        const t = buf.t[k]!;
        if (t < a || t >= b) scratch.order[w++] = k;
      }
      n = w;
    }
    if (hourEndUs < endUs)
      for (let i = 0; i < buf.length; i++) if (buf.t[i]! >= hourEndUs) carry.append(buf, i);
    alerts += out.write(buf, scratch.order, n);
    tally.add(buf, scratch.order, n, sensor.name, out.packetsWritten, out.alertsWritten);
    if (out.packetsWritten) events += n;
    onProgress?.(1, out.packetsWritten ? n : 0);
  }
  return { index: sensor.index, files: out.close(), events, alerts };
}

/**
 * Generates the given sensors' files. `onProgress` is called with sensor-hours done and packets
 * written since the last call. Returns per-sensor results and per-episode statistics (indexed like
 * `run.plans`).
 */
export function generateSensors(
  run: SimulationRun,
  sensorIndexes: readonly number[],
  onProgress?: (sensorHours: number, events: number) => void,
): { sensors: SensorResult[]; episodes: EpisodeStats[] } {
  const { options, fleet } = run;
  const tally = new EpisodeTally(run.plans.length);
  const scratch = new HourScratch();
  const hours = Math.ceil((options.endMs - options.startMs) / HOUR_MS);
  const results: SensorResult[] = [];
  for (const si of sensorIndexes) {
    const sensor = fleet[si]!;
    const formats = sensorFormats(sensor, options.formats);
    if (formats.length === 0) {
      results.push({ index: si, files: [], events: 0, alerts: 0 });
      onProgress?.(hours, 0);
      continue;
    }
    const out = new SensorOutput(run, sensor, formats);
    results.push(generateSensor(run, sensor, out, scratch, tally, onProgress));
  }
  return { sensors: results, episodes: tally.result() };
}
