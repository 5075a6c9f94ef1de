/**
 * What a flood at one address looks like from the address (docs/methods.md#floods-aimed-at-a-sensors-own-addresses):
 * the vector of the inbound rows (observe's ports/inbound-rows.ts) and, from their distinct counts,
 * whether the sources are forged.
 *
 * - Spoofed sources: a flooder that draws each packet's source at random from all of IPv4 sends
 *   about one packet per source, spreads them over nearly as many /16 blocks as n uniform draws
 *   would hit (65,536 · (1 − (1 − 2⁻¹⁶)ⁿ)), and about 14 % of them fall in private, reserved or
 *   bogon space (RFC 6890: 0/8, 10/8, 100.64/10, 127/8, 172.16/12, 192.168/16, 224/4, 240/4, …) —
 *   sources that cannot have sent anything across the internet. Real clients, a botnet and
 *   reflectors send several packets each from routable addresses.
 * - Reflection: replies to requests the sensor never sent — SYN-ACKs (a TCP reflection: SYNs sent in
 *   the victim's name to many servers), or UDP from a service port abused for amplification (the
 *   source port names it: NTP 123, DNS 53, memcached 11211, …).
 */
import { type InboundVector, REFLECTOR_SERVICES } from '../../observe/index.js';

export type FloodSignature =
  | 'spoofed-syn-flood'
  | 'syn-flood'
  | 'syn-ack-reflection'
  | 'udp-reflection'
  | 'spoofed-udp-flood'
  | 'udp-flood'
  | 'tcp-flood'
  | 'icmp-flood'
  | 'ip-flood';

/** One minute's counts of an address × vector (rows of a minute added up). */
export interface MinuteCounts {
  packets: number;
  bytes: number;
  sources: number;
  sources16: number;
  sourcePorts: number;
  unroutable: number;
  firstMs: number;
  lastMs: number;
  /** Packets in each 10-second slot of the minute (the rows' added up). */
  tenSeconds: number[];
  /**
   * The most frequent port of the row with the most packets (and that row's packets), and the
   * largest count of distinct ports of a row.
   */
  port: number | null;
  portPackets: number;
  ports: number;
  /** Packets by source port and by source country, from the rows' top lists (a lower bound each). */
  readonly sourcePortPackets: Map<number, number>;
  readonly countryPackets: Map<string, number>;
}

export interface Signature {
  readonly id: FloodSignature;
  /** For titles: "Spoofed SYN flood", "NTP reflection", … */
  readonly label: string;
  readonly spoofed: boolean;
  readonly reflection: boolean;
  /** Distinct /16 blocks against what as many uniformly random sources would hit (1 = random). */
  readonly spread: number;
  /** Share of sources that are not public addresses. */
  readonly unroutableShare: number;
  readonly packetsPerSource: number;
}

const REFLECTOR_NAMES: ReadonlyMap<number, string> = new Map(REFLECTOR_SERVICES.map((r) => [r.port, r.name]));

/** The name of a UDP reflection service by its port ("NTP"), or null. */
export function reflectorName(port: number | null): string | null {
  return port === null ? null : (REFLECTOR_NAMES.get(port) ?? null);
}

/** Expected distinct /16 blocks among `n` addresses drawn uniformly from IPv4. */
export function expectedBlocks16(n: number): number {
  return n <= 0 ? 0 : -65536 * Math.expm1(n * Math.log1p(-1 / 65536));
}

/** Cuts for "spoofed": a few packets per source, spread like random draws, some unroutable sources. */
const SPOOF = { maxPerSource: 3, minSpread: 0.6, minUnroutable: 0.02, minSources: 50 } as const;

export function signatureOf(vector: InboundVector, service: number | null, c: MinuteCounts): Signature {
  const packetsPerSource = c.sources > 0 ? c.packets / c.sources : c.packets;
  const spread = Math.min(1, c.sources16 / Math.max(1, expectedBlocks16(c.sources)));
  const unroutableShare = c.sources > 0 ? Math.min(1, c.unroutable / c.sources) : 0;
  const spoofed =
    c.sources >= SPOOF.minSources &&
    packetsPerSource <= SPOOF.maxPerSource &&
    spread >= SPOOF.minSpread &&
    unroutableShare >= SPOOF.minUnroutable;
  const base = { spread, unroutableShare, packetsPerSource };
  switch (vector) {
    case 'syn':
      return spoofed
        ? { id: 'spoofed-syn-flood', label: 'Spoofed SYN flood', spoofed, reflection: false, ...base }
        : { id: 'syn-flood', label: 'SYN flood', spoofed, reflection: false, ...base };
    case 'syn-ack':
      return {
        id: 'syn-ack-reflection',
        label: 'SYN-ACK reflection',
        spoofed: false,
        reflection: true,
        ...base,
      };
    case 'udp-reflection':
      return {
        id: 'udp-reflection',
        label: `${reflectorName(service) ?? `UDP ${service}`} reflection`,
        spoofed: false,
        reflection: true,
        ...base,
      };
    case 'udp':
      return spoofed
        ? { id: 'spoofed-udp-flood', label: 'Spoofed UDP flood', spoofed, reflection: false, ...base }
        : { id: 'udp-flood', label: 'UDP flood', spoofed, reflection: false, ...base };
    case 'tcp':
      return { id: 'tcp-flood', label: 'TCP flood', spoofed, reflection: false, ...base };
    case 'icmp':
      return { id: 'icmp-flood', label: 'ICMP flood', spoofed, reflection: false, ...base };
    case 'other':
      return { id: 'ip-flood', label: 'IP flood', spoofed, reflection: false, ...base };
  }
}

/**
 * Is the minute shaped like an attack whatever the address's history (spoofed sources, or
 * replies nobody asked for)? Asked only when there is no baseline yet (a sensor just started).
 */
export function attackShaped(s: Signature): boolean {
  return s.spoofed || s.reflection;
}
