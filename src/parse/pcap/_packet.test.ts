import { describe, expect, it } from 'vitest';
import { ascii, cat, ether, icmp, ipv4, ipv6, tcp, u16, u32, udp, v6 } from '../../../test/pcap-bytes.js';
import {
  fnv1a32,
  isEvent,
  type ObservationEvent,
  payloadFingerprint,
  type RecordOutcome,
} from '../../core/index.js';
import { ipv4At, ipv6At } from '../_ip-text.js';
import { PacketDecoder } from './_packet.js';

const T = 1_700_000_000_123;
const dec = new PacketDecoder('sensor-1');

function decode(bytes: Uint8Array, linkType = 1, caplen = bytes.length): RecordOutcome {
  return dec.decode(bytes, 0, caplen, linkType, T);
}

function event(bytes: Uint8Array, linkType = 1): ObservationEvent {
  const out = decode(bytes, linkType);
  if (!isEvent(out)) throw new Error(`expected an event, got ${out.outcome}: ${out.reason}`);
  return out;
}

const SYN = 0x02;

describe('PacketDecoder on Ethernet', () => {
  it('decodes a TCP SYN into a darknet event with every field in order', () => {
    const e = event(
      ether(0x0800, ipv4({ src: '198.51.100.7', dst: '192.0.2.10', proto: 6, ttl: 47 }, tcp(40000, 23, SYN))),
    );
    expect(e).toEqual({
      timeMs: T,
      sensor: 'sensor-1',
      kind: 'darknet',
      protocol: 'tcp',
      protocolNumber: 6,
      src: '198.51.100.7',
      dst: '192.0.2.10',
      srcPort: 40000,
      dstPort: 23,
      tcpFlags: SYN,
      icmpType: null,
      icmpCode: null,
      length: 40,
      ttl: 47,
      ipId: 1,
      ids: null,
      payload: null,
      quoted: null,
    });
    expect(Object.keys(e)).toEqual([
      'timeMs',
      'sensor',
      'kind',
      'protocol',
      'protocolNumber',
      'src',
      'dst',
      'srcPort',
      'dstPort',
      'tcpFlags',
      'icmpType',
      'icmpCode',
      'length',
      'ttl',
      'ipId',
      'ids',
      'payload',
      'quoted',
    ]);
  });

  it('looks through one 802.1Q tag and through stacked 802.1ad + 802.1Q tags', () => {
    const pkt = ipv4({ proto: 17 }, udp(1, 2));
    expect(event(ether(0x0800, pkt, [0x8100])).protocol).toBe('udp');
    expect(event(ether(0x0800, pkt, [0x88a8, 0x8100])).dstPort).toBe(2);
    expect(event(ether(0x0800, pkt, [0x9100, 0x8100, 0x8100])).srcPort).toBe(1);
  });

  it('skips ARP and other non-IP ethertypes', () => {
    expect(decode(ether(0x0806, new Uint8Array(28)))).toEqual({
      outcome: 'skipped',
      reason: 'not an IP packet',
    });
    expect(decode(ether(0x88cc, new Uint8Array(40)))).toEqual({
      outcome: 'skipped',
      reason: 'not an IP packet',
    });
  });

  it('rejects frames cut inside the Ethernet header or a VLAN tag', () => {
    expect(decode(new Uint8Array(13))).toEqual({
      outcome: 'rejected',
      reason: 'truncated link-layer header',
    });
    expect(decode(ether(0x8100, new Uint8Array(2)))).toEqual({
      outcome: 'rejected',
      reason: 'truncated link-layer header',
    });
  });

  it('ignores Ethernet padding after the datagram when hashing and counting the payload', () => {
    const pkt = ipv4({ proto: 17 }, udp(1, 2, ascii('abc')));
    const e = event(cat(ether(0x0800, pkt), new Uint8Array(20).fill(0xee)));
    expect(e.length).toBe(31);
    expect(e.payload).toEqual(payloadFingerprint(ascii('abc'), 0, 3));
  });
});

describe('PacketDecoder link types', () => {
  const syn4 = ipv4({ src: '198.51.100.9', proto: 6 }, tcp(1, 80, SYN));
  const syn6 = ipv6({ src: '2001:db8:bad::9', next: 6 }, tcp(1, 443, SYN));

  it('reads raw IP by its version nibble for link types 101, 12 and 14', () => {
    for (const lt of [101, 12, 14]) {
      expect(event(syn4, lt).src).toBe('198.51.100.9');
      expect(event(syn6, lt).src).toBe('2001:db8:bad::9');
    }
  });

  it('reads LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229)', () => {
    expect(event(syn4, 228).dstPort).toBe(80);
    expect(event(syn6, 229).dstPort).toBe(443);
    expect(decode(syn6, 228)).toEqual({ outcome: 'rejected', reason: 'invalid ip version' });
  });

  it('reads Linux cooked SLL (113) and SLL2 (276) headers', () => {
    const sll = cat(u16(0), u16(1), u16(6), new Uint8Array(8), u16(0x0800), syn4);
    const sll2 = cat(u16(0x86dd), u16(0), u32(3), u16(1), [0, 6], new Uint8Array(8), syn6);
    expect(event(sll, 113).dstPort).toBe(80);
    expect(event(sll2, 276).dstPort).toBe(443);
    expect(decode(cat(u16(0), u16(1), u16(6), new Uint8Array(8), u16(0x0806)), 113)).toEqual({
      outcome: 'skipped',
      reason: 'not an IP packet',
    });
    expect(decode(new Uint8Array(19), 276)).toEqual({
      outcome: 'rejected',
      reason: 'truncated link-layer header',
    });
  });

  it('reads BSD loopback (0) in either byte order and OpenBSD LOOP (108)', () => {
    expect(event(cat(u32(2, true), syn4), 0).dstPort).toBe(80);
    expect(event(cat(u32(2, false), syn4), 0).dstPort).toBe(80);
    for (const af6 of [10, 24, 28, 30]) expect(event(cat(u32(af6, true), syn6), 0).dstPort).toBe(443);
    expect(event(cat(u32(2, false), syn4), 108).dstPort).toBe(80);
    expect(decode(cat(u32(7, true), syn4), 0)).toEqual({ outcome: 'skipped', reason: 'not an IP packet' });
  });

  /** LINKTYPE_NFLOG: family, version 0, resource id (big-endian), then TLVs in the writer's order. */
  function nflog(family: number, tlvs: readonly [number, Uint8Array][], le: boolean): Uint8Array {
    const parts: Uint8Array[] = [Uint8Array.of(family, 0), u16(5)];
    for (const [type, value] of tlvs) {
      parts.push(
        u16(4 + value.length, le),
        u16(type, le),
        value,
        new Uint8Array((4 - (value.length % 4)) % 4),
      );
    }
    return cat(...parts);
  }
  const prefix = ascii('nflog-test\0'); // NFULA_PREFIX (10), 11 bytes: padded to 12
  const ts = cat(u32(0), u32(1_700_000_000), u32(0), u32(5)); // NFULA_TIMESTAMP (3), big-endian sec/usec

  it('reads LINKTYPE_NFLOG (239): the payload TLV after others, TLV headers in either byte order', () => {
    for (const le of [true, false]) {
      const rec = nflog(
        2,
        [
          [10, prefix],
          [3, ts],
          [9, syn4],
        ],
        le,
      );
      const e = dec.decode(rec, 0, rec.length, 239, T, rec.length, le);
      expect(e).toMatchObject({ timeMs: T, src: '198.51.100.9', dstPort: 80, tcpFlags: SYN, length: 40 });
      const rec6 = nflog(10, [[9, syn6]], le);
      expect(dec.decode(rec6, 0, rec6.length, 239, T, rec6.length, le)).toMatchObject({
        src: '2001:db8:bad::9',
        dstPort: 443,
      });
    }
  });

  it('rejects NFLOG records without a payload, with a broken TLV or version, and skips other families', () => {
    const none = nflog(2, [[10, prefix]], true);
    expect(dec.decode(none, 0, none.length, 239, T, none.length, true)).toEqual({
      outcome: 'rejected',
      reason: 'nflog record without packet payload',
    });
    expect(dec.decode(none, 0, 8, 239, T, none.length, true)).toEqual({
      outcome: 'rejected',
      reason: 'truncated nflog header',
    });
    const zero = cat(Uint8Array.of(2, 0), u16(0), u16(0, true), u16(9, true));
    expect(dec.decode(zero, 0, zero.length, 239, T, zero.length, true)).toEqual({
      outcome: 'rejected',
      reason: 'invalid nflog tlv length',
    });
    const v1 = nflog(2, [[9, syn4]], true);
    v1[1] = 1;
    expect(dec.decode(v1, 0, v1.length, 239, T, v1.length, true)).toEqual({
      outcome: 'rejected',
      reason: 'unsupported nflog version 1',
    });
    const bridge = nflog(7, [[9, syn4]], true);
    expect(dec.decode(bridge, 0, bridge.length, 239, T, bridge.length, true)).toEqual({
      outcome: 'skipped',
      reason: 'not an IP packet',
    });
    // Read in the wrong byte order, the lengths make no sense: never an event, never a throw.
    const wrong = nflog(
      2,
      [
        [10, prefix],
        [9, syn4],
      ],
      true,
    );
    expect(isEvent(dec.decode(wrong, 0, wrong.length, 239, T, wrong.length, false))).toBe(false);
  });

  it('rejects every packet of an unsupported link type with the type in the reason', () => {
    expect(decode(new Uint8Array(40), 105)).toEqual({
      outcome: 'rejected',
      reason: 'unsupported link type 105',
    });
    expect(decode(new Uint8Array(0), 127)).toEqual({
      outcome: 'rejected',
      reason: 'unsupported link type 127',
    });
  });
});

describe('PacketDecoder on IPv4', () => {
  it('steps over IPv4 options using the header length', () => {
    const e = event(
      ether(0x0800, ipv4({ proto: 17, options: [1, 1, 1, 0, 7, 3, 4, 0] }, udp(53, 999, ascii('xy')))),
    );
    expect([e.srcPort, e.dstPort, e.length, e.payload?.length]).toEqual([53, 999, 38, 2]);
  });

  it('skips non-first fragments and decodes the first fragment normally', () => {
    const first = ipv4({ proto: 17, mf: true }, udp(5000, 161, new Uint8Array(24)));
    const e = event(ether(0x0800, first));
    expect([e.srcPort, e.dstPort, e.payload?.length]).toEqual([5000, 161, 24]);
    const later = ipv4({ proto: 17, fragOffset: 4 }, new Uint8Array(16));
    expect(decode(ether(0x0800, later))).toEqual({ outcome: 'skipped', reason: 'ip fragment (non-first)' });
  });

  it('rejects a bad version, a short header length and a total length below the header', () => {
    const bad = ipv4({ proto: 6 }, tcp(1, 2, SYN));
    bad[0] = 0x55;
    expect(decode(ether(0x0800, bad))).toEqual({ outcome: 'rejected', reason: 'invalid ip version' });
    bad[0] = 0x44;
    expect(decode(ether(0x0800, bad))).toEqual({ outcome: 'rejected', reason: 'invalid ipv4 header length' });
    expect(decode(ether(0x0800, ipv4({ proto: 6, totalLength: 19 }, tcp(1, 2, SYN))))).toEqual({
      outcome: 'rejected',
      reason: 'invalid ipv4 total length',
    });
  });

  it('reads a BIG TCP / GSO frame whose total length is 0 with the length of the frame on the wire', () => {
    const payload = new Uint8Array(1000).fill(0x61);
    const frame = ether(0x0800, ipv4({ proto: 6, totalLength: 0 }, tcp(443, 50000, 0x10, payload)));
    const whole = event(frame);
    expect([whole.length, whole.srcPort, whole.dstPort, whole.payload?.length]).toEqual([
      1040, 443, 50000, 1000,
    ]);
    // Captured with a 128-byte snaplen, 200,040 bytes on the wire (past 64 KiB, as BIG TCP allows).
    const cut = dec.decode(frame, 0, 128, 1, T, 14 + 200_040);
    if (!isEvent(cut)) throw new Error(`expected an event, got ${cut.reason}`);
    expect([cut.length, cut.payload?.length, cut.payload?.hash]).toEqual([
      200_040,
      200_000,
      fnv1a32(payload, 0, 64),
    ]);
    // A total length of 0 on a frame too short for the header is still refused.
    expect(dec.decode(frame, 0, 14 + 19, 1, T, 14 + 19)).toEqual({
      outcome: 'rejected',
      reason: 'truncated ipv4 header',
    });
  });

  it('reads an IPv6 payload length of 0 (BIG TCP, jumbogram) from the frame', () => {
    const frame = ether(
      0x86dd,
      ipv6({ next: 6, payloadLength: 0 }, tcp(443, 50000, 0x10, new Uint8Array(100))),
    );
    expect([event(frame).length, event(frame).payload?.length]).toEqual([160, 100]);
    // An empty packet ("no next header", 59) really has payload length 0, padding or not.
    const empty = cat(
      ether(0x86dd, ipv6({ next: 59, payloadLength: 0 }, new Uint8Array(0))),
      new Uint8Array(6),
    );
    expect([event(empty).length, event(empty).protocolNumber]).toEqual([40, 59]);
  });

  it('rejects packets captured too short for their headers', () => {
    const frame = ether(0x0800, ipv4({ proto: 6, options: [1, 1, 1, 0] }, tcp(1, 2, SYN)));
    expect(decode(frame, 1, 14 + 19)).toEqual({ outcome: 'rejected', reason: 'truncated ipv4 header' });
    expect(decode(frame, 1, 14 + 23)).toEqual({ outcome: 'rejected', reason: 'truncated ipv4 header' });
    expect(decode(frame, 1, 14 + 24 + 19)).toEqual({ outcome: 'rejected', reason: 'truncated tcp header' });
    const u = ether(0x0800, ipv4({ proto: 17 }, udp(1, 2)));
    expect(decode(u, 1, u.length - 1)).toEqual({ outcome: 'rejected', reason: 'truncated udp header' });
    const i = ether(0x0800, ipv4({ proto: 1 }, icmp(8, 0)));
    expect(decode(i, 1, i.length - 1)).toEqual({ outcome: 'rejected', reason: 'truncated icmp header' });
    expect(decode(new Uint8Array(0), 101)).toEqual({ outcome: 'rejected', reason: 'truncated ipv4 header' });
  });

  it('rejects a TCP header the IP total length cuts short, whatever was captured after it', () => {
    const frame = ether(0x0800, ipv4({ proto: 6, totalLength: 30 }, tcp(1, 2, SYN)));
    expect(decode(frame)).toEqual({ outcome: 'rejected', reason: 'truncated tcp header' });
  });

  it('keeps other IP protocols as events without ports', () => {
    const e = event(ether(0x0800, ipv4({ proto: 47, ttl: 9 }, new Uint8Array(8))));
    expect([e.protocol, e.protocolNumber, e.srcPort, e.payload, e.ttl]).toEqual(['other', 47, null, null, 9]);
  });

  it('reads TCP flags and the payload after TCP options', () => {
    const e = event(ether(0x0800, ipv4({ proto: 6 }, tcp(80, 5555, 0x18 | 0x01 | 0xc0, ascii('GET /'), 8))));
    expect(e.tcpFlags).toBe(0xd9);
    expect(e.payload).toEqual(payloadFingerprint(ascii('GET /'), 0, 5));
  });
});

describe('PacketDecoder payload fingerprints', () => {
  it('counts the payload by the IP header and hashes only what was captured', () => {
    const body = new Uint8Array(1000).map((_, i) => i & 0xff);
    const frame = ether(0x0800, ipv4({ proto: 17 }, udp(1, 1434, body)));
    const full = event(frame);
    expect(full.payload).toEqual({ length: 1000, hash: fnv1a32(body, 0, 64) });
    // snaplen 96: 14 + 20 + 8 headers, then 54 payload bytes captured of 1000.
    const cut = dec.decode(frame, 0, 96, 1, T);
    expect(isEvent(cut) && cut.payload).toEqual({ length: 1000, hash: fnv1a32(body, 0, 54) });
    const none = dec.decode(frame, 0, 42, 1, T);
    expect(isEvent(none) && none.payload).toEqual({ length: 1000, hash: fnv1a32(body, 0, 0) });
  });

  it('never reads past the captured length even when more bytes follow in the buffer', () => {
    const frame = ether(0x0800, ipv4({ proto: 17 }, udp(1, 2, ascii('abcdef'))));
    const buf = cat(new Uint8Array(5).fill(0x99), frame, new Uint8Array(64).fill(0x99));
    const e = dec.decode(buf, 5, frame.length - 3, 1, T);
    expect(isEvent(e) && e.payload).toEqual({ length: 6, hash: fnv1a32(ascii('abc')) });
  });

  it('gives the ICMP body after the 8-byte header as the payload', () => {
    const e = event(ether(0x0800, ipv4({ proto: 1 }, icmp(8, 0, ascii('ping')))));
    expect([e.icmpType, e.icmpCode, e.payload]).toEqual([8, 0, payloadFingerprint(ascii('ping'), 0, 4)]);
    expect(event(ether(0x0800, ipv4({ proto: 1 }, icmp(0, 0)))).payload).toBeNull();
  });
});

describe('PacketDecoder ICMP errors', () => {
  const inner = ipv4({ src: '192.0.2.10', dst: '203.0.113.80', proto: 6 }, tcp(44321, 8080, SYN));

  it('names the quoted packet of ICMPv4 errors 3, 4, 5, 11 and 12', () => {
    for (const type of [3, 4, 5, 11, 12]) {
      const e = event(
        ether(
          0x0800,
          ipv4({ src: '203.0.113.1', dst: '192.0.2.10', proto: 1 }, icmp(type, 1, inner.subarray(0, 28))),
        ),
      );
      expect(e.quoted).toEqual({
        src: '192.0.2.10',
        dst: '203.0.113.80',
        protocol: 'tcp',
        srcPort: 44321,
        dstPort: 8080,
      });
    }
  });

  it('does not quote for echo and other informational types', () => {
    expect(event(ether(0x0800, ipv4({ proto: 1 }, icmp(8, 0, inner)))).quoted).toBeNull();
    expect(event(ether(0x0800, ipv4({ proto: 1 }, icmp(13, 0, inner)))).quoted).toBeNull();
  });

  it('leaves ports null when the quote stops inside the transport header, and the quote null without an IP header', () => {
    const short = event(ether(0x0800, ipv4({ proto: 1 }, icmp(3, 13, inner.subarray(0, 22)))));
    expect(short.quoted).toEqual({
      src: '192.0.2.10',
      dst: '203.0.113.80',
      protocol: 'tcp',
      srcPort: null,
      dstPort: null,
    });
    expect(event(ether(0x0800, ipv4({ proto: 1 }, icmp(3, 13, inner.subarray(0, 19))))).quoted).toBeNull();
    const junk = inner.slice(0, 28);
    junk[0] = 0x65;
    expect(event(ether(0x0800, ipv4({ proto: 1 }, icmp(3, 13, junk)))).quoted).toBeNull();
  });

  it('gives a quoted ICMP packet no ports', () => {
    const echo = ipv4(
      { src: '192.0.2.10', dst: '4.2.2.1', proto: 1, ttl: 1 },
      icmp(8, 0, new Uint8Array(64)),
    );
    const e = event(ether(0x0800, ipv4({ proto: 1 }, icmp(11, 0, echo.subarray(0, 28)))));
    expect(e.quoted).toEqual({
      src: '192.0.2.10',
      dst: '4.2.2.1',
      protocol: 'icmp',
      srcPort: null,
      dstPort: null,
    });
  });

  it('names the quoted packet of ICMPv6 errors 1 to 4, through its extension headers', () => {
    const dstOpts = [17, 0, 1, 4, 0, 0, 0, 0];
    const inner6 = ipv6(
      { src: '2001:db8::a', dst: '2001:db8::b', next: 60 },
      cat(dstOpts, udp(33000, 33434, ascii('probe'))),
    );
    for (const type of [1, 2, 3, 4]) {
      const e = event(ether(0x86dd, ipv6({ next: 58 }, icmp(type, 0, inner6))));
      expect(e.quoted).toEqual({
        src: '2001:db8::a',
        dst: '2001:db8::b',
        protocol: 'udp',
        srcPort: 33000,
        dstPort: 33434,
      });
    }
    expect(event(ether(0x86dd, ipv6({ next: 58 }, icmp(128, 0, inner6)))).quoted).toBeNull();
    expect(event(ether(0x86dd, ipv6({ next: 58 }, icmp(1, 0, inner6.subarray(0, 39))))).quoted).toBeNull();
  });
});

describe('PacketDecoder on IPv6', () => {
  it('walks hop-by-hop, routing, destination options and AH headers to the transport header', () => {
    const hbh = [43, 0, 1, 4, 0, 0, 0, 0];
    const rh = [60, 0, 0, 0, 0, 0, 0, 0];
    const dst = [51, 0, 1, 4, 0, 0, 0, 0];
    const ah = cat([6, 4], new Uint8Array(22)); // (4 + 2) * 4 = 24 bytes
    const pkt = ipv6(
      { src: '2001:db8:bad::1', dst: '2001:db8:1::2', next: 0, hlim: 33 },
      cat(hbh, rh, dst, ah, tcp(51000, 22, SYN)),
    );
    const e = event(ether(0x86dd, pkt));
    expect([e.protocol, e.srcPort, e.dstPort, e.ttl, e.length]).toEqual([
      'tcp',
      51000,
      22,
      33,
      40 + 24 + 24 + 20,
    ]);
  });

  it('skips non-first fragments and decodes first fragments', () => {
    const first = ipv6({ next: 44 }, cat([17, 0], u16(1), u32(7), udp(1, 2, new Uint8Array(8))));
    const e = event(ether(0x86dd, first));
    expect([e.protocol, e.srcPort, e.payload?.length]).toEqual(['udp', 1, 8]);
    const later = ipv6({ next: 44 }, cat([17, 0], u16((2 << 3) | 0), u32(7), new Uint8Array(8)));
    expect(decode(ether(0x86dd, later))).toEqual({ outcome: 'skipped', reason: 'ip fragment (non-first)' });
  });

  it('rejects a truncated fixed header, extension header or transport header', () => {
    const pkt = ether(0x86dd, ipv6({ next: 0 }, cat([6, 1], new Uint8Array(14), tcp(1, 2, SYN))));
    expect(decode(pkt, 1, 14 + 39)).toEqual({ outcome: 'rejected', reason: 'truncated ipv6 header' });
    expect(decode(pkt, 1, 14 + 40 + 15)).toEqual({
      outcome: 'rejected',
      reason: 'truncated ipv6 extension header',
    });
    expect(decode(pkt, 1, 14 + 40 + 16 + 19)).toEqual({
      outcome: 'rejected',
      reason: 'truncated tcp header',
    });
    // An extension header longer than the payload length says.
    const lying = ether(
      0x86dd,
      ipv6({ next: 0, payloadLength: 8 }, cat([6, 1], new Uint8Array(14), tcp(1, 2, SYN))),
    );
    expect(decode(lying)).toEqual({ outcome: 'rejected', reason: 'truncated ipv6 extension header' });
  });

  it('writes addresses in RFC 5952 form and IPv4-mapped ones as plain IPv4', () => {
    const e = event(
      ether(0x86dd, ipv6({ src: '2001:db8:0:0:1:0:0:1', dst: '::ffff:c000:20a', next: 17 }, udp(1, 2))),
    );
    expect([e.src, e.dst]).toEqual(['2001:db8::1:0:0:1', '192.0.2.10']);
  });

  it('reads ICMPv6 type and code', () => {
    const e = event(ether(0x86dd, ipv6({ next: 58, hlim: 255 }, icmp(135, 0, new Uint8Array(24)))));
    expect([e.protocol, e.protocolNumber, e.icmpType, e.icmpCode, e.ttl, e.length]).toEqual([
      'icmpv6',
      58,
      135,
      0,
      255,
      72,
    ]);
  });
});

describe('address text helpers', () => {
  it('format IPv4 bytes as a dotted quad, also through the cache', () => {
    const b = Uint8Array.of(0, 10, 0, 255, 1, 255, 255, 255, 255);
    expect(ipv4At(b, 1)).toBe('10.0.255.1');
    expect(ipv4At(b, 1)).toBe('10.0.255.1');
    expect(ipv4At(b, 5)).toBe('255.255.255.255');
    expect(ipv4At(new Uint8Array(4), 0)).toBe('0.0.0.0');
  });

  it('format IPv6 bytes canonically', () => {
    expect(ipv6At(v6('2001:db8:0:0:0:0:0:1'), 0)).toBe('2001:db8::1');
    expect(ipv6At(v6('::'), 0)).toBe('::');
    expect(ipv6At(v6('::ffff:102:304'), 0)).toBe('1.2.3.4');
  });

  it('never mix up two addresses that share a cache slot', () => {
    const b = new Uint8Array(4);
    let wrong = 0;
    for (let i = 0; i < 20000; i++) {
      const a = Math.imul(i, 2654435761) >>> 0;
      b[0] = a >>> 24;
      b[1] = (a >>> 16) & 255;
      b[2] = (a >>> 8) & 255;
      b[3] = a & 255;
      // Each address twice, with others between, so hits and evictions both happen.
      if (ipv4At(b, 0) !== `${b[0]}.${b[1]}.${b[2]}.${b[3]}`) wrong++;
      if (i % 3 === 0 && ipv4At(b, 0) !== `${b[0]}.${b[1]}.${b[2]}.${b[3]}`) wrong++;
    }
    expect(wrong).toBe(0);
  });
});
