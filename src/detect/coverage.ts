/**
 * Coverage: which sensors are reporting in each minute, how many IPv4 addresses they monitor, and
 * what share of the fleet's usual volume they represent (docs/methods.md#coverage). Every rate a
 * detector uses is divided by this, so a sensor going silent is never mistaken for an attack ending
 * or a port going quiet; a silent sensor's minutes are missing, not zero.
 *
 * Input: the `sensor-volume` rows (events per sensor, minute and kind) and each sensor's address
 * blocks — the simulator manifest's `blocks` in evaluation, the sensor registry's `addressBlocks`
 * live. A stream (sensor × event kind) is active while its silence is still plausible: it goes
 * inactive once the gap would have held `silenceEvents` events at its usual rate (P(0) = e^−16 ≈
 * 10⁻⁷ for a Poisson stream: a fleet of a hundred streams offers millions of chances a month), has
 * lasted `minSilenceMin` minutes, and is three times the longest gap the stream showed while healthy
 * over the last day or two (bursty streams such as IDS alerts are not Poisson).
 * A new stream learns for `learnMin` minutes before it can be declared silent. State: one small
 * record per stream, forgotten after `forgetAfterMs` of silence (bounded by the fleet's size).
 */
import { cidrIPv4Size, type EventKind, parseCidr } from '../core/index.js';
import type { SensorVolumeRow } from '../observe/index.js';
import { DAY_MS, MINUTE_MS } from './finding.js';
import { median } from './stats.js';

/** Sums the IPv4 sizes of each sensor's blocks (IPv6 blocks add nothing to IPv4 coverage). */
export function addressCounts(blocks: Readonly<Record<string, readonly string[]>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [sensor, list] of Object.entries(blocks)) {
    let n = 0;
    for (const b of list) {
      const c = parseCidr(b);
      if (c) n += cidrIPv4Size(c);
    }
    out.set(sensor, n);
  }
  return out;
}

export interface CoverageOptions {
  /** IPv4 addresses each sensor monitors ({@link addressCounts}); unknown sensors count 0. */
  readonly addresses?: ReadonlyMap<string, number>;
  /** A stream goes inactive when its silence would have held this many events at its usual rate. */
  readonly silenceEvents?: number;
  /** …and has lasted at least this many minutes. */
  readonly minSilenceMin?: number;
  /** …or, whatever its rate, this many minutes. */
  readonly maxSilenceMin?: number;
  /** A stream silent this long is forgotten (leaves the fleet's denominators). */
  readonly forgetAfterMs?: number;
  /** Hours of history whose median hourly count is the usual rate. */
  readonly rateHours?: number;
  /** Minutes a new stream is watched before it can be declared silent. */
  readonly learnMin?: number;
}

/** What one stream (sensor × kind) looks like in a minute; sensor health reads these. */
export interface StreamStatus {
  readonly sensor: string;
  readonly kind: EventKind;
  readonly active: boolean;
  /** Events this minute. */
  readonly events: number;
  /** Usual events per minute (slow average while active). */
  readonly ratePerMinute: number;
  /** Minute of the last event. */
  readonly lastEventMs: number;
  /** Still learning its usual rate (too new to be declared silent). */
  readonly learning: boolean;
}

export type CoverageFamily = 'probes' | 'payloads' | 'ids' | 'backscatter';

export interface CoverageSnapshot {
  readonly minuteMs: number;
  readonly activeSensors: number;
  readonly knownSensors: number;
  /** IPv4 addresses monitored by the sensors active now (n in Moore et al. 2001 §3.3). */
  readonly monitoredAddresses: number;
  /** IPv4 addresses of every known sensor, active or not. */
  readonly knownAddresses: number;
  /**
   * Share (0–1) of the usual volume of a family's streams that is active now: firewall and darknet
   * streams for probes and backscatter, darknet captures for payloads, IDS streams for IDS alerts.
   * 1 when nothing is known yet (no evidence of missing data).
   */
  fraction(family: CoverageFamily): number;
  /**
   * Events of the family's streams that arrived in this minute, as a share of their usual volume
   * per minute (not capped; 1 when nothing is known yet). A fleet-wide outage shows here at once,
   * while `fraction` waits until each stream's silence is implausible.
   */
  received(family: CoverageFamily): number;
  isActive(sensor: string): boolean;
  readonly streams: readonly StreamStatus[];
}

interface Stream extends StreamStatus {
  readonly sensor: string;
  readonly kind: EventKind;
  ratePerMinute: number;
  learning: boolean;
  /** Events of the current hour so far, and of the past hours while active (oldest first). */
  hourEvents: number;
  hourMinutes: number;
  hoursSeen: number;
  readonly hours: number[];
  lastEventMs: number;
  firstMs: number;
  active: boolean;
  events: number;
  /** Events and minutes seen while learning. */
  seenEvents: number;
  seenMinutes: number;
  /** Longest healthy gap (minutes) of the current and the previous day. */
  gapToday: number;
  gapYesterday: number;
  day: number;
}

const FAMILY_KINDS: Readonly<Record<CoverageFamily, readonly EventKind[]>> = {
  probes: ['firewall', 'darknet'],
  backscatter: ['firewall', 'darknet'],
  payloads: ['darknet'],
  ids: ['ids'],
};

type Aggregates = Omit<CoverageSnapshot, 'minuteMs' | 'received'>;

/** Streams (sensor × kind) followed at most: ten thousand sensors, each with its three kinds. */
const MAX_STREAMS = 30_000;

export class Coverage {
  /** Rows of new streams not followed because MAX_STREAMS were already. */
  ignoredStreams = 0;
  private readonly streams = new Map<string, Stream>();
  /** The snapshot's sums change only when a stream appears, goes, flips or changes its rate. */
  private aggregates: Aggregates | null = null;
  private addressSig = -1;
  private readonly addresses: ReadonlyMap<string, number>;
  private readonly silenceEvents: number;
  private readonly minSilenceMin: number;
  private readonly maxSilenceMin: number;
  private readonly forgetAfterMs: number;
  private readonly rateHours: number;
  private readonly learnMin: number;

  constructor(options: CoverageOptions = {}) {
    this.addresses = options.addresses ?? new Map();
    this.silenceEvents = options.silenceEvents ?? 16;
    this.minSilenceMin = options.minSilenceMin ?? 15;
    this.maxSilenceMin = options.maxSilenceMin ?? 24 * 60;
    this.forgetAfterMs = options.forgetAfterMs ?? 7 * DAY_MS;
    this.rateHours = options.rateHours ?? 168;
    this.learnMin = options.learnMin ?? 360;
  }

  /** Updates the streams with one minute's volume rows and returns that minute's coverage. */
  observe(minuteMs: number, rows: readonly SensorVolumeRow[]): CoverageSnapshot {
    this.count(minuteMs, rows);
    const day = Math.floor(minuteMs / DAY_MS);
    for (const [key, s] of this.streams) this.advance(key, s, minuteMs, day);
    // The address map may be refreshed in place (the server re-reads the registry): a change in it
    // invalidates the sums.
    let sig = this.addresses.size;
    for (const n of this.addresses.values()) sig = (sig * 31 + n) % 2_147_483_647;
    if (sig !== this.addressSig) {
      this.addressSig = sig;
      this.aggregates = null;
    }
    this.aggregates ??= this.aggregate();
    return { minuteMs, ...this.aggregates, received: this.receivedThisMinute() };
  }

  /** Sets each stream's events of the minute from `rows`, opening the streams not seen before. */
  private count(minuteMs: number, rows: readonly SensorVolumeRow[]): void {
    for (const s of this.streams.values()) s.events = 0;
    for (const r of rows) {
      const key = `${r.sensor}\u0000${r.kind}`;
      let s = this.streams.get(key);
      if (!s) {
        // A relay can name any number of sensors: beyond MAX_STREAMS new ones are not followed.
        if (this.streams.size >= MAX_STREAMS) {
          this.ignoredStreams++;
          continue;
        }
        s = {
          sensor: r.sensor,
          kind: r.kind,
          ratePerMinute: 0,
          learning: true,
          hourEvents: 0,
          hourMinutes: 0,
          hoursSeen: 0,
          hours: [],
          lastEventMs: minuteMs,
          firstMs: minuteMs,
          active: true,
          events: 0,
          seenEvents: 0,
          seenMinutes: 0,
          gapToday: 0,
          gapYesterday: 0,
          day: Math.floor(minuteMs / DAY_MS),
        };
        this.streams.set(key, s);
        this.aggregates = null;
      }
      s.events += r.packets;
    }
  }

  /** One minute of a stream: active or silent (or forgotten), its healthy gaps and its usual rate. */
  private advance(key: string, s: Stream, minuteMs: number, day: number): void {
    if (s.day !== day) {
      s.gapYesterday = s.gapToday;
      s.gapToday = 0;
      s.day = day;
    }
    const silentMin = (minuteMs - s.lastEventMs) / MINUTE_MS;
    if (s.events > 0) {
      if (s.active) s.gapToday = Math.max(s.gapToday, silentMin - 1);
      else this.aggregates = null;
      s.lastEventMs = minuteMs;
      s.active = true;
    } else {
      if (minuteMs - s.lastEventMs > this.forgetAfterMs) {
        this.streams.delete(key);
        this.aggregates = null;
        return;
      }
      if (s.active && !s.learning && silentMin >= this.silenceLimit(s)) {
        s.active = false;
        this.aggregates = null;
      }
    }
    // The usual rate learns only from active minutes, so a dead sensor keeps its weight in the
    // denominators (its share stays missing instead of shrinking to nothing). While learning it
    // is the plain mean; then the median hourly count of the past week, which neither a single
    // first minute nor a day-long outbreak can inflate.
    if (!s.active) return;
    s.seenEvents += s.events;
    s.seenMinutes++;
    s.hourEvents += s.events;
    if (++s.hourMinutes === 60) {
      s.hours.push(s.hourEvents);
      if (s.hours.length > this.rateHours) s.hours.shift();
      s.hourEvents = 0;
      s.hourMinutes = 0;
      // The week's median moves slowly: refreshed every 6 hours of activity.
      if (!s.learning && ++s.hoursSeen % 6 === 0) this.setRate(s, median(s.hours) / 60);
    }
    if (s.learning) {
      s.learning = s.seenMinutes < this.learnMin;
      this.setRate(s, s.seenEvents / s.seenMinutes);
    }
  }

  /** The snapshot's `received`: this minute's events of a family's streams against their usual rate. */
  private receivedThisMinute(): (family: CoverageFamily) => number {
    const got: Record<EventKind, number> = { firewall: 0, ids: 0, darknet: 0 };
    const usual: Record<EventKind, number> = { firewall: 0, ids: 0, darknet: 0 };
    for (const s of this.streams.values()) {
      got[s.kind] += s.events;
      usual[s.kind] += Math.max(s.ratePerMinute, 0);
    }
    return (family: CoverageFamily): number => {
      let g = 0;
      let u = 0;
      for (const k of FAMILY_KINDS[family]) {
        g += got[k];
        u += usual[k];
      }
      return u > 0 ? g / u : 1;
    };
  }

  private setRate(s: Stream, rate: number): void {
    if (rate !== s.ratePerMinute) {
      s.ratePerMinute = rate;
      this.aggregates = null;
    }
  }

  private aggregate(): Aggregates {
    const active = new Set<string>();
    const known = new Set<string>();
    const usual: Record<EventKind, number> = { firewall: 0, ids: 0, darknet: 0 };
    const live: Record<EventKind, number> = { firewall: 0, ids: 0, darknet: 0 };
    for (const s of this.streams.values()) {
      known.add(s.sensor);
      const w = Math.max(s.ratePerMinute, 0);
      usual[s.kind] += w;
      if (s.active) {
        active.add(s.sensor);
        live[s.kind] += w;
      }
    }
    let monitored = 0;
    let knownAddresses = 0;
    for (const name of known) {
      const n = this.addresses.get(name) ?? 0;
      knownAddresses += n;
      if (active.has(name) && this.activeForAddresses(name)) monitored += n;
    }
    const fractions = {} as Record<CoverageFamily, number>;
    for (const [family, kinds] of Object.entries(FAMILY_KINDS) as [CoverageFamily, readonly EventKind[]][]) {
      let u = 0;
      let l = 0;
      for (const k of kinds) {
        u += usual[k];
        l += live[k];
      }
      fractions[family] = u > 0 ? l / u : 1;
    }
    return {
      activeSensors: active.size,
      knownSensors: known.size,
      monitoredAddresses: monitored,
      knownAddresses,
      fraction: (family) => fractions[family],
      isActive: (sensor) => active.has(sensor),
      // The live stream records themselves: read them during the step, do not keep them.
      streams: [...this.streams.values()],
    };
  }

  private silenceLimit(s: Stream): number {
    const poisson = this.silenceEvents / Math.max(s.ratePerMinute, 1e-9);
    const usualGap = 3 * Math.max(s.gapToday, s.gapYesterday);
    return Math.min(this.maxSilenceMin, Math.max(this.minSilenceMin, poisson, usualGap));
  }

  /** A sensor watches its addresses while its packet streams (not only its IDS) are active. */
  private activeForAddresses(sensor: string): boolean {
    for (const kind of ['firewall', 'darknet'] as const) {
      if (this.streams.get(`${sensor}\u0000${kind}`)?.active) return true;
    }
    // A sensor that only ever sent IDS alerts still covers its block while those arrive.
    return !this.streams.has(`${sensor}\u0000firewall`) && !this.streams.has(`${sensor}\u0000darknet`);
  }

  stateSize(): number {
    return this.streams.size;
  }
}
