import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, HAVE_SAMPLES, sample } from '../../../test/samples.js';
import { isEvent, type ObservationEvent, type QuotedPacket, type RecordOutcome } from '../../core/index.js';
import type { ParseContext } from '../types.js';
import { iptablesFormat } from './iptables.js';

// Year 2026, JST (+09:00), reference time 2026-06-01T00:00Z.
const CTX: ParseContext = {
  sensor: 'ctx-sensor',
  year: 2026,
  utcOffsetMinutes: 540,
  nowMs: Date.UTC(2026, 5, 1),
};

/** The order every parser creates event fields in (one hidden class). */
const FIELD_ORDER = [
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
];

function parseFile(path: string, ctx: ParseContext = CTX): RecordOutcome[] {
  const parse = iptablesFormat.create(ctx);
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => parse(l));
}

type Expected = Pick<ObservationEvent, 'timeMs' | 'sensor' | 'src' | 'dst'> & Partial<ObservationEvent>;

/** A complete expected firewall event: TCP unless said otherwise, every other field null. */
function fw(e: Expected): ObservationEvent {
  return {
    kind: 'firewall',
    protocol: 'tcp',
    protocolNumber: 6,
    srcPort: null,
    dstPort: null,
    tcpFlags: null,
    icmpType: null,
    icmpCode: null,
    length: null,
    ttl: null,
    ipId: null,
    ids: null,
    payload: null,
    quoted: null,
    ...e,
  };
}

const SKIP_NOT_FW = { outcome: 'skipped', reason: 'not a firewall log line' };
const SKIP_AUDIT = { outcome: 'skipped', reason: 'ufw audit line' };
const SYN = 0x02;

describe('iptablesFormat', () => {
  it('is the text format named iptables', () => {
    expect(iptablesFormat.name).toBe('iptables');
    expect(iptablesFormat.kind).toBe('text');
  });

  it('creates every event field in the same order', () => {
    for (const name of ['classic-syslog.log', 'ip6tables.log', 'icmp-errors.log', 'proto-other.log']) {
      for (const o of parseFile(fixture(`firewall/${name}`))) {
        if (isEvent(o)) expect(Object.keys(o)).toEqual(FIELD_ORDER);
      }
    }
  });
});

describe.skipIf(!HAVE_SAMPLES)('iptablesFormat on the real samples', () => {
  it('counts the three ufw BLOCK lines once each and skips the two AUDIT lines', () => {
    const time = Date.UTC(2026, 2, 20, 14, 49, 24, 202);
    const base = { timeMs: time, sensor: 'lab-defender', src: '172.20.10.4', dst: '172.20.10.2' };
    expect(parseFile(sample('firewall/ufw-rfc3339.log'))).toEqual([
      fw({ ...base, srcPort: 56395, dstPort: 135, tcpFlags: SYN }),
      SKIP_AUDIT,
      fw({ ...base, srcPort: 56395, dstPort: 995, tcpFlags: SYN }),
      SKIP_AUDIT,
      // `DPT=23  SYN`: two spaces before the flag word.
      fw({ ...base, srcPort: 56395, dstPort: 23, tcpFlags: SYN }),
    ]);
  });

  it('rejects every anonymised line for its SRC address, after reading the prefix', () => {
    const out = parseFile(sample('firewall/syslog-pri-rfc3339-anonymised.log'));
    expect(out).toEqual(Array(5).fill({ outcome: 'rejected', reason: 'invalid SRC address' }));
  });

  it('reads the anonymised lines fully once their placeholders are made addresses', () => {
    const text = readFileSync(sample('firewall/syslog-pri-rfc3339-anonymised.log'), 'utf8');
    const lines = text.split('\n').filter((l) => l.length > 0);
    const parse = iptablesFormat.create(CTX);
    const first = parse(
      lines[0]!.replace('188.143.a.b', '188.143.1.2').replace('205.186.x.y', '205.186.3.4'),
    );
    expect(first).toEqual(
      fw({
        // 2016-05-05T23:12:09.649085-05:00
        timeMs: Date.UTC(2016, 4, 6, 4, 12, 9, 649),
        sensor: 'quaff',
        src: '188.143.1.2',
        dst: '205.186.3.4',
        srcPort: 43052,
        dstPort: 80,
        tcpFlags: 0x04,
        length: 40,
        ttl: 54,
        ipId: 21110,
      }),
    );
  });
});

describe('iptablesFormat on classic syslog lines', () => {
  const at = (d: number, h: number, mi: number, s: number) => Date.UTC(2026, 2, d, h, mi, s);
  const gw = { sensor: 'gw01', dst: '192.0.2.10' };

  it('reads TCP, UDP and ICMP echo, skips non-firewall lines, and rolls December back a year', () => {
    expect(parseFile(fixture('firewall/classic-syslog.log'))).toEqual([
      fw({
        ...gw,
        timeMs: at(5, 1, 0, 0),
        src: '198.51.100.7',
        srcPort: 51234,
        dstPort: 22,
        tcpFlags: SYN,
        length: 60,
        ttl: 51,
        ipId: 54321,
      }),
      // The UDP header's own `LEN=58` does not replace the IP total length.
      fw({
        ...gw,
        timeMs: at(5, 1, 0, 1),
        src: '203.0.113.45',
        protocol: 'udp',
        protocolNumber: 17,
        srcPort: 40123,
        dstPort: 137,
        length: 78,
        ttl: 115,
        ipId: 2345,
      }),
      // The echo's own `ID=4242` (after PROTO) is not the IP ID (`ID=0` before it).
      fw({
        ...gw,
        timeMs: at(5, 1, 0, 2),
        src: '198.51.100.99',
        protocol: 'icmp',
        protocolNumber: 1,
        icmpType: 8,
        icmpCode: 0,
        length: 84,
        ttl: 63,
        ipId: 0,
      }),
      SKIP_NOT_FW,
      SKIP_NOT_FW,
      // XMAS (URG PSH FIN), NULL (no words), ECN SYN (CWR ECE SYN), RST ACK.
      fw({
        ...gw,
        timeMs: at(14, 23, 30, 0),
        src: '198.51.100.7',
        srcPort: 51234,
        dstPort: 80,
        tcpFlags: 0x29,
        length: 40,
        ttl: 51,
        ipId: 1,
      }),
      fw({
        ...gw,
        timeMs: at(14, 23, 30, 1),
        src: '198.51.100.7',
        srcPort: 51234,
        dstPort: 80,
        tcpFlags: 0,
        length: 40,
        ttl: 51,
        ipId: 2,
      }),
      fw({
        ...gw,
        timeMs: at(14, 23, 30, 2),
        src: '198.51.100.7',
        srcPort: 51235,
        dstPort: 80,
        tcpFlags: 0xc2,
        length: 52,
        ttl: 51,
        ipId: 3,
      }),
      fw({
        ...gw,
        timeMs: at(14, 23, 30, 3),
        src: '192.0.2.200',
        srcPort: 443,
        dstPort: 51236,
        tcpFlags: 0x14,
        length: 52,
        ttl: 64,
        ipId: 4,
      }),
      // Dec 31 2026 would lie after the reference time (2026-06-01): it is Dec 31 2025.
      fw({
        ...gw,
        timeMs: Date.UTC(2025, 11, 31, 14, 59, 59),
        src: '198.51.100.7',
        srcPort: 44444,
        dstPort: 3389,
        tcpFlags: SYN,
        length: 40,
        ttl: 241,
        ipId: 12345,
      }),
    ]);
  });

  it('counts ufw BLOCK, ALLOW and LIMIT BLOCK, skips AUDIT and AUDIT INVALID, and reads outgoing blocks', () => {
    const t = (s: number) => Date.UTC(2026, 2, 5, 1, 10, s);
    const fw2 = { sensor: 'fw2', dst: '192.0.2.10', tcpFlags: SYN };
    expect(parseFile(fixture('firewall/ufw.log'))).toEqual([
      fw({
        ...fw2,
        timeMs: t(0),
        src: '198.51.100.23',
        srcPort: 61000,
        dstPort: 8080,
        length: 44,
        ttl: 42,
        ipId: 50000,
      }),
      fw({
        ...fw2,
        timeMs: t(1),
        src: '198.51.100.24',
        srcPort: 61001,
        dstPort: 443,
        length: 60,
        ttl: 55,
        ipId: 50001,
      }),
      fw({
        ...fw2,
        timeMs: t(2),
        src: '198.51.100.25',
        srcPort: 61002,
        dstPort: 22,
        length: 60,
        ttl: 55,
        ipId: 50002,
      }),
      SKIP_AUDIT,
      SKIP_AUDIT,
      fw({
        ...fw2,
        timeMs: t(4),
        src: '192.0.2.10',
        dst: '198.51.100.200',
        srcPort: 45678,
        dstPort: 25,
        length: 60,
        ttl: 64,
        ipId: 60000,
      }),
    ]);
  });
});

describe('iptablesFormat on ip6tables lines', () => {
  const t = (s: number) => Date.UTC(2026, 2, 6, 3, 0, s);
  const v6 = { sensor: 'v6gw', src: '2001:db8::bad', dst: '2001:db8:1::1' };
  const icmpv6 = { protocol: 'icmpv6', protocolNumber: 58 } as const;
  const quotedUdp: QuotedPacket = {
    src: '2001:db8:1::1',
    dst: '2001:db8::bad',
    protocol: 'udp',
    srcPort: 33434,
    dstPort: 33435,
  };

  it('compresses %pI6 addresses, takes TTL from HOPLIMIT and fills quoted from ICMPv6 errors', () => {
    expect(parseFile(fixture('firewall/ip6tables.log'))).toEqual([
      fw({ ...v6, timeMs: t(0), srcPort: 50001, dstPort: 443, tcpFlags: SYN, length: 80, ttl: 57 }),
      fw({
        ...v6,
        timeMs: t(1),
        src: 'fe80::5054:ff:fe65:4321',
        dst: 'ff02::fb',
        protocol: 'udp',
        protocolNumber: 17,
        srcPort: 5353,
        dstPort: 5353,
        length: 61,
        ttl: 255,
      }),
      fw({ ...v6, ...icmpv6, timeMs: t(2), icmpType: 128, icmpCode: 0, length: 104, ttl: 52 }),
      // Destination unreachable: the outer header is the event's, the bracket block fills quoted.
      fw({
        ...v6,
        ...icmpv6,
        timeMs: t(3),
        src: '2001:db8:ff::1',
        icmpType: 1,
        icmpCode: 4,
        length: 108,
        ttl: 60,
        quoted: quotedUdp,
      }),
      fw({
        ...v6,
        ...icmpv6,
        timeMs: t(4),
        src: '2001:db8:ff::1',
        icmpType: 2,
        icmpCode: 0,
        length: 1280,
        ttl: 60,
        quoted: { src: '2001:db8:1::1', dst: '2001:db8::bad', protocol: 'tcp', srcPort: 443, dstPort: 50001 },
      }),
      // A non-first fragment carries no UDP header: no ports.
      fw({ ...v6, timeMs: t(5), protocol: 'udp', protocolNumber: 17, length: 1064, ttl: 57 }),
    ]);
  });
});

describe('iptablesFormat on ICMP errors', () => {
  const t = (s: number, ms = 0) => Date.UTC(2026, 2, 20, 23, 0, s, ms);
  const icmp = { sensor: 'edge1', dst: '192.0.2.10', protocol: 'icmp', protocolNumber: 1 } as const;

  it('keeps the outer header as the event and the bracketed packet as quoted', () => {
    expect(parseFile(fixture('firewall/icmp-errors.log'))).toEqual([
      fw({
        ...icmp,
        timeMs: t(0),
        src: '203.0.113.1',
        icmpType: 3,
        icmpCode: 1,
        length: 56,
        ttl: 250,
        ipId: 31000,
        quoted: { src: '192.0.2.10', dst: '203.0.113.99', protocol: 'tcp', srcPort: 80, dstPort: 40000 },
      }),
      // Time exceeded quoting only 8 TCP bytes: `PROTO=TCP INCOMPLETE [8 bytes]`, no ports.
      fw({
        ...icmp,
        timeMs: t(1, 250),
        src: '198.51.100.1',
        icmpType: 11,
        icmpCode: 0,
        length: 56,
        ttl: 254,
        ipId: 31001,
        quoted: { src: '192.0.2.10', dst: '198.51.100.250', protocol: 'tcp', srcPort: null, dstPort: null },
      }),
      fw({
        ...icmp,
        timeMs: t(2),
        src: '198.51.100.1',
        icmpType: 3,
        icmpCode: 4,
        length: 576,
        ttl: 254,
        ipId: 31002,
        quoted: { src: '192.0.2.10', dst: '198.51.100.80', protocol: 'tcp', srcPort: 443, dstPort: 51000 },
      }),
      fw({
        ...icmp,
        timeMs: t(3),
        src: '192.0.2.1',
        icmpType: 5,
        icmpCode: 1,
        length: 56,
        ttl: 64,
        ipId: 31003,
        quoted: { src: '192.0.2.10', dst: '198.51.100.77', protocol: 'icmp', srcPort: null, dstPort: null },
      }),
      // Parameter problem: the kernel prints PARAMETER= and no quoted packet.
      fw({
        ...icmp,
        timeMs: t(4),
        src: '198.51.100.1',
        icmpType: 12,
        icmpCode: 0,
        length: 56,
        ttl: 254,
        ipId: 31004,
      }),
      fw({
        ...icmp,
        timeMs: t(5),
        src: '198.51.100.1',
        icmpType: 3,
        icmpCode: 3,
        length: 36,
        ttl: 254,
        ipId: 31005,
      }),
      fw({
        ...icmp,
        timeMs: t(6),
        src: '203.0.113.5',
        icmpType: 0,
        icmpCode: 0,
        length: 84,
        ttl: 54,
        ipId: 0,
      }),
    ]);
  });
});

describe('iptablesFormat on dmesg, journalctl, forwarded traffic and odd prefixes', () => {
  const tcp = (timeMs: number, sensor: string, src: string, srcPort: number, dstPort: number, ttl = 240) =>
    fw({ timeMs, sensor, src, dst: '192.0.2.10', srcPort, dstPort, tcpFlags: SYN, length: 40, ttl });

  it('reads dmesg -T in the context offset with the context sensor and rejects raw dmesg', () => {
    expect(parseFile(fixture('firewall/dmesg.log'))).toEqual([
      {
        ...tcp(Date.UTC(2015, 11, 29, 2, 52, 40), 'ctx-sensor', '198.51.100.31', 53328, 23, 245),
        ipId: 54321,
      },
      fw({
        timeMs: Date.UTC(2016, 0, 1, 18, 4, 5),
        sensor: 'ctx-sensor',
        src: '198.51.100.32',
        dst: '192.0.2.10',
        protocol: 'udp',
        protocolNumber: 17,
        srcPort: 47000,
        dstPort: 1900,
        length: 29,
        ttl: 50,
        ipId: 1111,
      }),
      { outcome: 'rejected', reason: 'no wall-clock timestamp' },
      SKIP_NOT_FW,
    ]);
  });

  it('reads every journalctl output mode and skips its separator lines', () => {
    const marker = { outcome: 'skipped', reason: 'journal marker line' };
    expect(parseFile(fixture('firewall/journalctl.log'))).toEqual([
      marker,
      { ...tcp(Date.UTC(2026, 2, 5, 1, 20, 0), 'jhost', '198.51.100.41', 40001, 445), ipId: 1 },
      { ...tcp(Date.UTC(2026, 2, 5, 1, 20, 0, 123), 'jhost', '198.51.100.42', 40002, 445), ipId: 2 },
      { ...tcp(Date.UTC(2026, 2, 20, 5, 49, 24), 'jhost', '198.51.100.43', 40003, 1433), ipId: 3 },
      { ...tcp(Date.UTC(2026, 2, 20, 5, 49, 24, 987), 'jhost', '198.51.100.44', 40004, 3306), ipId: 4 },
      { ...tcp(Date.UTC(2026, 2, 20, 14, 49, 24, 202), 'jhost', '198.51.100.45', 40005, 5432), ipId: 5 },
      marker,
    ]);
  });

  it('counts forwarded and bridged traffic as events', () => {
    expect(parseFile(fixture('firewall/forwarded.log'))).toEqual([
      fw({
        timeMs: Date.UTC(2026, 3, 1),
        sensor: 'router',
        src: '10.0.0.23',
        dst: '198.51.100.80',
        srcPort: 55555,
        dstPort: 6667,
        tcpFlags: SYN,
        length: 60,
        ttl: 63,
        ipId: 9999,
      }),
      fw({
        timeMs: Date.UTC(2026, 3, 1, 0, 0, 1),
        sensor: 'router',
        src: '10.0.0.24',
        dst: '10.0.0.25',
        protocol: 'udp',
        protocolNumber: 17,
        srcPort: 68,
        dstPort: 67,
        length: 328,
        ttl: 64,
        ipId: 0,
      }),
    ]);
  });

  it('finds IN= behind glued prefixes, priorities, RFC 5424 headers and missing hosts', () => {
    const t = (s: number, ms = 0) => Date.UTC(2026, 3, 1, 3, 0, s, ms);
    expect(parseFile(fixture('firewall/prefixes.log'))).toEqual([
      { ...tcp(t(0), 'ziggo', '198.51.100.51', 41001, 8291, 239), ipId: 1 },
      fw({
        timeMs: t(1),
        sensor: 'ziggo',
        src: '198.51.100.52',
        dst: '192.0.2.10',
        srcPort: 43052,
        dstPort: 80,
        tcpFlags: 0x04,
        length: 40,
        ttl: 54,
        ipId: 21110,
      }),
      { ...tcp(t(2), 'ziggo', '198.51.100.53', 41003, 5900, 239), ipId: 2 },
      { ...tcp(t(3, 500), 'ziggo', '198.51.100.54', 41004, 2323, 239), ipId: 3 },
      { ...tcp(t(4), 'ctx-sensor', '198.51.100.55', 41005, 7547, 239), ipId: 4 },
    ]);
  });

  it('reads numeric and named non-TCP/UDP protocols, and fragments without ports', () => {
    const t = (s: number) => Date.UTC(2026, 2, 7, 15, 0, s);
    const other = (s: number, src: string, protocolNumber: number, length: number) =>
      fw({
        timeMs: t(s),
        sensor: 'gw01',
        src,
        dst: '192.0.2.10',
        protocol: 'other',
        protocolNumber,
        length,
        ttl: 60,
        ipId: s === 6 ? 0 : 100 + s,
      });
    expect(parseFile(fixture('firewall/proto-other.log'))).toEqual([
      other(0, '198.51.100.61', 47, 64),
      other(1, '198.51.100.62', 50, 120),
      other(2, '198.51.100.63', 51, 120),
      // UDP-Lite has ports though its protocol is `other`.
      { ...other(3, '198.51.100.64', 136, 48), srcPort: 5000, dstPort: 5001 },
      other(4, '198.51.100.65', 132, 68),
      { ...other(5, '198.51.100.66', 17, 548), protocol: 'udp' },
      { ...other(6, '198.51.100.67', 2, 32), dst: '224.0.0.1', ttl: 1 },
    ]);
  });
});
