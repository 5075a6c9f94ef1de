/**
 * The background model: what unsolicited traffic a sensor sees when nothing special happens, as a
 * documented options object whose defaults (`background-defaults.ts`) come from the annual report §2, docs/background.md#observation. Traffic is a
 * mixture of families (a worm on 445/TCP, Messenger spam on 1026–1027/UDP, the Slammer-like worm on
 * 1434/UDP, …); each family says what it sends, where its sources are and how a visit looks.
 *
 * Sources are persistent hosts: a family has a pool of host slots; a slot's address is a stateless
 * hash of (seed, family, slot, generation), and a slot's generation changes every 1–14 days (its
 * host's "lifetime"), so the same infected hosts come back for days and then give way to others.
 * Worm families prefer neighbours — the annual report §2.1.1, docs/background.md#observation: infected computers probe addresses that share
 * the first or the first two octets with their own — so part of each family's visits come from hosts
 * in the sensor's own /16 or /8, which also skews sources towards Japan and its neighbours.
 *
 * A visit is one source contacting one sensor: one target address, or a sweep over consecutive
 * addresses of the block; each target gets 1–3 packets (TCP SYN retransmissions after 3 s and 9 s,
 * NetBIOS retries, Messenger spam to 1026 then 1027). Packets are what `--rate` counts.
 */
import type { Technique } from '../core/index.js';
import { DEFAULT_HOUR_OF_DAY } from './background-defaults.js';
import { type CountryMix, countryMix } from './country-space.js';

/** What a family's packets are. */
export type FamilyKind = 'tcp-syn' | 'udp' | 'icmp-echo' | 'backscatter';

/** Technique classes a family's packets may raise at an IDS site (besides Worm, set by `worm`). */
export type IdsClass = 'scan' | 'exploit' | 'dos' | 'trojan';

export interface TrafficFamily {
  readonly name: string;
  /** Share of all packets (normalised over the families). */
  readonly share: number;
  readonly kind: FamilyKind;
  /**
   * Destination ports and weights; port 0 stands for "a random port in 1024–65535". For `backscatter`
   * these are the victims' service ports (the replies' source ports).
   */
  readonly ports: readonly (readonly [port: number, weight: number])[];
  /** Packets to one target go to successive `ports` (Messenger spam: 1026 then 1027) instead of one port. */
  readonly portSequence?: boolean;
  /** Share of visits from a host in the sensor's own /16 (the annual report §2.1.1, docs/background.md#observation). */
  readonly neighbour16: number;
  /** Share of visits from a host in another /16 of the sensor's /8. */
  readonly neighbour8: number;
  /** Country mix of the other visits' sources (ISO 3166-1 alpha-2 → weight). */
  readonly countries: Readonly<Record<string, number>>;
  /** Host slots in the family's global pool. */
  readonly hosts: number;
  /** Popularity skew of slots: slot = ⌊hosts · u^skew⌋, so a few hosts are very active (skew > 1). */
  readonly hostSkew: number;
  /** A host slot keeps its address for this many days (uniform between the two). */
  readonly lifetimeDays: readonly [number, number];
  /** Probability that a visit sweeps consecutive addresses of the block. */
  readonly sweepProbability: number;
  /** Most addresses one sweep covers. */
  readonly sweepMax: number;
  /** Weights of 1, 2, 3… packets per target. */
  readonly packetsPerTarget: readonly number[];
  /** Offsets (ms) of a target's 1st, 2nd, 3rd… packet. */
  readonly packetOffsetsMs: readonly number[];
  /** Share of sources with a Windows stack (TTL 128, Windows SYN options), the rest Linux-like (TTL 64). */
  readonly windowsShare: number;
  /** Every packet raises the Slammer rule at IDS sites. */
  readonly worm?: boolean;
  /** Alert classes this family's packets can raise (rates set by `techniqueMix`). */
  readonly ids?: readonly IdsClass[];
}

export interface BackgroundOptions {
  readonly families: readonly TrafficFamily[];
  /** Rate multipliers by hour of the day in the observation center's time zone (JST), 0–23. */
  readonly hourOfDay: readonly number[];
  /** Rate multipliers by day of the week, Monday first. */
  readonly dayOfWeek: readonly number[];
  /** Offset of that time zone from UTC, in minutes (JST: +540). */
  readonly utcOffsetMinutes: number;
  /**
   * Shares of IDS detections by technique (the annual report's figure 2.3, docs/background.md#observation: Worm ≈ 92 %, Scan ≈ 7 %, the rest
   * others). Worm detections are the `worm` family's packets; the other classes are raised on
   * eligible packets at the rates that give these shares.
   */
  readonly techniqueMix: Readonly<Partial<Record<Technique, number>>>;
  /** Host slots per /16 neighbourhood and per /8 neighbourhood. */
  readonly neighbourHosts16: number;
  readonly neighbourHosts8: number;
}

/** A family with its derived tables. */
export interface PreparedFamily {
  readonly family: TrafficFamily;
  readonly id: number;
  /** Normalised share of packets. */
  readonly share: number;
  readonly portCum: Float64Array;
  readonly countries: CountryMix;
  readonly packetsCum: Float64Array;
  /** Mean packets per target. */
  readonly meanPacketsPerTarget: number;
}

/** Alert rates per class: probability that an eligible packet of a flagged family raises it. */
export type IdsRates = Readonly<Record<IdsClass, number>>;

export interface PreparedBackground {
  readonly options: BackgroundOptions;
  readonly families: readonly PreparedFamily[];
  /** Hour-of-day and day-of-week multipliers, normalised to mean 1. */
  readonly hourOfDay: Float64Array;
  readonly dayOfWeek: Float64Array;
  readonly idsRates: IdsRates;
}

function normalised(v: readonly number[], n: number, what: string): Float64Array {
  if (v.length !== n) throw new RangeError(`${what} needs ${n} values, got ${v.length}`);
  const mean = v.reduce((a, b) => a + b, 0) / n;
  if (!(mean > 0)) throw new RangeError(`${what} must have a positive mean`);
  return Float64Array.from(v, (x) => x / mean);
}

/** True when a packet of `kind` to `port` (0: random) has a rule of class `c` (the rules are picked in `traffic.ts`). */
export function portHasRule(c: IdsClass, kind: FamilyKind, port: number): boolean {
  switch (c) {
    case 'scan':
      return kind === 'tcp-syn' || kind === 'icmp-echo';
    case 'exploit':
      return (kind === 'tcp-syn' && (port === 135 || port === 445)) || (kind === 'udp' && port === 135);
    case 'dos':
      return kind === 'tcp-syn' && port >= 135 && port <= 139;
    case 'trojan':
      return kind === 'tcp-syn';
  }
}

const CLASS_TECHNIQUE: Readonly<Record<IdsClass, Technique>> = {
  scan: 'Scan',
  exploit: 'Exploit',
  dos: 'DoS',
  trojan: 'Trojan/Backdoor',
};

/** Derives the tables the generator needs and the alert rates that give the technique mix. */
export function prepareBackground(options: BackgroundOptions): PreparedBackground {
  const total = options.families.reduce((a, f) => a + f.share, 0);
  if (!(total > 0)) throw new RangeError('background families need a positive total share');
  const families = options.families.map((f, id): PreparedFamily => {
    const weights = f.packetsPerTarget;
    let sum = 0;
    let mean = 0;
    for (let k = 0; k < weights.length; k++) {
      sum += weights[k]!;
      mean += weights[k]! * (k + 1);
    }
    if (f.packetOffsetsMs.length < weights.length)
      throw new RangeError(`${f.name}: packetOffsetsMs too short`);
    const portCum = new Float64Array(f.ports.length);
    let c = 0;
    f.ports.forEach(([, w], i) => {
      c += w;
      portCum[i] = c;
    });
    const packetsCum = new Float64Array(weights.length);
    let pc = 0;
    weights.forEach((w, i) => {
      pc += w;
      packetsCum[i] = pc;
    });
    return {
      family: f,
      id,
      share: f.share / total,
      portCum,
      countries: countryMix(f.countries),
      packetsCum,
      meanPacketsPerTarget: mean / sum,
    };
  });
  // Worm detections per packet of traffic = the worm families' share; the other classes are scaled
  // to it by the technique mix, then spread over the packets that have a rule of that class.
  const mix = options.techniqueMix;
  const wormShare = families.filter((f) => f.family.worm).reduce((a, f) => a + f.share, 0);
  const worm = mix.Worm ?? 0;
  const rates: Record<IdsClass, number> = { scan: 0, exploit: 0, dos: 0, trojan: 0 };
  for (const c of ['scan', 'exploit', 'dos', 'trojan'] as const) {
    const target = worm > 0 ? (wormShare * (mix[CLASS_TECHNIQUE[c]] ?? 0)) / worm : 0;
    let eligible = 0;
    for (const f of families) {
      if (!f.family.ids?.includes(c)) continue;
      const totalW = f.family.ports.reduce((a, [, w]) => a + w, 0);
      const ok = f.family.ports.reduce((a, [p, w]) => a + (portHasRule(c, f.family.kind, p) ? w : 0), 0);
      eligible += (f.share * ok) / totalW;
    }
    rates[c] = eligible > 0 ? Math.min(1, target / eligible) : 0;
  }
  return {
    options,
    families,
    hourOfDay: normalised(options.hourOfDay, 24, 'hourOfDay'),
    dayOfWeek: normalised(options.dayOfWeek, 7, 'dayOfWeek'),
    idsRates: rates,
  };
}

/** Expected addresses one visit of `f` covers on a block of `size` addresses. */
export function expectedTargets(f: TrafficFamily, size: number): number {
  if (f.sweepProbability <= 0 || size <= 1) return 1;
  // A sweep starts at a uniform offset and runs to the block's end or sweepMax, whichever comes first.
  let s = 0;
  for (let off = 0; off < size; off++) s += Math.min(f.sweepMax, size - off);
  return 1 - f.sweepProbability + (f.sweepProbability * s) / size;
}

/**
 * Named shapes of the background's day (`hourOfDay`), so an evaluation can vary the daily cycle
 * detectors' baselines must learn (docs/methods.md#daily-and-weekly-cycles-gaps):
 * - `evening` (the default, {@link DEFAULT_HOUR_OF_DAY}): a smooth swell to a peak around 21–23 h
 *   (home PCs on), lowest around 5 h, busiest hour 1.67× the quietest; a `ratio` stretches or
 *   flattens it to that busiest/quietest ratio (each multiplier raised to one power);
 * - `working-day`: a step — every hour from 09:00 to 18:00 local time `ratio` times the others
 *   (default 2.3: office networks switched on at nine), the same every day of the week;
 * - `flat`: no daily cycle.
 */
export const DAILY_CYCLES = ['evening', 'working-day', 'flat'] as const;
export type DailyCycleShape = (typeof DAILY_CYCLES)[number];

export interface DailyCycle {
  readonly shape: DailyCycleShape;
  /** Busiest hour over quietest (≥ 1); default 1.67 for `evening`, 2.3 for `working-day`. */
  readonly ratio?: number;
}

/** Working hours of the `working-day` shape, local time: [from, to). */
export const WORKING_HOURS: readonly [number, number] = [9, 18];

/** The 24 hour-of-day multipliers of a named daily cycle (`BackgroundOptions.hourOfDay`). */
export function dailyCycleProfile(c: DailyCycle): number[] {
  if (c.ratio !== undefined && !(c.ratio >= 1 && Number.isFinite(c.ratio)))
    throw new RangeError(`a daily cycle's ratio must be a number ≥ 1, not ${c.ratio}`);
  switch (c.shape) {
    case 'flat':
      return new Array<number>(24).fill(1);
    case 'working-day': {
      const r = c.ratio ?? 2.3;
      return Array.from({ length: 24 }, (_, h) => (h >= WORKING_HOURS[0] && h < WORKING_HOURS[1] ? r : 1));
    }
    case 'evening': {
      const base = DEFAULT_HOUR_OF_DAY;
      if (c.ratio === undefined) return [...base];
      const k = Math.log(c.ratio) / Math.log(Math.max(...base) / Math.min(...base));
      return base.map((v) => v ** k);
    }
  }
}

/** Rate multiplier of the hour starting at `hourStartMs` (UTC ms). */
export function timeFactor(bg: PreparedBackground, hourStartMs: number): number {
  const local = hourStartMs + bg.options.utcOffsetMinutes * 60_000;
  const hod = Math.floor(local / 3_600_000) % 24;
  const day = Math.floor(local / 86_400_000);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays.
  const dow = (((day + 3) % 7) + 7) % 7;
  return bg.hourOfDay[(hod + 24) % 24]! * bg.dayOfWeek[dow]!;
}
