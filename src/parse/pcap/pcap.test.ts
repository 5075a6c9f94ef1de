import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  cat,
  chunked,
  epb,
  ether,
  icmp,
  idb,
  ipv4,
  pcapHeader,
  pcapOf,
  pcapRecord,
  shb,
  spb,
  tcp,
  udp,
} from '../../../test/pcap-bytes.js';
import { CTX, ev, file, parse, SYN } from '../../../test/pcap-run.js';
import { fixture } from '../../../test/samples.js';
import { fnv1a32, TCP_FLAG } from '../../core/index.js';
import { PCAP_BATCH_RECORDS, pcapFormat, SPB_TIME_NOTE } from './pcap.js';

describe('pcapFormat basics', () => {
  it('is the binary format named pcap', () => {
    expect(pcapFormat.name).toBe('pcap');
    expect(pcapFormat.kind).toBe('binary');
  });

  it('sniffs pcap and pcapng heads and nothing else', () => {
    expect(pcapFormat.sniff(pcapHeader({ le: true }))).toBe(true);
    expect(pcapFormat.sniff(pcapHeader({ le: false, nanos: true }))).toBe(true);
    expect(pcapFormat.sniff(shb())).toBe(true);
    expect(pcapFormat.sniff(new TextEncoder().encode('Mar  5 10:00:00 fw kernel: [UFW BLOCK] IN=eth0'))).toBe(
      false,
    );
  });

  it('gives every event the context sensor and the darknet kind', async () => {
    const p = await parse(pcapOf([ether(0x0800, ipv4({ proto: 6 }, tcp(1, 2, SYN)))]));
    expect(p.events.map((e) => [e.sensor, e.kind, e.ids])).toEqual([['dn-01', 'darknet', null]]);
  });
});

describe('pcapFormat streaming', () => {
  const frames = Array.from({ length: 10_000 }, (_, i) =>
    ether(0x0800, ipv4({ src: `198.51.100.${i % 250}`, proto: 6 }, tcp(1024 + i, 23, SYN))),
  );
  const big = pcapOf(frames);

  it('yields batches of a few thousand packets with records and growing bytesRead', async () => {
    const p = await parse(big, 256 * 1024);
    expect(p.batchRecords).toEqual([PCAP_BATCH_RECORDS, PCAP_BATCH_RECORDS, 10_000 - 2 * PCAP_BATCH_RECORDS]);
    expect(p.records).toBe(10_000);
    expect(p.events).toHaveLength(10_000);
    expect(p.bytesRead[0]).toBe(24 + PCAP_BATCH_RECORDS * (16 + 54));
    expect(p.bytesRead.at(-1)).toBe(big.length);
    expect(p.events[9_999]).toMatchObject({
      src: '198.51.100.249',
      srcPort: 11_023,
      timeMs: 1_700_009_999_000,
    });
  });

  it('gives the same result for 1-byte, 7-byte and whole-file chunks', async () => {
    const small = pcapOf(frames.slice(0, 300));
    const whole = await parse(small, small.length);
    for (const size of [1, 7]) {
      const p = await parse(small, size);
      expect(p.events).toEqual(whole.events);
      expect(p.records).toBe(300);
    }
  });

  it('yields one empty batch for an empty input', async () => {
    const p = await parse(new Uint8Array(0));
    expect(p).toMatchObject({ events: [], rejections: [], records: 0, batchRecords: [0] });
  });
});

describe('pcapFormat on hostile input', () => {
  const good = ether(0x0800, ipv4({ proto: 17 }, udp(1, 2)));

  it('rejects random bytes once when forced, and does not sniff them', async () => {
    let seed = 0x2545f491;
    const junk = new Uint8Array(100_000).map(() => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    });
    expect(pcapFormat.sniff(junk)).toBe(false);
    for (const size of [7, 65536]) {
      const p = await parse(junk, size);
      expect(p.rejections).toEqual([{ record: 1, reason: 'not a pcap or pcapng file' }]);
      expect(p.events).toEqual([]);
    }
  });

  it('stops at a lying record length with two rejections, keeping the packets before it', async () => {
    const bytes = cat(
      pcapHeader({ snaplen: 65535 }),
      pcapRecord(good),
      pcapRecord(good),
      pcapRecord(good, { caplen: 70_000 }),
      new Uint8Array(1 << 20).fill(0x41),
    );
    for (const size of [1, 7, 65536]) {
      const p = await parse(bytes, size);
      expect(p.events).toHaveLength(2);
      expect(p.rejections).toEqual([
        { record: 3, reason: 'record length exceeds snaplen' },
        { record: 4, reason: 'corrupt record header: rest of capture unreadable' },
      ]);
      expect(p.records).toBe(4);
      if (size === 65536) expect(p.bytesRead.at(-1)).toBe(24 + 2 * (16 + good.length));
    }
  });

  it('rejects a 1 MB record as over 256 KiB without reading it', async () => {
    const bytes = cat(pcapHeader({ snaplen: 0 }), pcapRecord(new Uint8Array(1_000_000)));
    const p = await parse(bytes, 7);
    expect(p.rejections.map((r) => r.reason)).toEqual([
      'record length exceeds 256 KiB',
      'corrupt record header: rest of capture unreadable',
    ]);
  });

  it('stops at a pcapng block with a broken length, keeping the packets before it', async () => {
    const bytes = cat(shb(), idb(1), epb(good), epb(good), cat(epb(good)).fill(0xff, 4, 8), epb(good));
    const p = await parse(bytes, 7);
    expect(p.events).toHaveLength(2);
    expect(p.rejections).toEqual([
      { record: 3, reason: 'block length not a multiple of 4' },
      { record: 4, reason: 'corrupt record header: rest of capture unreadable' },
    ]);
  });

  it('rejects a truncated final record and keeps the rest', async () => {
    const full = pcapOf([good, good, good]);
    const p = await parse(full.subarray(0, full.length - 5), 7);
    expect(p.events).toHaveLength(2);
    expect(p.rejections).toEqual([{ record: 3, reason: 'truncated record' }]);
    expect(p.bytesRead.at(-1)).toBe(full.length - 5);
  });

  it('rejects truncated packets inside well-framed records and goes on', async () => {
    const syn = ether(0x0800, ipv4({ proto: 6 }, tcp(1, 2, SYN)));
    const bytes = cat(
      pcapHeader(),
      pcapRecord(syn.subarray(0, 40), { origLen: syn.length }),
      pcapRecord(syn),
    );
    const p = await parse(bytes);
    expect(p.rejections).toEqual([{ record: 1, reason: 'truncated tcp header' }]);
    expect(p.events).toHaveLength(1);
  });

  it('counts non-IP frames and non-first fragments as skips', async () => {
    const frag = ether(0x0800, ipv4({ proto: 17, fragOffset: 185 }, new Uint8Array(100)));
    const p = await parse(pcapOf([ether(0x0806, new Uint8Array(28)), frag, frag, good]));
    expect(p.skipped).toEqual({ 'not an IP packet': 1, 'ip fragment (non-first)': 2 });
    expect(p.events).toHaveLength(1);
  });

  it('survives every truncation of a small capture without throwing', async () => {
    const bytes = pcapOf([
      good,
      ether(0x0800, ipv4({ proto: 1 }, icmp(3, 3, ipv4({ proto: 6 }, tcp(1, 2, SYN))))),
    ]);
    for (let n = 0; n <= bytes.length; n++) {
      const p = await parse(bytes.subarray(0, n), 5);
      expect(p.records).toBeLessThanOrEqual(2);
    }
  });
});

describe('pcapFormat on the project fixtures', () => {
  it('reads big-endian µs Ethernet with VLAN tags, options, ICMP errors and fragments', async () => {
    const p = await parse(file(fixture('pcap/ethernet-vlan-be-usec.pcap')), 7);
    expect(p.records).toBe(8);
    expect(p.skipped).toEqual({ 'not an IP packet': 1, 'ip fragment (non-first)': 1 });
    expect(
      p.events.map((e) => [e.timeMs, e.src, e.srcPort, e.dst, e.dstPort, e.protocol, e.ttl, e.length]),
    ).toEqual([
      [1_700_000_000_123, '198.51.100.7', 40000, '192.0.2.10', 23, 'tcp', 47, 44],
      [1_700_000_001_000, '203.0.113.5', 5353, '192.0.2.11', 1434, 'udp', 113, 38],
      [1_700_000_003_500, '198.51.100.20', null, '192.0.2.13', null, 'icmp', 250, 48],
      [1_700_000_004_000, '192.0.2.1', null, '198.51.100.7', null, 'icmp', 255, 56],
      [1_700_000_005_000, '203.0.113.9', 4444, '192.0.2.12', 69, 'udp', 60, 84],
      [1_700_000_006_654, '192.0.2.10', 23, '198.51.100.7', 40000, 'tcp', 64, 40],
    ]);
    expect(p.events[0]!.tcpFlags).toBe(SYN);
    expect(p.events[1]!.payload).toEqual({
      length: 10,
      hash: fnv1a32(new TextEncoder().encode('koban-test')),
    });
    expect(p.events[2]!.payload?.length).toBe(16);
    expect(p.events[3]).toMatchObject({
      icmpType: 3,
      icmpCode: 3,
      quoted: { src: '198.51.100.7', dst: '192.0.2.99', protocol: 'udp', srcPort: 5353, dstPort: 161 },
    });
    expect(p.events[4]!.payload?.length).toBe(56);
    expect(p.events[5]!.tcpFlags).toBe(TCP_FLAG.RST | TCP_FLAG.ACK);
  });

  it('reads little-endian ns Linux cooked captures, IPv4 and IPv6', async () => {
    const p = await parse(file(fixture('pcap/sll-le-nsec.pcap')), 1);
    expect(p.events).toEqual([
      ev({
        timeMs: 1_700_000_001_987,
        src: '198.51.100.30',
        dst: '192.0.2.20',
        srcPort: 1234,
        dstPort: 445,
        tcpFlags: TCP_FLAG.SYN | TCP_FLAG.ECE | TCP_FLAG.CWR,
        length: 40,
        ttl: 52,
        ipId: 1,
      }),
      ev({
        timeMs: 1_700_000_002_000,
        protocol: 'udp',
        protocolNumber: 17,
        src: '2001:db8:bad::1',
        dst: '2001:db8:1::53',
        srcPort: 5000,
        dstPort: 53,
        length: 55,
        ttl: 58,
        payload: {
          length: 7,
          hash: fnv1a32(Uint8Array.of(0x12, 0x34, ...new TextEncoder().encode('query'))),
        },
      }),
    ]);
  });

  it('reads Linux cooked v2 captures', async () => {
    const p = await parse(file(fixture('pcap/sll2.pcap')));
    expect(
      p.events.map((e) => [e.timeMs, e.src, e.dst, e.srcPort, e.dstPort, e.length, e.payload?.length]),
    ).toEqual([[1_700_000_010_250, '198.51.100.40', '192.0.2.30', 123, 123, 76, 48]]);
  });

  it('reads every small link type of a multi-interface pcapng', async () => {
    const p = await parse(file(fixture('pcap/link-types.pcapng')), 7);
    expect(p.events.map((e) => [e.dstPort, e.src, e.timeMs])).toEqual([
      [1, '198.51.100.70', 1_700_000_300_000],
      [2, '198.51.100.70', 1_700_000_301_000],
      [3, '2001:db8:bad::70', 1_700_000_302_000],
      [4, '198.51.100.70', 1_700_000_303_000],
      [5, '2001:db8:bad::70', 1_700_000_304_000],
      [6, '198.51.100.70', 1_700_000_305_000],
      [7, '198.51.100.70', 1_700_000_306_000],
      [8, '2001:db8:bad::70', 1_700_000_307_000],
    ]);
  });

  it('reads two pcapng sections of opposite byte order with their block zoo', async () => {
    const p = await parse(file(fixture('pcap/sections.pcapng')), 7);
    expect(p.records).toBe(8);
    expect(p.rejections).toEqual([{ record: 7, reason: 'unsupported link type 105' }]);
    expect(p.skipped).toEqual({ 'ip fragment (non-first)': 1 });
    // The SPB (record 2) has no timestamp: the EPB's before it is used, and said so.
    expect(p.notes).toEqual({ [SPB_TIME_NOTE]: 1 });
    expect(p.events[1]).toMatchObject({
      timeMs: 1_700_000_100_123,
      src: '198.51.100.9',
      dst: '192.0.2.9',
      srcPort: 1,
      dstPort: 2,
      length: 29,
    });
    p.events.splice(1, 1);
    expect(p.events[0]).toEqual(
      ev({
        timeMs: 1_700_000_100_123,
        src: '2001:db8:bad::7',
        dst: '2001:db8:1::10',
        srcPort: 51000,
        dstPort: 22,
        tcpFlags: SYN,
        length: 84,
        ttl: 33,
      }),
    );
    expect(p.events[1]).toMatchObject({
      protocol: 'udp',
      srcPort: 7000,
      dstPort: 161,
      length: 64,
      payload: { length: 8 },
    });
    expect(p.events[2]).toMatchObject({
      timeMs: 1_700_000_102_999,
      protocol: 'icmpv6',
      icmpType: 1,
      icmpCode: 4,
      length: 101,
      quoted: {
        src: '2001:db8:1::10',
        dst: '2001:db8:bad::7',
        protocol: 'udp',
        srcPort: 9999,
        dstPort: 33434,
      },
    });
    // Section 2: 2^-10 s units and if_tsoffset 3600 s.
    expect(p.events[3]).toMatchObject({
      timeMs: 1_700_003_800_500,
      src: '198.51.100.50',
      dstPort: 31337,
      ttl: 99,
    });
    expect(p.events[4]).toMatchObject({
      timeMs: 1_700_003_802_250,
      protocol: 'icmpv6',
      icmpType: 128,
      ttl: 200,
    });
  });

  it('reads LINKTYPE_NFLOG captures of either byte order, as tcpdump -nn -v prints them', async () => {
    const syn = ev({
      timeMs: 1_700_000_400_100,
      src: '198.51.100.80',
      dst: '192.0.2.80',
      srcPort: 40001,
      dstPort: 23,
      tcpFlags: SYN,
      length: 40,
      ttl: 49,
      ipId: 4321,
    });
    const udp6 = {
      protocol: 'udp',
      src: '2001:db8:bad::80',
      dst: '2001:db8:1::80',
      srcPort: 5060,
      dstPort: 5060,
      length: 55,
      ttl: 61,
      payload: { length: 7, hash: fnv1a32(new TextEncoder().encode('OPTIONS')) },
    };
    const le = await parse(file(fixture('pcap/nflog-le.pcap')), 7);
    expect(le.rejections).toEqual([]);
    expect(le.events[0]).toEqual(syn);
    expect(le.events[1]).toMatchObject({ ...udp6, timeMs: 1_700_000_401_200 });
    // Big-endian pcapng; its second record is a Simple Packet Block, which has no timestamp.
    const be = await parse(file(fixture('pcap/nflog-be.pcapng')), 7);
    expect(be.rejections).toEqual([]);
    expect(be.events[0]).toEqual(syn);
    expect(be.events[1]).toMatchObject({ ...udp6, timeMs: 1_700_000_400_100 });
    expect(be.notes).toEqual({ [SPB_TIME_NOTE]: 1 });
  });

  it.skipIf(spawnSync('tcpdump', ['--version']).status !== 0)(
    'agrees with tcpdump on the time, addresses and ports of the NFLOG capture',
    async () => {
      const path = fixture('pcap/nflog-le.pcap');
      const out = spawnSync('tcpdump', ['-nn', '-tt', '-q', '-r', path], { encoding: 'utf8' }).stdout;
      const want = out
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => /^(\d+)\.(\d{3})\d* IP6? (\S+) > (\S+): /.exec(l)!.slice(1).join(' '));
      const p = await parse(file(path));
      const got = p.events.map(
        (e) =>
          `${String(e.timeMs).slice(0, -3)} ${String(e.timeMs).slice(-3)} ${e.src}.${e.srcPort} ${e.dst}.${e.dstPort}`,
      );
      expect(got).toEqual(want);
      expect(want).toHaveLength(2);
    },
  );

  it('rejects a simple packet block with no packet before it to take the time from', async () => {
    const bytes = cat(shb(), idb(1), spb(ether(0x0800, ipv4({ proto: 6 }, tcp(1, 2, SYN)))));
    const p = await parse(bytes);
    expect(p.events).toEqual([]);
    expect(p.rejections).toEqual([
      { record: 1, reason: 'simple packet block has no timestamp and no packet before it has one' },
    ]);
  });

  it('reads a BIG TCP segment (IPv4 total length 0) with its length on the wire', async () => {
    const p = await parse(file(fixture('pcap/big-tcp.pcap')));
    expect(p.rejections).toEqual([]);
    expect(p.events).toEqual([
      ev({
        timeMs: 1_700_000_500_000,
        src: '192.0.2.90',
        dst: '198.51.100.90',
        srcPort: 443,
        dstPort: 50123,
        tcpFlags: TCP_FLAG.ACK,
        length: 70_040,
        ttl: 64,
        ipId: 777,
        payload: { length: 70_000, hash: fnv1a32(new Uint8Array(64).fill(0x62)) },
      }),
    ]);
  });

  it('gives two SQL Slammer-shaped packets from different sources the same fingerprint', async () => {
    const p = await parse(file(fixture('pcap/slammer-shape.pcap')));
    const [a, b] = p.events;
    expect(a!.src).not.toBe(b!.src);
    expect([a!.dstPort, b!.dstPort, a!.protocol]).toEqual([1434, 1434, 'udp']);
    expect(a!.payload).toEqual(b!.payload);
    expect(a!.payload?.length).toBe(376);
    expect(a!.length).toBe(404);
  });
});

describe('pcapFormat resuming', () => {
  it('passes over the first records without yielding them, still counting them', async () => {
    const full = await parse(file(fixture('pcap/slammer-shape.pcap')));
    const resumed = { ...CTX, skipRecords: 1 };
    let events = 0;
    let records = 0;
    for await (const b of pcapFormat.parse(chunked(file(fixture('pcap/slammer-shape.pcap')), 7), resumed)) {
      events += b.events.length;
      records += b.records;
    }
    expect(records).toBe(full.records);
    expect(events).toBe(full.events.length - 1);
  });
});
