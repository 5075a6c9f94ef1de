/**
 * The IP header facts (TTL, total length, TCP flags) of the packet Suricata attaches to EVE alert and
 * anomaly records (`"packet"`: base64 of the raw frame, `"packet_info": {"linktype": N}` — Suricata EVE
 * JSON format, alert/anomaly `packet` field). Only the first bytes are decoded, into a reused buffer.
 */
import { ipv4ToString, ipv6ToString } from '../../core/index.js';

/** Result of {@link readPacketHeader}; reused between calls, -1 where unknown. */
export interface PacketHeader {
  ttl: number;
  length: number;
  tcpFlags: number;
}

const B64 = (() => {
  const t = new Int8Array(128).fill(-1);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < abc.length; i++) t[abc.charCodeAt(i)] = i;
  return t;
})();

/** Enough for SLL (16) + two VLAN tags + IPv6 (40) + the TCP flags octet (14). */
const BUF = new Uint8Array(96);

/** Decodes the leading base64 of `s` into BUF; the number of bytes, or -1 on a non-base64 character. */
function decodePrefix(s: string): number {
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < s.length && n < BUF.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 61) break; // '=' padding
    const v = c < 128 ? B64[c]! : -1;
    if (v < 0) return -1;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      BUF[n++] = (acc >> bits) & 255;
      acc &= (1 << bits) - 1;
    }
  }
  return n;
}

/** Offset of the IP header for a pcap link type (tcpdump.org LINKTYPE_* values); -1 if unsupported. */
function ipOffset(linktype: number, n: number): number {
  switch (linktype) {
    case 1: {
      // LINKTYPE_ETHERNET: 14-byte header; 802.1Q / 802.1ad tags add 4 bytes each.
      let off = 12;
      for (let tags = 0; tags < 3 && off + 2 <= n; tags++) {
        const type = (BUF[off]! << 8) | BUF[off + 1]!;
        if (type === 0x8100 || type === 0x88a8) off += 4;
        else return type === 0x0800 || type === 0x86dd ? off + 2 : -1;
      }
      return -1;
    }
    case 12:
    case 14:
    case 101: // LINKTYPE_RAW (and the DLT_RAW values some platforms write)
    case 228: // LINKTYPE_IPV4
    case 229: // LINKTYPE_IPV6
      return 0;
    case 113: {
      // LINKTYPE_LINUX_SLL: protocol type at bytes 14-15, 16-byte header.
      if (n < 16) return -1;
      const type = (BUF[14]! << 8) | BUF[15]!;
      return type === 0x0800 || type === 0x86dd ? 16 : -1;
    }
    default:
      return -1;
  }
}

/**
 * Fills `out` from the base64 `packet` of a record whose canonical addresses are `src` → `dst`.
 * Returns false (and leaves `out` at -1) when the frame cannot be read or its IP header is not the
 * record's (e.g. a tunnel's outer header), so that only facts about the logged packet are kept.
 */
export function readPacketHeader(
  packet: string,
  linktype: number,
  src: string,
  dst: string,
  out: PacketHeader,
): boolean {
  out.ttl = -1;
  out.length = -1;
  out.tcpFlags = -1;
  const n = decodePrefix(packet.length > 128 ? packet.slice(0, 128) : packet);
  if (n < 20) return false;
  const ip = ipOffset(linktype, n);
  if (ip < 0 || ip + 20 > n) return false;
  const version = BUF[ip]! >> 4;
  let l4 = -1;
  let proto = -1;
  if (version === 4) {
    const ihl = (BUF[ip]! & 15) * 4;
    if (ihl < 20) return false;
    const s = ipv4ToString(
      ((BUF[ip + 12]! << 24) | (BUF[ip + 13]! << 16) | (BUF[ip + 14]! << 8) | BUF[ip + 15]!) >>> 0,
    );
    const d = ipv4ToString(
      ((BUF[ip + 16]! << 24) | (BUF[ip + 17]! << 16) | (BUF[ip + 18]! << 8) | BUF[ip + 19]!) >>> 0,
    );
    if (s !== src || d !== dst) return false;
    out.ttl = BUF[ip + 8]!;
    out.length = (BUF[ip + 2]! << 8) | BUF[ip + 3]!;
    // Only the first fragment carries the TCP header (RFC 791 fragment offset 0).
    if ((((BUF[ip + 6]! & 0x1f) << 8) | BUF[ip + 7]!) === 0) {
      proto = BUF[ip + 9]!;
      l4 = ip + ihl;
    }
  } else if (version === 6) {
    if (ip + 40 > n) return false;
    if (ipv6ToString(BUF, ip + 8) !== src || ipv6ToString(BUF, ip + 24) !== dst) return false;
    out.ttl = BUF[ip + 7]!;
    // IPv6 payload length excludes the 40-byte fixed header (RFC 8200 §3); report the whole packet.
    out.length = 40 + ((BUF[ip + 4]! << 8) | BUF[ip + 5]!);
    proto = BUF[ip + 6]!; // only a TCP header directly after the fixed header is read
    l4 = ip + 40;
  } else return false;
  if (proto === 6 && l4 + 14 <= n) out.tcpFlags = BUF[l4 + 13]!;
  return true;
}
