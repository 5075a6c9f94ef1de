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
 *
 * A silence of the whole fleet at once is a gap in the data (an import that skipped days, a center
 * that was down, history replayed later), not every sensor failing together
 * (docs/methods.md#daily-and-weekly-cycles-gaps): the fleet is watched as one more stream
 * (fleet-gap.ts), and once its silence is implausible every stream is inactive (the minutes are
 * missing for every detector) but none is *silent*: a stream's own silence counts only the minutes
 * in which the rest of the fleet delivered, so a fleet-wide gap neither raises sensor-health alerts
 * nor makes streams forgotten, and a stream that does not come back after it is declared silent
 * after its usual limit of the fleet's delivering time.
 */
import { cidrIPv4Size, type EventKind, parseCidr } from '../core/index.js';
import type { SensorVolumeRow } from '../observe/index.js';
import { DAY_MS, MINUTE_MS } from './finding.js';
import { FleetGap } from './fleet-gap.js';
import { FleetMembership } from './membership.js';
import { learnRate, newRateState, type RateOptions, type RateState, References } from './usual-rate.js';

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
  /** Its data is present or its silence still plausible (false in its silence and in a fleet gap). */
  readonly active: boolean;
  /** Silent in its own right: quiet for longer than plausible while the rest of the fleet delivered. */
  readonly silent: boolean;
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
  /** The family's membership epoch (membership.ts): it changes when one of its streams joins or is forgotten. */
  epochOf(family: CoverageFamily): number;
  /**
   * The usual events per minute of the family's streams that were known at `epoch`, at today's
   * rates (membership.ts); undefined for an epoch too old to tell.
   */
  sizeAt(family: CoverageFamily, epoch: number): number | undefined;
  /**
   * Events of the family's streams that arrived in this minute, as a share of their usual volume
   * per minute (not capped; 1 when nothing is known yet). A fleet-wide outage shows here at once,
   * while `fraction` waits until each stream's silence is implausible.
   */
  received(family: CoverageFamily): number;
  isActive(sensor: string): boolean;
  readonly streams: readonly StreamStatus[];
  /** First minute of the fleet-wide gap in the data this minute is in (fleet-gap.ts), or null. */
  readonly gapSinceMs: number | null;
}

interface Stream extends StreamStatus, RateState {
  readonly sensor: string;
  readonly kind: EventKind;
  ratePerMinute: number;
  learning: boolean;
  lastEventMs: number;
  firstMs: number;
  active: boolean;
  silent: boolean;
  /** Minutes without events since the last one, outside fleet-wide gaps. */
  ownSilentMin: number;
  events: number;
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

type Aggregates = Omit<CoverageSnapshot, 'minuteMs' | 'received' | 'gapSinceMs'>;

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
  private readonly learnMin: number;
  private readonly fleet: FleetGap;
  private readonly membership = new FleetMembership();
  /** Events of the whole fleet this minute, and its usual rate (the sum of its streams'). */
  private fleetEvents = 0;
  private fleetRate = 0;
  /** Streams with less than a day of hours (counted each minute). */
  private young = 0;
  /** This minute's events and rates of the established streams (usual-rate.ts). */
  private readonly refs = new References();
  private readonly rateOptions: RateOptions;

  constructor(options: CoverageOptions = {}) {
    this.addresses = options.addresses ?? new Map();
    this.silenceEvents = options.silenceEvents ?? 16;
    this.minSilenceMin = options.minSilenceMin ?? 15;
    this.maxSilenceMin = options.maxSilenceMin ?? 24 * 60;
    this.forgetAfterMs = options.forgetAfterMs ?? 7 * DAY_MS;
    this.learnMin = options.learnMin ?? 360;
    this.rateOptions = { learnMin: this.learnMin, rateHours: options.rateHours ?? 168 };
    this.fleet = new FleetGap({
      silenceEvents: this.silenceEvents,
      minSilenceMin: Math.min(5, this.minSilenceMin),
      maxSilenceMin: this.maxSilenceMin,
      learnMin: this.learnMin,
    });
  }

  /** Updates the streams with one minute's volume rows and returns that minute's coverage. */
  observe(minuteMs: number, rows: readonly SensorVolumeRow[]): CoverageSnapshot {
    this.count(minuteMs, rows);
    const wasGap = this.fleet.inGap;
    // The minutes before a fleet gap is declared were the fleet's silence, not each stream's own.
    const takeBack = this.fleet.observe(minuteMs, this.fleetEvents, this.fleetRate);
    if (takeBack > 0)
      for (const s of this.streams.values()) s.ownSilentMin = Math.max(0, s.ownSilentMin - takeBack);
    if (wasGap !== this.fleet.inGap) this.aggregates = null;
    // Only a stream younger than a day is measured against the established ones.
    if (this.young > 0) this.refs.measure(this.streams.values());
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
    return {
      minuteMs,
      ...this.aggregates,
      received: this.receivedThisMinute(),
      gapSinceMs: this.fleet.sinceMs,
    };
  }

  /** Sets each stream's events of the minute from `rows`, opening the streams not seen before. */
  private count(minuteMs: number, rows: readonly SensorVolumeRow[]): void {
    this.fleetRate = 0;
    this.fleetEvents = 0;
    this.young = 0;
    for (const s of this.streams.values()) {
      s.events = 0;
      this.fleetRate += s.ratePerMinute;
      if (s.hours.length < 24) this.young++;
    }
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
          ...newRateState(),
          sensor: r.sensor,
          kind: r.kind,
          lastEventMs: minuteMs,
          firstMs: minuteMs,
          active: true,
          silent: false,
          ownSilentMin: 0,
          gapToday: 0,
          gapYesterday: 0,
          day: Math.floor(minuteMs / DAY_MS),
        };
        this.streams.set(key, s);
        this.young++;
        this.membership.joined(s);
        this.aggregates = null;
      }
      s.events += r.packets;
      this.fleetEvents += r.packets;
    }
  }

  /**
   * One minute of a stream: its own silence (counted only outside fleet gaps), silent or not (or
   * forgotten), active or not, its healthy gaps and its usual rate.
   */
  private advance(key: string, s: Stream, minuteMs: number, day: number): void {
    if (s.day !== day) {
      s.gapYesterday = s.gapToday;
      s.gapToday = 0;
      s.day = day;
    }
    const gap = this.fleet.inGap;
    if (s.events > 0) {
      if (!s.silent) s.gapToday = Math.max(s.gapToday, s.ownSilentMin);
      s.lastEventMs = minuteMs;
      s.ownSilentMin = 0;
      s.silent = false;
    } else {
      if (!gap) s.ownSilentMin++;
      if (s.ownSilentMin * MINUTE_MS > this.forgetAfterMs) {
        this.streams.delete(key);
        this.membership.left(s);
        this.aggregates = null;
        return;
      }
      if (!s.silent && !s.learning && s.ownSilentMin >= this.silenceLimit(s)) s.silent = true;
    }
    const active = !s.silent && !gap;
    if (active !== s.active) {
      s.active = active;
      this.aggregates = null;
    }
    // The usual rate learns from active minutes only (usual-rate.ts).
    if (s.active) this.setRate(s, learnRate(s, this.refs, this.rateOptions));
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
    const usuals = {} as Record<CoverageFamily, number>;
    for (const [family, kinds] of Object.entries(FAMILY_KINDS) as [CoverageFamily, readonly EventKind[]][]) {
      let u = 0;
      let l = 0;
      for (const k of kinds) {
        u += usual[k];
        l += live[k];
      }
      fractions[family] = u > 0 ? l / u : 1;
      usuals[family] = u;
    }
    return {
      activeSensors: active.size,
      knownSensors: known.size,
      monitoredAddresses: monitored,
      knownAddresses,
      fraction: (family) => fractions[family],
      sizeAt: (family, epoch) => this.membership.sizeAt(epoch, FAMILY_KINDS[family], usuals[family]),
      epochOf: (family) => this.membership.epoch(FAMILY_KINDS[family]),
      isActive: (sensor) => active.has(sensor),
      // The live stream records themselves: read them during the step, do not keep them.
      streams: [...this.streams.values()],
    };
  }

  private silenceLimit(s: Stream): number {
    // Judged at the stream's quiet-hour rate (usual-rate.ts), never above its usual one.
    const rate = Math.min(s.ratePerMinute, s.quietPerMinute);
    const poisson = this.silenceEvents / Math.max(rate, 1e-9);
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
