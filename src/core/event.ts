/**
 * The one normalised observation record every parser yields (firewall, IDS and darknet alike),
 * and the enrichment the ingest service adds to it before storage.
 */

export const EVENT_KINDS = ['firewall', 'ids', 'darknet'] as const;
/** Where an observation comes from: a firewall log, an IDS alert or a darknet packet capture. */
export type EventKind = (typeof EVENT_KINDS)[number];

export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** IANA protocol numbers of the protocols we name. */
export const PROTOCOL_NUMBERS: Readonly<Record<Exclude<Protocol, 'other'>, number>> = {
  tcp: 6,
  udp: 17,
  icmp: 1,
  icmpv6: 58,
};

export function protocolFromNumber(n: number): Protocol {
  switch (n) {
    case 6:
      return 'tcp';
    case 17:
      return 'udp';
    case 1:
      return 'icmp';
    case 58:
      return 'icmpv6';
    default:
      return 'other';
  }
}

/** TCP flag bits as in the TCP header's flags octet (RFC 9293 §3.1, RFC 3168 for ECE/CWR). */
export const TCP_FLAG = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;

const FLAG_ORDER = ['CWR', 'ECE', 'URG', 'ACK', 'PSH', 'RST', 'SYN', 'FIN'] as const;

/** "SYN,ACK" style rendering of a flag octet, highest bit first as tcpdump lists them. */
export function tcpFlagsToString(flags: number): string {
  const out: string[] = [];
  for (const name of FLAG_ORDER) if (flags & TCP_FLAG[name]) out.push(name);
  return out.join(',');
}

/**
 * The technique classes of the annual report's figure 2.3 (攻撃手法別検知状況,
 * docs/background.md#observation), extended with the classes a modern IDS rule set needs. The
 * mapping from rule metadata lives in `parse/ids/technique.ts`.
 */
export const TECHNIQUES = ['Worm', 'Scan', 'Exploit', 'DoS', 'Trojan/Backdoor', 'Policy', 'Other'] as const;
export type Technique = (typeof TECHNIQUES)[number];

/** IDS-specific part of an event. */
export interface IdsAlert {
  readonly generatorId: number;
  readonly signatureId: number;
  readonly signatureRev: number;
  readonly signature: string;
  /** Snort/Suricata classtype short name, e.g. `attempted-admin`; `null` when the rule has none. */
  readonly classtype: string | null;
  readonly technique: Technique;
  /** 1 (high) … 4 (low) as Suricata and Snort number priorities; `null` when unknown. */
  readonly priority: number | null;
}

/**
 * The header an ICMP error quotes (RFC 792, RFC 4443 §2.4): the packet that caused the error.
 * Backscatter analysis names the victim from it (Moore et al. 2001, §3.2).
 */
export interface QuotedPacket {
  readonly src: string;
  readonly dst: string;
  readonly protocol: Protocol;
  readonly srcPort: number | null;
  readonly dstPort: number | null;
}

/** A payload fingerprint: length of the transport payload and a hash of its first bytes. */
export interface PayloadFingerprint {
  readonly length: number;
  /** FNV-1a 32-bit over the first {@link PAYLOAD_HASH_BYTES} bytes of the payload. */
  readonly hash: number;
}

/** How many leading payload bytes the fingerprint hashes. */
export const PAYLOAD_HASH_BYTES = 64;

export interface ObservationEvent {
  /** Event time, UTC milliseconds since the epoch. */
  readonly timeMs: number;
  /** Sensor name; empty when the record names none and the caller gave none. */
  sensor: string;
  readonly kind: EventKind;
  readonly protocol: Protocol;
  /** IANA protocol number (also for `other`). */
  readonly protocolNumber: number;
  /** Source address in canonical text form (dotted quad, or RFC 5952 IPv6). */
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number | null;
  readonly dstPort: number | null;
  /** TCP flags octet ({@link TCP_FLAG}); `null` when not TCP or not recorded. */
  readonly tcpFlags: number | null;
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
  /** IP total length in bytes, when the source records it. */
  readonly length: number | null;
  readonly ttl: number | null;
  /**
   * IPv4 Identification field (RFC 791 §3.1), when the source records it (netfilter's `ID=`, a
   * captured header). Not stored: with the length and TTL it tells two otherwise identical packets
   * apart when the same packet logged in two files is recognised.
   */
  readonly ipId?: number | null;
  readonly ids: IdsAlert | null;
  readonly payload: PayloadFingerprint | null;
  readonly quoted: QuotedPacket | null;
}

/** What kind of address a source is; only `public` addresses have a country. */
export type AddressScope = 'public' | 'private' | 'reserved' | 'bogon';

/** An event after enrichment (observe/enrich): the source's country, AS and address scope. */
export interface EnrichedEvent extends ObservationEvent {
  /** ISO 3166-1 alpha-2, or `null` when unknown or not public. */
  srcCountry: string | null;
  srcAsn: number | null;
  srcScope: AddressScope;
  /** When the sensor agent read the record (its clock), for delivery lag; absent for file imports. */
  receivedMs?: number;
}

/** A record the parser could not turn into an event; counted and reported, never thrown. */
export interface Rejection {
  readonly outcome: 'rejected';
  readonly reason: string;
}

/** A well-formed record that is not an observation (another EVE event type, a UFW AUDIT line…). */
export interface Skip {
  readonly outcome: 'skipped';
  readonly reason: string;
}

export type RecordOutcome = ObservationEvent | Rejection | Skip;

export function reject(reason: string): Rejection {
  return { outcome: 'rejected', reason };
}

export function skip(reason: string): Skip {
  return { outcome: 'skipped', reason };
}

export function isEvent(o: RecordOutcome): o is ObservationEvent {
  return (o as Partial<Rejection>).outcome === undefined;
}

/** FNV-1a 32-bit over `bytes[start, start+len)`; used for payload fingerprints. */
export function fnv1a32(bytes: Uint8Array, start = 0, len = bytes.length - start): number {
  let h = 0x811c9dc5;
  const end = start + len;
  for (let i = start; i < end; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The fingerprint of a transport payload (`bytes[start, start+len)`). */
export function payloadFingerprint(bytes: Uint8Array, start: number, len: number): PayloadFingerprint {
  return { length: len, hash: fnv1a32(bytes, start, Math.min(len, PAYLOAD_HASH_BYTES)) };
}

/** `376:1a2b3c4d` — how a payload family is named in views and alerts. */
export function fingerprintToString(p: PayloadFingerprint): string {
  return `${p.length}:${p.hash.toString(16).padStart(8, '0')}`;
}
