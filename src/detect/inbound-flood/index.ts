/**
 * Floods aimed at a sensor's own addresses (docs/methods.md#floods-aimed-at-a-sensors-own-addresses).
 * The backscatter detector infers attacks on others from their replies; a sensor at the victim sees
 * the attack itself. Following FastNetMon's approach for its own network — per destination host,
 * packets/s, bits/s and flows/s against thresholds, classified by protocol, TCP flags and source
 * port — on the event store's minute aggregates:
 *
 * - Rows (`inbound` family, observe's ports/inbound-rows.ts): per minute, sensor, destination
 *   address and vector (SYN; SYN-ACK; UDP from a reflection service's port, one row per service;
 *   other UDP; other TCP; ICMP), the packets, bytes, distinct sources, /16 blocks, source ports and
 *   unroutable sources, the first and last packet's time and the packets per 10-second slot — for
 *   groups of at least 20 packets (INBOUND_MIN_PACKETS: a darknet's background is left out).
 * - Rate: packets over the minute's span from first to last packet, or over its busiest 10-second
 *   slot, whichever is higher (track.ts): a flood that starts at second 50 reads at its own rate,
 *   not a sixth of it, and a stray probe before or after a burst does not dilute it. Start: to the
 *   10 seconds, from the slots (background probes earlier in the minute are not the start).
 * - Baseline (track.ts): per address × vector, the peak per-minute rate and distinct-source count of
 *   each of its last 24 hours with data, flood minutes left out; an address × vector is followed
 *   only from a minute with `trackPackets` (100) packets, so background probing of a darknet's
 *   addresses costs nothing. A flood is at least `minPps` (100) packets/s, `minPackets` (1,000) in
 *   the minute and `minSources` (5) sources (one fast scanner is a scan), and either `ratio` (3)
 *   times the normal peak rate or, with at least `minSourceSurge` (500) sources, 3 times the normal
 *   peak of distinct sources. Peaks, not means: a busy address with a daily cycle sets its bar at its
 *   busiest hour, and a 2–3× swing of normal traffic is not a flood. Hours and minutes a sensor did
 *   not deliver are missing (neither zero nor the end of a flood): a gap, then data again, is not
 *   an attack.
 * - No baseline yet: an address of a sensor watched for `learnMin` (30) minutes that has no track
 *   was quiet (its baseline is the floor); a sensor that has just started knows nothing, so only a
 *   minute shaped like an attack opens a flood there (signature.ts: forged sources — about a packet
 *   each, spread like random draws, some unroutable — or replies nobody asked for: SYN-ACKs, UDP
 *   from a reflection service), and anything else is learnt as the normal.
 * - Episode: one per address × vector (a multi-vector attack is one alert per vector: each needs
 *   its own mitigation); it ends after `endQuietMin` (3) watched minutes below half its bar, and
 *   after `adaptAfterMin` (a day) a lasting level becomes the normal.
 * - Delay: history and `koban detect` judge a minute when it is complete. Live, the runner also
 *   hands the detector the rows of the minute still in progress at each poll (`early`), so a flood
 *   is opened from its first seconds' rows — the poll interval (10 s) and the agent's batching after
 *   the flood's first `minPackets` packets — rather than after the minute, its settle time and a poll.
 *
 * Severity from the peak rate: critical ≥ 100,000 packets/s or 1 Gbit/s, high ≥ 10,000 or 100
 * Mbit/s, medium ≥ 1,000 or 10 Mbit/s. State: one small record per followed address × vector (at
 * most `maxTracks`), dropped after a day of watched hours without a busy minute.
 */
import type { DetectorDescriptor } from '../descriptor.js';
import { InboundFloodDetector } from './detector.js';
import { DEFAULT_INBOUND_FLOOD, type InboundFloodOptions } from './options.js';

export { InboundFloodDetector } from './detector.js';
export { DEFAULT_INBOUND_FLOOD, type InboundFloodOptions } from './options.js';
export type { FloodSignature } from './signature.js';

export const inboundFlood: DetectorDescriptor<'inbound-flood', InboundFloodOptions> = {
  name: 'inbound-flood',
  optionsKey: 'inboundFlood',
  families: ['inbound'],
  scoredKind: 'inbound-flood',
  // The same victim under the same attack (the truth's `attack`: spoofed-syn-flood,
  // syn-ack-reflection, udp-reflection).
  matches: (s, e) =>
    e.kind === 'inbound-flood' && s.victim === e.subject.victim && s.signature === e.subject.attack,
  defaults: DEFAULT_INBOUND_FLOOD,
  create: ({ options }) => new InboundFloodDetector(options),
};
