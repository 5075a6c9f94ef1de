/**
 * The `inbound` detection family: what reaches each monitored address, per minute, by attack
 * vector — the view a sensor at the victim has of a flood aimed at it (docs/methods.md#floods-aimed-at-a-sensors-own-addresses),
 * the way FastNetMon counts per destination host. Firewall and darknet events only (an IDS alert is
 * one line per signature, not per packet).
 */
import type { Protocol } from '../../core/index.js';

/**
 * The vector of an inbound packet:
 * - `syn`: TCP with SYN and without ACK (a SYN flood, spoofed or not; `port` is the destination port);
 * - `syn-ack`: TCP SYN+ACK — replies to SYNs the sensor never sent: reflectors answering SYNs sent in
 *   the victim's name (`port` is the reflectors' service, the source port);
 * - `udp-reflection`: UDP from a service port of {@link REFLECTOR_SERVICES} (`port` is that source
 *   port; one row per service);
 * - `udp`: other UDP (`port` the destination port);
 * - `tcp`: other TCP segments, or TCP whose flags the log does not record (`port` the destination port);
 * - `icmp`: ICMP and ICMPv6 (`port` null); `other`: any other protocol (`port` null).
 */
export const INBOUND_VECTORS = ['syn', 'syn-ack', 'udp-reflection', 'udp', 'tcp', 'icmp', 'other'] as const;
export type InboundVector = (typeof INBOUND_VECTORS)[number];

export interface ReflectorService {
  readonly port: number;
  readonly name: string;
}

/**
 * UDP services abused for reflection and amplification: the source port of their replies. From
 * CISA's alert TA14-017A "UDP-Based Amplification Attacks" (its table of protocols and bandwidth
 * amplification factors, as revised) and the IKE ports (500, 4500 for NAT traversal, RFC 7296
 * §2.23). UDP 443 is left out: QUIC replies are ordinary traffic.
 */
export const REFLECTOR_SERVICES: readonly ReflectorService[] = [
  { port: 7, name: 'Echo' },
  { port: 17, name: 'QOTD' },
  { port: 19, name: 'CharGEN' },
  { port: 53, name: 'DNS' },
  { port: 69, name: 'TFTP' },
  { port: 111, name: 'Portmap' },
  { port: 123, name: 'NTP' },
  { port: 137, name: 'NetBIOS' },
  { port: 161, name: 'SNMP' },
  { port: 389, name: 'CLDAP' },
  { port: 427, name: 'SLP' },
  { port: 500, name: 'IKE' },
  { port: 520, name: 'RIPv1' },
  { port: 1434, name: 'MS-SQL resolution' },
  { port: 1900, name: 'SSDP' },
  { port: 3283, name: 'ARMS' },
  { port: 3702, name: 'WS-Discovery' },
  { port: 4500, name: 'IKE NAT-T' },
  { port: 5351, name: 'NAT-PMP' },
  { port: 5353, name: 'mDNS' },
  { port: 5683, name: 'CoAP' },
  { port: 10001, name: 'Ubiquiti discovery' },
  { port: 10074, name: 'TP240' },
  { port: 11211, name: 'memcached' },
  { port: 27015, name: 'Steam' },
  { port: 27960, name: 'Quake' },
  { port: 32414, name: 'Plex' },
  { port: 33848, name: 'Jenkins discovery' },
  { port: 37810, name: 'DVR DHCPDiscover' },
];

/**
 * A read returns only the groups with at least this many packets: the background probing of quiet
 * addresses (a packet or two per address and minute, most of a darknet's traffic) is left out — no
 * flood is that small, and counting distinct sources for every such group cost the event store six
 * times a plain pass over the events. The cut applies to what one read covers (a live read of the
 * batches since the last poll may hold part of a minute).
 */
export const INBOUND_MIN_PACKETS = 20;

/** How many of the most frequent source ports and source countries a row names. */
export const INBOUND_TOP = 3;

/** A value of a row's top list and its packets. */
export interface InboundTop<T> {
  readonly value: T;
  readonly packets: number;
}

/**
 * Inbound packets of one minute × sensor × destination address × vector (× service port, for
 * `udp-reflection`), for groups of at least {@link INBOUND_MIN_PACKETS} packets. Distinct counts are
 * exact within a row; a store read in pieces (live detection reads the batches appended since its
 * cursor) may return several rows of one key for one minute, whose distinct counts then add up to
 * an upper bound.
 */
export interface InboundRow {
  readonly minuteMs: number;
  readonly sensor: string;
  readonly dst: string;
  readonly proto: Protocol;
  readonly vector: InboundVector;
  /** The most frequent port of the vector (see {@link InboundVector}); null for icmp and other. */
  readonly port: number | null;
  /** Distinct values of that port. */
  readonly ports: number;
  readonly packets: number;
  /** IP bytes (sum of the recorded lengths; 0 when the log records none). */
  readonly bytes: number;
  /** Distinct source addresses. */
  readonly sources: number;
  /** Distinct /16 blocks among the IPv4 sources (uniformly random spoofing spreads them widely). */
  readonly sources16: number;
  /** Distinct source ports. */
  readonly sourcePorts: number;
  /** Distinct sources that are not public addresses (private, reserved, bogon): cannot have sent it. */
  readonly unroutable: number;
  readonly firstMs: number;
  readonly lastMs: number;
  /**
   * Packets in each 10-second slot of the minute (seconds 0–9, 10–19, …, 50–59): when a burst began
   * and how fast it came, which a stray packet before or after it would blur in the first-to-last
   * span.
   */
  readonly tenSeconds: readonly number[];
  /**
   * The {@link INBOUND_TOP} most frequent source ports, by packets, then the smaller port first (an
   * unlisted reflection service shows here; a spoofed flood's are random). Empty for ICMP.
   */
  readonly topSourcePorts: readonly InboundTop<number>[];
  /** The {@link INBOUND_TOP} most frequent source countries (ISO 3166 alpha-2) by packets; unknown left out. */
  readonly topCountries: readonly InboundTop<string>[];
}
