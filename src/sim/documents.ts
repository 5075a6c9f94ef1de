/**
 * The documents beside the sensor files: manifest.json (what was generated, where, and how to replay
 * it), truth.json (the episodes, with what reached the files) and README.txt (this is simulated).
 */
import { formatUtcOffset, ipv4ToString } from '../core/index.js';
import type { EpisodeStats, SensorResult, SimulationRun } from './generate.js';
import type { ResolvedOptions } from './options.js';
import { FILE_NAMES } from './sensor-output.js';
import { DETAIL_KEYS, MAGNITUDE_UNITS, type Truth, type TruthEpisode, TruthSchema } from './truth.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export interface ManifestFile {
  readonly format: 'iptables' | 'eve' | 'pcap';
  readonly path: string;
  /** Data records (log lines, alerts, packets), not counting the notice line of text files. */
  readonly records: number;
  readonly bytes: number;
  readonly first: string | null;
  readonly last: string | null;
  /** Start of each day of the run: byte offset of its first record and records before it. */
  readonly index: readonly { readonly time: string; readonly offset: number; readonly record: number }[];
}

export interface ManifestSensor {
  readonly name: string;
  readonly site: 'firewall-ids' | 'darknet';
  readonly blocks: readonly string[];
  readonly addresses: number;
  readonly activity: number;
  readonly files: readonly ManifestFile[];
}

export interface Manifest {
  readonly simulated: true;
  readonly generator: string;
  readonly format_version: 1;
  readonly seed: number;
  readonly start: string;
  readonly end: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly monitored_addresses: number;
  readonly layout: Readonly<Record<string, unknown>>;
  readonly totals: { readonly events: number; readonly alerts: number; readonly bytes: number };
  readonly sensors: readonly ManifestSensor[];
}

export const GENERATOR = 'koban simulate';

export function buildTruth(run: SimulationRun, stats: readonly EpisodeStats[]): Truth {
  const order = new Map(run.fleet.map((s) => [s.name, s.index]));
  const episodes = run.plans.map((p, e) => {
    const st = stats[e]!;
    const sources = [...st.sources].sort((a, b) => a - b);
    const subject =
      p.kind === 'botnet-infection' ? { ...p.subject, sources: sources.map(ipv4ToString) } : p.subject;
    const details: Record<string, number | string> = {};
    for (const [from, to] of Object.entries(DETAIL_KEYS[p.kind])) {
      const v = p.params[from];
      if (typeof v === 'number' || typeof v === 'string') details[to] = v;
    }
    return {
      id: p.id,
      kind: p.kind,
      start: iso(p.startMs),
      end: iso(p.endMs),
      subject,
      magnitude: p.magnitude,
      magnitude_unit: MAGNITUDE_UNITS[p.kind],
      strength: Math.round(p.strength * 1000) / 1000,
      alert: p.alert ?? true,
      details,
      ...(p.alert === undefined ? {} : { alert: p.alert }),
      observed: {
        events: st.events,
        alerts: st.alerts,
        sensors: [...st.sensors].sort((a, b) => order.get(a)! - order.get(b)!),
        sources: sources.length,
      },
    } as TruthEpisode;
  });
  const truth: Truth = {
    simulated: true,
    generator: GENERATOR,
    seed: run.options.seed,
    start: iso(run.options.startMs),
    end: iso(run.options.endMs),
    monitored_addresses: run.env.monitored,
    episodes,
  };
  return TruthSchema.parse(truth);
}

function optionsRecord(o: ResolvedOptions): Record<string, unknown> {
  return {
    sensors: o.sensors,
    days: o.days,
    start: iso(o.startMs),
    end: iso(o.endMs),
    seed: o.seed,
    rate_per_sensor_per_day: o.ratePerSensorPerDay,
    scenarios: o.scenarios.map((r) => ({
      kind: r.kind,
      episodes: r.episodes ?? o.episodes,
      strength: r.strength ?? null,
    })),
    episodes: o.episodes,
    formats: o.formats,
    warmup_days: o.warmupDays,
    utc_offset: formatUtcOffset(o.background.utcOffsetMinutes),
    fleet: o.fleet,
    // Only when asked for: a default run's manifest stays as it was.
    ...(o.dailyCycle ? { daily_cycle: o.dailyCycle } : {}),
    background: o.background,
  };
}

export function buildManifest(run: SimulationRun, sensors: readonly SensorResult[]): Manifest {
  let events = 0;
  let alerts = 0;
  let bytes = 0;
  const list = sensors.map((r): ManifestSensor => {
    const s = run.fleet[r.index]!;
    events += r.events;
    alerts += r.alerts;
    for (const f of r.files) bytes += f.bytes;
    return {
      name: s.name,
      site: s.site,
      blocks: [s.cidr],
      addresses: s.size,
      activity: Math.round(s.activity * 10_000) / 10_000,
      files: r.files.map((f) => ({
        format: f.format,
        path: f.path,
        records: f.records,
        bytes: f.bytes,
        first: f.firstMs === null ? null : iso(f.firstMs),
        last: f.lastMs === null ? null : iso(f.lastMs),
        index: f.index.map((x) => ({ time: iso(x.timeMs), offset: x.offset, record: x.record })),
      })),
    };
  });
  return {
    simulated: true,
    generator: GENERATOR,
    format_version: 1,
    seed: run.options.seed,
    start: iso(run.options.startMs),
    end: iso(run.options.endMs),
    options: optionsRecord(run.options),
    monitored_addresses: run.env.monitored,
    layout: {
      sensors_dir: 'sensors/<sensor>/',
      files: FILE_NAMES,
      site_formats: { 'firewall-ids': ['iptables', 'eve'], darknet: ['pcap'] },
      time_order:
        'every file is strictly time-ordered (timestamps strictly increase); a replay merges all files by ' +
        'timestamp. Text files start with one notice line (not counted in records) that parsers skip; ' +
        "index[] gives each day's first byte offset and the records before it.",
      text_time_zone: formatUtcOffset(run.options.background.utcOffsetMinutes),
    },
    totals: { events, alerts, bytes },
    sensors: list,
  };
}

export function readme(run: SimulationRun): string {
  const o = run.options;
  return [
    'SIMULATED DATA — NOT REAL TRAFFIC',
    '',
    `Generated by \`${GENERATOR}\` (Koban) with seed ${o.seed}: ${o.sensors} simulated sensors, ${o.days} days from`,
    `${iso(o.startMs)}, about ${o.ratePerSensorPerDay} packets per sensor per day before scenarios.`,
    'Sensor names, address blocks and MAC addresses are made up; the blocks lie in real public allocations',
    'so that enrichment works, but no such sensor exists. Source addresses are drawn from real public',
    'ranges and do not describe the behaviour of the hosts that use them.',
    '',
    'manifest.json lists the sensors and their files; truth.json lists the injected episodes.',
    '',
  ].join('\n');
}
