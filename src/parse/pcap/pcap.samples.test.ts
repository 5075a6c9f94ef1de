import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ev, file, parse, SYN, SYN_ACK } from '../../../test/pcap-run.js';
import { HAVE_SAMPLES, sample } from '../../../test/samples.js';
import { TCP_FLAG } from '../../core/index.js';

// The real captures of the samples directory's pcap/ (test/samples.ts: read in place, skipped without it),
// with values checked by tcpdump -nn -v and tshark.

describe.skipIf(!HAVE_SAMPLES)('pcapFormat on real captures', () => {
  it('reads all 2011 packets of synscan.pcapng, first and last exactly', async () => {
    const p = await parse(file(sample('pcap/synscan.pcapng')));
    expect(p.records).toBe(2011);
    expect(p.events).toHaveLength(2011);
    expect(p.events[0]).toEqual(
      ev({
        timeMs: 1_278_275_056_274,
        src: '172.16.0.8',
        dst: '64.13.134.52',
        srcPort: 36050,
        dstPort: 443,
        tcpFlags: SYN,
        length: 44,
        ttl: 54,
        ipId: 59144,
      }),
    );
    expect(p.events[2010]).toEqual(
      ev({
        timeMs: 1_278_275_079_360,
        src: '64.13.134.52',
        dst: '172.16.0.8',
        srcPort: 22,
        dstPort: 36050,
        tcpFlags: SYN_ACK,
        length: 44,
        ttl: 54,
        ipId: 0,
      }),
    );
  });

  it('reads synscan.pcapng identically in 1-byte and 7-byte chunks', async () => {
    const bytes = file(sample('pcap/synscan.pcapng'));
    const whole = await parse(bytes);
    expect((await parse(bytes, 7)).events).toEqual(whole.events);
    expect((await parse(bytes, 1)).events).toEqual(whole.events);
  });

  it('reads dns.pcap (a pcapng despite its name): UDP answers with their payload length', async () => {
    const p = await parse(file(sample('pcap/dns.pcap')), 7);
    expect(p.events).toHaveLength(7);
    expect(p.events[0]).toMatchObject({
      timeMs: 1_452_286_755_346,
      protocol: 'udp',
      src: '4.2.2.1',
      srcPort: 53,
      dst: '172.16.16.154',
      dstPort: 57434,
      ttl: 54,
      length: 106,
      payload: { length: 78 },
    });
    expect(p.events[6]).toMatchObject({
      timeMs: 1_452_286_755_983,
      dstPort: 21916,
      length: 163,
      payload: { length: 135 },
    });
  });

  it('names the quoted echo request in the ICMP time-exceeded messages of icmp_traceroute', async () => {
    const p = await parse(file(sample('pcap/icmp_traceroute.pcapng')));
    expect(p.events).toHaveLength(54);
    const byType = new Map<number | null, number>();
    for (const e of p.events) byType.set(e.icmpType, (byType.get(e.icmpType) ?? 0) + 1);
    expect(Object.fromEntries(byType)).toEqual({ 8: 27, 11: 24, 0: 3 });
    expect(p.events[7]).toEqual(
      ev({
        timeMs: 1_246_563_751_652,
        protocol: 'icmp',
        protocolNumber: 1,
        src: '12.180.241.1',
        dst: '192.168.100.138',
        icmpType: 11,
        icmpCode: 0,
        length: 56,
        ttl: 254,
        ipId: 37553,
        payload: p.events[7]!.payload,
        quoted: { src: '192.168.100.138', dst: '4.2.2.1', protocol: 'icmp', srcPort: null, dstPort: null },
      }),
    );
    expect(p.events[7]!.payload?.length).toBe(28);
    expect(p.events[53]).toMatchObject({
      timeMs: 1_246_563_758_828,
      src: '4.2.2.1',
      icmpType: 0,
      ttl: 56,
      length: 92,
    });
  });

  it('keeps the first fragment of ip_frag_source and counts the 4 later ones as skips', async () => {
    const p = await parse(file(sample('pcap/ip_frag_source.pcapng')), 7);
    expect(p.records).toBe(6);
    expect(p.skipped).toEqual({ 'ip fragment (non-first)': 4 });
    expect(p.events.map((e) => [e.src, e.dst, e.icmpType, e.length, e.ttl, e.payload?.length])).toEqual([
      ['10.10.0.3', '192.168.0.128', 8, 1500, 128, 1472],
      ['192.168.0.128', '10.10.0.3', 0, 1500, 127, 1472],
    ]);
  });

  it('keeps first IPv6 fragments of ipv6_fragments and counts the 10 later ones as skips', async () => {
    const p = await parse(file(sample('pcap/ipv6_fragments.pcapng')), 7);
    expect(p.records).toBe(22);
    expect(p.skipped).toEqual({ 'ip fragment (non-first)': 10 });
    expect(p.events).toHaveLength(12);
    expect(p.events[0]).toMatchObject({
      timeMs: 1_409_713_333_192,
      protocol: 'icmpv6',
      src: '2001:db8:1:2::1003',
      dst: '2001:db8:1:2::1000',
      icmpType: 128,
      length: 1496,
      ttl: 64,
    });
    expect(p.events[10]).toMatchObject({
      timeMs: 1_409_713_338_201,
      src: 'fe80::20c:29ff:fe1f:a755',
      icmpType: 135,
      ttl: 255,
      length: 72,
    });
  });

  it('reads the IPv4 and IPv6 HTTP exchanges of http_ip4and6', async () => {
    const p = await parse(file(sample('pcap/http_ip4and6.pcapng')));
    expect(p.events).toHaveLength(20);
    expect(p.events[10]).toEqual(
      ev({
        timeMs: 1_448_215_096_399,
        src: '2001:db8:1:2::1002',
        dst: '2001:db8:1:2::1000',
        srcPort: 35023,
        dstPort: 80,
        tcpFlags: SYN,
        length: 80,
        ttl: 64,
      }),
    );
    expect(p.events[13]).toMatchObject({
      tcpFlags: TCP_FLAG.PSH | TCP_FLAG.ACK,
      length: 156,
      payload: { length: 84 },
    });
    expect(p.events[3]).toMatchObject({ src: '172.16.16.140', length: 129, payload: { length: 77 } });
  });

  it('reads the refused connection of tcp_refuseconnection', async () => {
    const p = await parse(file(sample('pcap/tcp_refuseconnection.pcapng')));
    expect(p.events.map((e) => [e.src, e.srcPort, e.dst, e.dstPort, e.tcpFlags, e.ttl, e.length])).toEqual([
      ['192.168.100.138', 3372, '192.168.100.1', 80, SYN, 128, 48],
      ['192.168.100.1', 80, '192.168.100.138', 3372, TCP_FLAG.RST | TCP_FLAG.ACK, 255, 40],
    ]);
  });

  it('reads the Suricata test captures', async () => {
    const alert = await parse(file(sample('pcap/sv-alert-testmyids.pcap')), 7);
    expect(alert.events).toHaveLength(10);
    expect(alert.events[5]).toMatchObject({
      timeMs: 1_468_449_727_388,
      src: '82.165.177.154',
      srcPort: 80,
      dst: '10.16.1.11',
      dstPort: 54186,
      tcpFlags: TCP_FLAG.PSH | TCP_FLAG.ACK,
      ttl: 49,
      length: 299,
      payload: { length: 259 },
    });
    const dns = await parse(file(sample('pcap/sv-eve-dns.pcap')));
    expect(dns.events).toHaveLength(8);
    expect(dns.events[0]).toMatchObject({
      timeMs: 1_464_132_421_960,
      src: '10.16.1.11',
      srcPort: 53679,
      dst: '10.16.1.1',
      dstPort: 53,
      ttl: 64,
      length: 67,
      payload: { length: 39 },
    });
  });

  it('rejects the 802.11 beacon of 80211beacon.pcapng by its link type', async () => {
    const p = await parse(file(sample('pcap/80211beacon.pcapng')), 1);
    expect(p.events).toEqual([]);
    expect(p.rejections).toEqual([{ record: 1, reason: 'unsupported link type 105' }]);
  });
});

const HAVE_TCPDUMP = spawnSync('tcpdump', ['--version']).status === 0;

/** `tcpdump -nn -tt -q` packet lines (continuation lines start with white space). */
function tcpdumpLines(path: string): string[] {
  const r = spawnSync('tcpdump', ['-nn', '-tt', '-q', '-r', path], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l !== '' && !/^\s/.test(l));
}

describe.skipIf(!HAVE_SAMPLES || !HAVE_TCPDUMP)('pcapFormat against tcpdump', () => {
  const all = [
    'synscan.pcapng',
    'dns.pcap',
    'icmp_traceroute.pcapng',
    'ip_frag_source.pcapng',
    'http_ip4and6.pcapng',
    'tcp_refuseconnection.pcapng',
    'ipv6_fragments.pcapng',
    'sv-alert-testmyids.pcap',
    'sv-eve-dns.pcap',
    '80211beacon.pcapng',
  ];

  it.each(all)('counts as many packets in %s as libpcap does', async (name) => {
    const p = await parse(file(sample(`pcap/${name}`)), 4093);
    expect(p.records).toBe(tcpdumpLines(sample(`pcap/${name}`)).length);
  });

  const unfragmented = all.filter((n) => !n.includes('frag') && !n.startsWith('80211'));

  it.each(unfragmented)(
    'agrees with tcpdump on time, addresses and ports of every packet in %s',
    async (name) => {
      const p = await parse(file(sample(`pcap/${name}`)));
      const got = p.events.map((e) => {
        const end = (a: string, port: number | null) => (port === null ? a : `${a}.${port}`);
        return `${e.timeMs} ${end(e.src, e.srcPort)} > ${end(e.dst, e.dstPort)}`;
      });
      const want = tcpdumpLines(sample(`pcap/${name}`)).map((l) => {
        const m = /^(\d+)\.(\d{6}) IP6? (\S+) > (\S+): /.exec(l);
        if (!m) return l;
        return `${Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000)} ${m[3]} > ${m[4]}`;
      });
      expect(got).toEqual(want);
    },
  );
});
