/**
 * Decodes one captured packet (link layer, IPv4/IPv6 with extension headers, TCP/UDP/ICMP/ICMPv6)
 * into a darknet `ObservationEvent`, straight from the capture's bytes: no copies, no per-packet
 * closures, and outcomes for the common non-events (fragments, non-IP frames, truncations) are
 * shared constants, so a packet costs the event object and its two address strings at most.
 *
 * The link-layer header: _link-layer.ts. IPv4: RFC 791. IPv6: RFC 8200. TCP: RFC 9293. UDP: RFC 768.
 * ICMP: RFC 792. ICMPv6: RFC 4443.
 */
import {
  fnv1a32,
  type ObservationEvent,
  PAYLOAD_HASH_BYTES,
  type PayloadFingerprint,
  payloadFingerprint,
  protocolFromNumber,
  type QuotedPacket,
  type RecordOutcome,
  type Rejection,
  reject,
  type Skip,
  skip,
} from '../../core/index.js';
import { ipv4At, ipv6At } from '../_ip-text.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LinkHeader, NOT_IP, RAW_IP } from './_link-layer.js';

// What walkV6() returns instead of an offset.
const WALK_TRUNCATED = -1;
const WALK_FRAGMENT = -2;

const FRAGMENT: Skip = skip('ip fragment (non-first)');
const TRUNC_IPV4: Rejection = reject('truncated ipv4 header');
const TRUNC_IPV6: Rejection = reject('truncated ipv6 header');
const TRUNC_EXT: Rejection = reject('truncated ipv6 extension header');
const TRUNC_TCP: Rejection = reject('truncated tcp header');
const TRUNC_UDP: Rejection = reject('truncated udp header');
const TRUNC_ICMP: Rejection = reject('truncated icmp header');
const BAD_VERSION: Rejection = reject('invalid ip version');
const BAD_IHL: Rejection = reject('invalid ipv4 header length');
const BAD_TOTAL: Rejection = reject('invalid ipv4 total length');

/**
 * Fingerprint of a transport payload of `len` bytes (the IP header's view) starting at `start`,
 * hashed over what was captured (up to `cEnd`), so a snaplen-cut packet still names its length.
 */
function fingerprint(b: Uint8Array, start: number, len: number, cEnd: number): PayloadFingerprint {
  const captured = cEnd - start;
  if (captured >= len || captured >= PAYLOAD_HASH_BYTES) return payloadFingerprint(b, start, len);
  return { length: len, hash: fnv1a32(b, start, Math.max(captured, 0)) };
}

/** ICMPv4 errors that quote the offending datagram (RFC 792): unreachable, source quench, redirect, time exceeded, parameter problem. */
function isIcmp4Error(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/**
 * Decodes packets for one capture. Holds per-packet scratch fields instead of returning
 * intermediate objects, so the hot path allocates only the event.
 */
export class PacketDecoder {
  readonly sensor: string;
  // Transport fields of the packet being decoded (set by transport()).
  private srcPort: number | null = null;
  private dstPort: number | null = null;
  private tcpFlags: number | null = null;
  private icmpType: number | null = null;
  private icmpCode: number | null = null;
  private payload: PayloadFingerprint | null = null;
  private quoted: QuotedPacket | null = null;
  /** Next-header value where walkV6() stopped. */
  private nh = 0;
  private readonly link = new LinkHeader();

  constructor(sensor: string) {
    this.sensor = sensor;
  }

  /**
   * One packet: `caplen` captured bytes of `b` from `off`, of the given link type, seen at `timeMs`;
   * `origLen` bytes long on the wire; `le` is the capture's byte order (for link-layer headers
   * written in host order). Never throws; reads nothing outside `[off, off + caplen)`.
   */
  decode(
    b: Uint8Array,
    off: number,
    caplen: number,
    linkType: number,
    timeMs: number,
    origLen = caplen,
    le = true,
  ): RecordOutcome {
    const link = this.link;
    const bad = link.read(b, off, caplen, linkType, off + Math.max(origLen, caplen), le);
    if (bad !== null) return bad;
    const p = link.start;
    const end = link.end;
    let et = link.type;
    if (et === RAW_IP) {
      if (p >= end) return TRUNC_IPV4;
      const v = b[p]! >> 4;
      if (v === 4) et = ETHERTYPE_IPV4;
      else if (v === 6) et = ETHERTYPE_IPV6;
      else return BAD_VERSION;
    }
    if (et === ETHERTYPE_IPV4) return this.ipv4(b, p, end, link.wireEnd, timeMs);
    if (et === ETHERTYPE_IPV6) return this.ipv6(b, p, end, link.wireEnd, timeMs);
    return NOT_IP;
  }

  /**
   * RFC 791 §3.1. The header checksum is not verified: a darknet records what arrived. The packet
   * is captured up to `end` and was `wireEnd - p` bytes long on the wire.
   */
  private ipv4(b: Uint8Array, p: number, end: number, wireEnd: number, timeMs: number): RecordOutcome {
    if (end - p < 20) return TRUNC_IPV4;
    const vihl = b[p]!;
    if (vihl >> 4 !== 4) return BAD_VERSION;
    const hl = (vihl & 15) << 2;
    if (hl < 20) return BAD_IHL;
    if (end - p < hl) return TRUNC_IPV4;
    let total = (b[p + 2]! << 8) | b[p + 3]!;
    // Total length 0: a segmentation-offload aggregate (TSO/GSO, or a BIG TCP packet past 64 KiB)
    // as Linux hands it to a capture. Its length is the frame's on the wire, as Wireshark's TSO
    // support and tcpdump built with GUESS_TSO read it (print-ip.c).
    if (total === 0) total = wireEnd - p;
    if (total < hl) return BAD_TOTAL;
    // A non-first fragment carries no transport header to read.
    if ((((b[p + 6]! & 0x1f) << 8) | b[p + 7]!) !== 0) return FRAGMENT;
    const proto = b[p + 9]!;
    const ipEnd = p + total;
    // Ethernet pads short frames: the datagram ends where the IP header says, or where capture stopped.
    const cEnd = Math.min(ipEnd, end);
    const r = this.transport(b, p + hl, cEnd, total - hl, proto);
    if (r !== null) return r;
    const ipId = (b[p + 4]! << 8) | b[p + 5]!;
    return this.event(timeMs, proto, ipv4At(b, p + 12), ipv4At(b, p + 16), total, b[p + 8]!, ipId);
  }

  /**
   * RFC 8200 §3; `length` is the payload length plus the 40-byte fixed header. A payload length
   * of 0 before any header but "no next header" (59) — which could not fit — is a jumbogram
   * (RFC 2675) or an IPv6 BIG TCP aggregate: its length is the frame's.
   */
  private ipv6(b: Uint8Array, p: number, end: number, wireEnd: number, timeMs: number): RecordOutcome {
    if (end - p < 40) return TRUNC_IPV6;
    if (b[p]! >> 4 !== 6) return BAD_VERSION;
    let plen = (b[p + 4]! << 8) | b[p + 5]!;
    if (plen === 0 && b[p + 6] !== 59) plen = Math.max(wireEnd - p - 40, 0);
    const ipEnd = p + 40 + plen;
    const cEnd = Math.min(ipEnd, end);
    const tp = this.walkV6(b, p + 40, cEnd, b[p + 6]!);
    if (tp === WALK_TRUNCATED) return TRUNC_EXT;
    if (tp === WALK_FRAGMENT) return FRAGMENT;
    const proto = this.nh;
    const r = this.transport(b, tp, cEnd, ipEnd - tp, proto);
    if (r !== null) return r;
    return this.event(timeMs, proto, ipv6At(b, p + 8), ipv6At(b, p + 24), plen + 40, b[p + 7]!, null);
  }

  /**
   * Follows IPv6 extension headers (RFC 8200 §4: hop-by-hop 0, routing 43, fragment 44,
   * destination options 60; AH 51 per RFC 4302 §2.2) from `p` with first next-header `nh`.
   * Returns the upper-layer offset (its protocol in `this.nh`), or a negative WALK_ code.
   */
  private walkV6(b: Uint8Array, p: number, cEnd: number, nh: number): number {
    for (;;) {
      switch (nh) {
        case 0:
        case 43:
        case 60: {
          if (cEnd - p < 8) return WALK_TRUNCATED;
          const len = (b[p + 1]! + 1) << 3;
          if (cEnd - p < len) return WALK_TRUNCATED;
          nh = b[p]!;
          p += len;
          break;
        }
        case 51: {
          if (cEnd - p < 8) return WALK_TRUNCATED;
          const len = (b[p + 1]! + 2) << 2;
          if (cEnd - p < len) return WALK_TRUNCATED;
          nh = b[p]!;
          p += len;
          break;
        }
        case 44: {
          // Fragment header (RFC 8200 §4.5): offset in 8-octet units in the top 13 bits of bytes 2–3.
          if (cEnd - p < 8) return WALK_TRUNCATED;
          if (((b[p + 2]! << 8) | b[p + 3]!) >> 3 !== 0) return WALK_FRAGMENT;
          nh = b[p]!;
          p += 8;
          break;
        }
        default:
          this.nh = nh;
          return p;
      }
    }
  }

  /**
   * Reads the transport header at `tp` (captured up to `cEnd`; `tlen` bytes by the IP header's
   * count) into the scratch fields. Returns a rejection, or null when the fields are set.
   */
  private transport(b: Uint8Array, tp: number, cEnd: number, tlen: number, proto: number): Rejection | null {
    this.srcPort = null;
    this.dstPort = null;
    this.tcpFlags = null;
    this.icmpType = null;
    this.icmpCode = null;
    this.payload = null;
    this.quoted = null;
    const avail = cEnd - tp;
    switch (proto) {
      case 6: {
        // RFC 9293 §3.1: ports(4) seq(4) ack(4) data offset(4 bits) … flags octet at 13.
        if (avail < 20) return TRUNC_TCP;
        this.srcPort = (b[tp]! << 8) | b[tp + 1]!;
        this.dstPort = (b[tp + 2]! << 8) | b[tp + 3]!;
        this.tcpFlags = b[tp + 13]!;
        const hl = (b[tp + 12]! >> 4) << 2;
        if (hl >= 20 && tlen > hl) this.payload = fingerprint(b, tp + hl, tlen - hl, cEnd);
        return null;
      }
      case 17: {
        if (avail < 8) return TRUNC_UDP;
        this.srcPort = (b[tp]! << 8) | b[tp + 1]!;
        this.dstPort = (b[tp + 2]! << 8) | b[tp + 3]!;
        if (tlen > 8) this.payload = fingerprint(b, tp + 8, tlen - 8, cEnd);
        return null;
      }
      case 1:
      case 58: {
        // ICMP and ICMPv6 share the layout: type, code, checksum, 4 type-specific bytes, then the body.
        if (avail < 8) return TRUNC_ICMP;
        const type = b[tp]!;
        this.icmpType = type;
        this.icmpCode = b[tp + 1]!;
        if (tlen > 8) this.payload = fingerprint(b, tp + 8, tlen - 8, cEnd);
        if (proto === 1 ? isIcmp4Error(type) : type >= 1 && type <= 4) {
          this.quoted = proto === 1 ? quotedV4(b, tp + 8, cEnd) : this.quotedV6(b, tp + 8, cEnd);
        }
        return null;
      }
      default:
        return null;
    }
  }

  /** The invoking packet an ICMPv6 error carries (RFC 4443 §3): IPv6 header, extension headers, ports. */
  private quotedV6(b: Uint8Array, q: number, cEnd: number): QuotedPacket | null {
    if (cEnd - q < 40 || b[q]! >> 4 !== 6) return null;
    const first = b[q + 6]!;
    const tp = this.walkV6(b, q + 40, cEnd, first);
    let proto = first;
    let srcPort: number | null = null;
    let dstPort: number | null = null;
    if (tp >= 0) {
      proto = this.nh;
      if ((proto === 6 || proto === 17) && cEnd - tp >= 4) {
        srcPort = (b[tp]! << 8) | b[tp + 1]!;
        dstPort = (b[tp + 2]! << 8) | b[tp + 3]!;
      }
    }
    return {
      src: ipv6At(b, q + 8),
      dst: ipv6At(b, q + 24),
      protocol: protocolFromNumber(proto),
      srcPort,
      dstPort,
    };
  }

  private event(
    timeMs: number,
    proto: number,
    src: string,
    dst: string,
    length: number,
    ttl: number,
    ipId: number | null,
  ): ObservationEvent {
    return {
      timeMs,
      sensor: this.sensor,
      kind: 'darknet',
      protocol: protocolFromNumber(proto),
      protocolNumber: proto,
      src,
      dst,
      srcPort: this.srcPort,
      dstPort: this.dstPort,
      tcpFlags: this.tcpFlags,
      icmpType: this.icmpType,
      icmpCode: this.icmpCode,
      length,
      ttl,
      ipId,
      ids: null,
      payload: this.payload,
      quoted: this.quoted,
    };
  }
}

/**
 * The datagram an ICMPv4 error quotes (RFC 792: its IP header and first 8 data bytes). Null
 * when not even its IPv4 header was captured; ports null when the transport part is missing,
 * not TCP/UDP, or the quoted datagram was itself a non-first fragment.
 */
function quotedV4(b: Uint8Array, q: number, cEnd: number): QuotedPacket | null {
  if (cEnd - q < 20) return null;
  const vihl = b[q]!;
  const hl = (vihl & 15) << 2;
  if (vihl >> 4 !== 4 || hl < 20 || cEnd - q < hl) return null;
  const proto = b[q + 9]!;
  const tp = q + hl;
  let srcPort: number | null = null;
  let dstPort: number | null = null;
  const firstFragment = (((b[q + 6]! & 0x1f) << 8) | b[q + 7]!) === 0;
  if ((proto === 6 || proto === 17) && firstFragment && cEnd - tp >= 4) {
    srcPort = (b[tp]! << 8) | b[tp + 1]!;
    dstPort = (b[tp + 2]! << 8) | b[tp + 3]!;
  }
  return {
    src: ipv4At(b, q + 12),
    dst: ipv4At(b, q + 16),
    protocol: protocolFromNumber(proto),
    srcPort,
    dstPort,
  };
}
