/**
 * Minute-level aggregates for the detectors (docs/scale.md#arithmetic-for-the-national-target:
 * detectors read aggregates, not packets, so they see the whole picture however many ingest nodes
 * wrote the data). Each family groups raw events of a time range — or of the appends after a
 * cursor, for live detection — by event minute and the keys its detector needs.
 */
import type { EventKind, Protocol, Technique } from '../../core/index.js';
import type { AddressSketch } from '../address-sketch.js';
import type { InboundRow } from './inbound-rows.js';

export const DETECTION_FAMILIES = [
  'probes',
  'backscatter',
  'payloads',
  'ids',
  'sensor-volume',
  'inbound',
] as const;
export type DetectionFamily = (typeof DETECTION_FAMILIES)[number];

/** Which events: a time range (history, evaluation) or the batches after a cursor (live). */
export type DetectionRange =
  | { readonly fromMs: number; readonly toMs: number }
  | { readonly afterBatch: number; readonly upToBatch: number };

/**
 * Unsolicited probes (TCP SYN without ACK, UDP, ICMP echo requests; firewall lines without TCP
 * flags count as probes too), one row per minute × sensor × protocol × port × source × target.
 */
export interface ProbeRow {
  readonly minuteMs: number;
  readonly sensor: string;
  readonly kind: EventKind;
  readonly proto: Protocol;
  readonly port: number | null;
  readonly src: string;
  readonly dst: string;
  readonly country: string | null;
  readonly asn: number | null;
  readonly packets: number;
  /** A UDP datagram carrying application bytes (a delivery — spam, a worm — rather than an empty probe). */
  readonly udpPayload: boolean;
}

/**
 * Replies nobody asked for (Moore et al. 2001 §3.1; docs/methods.md#backscatter): TCP SYN+ACK or RST, ICMP types
 * 0, 3, 4, 5, 11, 12, 14, 16, 18 (and ICMPv6 errors 1–4 and echo reply 129), grouped by minute,
 * victim, protocol, attacked port and reply type. The victim is the outer source, except for
 * ICMP errors, where it is the destination of the quoted packet (the outer source may be a
 * router on the path).
 */
export interface BackscatterRow {
  readonly minuteMs: number;
  readonly victim: string;
  readonly proto: Protocol;
  /** The attacked service: the victim's source port (TCP), the quoted destination port (ICMP errors). */
  readonly port: number | null;
  /** `syn-ack`, `rst`, `icmp-<type>` or `icmpv6-<type>`. */
  readonly reply: string;
  readonly packets: number;
  readonly bytes: number;
  /**
   * Distinct monitored addresses this row's replies hit. Not additive: another row of the victim
   * (another minute, port or reply type) may hit the same addresses — merge `hits` to count them.
   */
  readonly targets: number;
  /**
   * The addresses hit, mergeable across rows (address-sketch.ts): the exact keys (an IPv4 address
   * as its 32-bit number; an IPv6 address as a 32-bit hash) up to `SKETCH_EXACT_MAX`, else the
   * HyperLogLog registers of those keys.
   */
  readonly hits: AddressSketch;
  /** The IPv4 /16 blocks hit (the address's top 16 bits), each once. */
  readonly blocks16: readonly number[];
  readonly sensors: number;
  readonly firstMs: number;
  readonly lastMs: number;
  /** ICMP errors whose quoted source is not the address that received them. */
  readonly quoteMismatches: number;
}

/** Transport payloads by fingerprint (length and hash of the first bytes): worm families. */
export interface PayloadRow {
  readonly minuteMs: number;
  readonly proto: Protocol;
  readonly port: number | null;
  readonly payloadLength: number;
  readonly payloadHash: number;
  readonly src: string;
  readonly country: string | null;
  readonly sensor: string;
  readonly packets: number;
}

/** IDS alerts by signature and source. */
export interface IdsRow {
  readonly minuteMs: number;
  readonly generatorId: number;
  readonly signatureId: number;
  readonly signature: string | null;
  readonly technique: Technique | null;
  readonly proto: Protocol;
  readonly port: number | null;
  readonly src: string;
  readonly country: string | null;
  readonly sensor: string;
  readonly packets: number;
}

/** Events per sensor per minute and kind: sensor health and the coverage denominators. */
export interface SensorVolumeRow {
  readonly minuteMs: number;
  readonly sensor: string;
  readonly kind: EventKind;
  readonly packets: number;
}

export {
  INBOUND_MIN_PACKETS,
  INBOUND_TOP,
  INBOUND_VECTORS,
  type InboundRow,
  type InboundTop,
  type InboundVector,
  REFLECTOR_SERVICES,
  type ReflectorService,
} from './inbound-rows.js';

export interface DetectionRowsByFamily {
  probes: ProbeRow;
  backscatter: BackscatterRow;
  payloads: PayloadRow;
  ids: IdsRow;
  'sensor-volume': SensorVolumeRow;
  inbound: InboundRow;
}

/**
 * The event store's reads for the detectors. Rows of a family come in no particular order; a
 * minute is `floor(timeMs / 60000) * 60000`, and a time range is `fromMs <= timeMs < toMs`.
 */
export interface DetectionSource {
  detectionRows<F extends DetectionFamily>(
    family: F,
    range: DetectionRange,
  ): Promise<DetectionRowsByFamily[F][]>;
  /**
   * The newest append's mark (the live cursor's upper bound): every append takes a larger one,
   * so `{ afterBatch: a, upToBatch: b }` reads what was appended in between.
   */
  latestBatch(): Promise<number>;
  /** Time span of stored raw events, or null when there are none. */
  rawTimeRange(): Promise<{ firstMs: number; lastMs: number } | null>;
}
