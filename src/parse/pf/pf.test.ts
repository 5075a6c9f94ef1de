import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/samples.js';
import { isEvent, type ObservationEvent, type RecordOutcome } from '../../core/index.js';
import type { ParseContext } from '../types.js';
import { pfFormat } from './pf.js';

const UTC_2024: ParseContext = {
  sensor: 'fw1',
  year: 2024,
  utcOffsetMinutes: 0,
  nowMs: Date.UTC(2024, 5, 1),
};

function lines(name: string): string[] {
  return readFileSync(fixture(`pf/${name}`), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

function run(input: string[], ctx: ParseContext = UTC_2024): RecordOutcome[] {
  const parse = pfFormat.create(ctx);
  return input.map((l) => parse(l));
}

function events(outcomes: RecordOutcome[]): ObservationEvent[] {
  return outcomes.filter(isEvent);
}

function one(line: string, ctx: ParseContext = UTC_2024): RecordOutcome {
  return pfFormat.create(ctx)(line);
}

function reason(o: RecordOutcome): string {
  if (isEvent(o)) throw new Error(`expected a rejection or skip, got an event: ${JSON.stringify(o)}`);
  return `${o.outcome}: ${o.reason}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

// Every packet of test/fixtures/pf/make-pflog.mjs, in order, with the values the generator put in:
// [time (UTC, µs cut to ms), protocol number, src, src port, dst, dst port, TCP flags, ICMP type,
// ICMP code, quoted [dst, protocol, dst port] or null, IP length, TTL (both only under -v)].
type Row = [
  string,
  number,
  string,
  number | null,
  string,
  number | null,
  number | null,
  number | null,
  number | null,
  [string, string, number | null] | null,
  number,
  number,
];
const A = '195.234.33.34';
const B = '10.0.0.10';
const Q = '198.51.100.7';
const X6 = '2001:db8::1';
const Y6 = '2001:db8:0:1::10';
const PACKETS: Row[] = [
  ['2024-01-02T03:04:05.123Z', 6, A, 6346, B, 1468, 0x02, null, null, null, 48, 51],
  ['2024-01-02T03:04:05.123Z', 6, A, 443, B, 51000, 0x12, null, null, null, 48, 64],
  ['2024-01-02T03:04:06.000Z', 6, A, 80, B, 51001, 0x14, null, null, null, 40, 64],
  ['2024-01-02T03:04:06.500Z', 6, A, 80, B, 51002, 0x19, null, null, null, 43, 64],
  ['2024-01-02T03:04:07.000Z', 6, A, 80, B, 51003, 0x10, null, null, null, 40, 64],
  ['2024-01-02T03:04:07.000Z', 6, A, 80, B, 51004, 0x00, null, null, null, 40, 64],
  ['2024-01-02T03:04:07.000Z', 6, A, 80, B, 51005, 0x29, null, null, null, 40, 64],
  ['2024-01-02T03:04:07.000Z', 6, A, 80, B, 51006, 0xc2, null, null, null, 40, 64],
  ['2024-01-02T03:04:08.000Z', 17, B, 5000, A, 9999, null, null, null, null, 68, 64],
  ['2024-01-02T03:04:08.000Z', 17, A, 40000, B, 53, null, null, null, null, 57, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 8, 0, null, 84, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 0, 0, null, 84, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 3, [Q, 'udp', 33435], 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 1, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 3, [Q, 'tcp', 25], 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 11, 0, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 13, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 4, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 2, [Q, 'tcp', null], 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 0, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 10, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 5, 1, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 13, 0, null, 40, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 11, 1, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 12, 0, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 4, 0, null, 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 3, 3, [Q, 'other', null], 56, 64],
  ['2024-01-02T03:04:09.000Z', 1, A, null, B, null, null, 42, null, null, 28, 64],
  ['2024-01-02T03:04:10.000Z', 6, X6, 443, Y6, 50000, 0x02, null, null, null, 68, 57],
  ['2024-01-02T03:04:10.000Z', 17, X6, 5000, Y6, 6000, null, null, null, null, 60, 64],
  ['2024-01-02T03:04:10.000Z', 58, X6, null, Y6, null, null, 128, 0, null, 56, 64],
  ['2024-01-02T03:04:10.000Z', 58, X6, null, Y6, null, null, 1, 4, ['2001:db8::99', 'udp', 53], 100, 64],
  ['2024-01-02T03:04:10.000Z', 58, X6, null, Y6, null, null, 1, 3, null, 100, 64],
  ['2024-01-02T03:04:10.000Z', 58, X6, null, Y6, null, null, 2, 0, null, 100, 64],
  ['2024-01-02T03:04:10.000Z', 58, X6, null, Y6, null, null, 3, 0, null, 100, 64],
  ['2024-01-02T03:04:10.000Z', 58, X6, null, Y6, null, null, 135, 0, null, 64, 64],
  ['2024-01-02T03:04:10.000Z', 58, X6, null, Y6, null, null, 1, 1, null, 100, 64],
  ['2024-01-02T03:04:10.000Z', 58, X6, null, Y6, null, null, 4, 0, null, 100, 64],
  ['2024-01-02T03:04:11.000Z', 47, A, null, B, null, null, null, null, null, 28, 64],
  ['2024-01-02T03:04:11.000Z', 50, A, null, B, null, null, null, null, null, 44, 64],
  ['2024-01-02T03:04:11.000Z', 2, A, null, B, null, null, null, null, null, 28, 64],
  ['2024-01-02T03:04:11.000Z', 253, A, null, B, null, null, null, null, null, 36, 64],
  ['2024-01-02T03:04:11.000Z', 17, A, 1, B, 2, null, null, null, null, 68, 64],
  ['2024-01-02T03:04:11.000Z', 17, A, null, B, null, null, null, null, null, 60, 64],
  ['2024-01-02T03:04:12.000Z', 6, A, 6346, B, 22, 0x02, null, null, null, 40, 1],
  ['2024-01-02T03:04:12.000Z', 6, A, 6346, B, 23, 0x02, null, null, null, 40, 64],
  ['2024-01-02T03:04:12.000Z', 6, A, 6346, B, 23, 0x02, null, null, null, 40, 64],
  ['2024-01-02T03:04:12.000Z', 6, B, 6346, A, 23, 0x02, null, null, null, 40, 64],
  ['2024-01-02T03:04:12.000Z', 6, A, 1, B, 80, 0x18, null, null, null, 58, 64],
];

function expectRow(e: ObservationEvent, row: Row, verbose: boolean): void {
  const [time, pn, src, sp, dst, dp, flags, type, code, quoted, length, ttl] = row;
  expect(iso(e.timeMs)).toBe(time);
  expect([e.protocolNumber, e.src, e.srcPort, e.dst, e.dstPort]).toEqual([pn, src, sp, dst, dp]);
  expect([e.tcpFlags, e.icmpType, e.icmpCode]).toEqual([flags, type, code]);
  expect(e.quoted === null ? null : [e.quoted.dst, e.quoted.protocol, e.quoted.dstPort]).toEqual(quoted);
  if (e.quoted !== null) {
    // The quoted packet's source is the error's destination; tcpdump prints no source port.
    expect(e.quoted.src).toBe(e.dst);
    expect(e.quoted.srcPort).toBeNull();
  }
  expect([e.length, e.ttl]).toEqual(verbose ? [length, ttl] : [null, null]);
  expect([e.kind, e.sensor, e.ids, e.payload]).toEqual(['firewall', 'fw1', null, null]);
}

describe('pf lines printed by tcpdump.org tcpdump (FreeBSD, Linux)', () => {
  it('reads every packet of the -tttt fixture with its exact fields', () => {
    const ev = events(run(lines('tcpdump-org-tttt.txt')));
    expect(ev).toHaveLength(PACKETS.length);
    for (const [i, e] of ev.entries()) expectRow(e, PACKETS[i]!, false);
  });

  it('creates every event with the same fields in the same order', () => {
    const ev = events(run(lines('tcpdump-org-tttt.txt')));
    const order = Object.keys(ev[0]!).join();
    expect(order).toBe(
      'timeMs,sensor,kind,protocol,protocolNumber,src,dst,srcPort,dstPort,tcpFlags,icmpType,icmpCode,length,ttl,ipId,ids,payload,quoted',
    );
    for (const e of ev) expect(Object.keys(e).join()).toBe(order);
  });

  it('reads the two-line -v output into one event per packet with TTL and IP length', () => {
    const out = run(lines('tcpdump-org-v.txt'));
    const ev = events(out);
    expect(ev).toHaveLength(PACKETS.length);
    for (const [i, e] of ev.entries()) expectRow(e, PACKETS[i]!, true);
    // The 39 IPv4 header lines wait for their address line; the 10 IPv6 packets are single lines.
    const skips = out.filter((o) => !isEvent(o)).map(reason);
    expect(skips.filter((r) => r === 'skipped: verbose ip header line')).toHaveLength(39);
    // The packets ICMP errors quote and the HTTP payload decode come as further indented lines.
    expect(skips.filter((r) => r === 'skipped: tcpdump continuation line')).toHaveLength(
      out.length - 49 - 39,
    );
    expect(skips.every((r) => r.startsWith('skipped:'))).toBe(true);
  });

  it('reads -tt epoch seconds as UTC, the same events as -tttt', () => {
    const tt = events(run(lines('tcpdump-org-tt.txt'), { ...UTC_2024, utcOffsetMinutes: 540 }));
    const tttt = events(run(lines('tcpdump-org-tttt.txt')));
    expect(tt).toEqual(tttt);
  });

  it('reads -tttt dates in the context offset', () => {
    const e = one(lines('tcpdump-org-tttt.txt')[0]!, { ...UTC_2024, utcOffsetMinutes: 540 });
    expect(isEvent(e) && iso(e.timeMs)).toBe('2024-01-01T18:04:05.123Z');
  });

  it('rejects default time-of-day stamps without a date, saying what to pass', () => {
    const out = run(lines('tcpdump-org-default.txt'));
    expect(out).toHaveLength(49);
    expect(new Set(out.map(reason))).toEqual(
      new Set(['rejected: time of day without a date: pass --date YYYY-MM-DD']),
    );
  });

  it('reads default time-of-day stamps on the date given, the same events as -tttt', () => {
    const tod = events(run(lines('tcpdump-org-default.txt'), { ...UTC_2024, date: '2024-01-02' }));
    expect(tod).toEqual(events(run(lines('tcpdump-org-tttt.txt'))));
    expect(tod).toHaveLength(49);
  });

  it('rejects -ttt deltas that have no absolute time to count from', () => {
    const out = run(lines('tcpdump-org-ttt.txt'));
    expect(new Set(out.map(reason))).toEqual(
      new Set(['rejected: delta timestamp with no absolute reference']),
    );
  });

  it('keeps pass, match and unknown (unkn(N)) actions as events', () => {
    const l = lines('tcpdump-org-tttt.txt');
    expect(l[44]).toContain('unkn(12) in on vio0');
    expect(l[46]).toContain('pass in on em0');
    expect(isEvent(one(l[44]!))).toBe(true);
    expect(isEvent(one(l[46]!))).toBe(true);
  });

  it('reads the [uid] and [ridentifier] parts of newer tcpdump.org headers', () => {
    const e = one(
      '2024-01-02 03:04:05.000000 rule 3/0(match) [uid 0] [ridentifier 12]: block in on em0: 198.51.100.7.1 > 192.0.2.1.22: Flags [S], seq 1, win 512, length 0',
    );
    expect(isEvent(e) && [e.src, e.dstPort, e.tcpFlags]).toEqual(['198.51.100.7', 22, 2]);
    const uidPid = one(
      '2024-01-02 03:04:05.000000 rule 3/0(match) [uid 0, pid 12]: block in on em0: 198.51.100.7.1 > 192.0.2.1.22: Flags [S], seq 1, win 512, length 0',
    );
    expect(isEvent(uidPid) && uidPid.dst).toBe('192.0.2.1');
  });
});

describe('pf lines printed by OpenBSD tcpdump', () => {
  const JST_2004: ParseContext = {
    sensor: 'fw1',
    year: 2004,
    utcOffsetMinutes: 540,
    nowMs: Date.UTC(2004, 10, 1),
  };

  it('reads the -ttt fixture in the context year and offset with exact fields', () => {
    const out = run(lines('openbsd-ttt.txt'), JST_2004);
    const rows = out.map((o) =>
      isEvent(o)
        ? [
            iso(o.timeMs),
            o.protocolNumber,
            o.src,
            o.srcPort,
            o.dst,
            o.dstPort,
            o.tcpFlags,
            o.icmpType,
            o.icmpCode,
          ]
        : reason(o),
    );
    const C = '198.51.100.7';
    expect(rows).toEqual([
      ['2004-10-28T05:11:59.244Z', 6, '195.234.33.34', 6346, '10.0.0.10', 1468, 0x02, null, null],
      ['2004-10-28T05:12:00.001Z', 6, C, 443, B, 51000, 0x12, null, null],
      ['2004-10-28T05:12:01.000Z', 6, C, 80, B, 51001, 0x14, null, null],
      ['2004-10-28T05:12:02.500Z', 6, C, 80, B, 51002, 0x19, null, null],
      ['2004-10-28T05:12:03.000Z', 6, C, 80, B, 51003, 0x10, null, null],
      ['2004-10-28T05:12:03.500Z', 6, C, 80, B, 51005, 0x29, null, null],
      ['2004-10-28T05:12:03.750Z', 6, C, 80, B, 51006, 0xc2, null, null],
      ['2004-10-28T05:12:04.000Z', 17, B, 5000, C, 9999, null, null, null],
      ['2004-10-28T05:12:05.000Z', 1, C, null, B, null, null, 8, 0],
      ['2004-10-28T05:12:05.100Z', 1, C, null, B, null, null, 3, 3],
      ['2004-10-28T05:12:05.200Z', 1, C, null, B, null, null, 3, 13],
      ['2004-10-28T05:12:05.300Z', 1, C, null, B, null, null, 11, 0],
      ['2004-10-28T05:12:06.000Z', 6, X6, 443, Y6, 50000, 0x02, null, null],
      ['2004-10-28T05:12:06.100Z', 58, X6, null, Y6, null, null, 128, 0],
      ['2004-10-28T05:12:06.200Z', 58, X6, null, Y6, null, null, 1, 4],
      ['2004-10-28T05:12:07.000Z', 6, C, 6346, B, 23, 0x02, null, null],
      ['2004-10-28T05:12:08.000Z', 6, C, 51515, B, 8080, 0x02, null, null],
      ['2004-10-28T05:12:09.000Z', 253, C, null, B, null, null, null, null],
      'rejected: fragment without protocol',
    ]);
    const ev = events(out);
    expect(ev[9]!.quoted).toEqual({
      src: B,
      dst: '198.51.100.9',
      protocol: 'udp',
      srcPort: null,
      dstPort: 33435,
    });
    expect(ev[14]!.quoted).toEqual({
      src: Y6,
      dst: '2001:db8::99',
      protocol: 'udp',
      srcPort: null,
      dstPort: 53,
    });
    // ` [ttl 1]` is printed whatever -v says when the TTL is 0 or 1.
    expect([ev[11]!.ttl, ev[11]!.length]).toEqual([1, null]);
    expect(ev.filter((e) => e !== ev[11]).every((e) => e.ttl === null && e.length === null)).toBe(true);
  });

  it('reads -v TTL and length, and skips the [uid, pid] and [orig …] parts', () => {
    const ev = events(run(lines('openbsd-v.txt'), JST_2004));
    expect(ev.map((e) => [e.protocolNumber, e.src, e.dst, e.dstPort, e.ttl, e.length])).toEqual([
      [6, '10.0.0.10', '198.51.100.7', 70, 64, 44],
      [17, '198.51.100.7', '10.0.0.10', 9999, 57, 68],
      [1, '198.51.100.7', '10.0.0.10', null, 250, 84],
      [1, '198.51.100.7', '10.0.0.10', null, 1, 56],
      // IPv6: ` (len 24, hlim 57)` gives the payload length; the event has the IP length.
      [6, X6, Y6, 50000, 57, 64],
      [6, '198.51.100.7', '192.0.2.10', 22, 64, 44],
    ]);
  });

  it('accumulates -tttt deltas from the absolute time of the first line', () => {
    const ev = events(run(lines('openbsd-tttt.txt'), JST_2004));
    // util.c prints the first packet's time since the epoch (UTC), then the time since the previous.
    expect(ev.map((e) => e.timeMs)).toEqual([
      Date.UTC(2004, 9, 28, 14, 11, 59, 244),
      Date.UTC(2004, 9, 28, 14, 11, 59, 244), // + 0.000123: 59.244356
      Date.UTC(2004, 9, 28, 14, 12, 1, 244), // + 1.999877: 01.244233
      Date.UTC(2004, 9, 28, 14, 12, 2, 144), // + 0.9
    ]);
  });
});

describe('pf -v continuation lines', () => {
  const HEAD =
    '2024-01-02 03:04:05.000000 rule 3/0(match): block in on em0: (tos 0x0, ttl 51, id 1, offset 0, flags [DF], proto TCP (6), length 40)';
  const BODY =
    '    198.51.100.7.1 > 192.0.2.1.22: Flags [S], cksum 0x1234 (correct), seq 1, win 512, length 0';

  it('skips an indented line that follows no header', () => {
    expect(reason(one(BODY))).toBe('skipped: tcpdump continuation line');
    expect(reason(one('\tGET / HTTP/1.0'))).toBe('skipped: tcpdump continuation line');
  });

  it('drops a header whose address line never comes and reads the next packet normally', () => {
    const out = run([
      HEAD,
      `2024-01-02 03:04:06.000000 rule 1/0(match): pass in on em0: ${BODY.trim()}`,
      BODY,
    ]);
    expect(reason(out[0]!)).toBe('skipped: verbose ip header line');
    expect(isEvent(out[1]!) && [out[1].ttl, out[1].length, iso(out[1].timeMs)]).toEqual([
      null,
      null,
      '2024-01-02T03:04:06.000Z',
    ]);
    expect(reason(out[2]!)).toBe('skipped: tcpdump continuation line');
  });

  it('rejects a header that is not the one tcpdump prints', () => {
    expect(reason(one(`${HEAD.slice(0, -1)}`))).toBe('rejected: invalid verbose ip header');
  });
});

describe('pf hostile input', () => {
  const GOOD =
    '2024-01-02 03:04:05.123456 rule 0/0(match): block in on em0: 195.234.33.34.6346 > 10.0.0.10.1468: Flags [S], seq 1, win 16384, length 0';

  it('rejects ports above 65535 and addresses that are not addresses', () => {
    expect(reason(one(GOOD.replace('.6346 >', '.65536 >')))).toBe('rejected: invalid SRC port');
    expect(reason(one(GOOD.replace('.1468:', '.99999:')))).toBe('rejected: invalid DST port');
    expect(reason(one(GOOD.replace('195.234.33.34', '300.1.1.1')))).toBe('rejected: invalid SRC address');
    expect(reason(one(GOOD.replace('10.0.0.10', '10.0.0')))).toBe('rejected: invalid DST address');
    expect(reason(one(GOOD.replace('10.0.0.10.1468', '10.0.0.10.1.2')))).toBe(
      'rejected: invalid DST address',
    );
    expect(reason(one(GOOD.replace('195.234.33.34.6346', '2001:db8::g.80')))).toBe(
      'rejected: invalid SRC address',
    );
    expect(reason(one(GOOD.replace('.6346 >', '.http >')))).toBe('rejected: invalid SRC port');
    expect(reason(one(GOOD.replace('Flags [S]', 'Flags [SX]')))).toBe('rejected: invalid TCP flags');
  });

  it('rejects lines cut before the fields it reads are complete, and never throws', () => {
    const flagsEnd = GOOD.indexOf(']') + 1;
    for (let i = 1; i < GOOD.length; i++) {
      const o = one(GOOD.slice(0, i));
      // A line cut after `Flags [S]` still holds every field of the event.
      if (i < flagsEnd) expect(reason(o)).toMatch(/^rejected: /);
      else expect(isEvent(o) && [o.dstPort, o.tcpFlags]).toEqual([1468, 2]);
    }
    expect(reason(one(GOOD.slice(0, 26)))).toBe('rejected: unrecognised timestamp');
    expect(reason(one(GOOD.slice(0, 40)))).toBe('rejected: invalid pflog header');
    expect(reason(one(GOOD.slice(0, 60)))).toBe('rejected: truncated record');
    expect(reason(one(GOOD.slice(0, 80)))).toBe('rejected: missing addresses');
    expect(reason(one(GOOD.slice(0, 98)))).toBe('rejected: truncated record');
    expect(reason(one(GOOD.slice(0, 101)))).toBe('rejected: truncated record');
    expect(reason(one(GOOD.slice(0, 106)))).toBe('rejected: truncated record');
  });

  it('rejects lines without the -e pflog header or with an unknown action or direction', () => {
    const bare =
      '2024-01-02 03:04:05.123456 195.234.33.34.6346 > 10.0.0.10.1468: Flags [S], seq 1, win 16384, length 0';
    expect(reason(one(bare))).toBe('rejected: missing pflog header');
    expect(reason(one(GOOD.replace('block in', 'zap in')))).toBe('rejected: unknown pf action');
    expect(reason(one(GOOD.replace('block in', 'block sideways')))).toBe('rejected: invalid pf direction');
  });

  it('turns random bytes into rejections or skips without throwing', () => {
    let seed = 42;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    const parse = pfFormat.create(UTC_2024);
    for (let n = 0; n < 5000; n++) {
      let s = '';
      const len = rnd() % 300;
      for (let i = 0; i < len; i++) s += String.fromCharCode(rnd() % 256);
      const o = parse(s);
      expect(isEvent(o)).toBe(false);
    }
    // Random mutations of a good line: never a throw, and events only with valid fields.
    for (let n = 0; n < 5000; n++) {
      const chars = [...GOOD];
      for (let k = 0; k < 3; k++) chars[rnd() % chars.length] = String.fromCharCode(32 + (rnd() % 95));
      const o = parse(chars.join(''));
      if (isEvent(o)) {
        expect(o.srcPort === null || (o.srcPort >= 0 && o.srcPort <= 65535)).toBe(true);
        expect(o.src).toMatch(/^[0-9a-f.:]+$/);
      }
    }
  });

  it('handles a 1 MB line in linear time', () => {
    const parse = pfFormat.create(UTC_2024);
    const big = `${GOOD.slice(0, 61)}${' > '.repeat(350_000)}`;
    expect(isEvent(parse(big))).toBe(false);
    expect(isEvent(parse(`${GOOD} ${'x'.repeat(1_000_000)}`))).toBe(true);
    expect(isEvent(parse(`${'9'.repeat(1_000_000)}`))).toBe(false);
    expect(isEvent(parse(` ${'0'.repeat(1_000_000)}`))).toBe(false);
    expect(isEvent(parse(`2024-01-02 03:04:05.123456 rule ${'/'.repeat(1_000_000)}`))).toBe(false);
  });
});
