/**
 * The link-layer header of a captured packet: the header types of the tcpdump.org "LINK-LAYER
 * HEADER TYPES" registry (draft-ietf-opsawg-pcaplinktype) that carry IP — Ethernet with 802.1Q /
 * 802.1ad tags, Linux cooked v1 and v2, raw IP, NULL/LOOP, NFLOG (_linktype-nflog.ts) — read to
 * where the IP packet starts and which version it is.
 */
import { type RecordOutcome, type Rejection, reject, type Skip, skip } from '../../core/index.js';
import { AF_INET, NflogRecord } from './_linktype-nflog.js';

/** Link-layer header types we decode (tcpdump.org registry). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as some platforms wrote it into files (12 on most, 14 on OpenBSD) before LINKTYPE_RAW. */
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  /** Linux netfilter NFLOG (`iptables -j NFLOG`): _linktype-nflog.ts. */
  NFLOG: 239,
  LINUX_SLL2: 276,
} as const;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
/** IEEE 802.1Q C-tag, 802.1ad S-tag, and the pre-standard Q-in-Q tag some switches still send. */
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
/** Pseudo ethertype for "raw IP: look at the version nibble". */
export const RAW_IP = -1;

export const NOT_IP: Skip = skip('not an IP packet');
const TRUNC_LINK: Rejection = reject('truncated link-layer header');

const unsupported = new Map<number, Rejection>();
/** `unsupported link type 105`: one shared rejection per link type. */
export function unsupportedLinkType(linkType: number): Rejection {
  let r = unsupported.get(linkType);
  if (r === undefined) {
    r = reject(`unsupported link type ${linkType}`);
    unsupported.set(linkType, r);
  }
  return r;
}

/** True for the link types {@link LinkHeader.read} understands. */
export function isSupportedLinkType(linkType: number): boolean {
  switch (linkType) {
    case LINKTYPE.NULL:
    case LINKTYPE.ETHERNET:
    case LINKTYPE.RAW_12:
    case LINKTYPE.RAW_14:
    case LINKTYPE.RAW:
    case LINKTYPE.LOOP:
    case LINKTYPE.LINUX_SLL:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
    case LINKTYPE.NFLOG:
    case LINKTYPE.LINUX_SLL2:
      return true;
    default:
      return false;
  }
}

/**
 * The ethertype of a NULL/LOOP link header's address family, -1 when not IP. AF_INET is 2
 * everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
 */
function loopbackType(family: number): number {
  if (family === 2) return ETHERTYPE_IPV4;
  return family === 10 || family === 24 || family === 28 || family === 30 ? ETHERTYPE_IPV6 : -1;
}

/** Where the IP packet of a captured frame lies; one per decoder, reused per packet. */
export class LinkHeader {
  /** After a `read` that returned null: the IP packet is `b[start, end)`, `wireEnd` on the wire. */
  start = 0;
  end = 0;
  wireEnd = 0;
  /** ETHERTYPE_IPV4, ETHERTYPE_IPV6, another ethertype (not IP), or RAW_IP (see the version nibble). */
  type = 0;
  private readonly nflog = new NflogRecord();

  /**
   * The link-layer header of a packet of `caplen` bytes at `off` (`wireEnd`: where it ended on the
   * wire): the network layer's start, capture end, wire end and ethertype (RAW_IP: look at the
   * version nibble) into its fields; an outcome when there is no IP packet to read.
   */
  read(
    b: Uint8Array,
    off: number,
    caplen: number,
    linkType: number,
    wireEnd: number,
    le: boolean,
  ): RecordOutcome | null {
    let end = off + caplen;
    let p = off;
    let et: number;
    switch (linkType) {
      case LINKTYPE.ETHERNET: {
        // IEEE 802.3: dst(6) src(6) ethertype(2); 802.1Q/802.1ad tags insert 4 bytes each before the type.
        if (caplen < 14) return TRUNC_LINK;
        et = (b[p + 12]! << 8) | b[p + 13]!;
        p += 14;
        while (et === ETHERTYPE_VLAN || et === ETHERTYPE_QINQ || et === ETHERTYPE_QINQ_OLD) {
          if (end - p < 4) return TRUNC_LINK;
          et = (b[p + 2]! << 8) | b[p + 3]!;
          p += 4;
        }
        break;
      }
      case LINKTYPE.LINUX_SLL: {
        // Linux cooked v1: packet type(2) ARPHRD(2) addr len(2) addr(8) protocol(2).
        if (caplen < 16) return TRUNC_LINK;
        et = (b[p + 14]! << 8) | b[p + 15]!;
        p += 16;
        break;
      }
      case LINKTYPE.LINUX_SLL2: {
        // Linux cooked v2: protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) addr len(1) addr(8).
        if (caplen < 20) return TRUNC_LINK;
        et = (b[p]! << 8) | b[p + 1]!;
        p += 20;
        break;
      }
      case LINKTYPE.RAW:
      case LINKTYPE.RAW_12:
      case LINKTYPE.RAW_14:
        et = RAW_IP;
        break;
      case LINKTYPE.IPV4:
        et = ETHERTYPE_IPV4;
        break;
      case LINKTYPE.IPV6:
        et = ETHERTYPE_IPV6;
        break;
      case LINKTYPE.NFLOG: {
        const n = this.nflog;
        const r = n.read(b, p, end, wireEnd, le);
        if (r !== null) return r;
        p = n.start;
        end = n.end;
        wireEnd = n.wireEnd;
        et = n.family === AF_INET ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
        break;
      }
      case LINKTYPE.NULL:
      case LINKTYPE.LOOP: {
        // A 4-byte address family: host byte order of the writer (NULL) or network order (LOOP).
        // Families fit in one byte, so the non-zero end byte names it either way.
        if (caplen < 4) return TRUNC_LINK;
        et = loopbackType(b[p] !== 0 ? b[p]! : b[p + 3]!);
        if (et < 0) return NOT_IP;
        p += 4;
        break;
      }
      default:
        return unsupportedLinkType(linkType);
    }
    this.start = p;
    this.end = end;
    this.wireEnd = wireEnd;
    this.type = et;
    return null;
  }
}
