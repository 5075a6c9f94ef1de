/** The inbound-flood detector's options and their defaults (the reasons for each cut: index.ts). */
import { MINUTE_MS } from '../finding.js';

export interface InboundFloodOptions {
  /** The least rate that is a flood (packets/s at one address, over the minute's active span). */
  readonly minPps: number;
  /** …with at least this many packets in the minute (a short burst of a few packets is not a rate). */
  readonly minPackets: number;
  /** …from at least this many distinct sources (one fast scanner is a scan, not a flood). */
  readonly minSources: number;
  /** A flood is this many times the address's normal peak rate (or normal peak of distinct sources). */
  readonly ratio: number;
  /** A rise in distinct sources alone (rate below `ratio` × normal) needs at least this many a minute. */
  readonly minSourceSurge: number;
  /**
   * An address × vector is followed (given a baseline) from a minute with this many packets (at
   * least observe's INBOUND_MIN_PACKETS: smaller groups are not read).
   */
  readonly trackPackets: number;
  /**
   * Minutes a sensor must have been watched (then until the hour ends) before its addresses without
   * a baseline count as quiet; until then only attack-shaped minutes open a flood there.
   */
  readonly learnMin: number;
  /** Hours with data whose peaks make the normal peak. */
  readonly baselineHours: number;
  /** An episode ends after this many watched minutes below half its threshold. */
  readonly endQuietMin: number;
  /** An ongoing episode's alert is updated at most this often (event time). */
  readonly updateEveryMs: number;
  /** A flood lasting this long (minutes) feeds the baseline: a lasting level becomes the new normal. */
  readonly adaptAfterMin: number;
  /** Address × vector series followed at once at most (≈ 400 bytes each); the oldest quiet ones make room. */
  readonly maxTracks: number;
}

export const DEFAULT_INBOUND_FLOOD: InboundFloodOptions = {
  minPps: 100,
  minPackets: 1000,
  minSources: 5,
  ratio: 3,
  minSourceSurge: 500,
  trackPackets: 100,
  learnMin: 30,
  baselineHours: 24,
  endQuietMin: 3,
  updateEveryMs: 5 * MINUTE_MS,
  adaptAfterMin: 24 * 60,
  maxTracks: 200_000,
};
