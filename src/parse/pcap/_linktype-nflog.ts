/**
 * LINKTYPE_NFLOG (239): what `iptables -j NFLOG` / nftables `log group N` hand to a capture
 * (`tcpdump -i nflog:N -w …`). Layout per the tcpdump.org link-layer header types registry
 * ("LINKTYPE_NFLOG") and Linux include/uapi/linux/netfilter/nfnetlink_log.h:
 *
 *   family(1) version(1) resource id(2, network order)
 *   TLVs: length(2) type(2) value, each padded to 4 bytes; length counts the 4-byte TLV header
 *
 * The TLV length and type are in the *host* byte order of the machine that wrote the capture,
 * which is the byte order of the file itself (libpcap swaps them when the file's order is not
 * the reader's). NFULA_PAYLOAD (type 9) holds the network-layer packet; the family says whether
 * it is IPv4 (AF_INET, 2) or IPv6 (AF_INET6, 10). The other TLVs (prefix, mark, interfaces,
 * hardware header, a timestamp) add nothing an event records: the capture record's own time is
 * the packet's, as tcpdump prints it.
 */
import { type Rejection, reject, type Skip, skip } from '../../core/index.js';

const NFULA_PAYLOAD = 9;
/** Netlink attribute flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER) are not part of the type. */
const NLA_TYPE_MASK = 0x3fff;
export const AF_INET = 2;
export const AF_INET6 = 10;

const TRUNC_NFLOG: Rejection = reject('truncated nflog header');
const BAD_TLV: Rejection = reject('invalid nflog tlv length');
const NO_PAYLOAD: Rejection = reject('nflog record without packet payload');
const NOT_IP: Skip = skip('not an IP packet');

const versions = new Map<number, Rejection>();
function unsupportedVersion(v: number): Rejection {
  let r = versions.get(v);
  if (r === undefined) {
    r = reject(`unsupported nflog version ${v}`);
    versions.set(v, r);
  }
  return r;
}

/** Where the network-layer packet of an NFLOG record lies; one per decoder, reused per packet. */
export class NflogRecord {
  /** After a successful `read`: the packet is `b[start, end)` as captured, `wireEnd` as sent. */
  start = 0;
  end = 0;
  wireEnd = 0;
  family = 0;

  /**
   * Reads the NFLOG header of the record captured in `b[p, end)` (on the wire up to `wireEnd`),
   * with TLV headers in the given byte order. Returns null when the payload was found.
   */
  read(b: Uint8Array, p: number, end: number, wireEnd: number, le: boolean): Rejection | Skip | null {
    if (end - p < 4) return TRUNC_NFLOG;
    const family = b[p]!;
    if (b[p + 1] !== 0) return unsupportedVersion(b[p + 1]!);
    if (family !== AF_INET && family !== AF_INET6) return NOT_IP;
    let t = p + 4;
    while (end - t >= 4) {
      const len = le ? b[t]! | (b[t + 1]! << 8) : (b[t]! << 8) | b[t + 1]!;
      const type = (le ? b[t + 2]! | (b[t + 3]! << 8) : (b[t + 2]! << 8) | b[t + 3]!) & NLA_TYPE_MASK;
      if (len < 4) return BAD_TLV;
      if (type === NFULA_PAYLOAD) {
        // A snaplen may cut the payload: decode what was captured, the IP header names the rest.
        this.start = t + 4;
        this.wireEnd = Math.min(t + len, wireEnd);
        this.end = Math.min(this.wireEnd, end);
        this.family = family;
        return null;
      }
      t += (len + 3) & ~3;
    }
    // The TLVs ran out: cut short by the snaplen, or the record logged no packet (size 0).
    return end < wireEnd ? TRUNC_NFLOG : NO_PAYLOAD;
  }
}
