import { describe, expect, it } from 'vitest';
import { mulberry32 as rng } from '../../../test/prng.js';
import { canonicalIp, isEvent, type ObservationEvent, type RecordOutcome } from '../../core/index.js';
import type { ParseContext } from '../types.js';
import { iptablesFormat } from './iptables.js';

// The netfilter text itself, read through the iptables format: malformed, truncated and hostile input.

const CTX: ParseContext = {
  sensor: 'ctx-sensor',
  year: 2026,
  utcOffsetMinutes: 0,
  nowMs: Date.UTC(2026, 5, 1),
};
const PRE = 'Mar  5 10:00:00 gw01 kernel: [12345.678901] ';
const MAC = 'MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00';
const TCP_LINE =
  `${PRE}DROP: IN=eth0 OUT= ${MAC} SRC=198.51.100.7 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=51 ` +
  'ID=54321 DF PROTO=TCP SPT=51234 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ';
const ICMP_ERROR_LINE =
  `${PRE}IN=eth0 OUT= ${MAC} SRC=203.0.113.1 DST=192.0.2.10 LEN=56 TOS=0x00 PREC=0xC0 TTL=250 ID=31000 ` +
  'PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.10 DST=203.0.113.99 LEN=28 TOS=0x00 PREC=0x00 TTL=62 ID=0 DF ' +
  'PROTO=UDP SPT=5353 DPT=40000 LEN=8 ] ';
const V6_LINE =
  `${PRE}IN=eth0 OUT= SRC=2001:0db8:0000:0000:0000:0000:0000:0bad DST=2001:0db8:0001:0000:0000:0000:0000:0001 ` +
  'LEN=80 TC=0 HOPLIMIT=57 FLOWLBL=1 PROTO=TCP SPT=50001 DPT=443 WINDOW=65535 RES=0x00 SYN URGP=0 ';

/** Every reason the iptables/nftables parsers give, so fuzzed input can be checked against it. */
const REASONS = new Set([
  'skipped: not a firewall log line',
  'skipped: ufw audit line',
  'skipped: not an ip packet',
  'skipped: journal marker line',
  'rejected: no wall-clock timestamp',
  'rejected: unrecognised timestamp',
  'rejected: invalid timestamp',
  'rejected: truncated packet',
  'rejected: missing SRC',
  'rejected: invalid SRC address',
  'rejected: missing DST',
  'rejected: invalid DST address',
  'rejected: invalid LEN',
  'rejected: invalid TTL',
  'rejected: invalid ID',
  'rejected: missing PROTO',
  'rejected: unknown PROTO',
  'rejected: missing SPT',
  'rejected: invalid SPT',
  'rejected: missing DPT',
  'rejected: invalid DPT',
  'rejected: missing TYPE',
  'rejected: invalid TYPE',
  'rejected: missing CODE',
  'rejected: invalid CODE',
  'rejected: invalid quoted SRC address',
  'rejected: missing quoted DST',
  'rejected: invalid quoted DST address',
  'rejected: unknown quoted PROTO',
  'rejected: invalid quoted SPT',
  'rejected: missing quoted DPT',
  'rejected: invalid quoted DPT',
]);

const one = (line: string): RecordOutcome => iptablesFormat.create(CTX)(line);

function ev(o: RecordOutcome): ObservationEvent {
  if (!isEvent(o)) throw new Error(`expected an event, got ${JSON.stringify(o)}`);
  return o;
}

function reason(o: RecordOutcome): string {
  if (isEvent(o)) throw new Error(`expected a rejection or skip, got ${JSON.stringify(o)}`);
  return `${o.outcome}: ${o.reason}`;
}

/** An outcome is either a well-formed event or one of the known reasons. */
function expectSane(o: RecordOutcome): void {
  if (!isEvent(o)) {
    expect(REASONS.has(`${o.outcome}: ${o.reason}`), `${o.outcome}: ${o.reason}`).toBe(true);
    return;
  }
  expect(canonicalIp(o.src)).toBe(o.src);
  expect(canonicalIp(o.dst)).toBe(o.dst);
  for (const port of [o.srcPort, o.dstPort]) {
    if (port !== null) expect(port >= 0 && port <= 65535).toBe(true);
  }
  expect(Number.isFinite(o.timeMs)).toBe(true);
  expect(o.protocolNumber >= 0 && o.protocolNumber <= 255).toBe(true);
}

describe('the netfilter reader on malformed fields', () => {
  it('reads the unmodified base lines', () => {
    expect(ev(one(TCP_LINE))).toMatchObject({
      src: '198.51.100.7',
      srcPort: 51234,
      dstPort: 22,
      tcpFlags: 2,
    });
    expect(ev(one(ICMP_ERROR_LINE)).quoted).toEqual({
      src: '192.0.2.10',
      dst: '203.0.113.99',
      protocol: 'udp',
      srcPort: 5353,
      dstPort: 40000,
    });
    expect(ev(one(V6_LINE))).toMatchObject({ src: '2001:db8::bad', ttl: 57, length: 80, ipId: null });
    expect(ev(one(TCP_LINE)).ipId).toBe(54321);
    // Off the kernel's usual layout the header fields are searched for, the ID too.
    expect(ev(one(TCP_LINE.replace('TOS=0x00 PREC=0x00 ', ''))).ipId).toBe(54321);
  });

  const cases: [string, string, string, string][] = [
    // [name, line, text to replace, replacement] → expected reason below
    ['an SRC octet above 255', TCP_LINE, 'SRC=198.51.100.7', 'SRC=198.51.100.256'],
    ['an SRC with a leading zero', TCP_LINE, 'SRC=198.51.100.7', 'SRC=198.51.100.07'],
    ['an empty SRC', TCP_LINE, 'SRC=198.51.100.7', 'SRC='],
    ['a three-part SRC', TCP_LINE, 'SRC=198.51.100.7', 'SRC=198.51.100'],
    ['no SRC', TCP_LINE, 'SRC=198.51.100.7 ', ''],
    ['a short DST', TCP_LINE, 'DST=192.0.2.10', 'DST=192.0.2'],
    ['no DST', TCP_LINE, 'DST=192.0.2.10 ', ''],
    ['no PROTO', TCP_LINE, 'PROTO=TCP ', ''],
    ['a PROTO name the kernel never prints', TCP_LINE, 'PROTO=TCP', 'PROTO=XYZ'],
    ['a PROTO number above 255', TCP_LINE, 'PROTO=TCP', 'PROTO=256'],
    ['an SPT above 65535', TCP_LINE, 'SPT=51234', 'SPT=65536'],
    ['a negative SPT', TCP_LINE, 'SPT=51234', 'SPT=-1'],
    ['an empty SPT', TCP_LINE, 'SPT=51234', 'SPT='],
    ['a DPT above 65535', TCP_LINE, 'DPT=22', 'DPT=99999'],
    ['a DPT with a letter', TCP_LINE, 'DPT=22', 'DPT=2x2'],
    ['no ports on a whole TCP packet', TCP_LINE, 'SPT=51234 DPT=22 ', ''],
    ['no DPT', TCP_LINE, 'DPT=22 ', ''],
    ['an IPv4 LEN above 65535', TCP_LINE, 'LEN=60', 'LEN=70000'],
    ['a LEN with a letter O', TCP_LINE, 'LEN=60', 'LEN=6O'],
    ['a TTL above 255', TCP_LINE, 'TTL=51', 'TTL=256'],
    ['a HOPLIMIT above 255', V6_LINE, 'HOPLIMIT=57', 'HOPLIMIT=300'],
    ['an ID above 65535', TCP_LINE, 'ID=54321', 'ID=65536'],
    [
      'an ID with a letter, off the usual layout',
      TCP_LINE.replace('TOS=0x00 PREC=0x00 ', ''),
      'ID=54321',
      'ID=5x321',
    ],
    ['an IPv6 SRC with a bad group', V6_LINE, 'SRC=2001:0db8:0000', 'SRC=2001:0dz8:0000'],
    ['a bracketed IPv6 SRC', V6_LINE, 'SRC=2001:0db8:0000:0000:0000:0000:0000:0bad', 'SRC=[2001:db8::bad]'],
    ['an IPv6 SRC with a zone', V6_LINE, 'SRC=2001:0db8:0000:0000:0000:0000:0000:0bad', 'SRC=fe80::1%eth0'],
    ['an ICMP TYPE above 255', ICMP_ERROR_LINE, 'TYPE=3', 'TYPE=300'],
    ['an ICMP CODE with a letter', ICMP_ERROR_LINE, 'CODE=3', 'CODE=x'],
    ['no ICMP TYPE', ICMP_ERROR_LINE, 'TYPE=3 ', ''],
    ['no ICMP CODE', ICMP_ERROR_LINE, 'CODE=3 ', ''],
    ['a short quoted SRC', ICMP_ERROR_LINE, '[SRC=192.0.2.10', '[SRC=192.0.2'],
    ['no quoted DST', ICMP_ERROR_LINE, 'DST=203.0.113.99 ', ''],
    ['a quoted DST that is not an address', ICMP_ERROR_LINE, 'DST=203.0.113.99', 'DST=x'],
    ['an unknown quoted PROTO', ICMP_ERROR_LINE, 'PROTO=UDP', 'PROTO=FOO'],
    ['a quoted SPT above 65535', ICMP_ERROR_LINE, 'SPT=5353', 'SPT=70000'],
    ['no quoted DPT', ICMP_ERROR_LINE, 'DPT=40000 ', ''],
    ['a quoted DPT with a letter', ICMP_ERROR_LINE, 'DPT=40000', 'DPT=4OOOO'],
  ];
  const expected = [
    'invalid SRC address',
    'invalid SRC address',
    'invalid SRC address',
    'invalid SRC address',
    'missing SRC',
    'invalid DST address',
    'missing DST',
    'missing PROTO',
    'unknown PROTO',
    'unknown PROTO',
    'invalid SPT',
    'invalid SPT',
    'invalid SPT',
    'invalid DPT',
    'invalid DPT',
    'missing SPT',
    'missing DPT',
    'invalid LEN',
    'invalid LEN',
    'invalid TTL',
    'invalid TTL',
    'invalid ID',
    'invalid ID',
    'invalid SRC address',
    'invalid SRC address',
    'invalid SRC address',
    'invalid TYPE',
    'invalid CODE',
    'missing TYPE',
    'missing CODE',
    'invalid quoted SRC address',
    'missing quoted DST',
    'invalid quoted DST address',
    'unknown quoted PROTO',
    'invalid quoted SPT',
    'missing quoted DPT',
    'invalid quoted DPT',
  ];
  it.each(cases.map((c, i) => [...c, expected[i]!] as const))('rejects %s', (_name, line, from, to, want) => {
    const changed = line.replace(from, to);
    expect(changed).not.toBe(line);
    expect(reason(one(changed))).toBe(`rejected: ${want}`);
  });

  it('rejects a header the kernel could not read and a line that stops before SRC', () => {
    expect(reason(one(`${PRE}IN=eth0 OUT= ${MAC} TRUNCATED`))).toBe('rejected: truncated packet');
    expect(reason(one(`${PRE}IN=eth0 OUT= ${MAC}`))).toBe('rejected: missing SRC');
  });

  it('skips lines with no IN= followed by OUT=, and ARP packets', () => {
    expect(reason(one(`${PRE}IN=eth0 SRC=1.2.3.4`))).toBe('skipped: not a firewall log line');
    expect(reason(one(`${PRE}usb 1-1: LOGIN=root`))).toBe('skipped: not a firewall log line');
    expect(reason(one(`${PRE}IN=eth0 OUT= ARP HTYPE=1 PTYPE=0x0800 OPCODE=2 MACSRC=52:54:00:65:43:21`))).toBe(
      'skipped: not an ip packet',
    );
  });

  it('takes the first IN= that is followed by OUT=, past IN= inside the prefix', () => {
    const line = TCP_LINE.replace('DROP: IN=', 'LOGIN=x IN=');
    expect(ev(one(line))).toMatchObject({ src: '198.51.100.7', dstPort: 22 });
  });

  it('does not take MACSRC= or a quoted SRC= for the packet SRC', () => {
    const line = TCP_LINE.replace(MAC, 'MACSRC=52:54:00:65:43:21 MACDST=52:54:00:12:34:56 MACPROTO=0800');
    expect(ev(one(line)).src).toBe('198.51.100.7');
    expect(ev(one(ICMP_ERROR_LINE))).toMatchObject({
      src: '203.0.113.1',
      dst: '192.0.2.10',
      length: 56,
      ttl: 250,
    });
  });

  it('writes an IPv4-mapped IPv6 address as plain IPv4', () => {
    const line = V6_LINE.replace(
      'SRC=2001:0db8:0000:0000:0000:0000:0000:0bad',
      'SRC=0000:0000:0000:0000:0000:ffff:c633:6407',
    );
    expect(ev(one(line)).src).toBe('198.51.100.7');
  });

  it('reads TCP flag words but not the ACK= number of --log-tcp-sequence, and ignores AE', () => {
    const seq = TCP_LINE.replace('WINDOW=64240 RES=0x00 SYN', 'SEQ=1 ACK=2 WINDOW=64240 RES=0x00 ACK');
    expect(ev(one(seq)).tcpFlags).toBe(0x10);
    const ae = TCP_LINE.replace('RES=0x00 SYN', 'RES=0x00 AE CWR SYN');
    expect(ev(one(ae)).tcpFlags).toBe(0x82);
    const opt = `${TCP_LINE}OPT (020405B40402080A) UID=0 GID=0 MARK=0x1 `;
    expect(ev(one(opt)).tcpFlags).toBe(0x02);
  });

  it('leaves TCP flags unknown when the line records none, and 0 for a NULL scan', () => {
    const cut = TCP_LINE.slice(0, TCP_LINE.indexOf(' WINDOW='));
    expect(ev(one(cut)).tcpFlags).toBeNull();
    expect(ev(one(TCP_LINE.replace(' SYN ', ' '))).tcpFlags).toBe(0);
  });

  it('reads a TCP header cut short as an event without ports or flags', () => {
    const line = TCP_LINE.replace(/SPT=.*$/, 'INCOMPLETE [12 bytes] ');
    expect(ev(one(line))).toMatchObject({ protocol: 'tcp', srcPort: null, dstPort: null, tcpFlags: null });
  });

  it('returns shared, frozen outcomes for rejections and skips', () => {
    const a = one(TCP_LINE.replace('SRC=198.51.100.7', 'SRC=x'));
    const b = one(TCP_LINE.replace('SRC=198.51.100.7', 'SRC=y'));
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('the netfilter reader on truncated and hostile input', () => {
  it('gives an event or a known reason for every truncation of a TCP, an ICMP error and an IPv6 line', () => {
    const parse = iptablesFormat.create(CTX);
    for (const line of [TCP_LINE, ICMP_ERROR_LINE, V6_LINE]) {
      for (let n = 1; n <= line.length; n++) expectSane(parse(line.slice(0, n)));
    }
  });

  it('names the field where a truncated TCP line stops', () => {
    const cut = (marker: string, extra = 0) => one(TCP_LINE.slice(0, TCP_LINE.indexOf(marker) + extra));
    expect(reason(cut('SRC=', 8))).toBe('rejected: invalid SRC address');
    expect(reason(cut(' DST='))).toBe('rejected: missing DST');
    expect(reason(cut(' LEN='))).toBe('rejected: missing PROTO');
    expect(reason(cut(' SPT='))).toBe('rejected: missing SPT');
    expect(reason(cut(' DPT='))).toBe('rejected: missing DPT');
    expect(ev(cut(' WINDOW='))).toMatchObject({ srcPort: 51234, dstPort: 22, tcpFlags: null });
  });

  it('never throws on random bytes and rejects them', () => {
    const next = rng(1);
    const parse = iptablesFormat.create(CTX);
    for (let k = 0; k < 2000; k++) {
      const len = 1 + Math.floor(next() * 300);
      let s = '';
      for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(next() * 256));
      const o = parse(s);
      expect(isEvent(o)).toBe(false);
      expectSane(o);
    }
  });

  it('never throws on randomly mutated firewall lines', () => {
    const next = rng(2);
    const parse = iptablesFormat.create(CTX);
    const alphabet = ' =.:[]0123456789ABCDEFINOPRSTUXabcdef-\u00e9\ufffd';
    for (let k = 0; k < 5000; k++) {
      const base = [TCP_LINE, ICMP_ERROR_LINE, V6_LINE][k % 3]!;
      const chars = base.split('');
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * chars.length);
        const c = alphabet[Math.floor(next() * alphabet.length)]!;
        const op = next();
        if (op < 0.4) chars[at] = c;
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at, 0, c);
      }
      expectSane(parse(chars.join('')));
    }
  });

  it('stays fast on 1 MB lines built to defeat the scanner', () => {
    const mb = 1 << 20;
    const hostile = [
      'A'.repeat(mb),
      `${PRE}${'IN='.repeat(mb / 3)}`,
      `${PRE}${'IN=x '.repeat(mb / 5)}`,
      `${PRE}IN=eth0 OUT= SRC=${'1'.repeat(mb)}`,
      `${PRE}IN=eth0 OUT= MAC=${'x'.repeat(mb)}`,
      `${PRE}IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 ${'LEN=1 '.repeat(mb / 6)}`,
      `${PRE}IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2 ${'SYN '.repeat(mb / 4)}`,
      `${PRE}IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=ICMP TYPE=3 CODE=1 ${'[SRC='.repeat(mb / 5)}`,
      `${PRE}IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=1 DPT=2 ${' '.repeat(mb)}URGP=0`,
      `${PRE}IN=eth0 OUT= SRC=${'0:'.repeat(mb / 2)}`,
      `<${'1'.repeat(mb)}>`,
      `[${' '.repeat(mb)}`,
    ];
    const parse = iptablesFormat.create(CTX);
    for (const line of hostile) expectSane(parse(line));
    expect(reason(parse(hostile[0]!))).toBe('rejected: unrecognised timestamp');
    expect(reason(parse(hostile[3]!))).toBe('rejected: invalid SRC address');
    expect(reason(parse(hostile[4]!))).toBe('rejected: missing SRC');
    expect(reason(parse(hostile[5]!))).toBe('rejected: missing PROTO');
    expect(ev(parse(hostile[6]!)).tcpFlags).toBe(0x02);
    expect(reason(parse(hostile[7]!))).toBe('rejected: invalid quoted SRC address');
  });
});
