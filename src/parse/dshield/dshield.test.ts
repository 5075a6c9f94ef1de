import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/samples.js';
import { isEvent, type RecordOutcome } from '../../core/index.js';
import type { ParseContext } from '../types.js';
import { dshieldFormat } from './dshield.js';

const CTX: ParseContext = {
  sensor: 'dshield-in',
  year: 2003,
  utcOffsetMinutes: 0,
  nowMs: Date.UTC(2003, 5, 1),
};

/** Outcomes of all lines; a line standing for several accesses contributes each of its events. */
function parseAll(lines: string[], ctx: ParseContext = CTX): RecordOutcome[] {
  const parse = dshieldFormat.create(ctx);
  return lines.flatMap((l) => {
    const o = parse(l);
    return Array.isArray(o) ? [...(o as RecordOutcome[])] : [o as RecordOutcome];
  });
}

function one(line: string, ctx: ParseContext = CTX): RecordOutcome {
  const o = dshieldFormat.create(ctx)(line);
  if (Array.isArray(o)) throw new Error(`expected one outcome, got ${o.length} events`);
  return o as RecordOutcome;
}

function reason(o: RecordOutcome): string {
  if (isEvent(o)) throw new Error(`expected a rejection or skip, got an event: ${JSON.stringify(o)}`);
  return `${o.outcome}: ${o.reason}`;
}

const GOOD = '2003-04-23 13:45:12 -05:00\t1234\t1\t198.51.100.7\t51234\t192.0.2.10\t22\t6\tS';
const tsv = (...fields: string[]) => fields.join('\t');

describe('DShield submission lines', () => {
  it('reads every line of the fixture with its exact fields', () => {
    const lines = readFileSync(fixture('dshield/submission.txt'), 'utf8').split('\n').filter(Boolean);
    const out = parseAll(lines).map((o) =>
      isEvent(o)
        ? [
            new Date(o.timeMs).toISOString(),
            o.protocol,
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
    expect(out).toEqual([
      'skipped: comment line',
      ['2003-04-23T18:45:12.000Z', 'tcp', 6, '198.51.100.7', 51234, '192.0.2.10', 22, 0x02, null, null],
      ['2003-04-23T18:45:13.000Z', 'tcp', 6, '198.51.100.7', 51235, '192.0.2.10', 80, 0x12, null, null],
      // count 3 is three accesses; `-0500` without a colon; obfuscated 10.x target.
      ['2003-04-23T18:45:14.000Z', 'udp', 17, '198.51.100.8', 1026, '10.0.2.10', 137, null, null, null],
      ['2003-04-23T18:45:14.000Z', 'udp', 17, '198.51.100.8', 1026, '10.0.2.10', 137, null, null, null],
      ['2003-04-23T18:45:14.000Z', 'udp', 17, '198.51.100.8', 1026, '10.0.2.10', 137, null, null, null],
      // ICMP: type in the source-port field, code in the target-port field.
      ['2003-04-23T18:45:15.000Z', 'icmp', 1, '198.51.100.9', null, '192.0.2.10', null, null, 8, 0],
      ['2003-04-23T04:45:16.000Z', 'tcp', 6, '203.0.113.5', null, '192.0.2.10', 22, null, null, null],
      // `1` and `2` are Snort's RES1 (CWR) and RES2 (ECE).
      ['2003-04-23T18:45:17.000Z', 'tcp', 6, '2001:db8::1', 40000, '2001:db8::10', 443, 0xd2, null, null],
      ['2003-04-23T18:45:18.000Z', 'other', 47, '198.51.100.7', null, '192.0.2.10', null, null, null, null],
      ['2003-04-23T18:45:19.000Z', 'icmp', 1, '198.51.100.7', null, '192.0.2.10', null, null, 3, 3],
      // No zone: the context's offset (0 here).
      ['2003-04-23T18:45:20.000Z', 'udp', 17, '198.51.100.7', 4444, '192.0.2.10', 4444, null, null, null],
      'rejected: invalid DST address',
      'rejected: missing protocol',
    ]);
  });

  it('creates complete events with the sensor of the context', () => {
    const o = one(GOOD);
    expect(o).toEqual({
      timeMs: Date.UTC(2003, 3, 23, 18, 45, 12),
      sensor: 'dshield-in',
      kind: 'firewall',
      protocol: 'tcp',
      protocolNumber: 6,
      src: '198.51.100.7',
      dst: '192.0.2.10',
      srcPort: 51234,
      dstPort: 22,
      tcpFlags: 2,
      icmpType: null,
      icmpCode: null,
      length: null,
      ttl: null,
      ipId: null,
      ids: null,
      payload: null,
      quoted: null,
    });
    expect(Object.keys(o).join()).toBe(
      'timeMs,sensor,kind,protocol,protocolNumber,src,dst,srcPort,dstPort,tcpFlags,icmpType,icmpCode,length,ttl,ipId,ids,payload,quoted',
    );
  });

  it('reads a date without a zone in the context offset, and Z as UTC', () => {
    const noZone = tsv('2003-04-23 13:45:12', '1', '1', '198.51.100.7', '1', '192.0.2.10', '2', 'UDP');
    const e = one(noZone, { ...CTX, utcOffsetMinutes: -300 });
    expect(isEvent(e) && e.timeMs).toBe(Date.UTC(2003, 3, 23, 18, 45, 12));
    const z = one(noZone.replace('13:45:12', '13:45:12Z'), { ...CTX, utcOffsetMinutes: -300 });
    expect(isEvent(z) && z.timeMs).toBe(Date.UTC(2003, 3, 23, 13, 45, 12));
  });

  it('emits one event per access for a line whose count is above 1', () => {
    const out = parseAll([GOOD.replace('\t1\t198', '\t250\t198')]);
    expect(out.filter(isEvent)).toHaveLength(250);
  });

  it('rejects a count too large to stand for real accesses instead of expanding it', () => {
    expect(reason(one(GOOD.replace('\t1\t198', '\t999999999\t198')))).toBe('rejected: count too large');
  });

  it('accepts protocol names in any case and ICMPv6 by name or number', () => {
    const base = ['2003-04-23 13:45:12 +00:00', '1', '1', '2001:db8::1', '128', '2001:db8::2', '0'];
    for (const p of ['58', 'ICMPv6', 'ipv6-icmp']) {
      const e = one(tsv(...base, p));
      expect(isEvent(e) && [e.protocol, e.icmpType, e.icmpCode]).toEqual(['icmpv6', 128, 0]);
    }
    const u = one(GOOD.replace('\t6\tS', '\tuDp\t'));
    expect(isEvent(u) && u.protocol).toBe('udp');
  });
});

describe('DShield hostile input', () => {
  it('rejects wrong numbers and non-addresses with clear reasons', () => {
    const cases: [string, string][] = [
      [GOOD.replace('\t51234\t', '\t65536\t'), 'invalid SRC port'],
      [GOOD.replace('\t22\t', '\t-1\t'), 'invalid DST port'],
      [GOOD.replace('198.51.100.7', '300.1.1.1'), 'invalid SRC address'],
      [GOOD.replace('192.0.2.10', '192.0.2.010'), 'invalid DST address'],
      [GOOD.replace('192.0.2.10', '2001:db8::g'), 'invalid DST address'],
      [GOOD.replace('\t1\t198', '\t0\t198'), 'invalid count'],
      [GOOD.replace('\t1\t198', '\tmany\t198'), 'invalid count'],
      [GOOD.replace('\t1234\t', '\tbob\t'), 'invalid userid'],
      [GOOD.replace('2003-04-23', '2003-02-30'), 'invalid date'],
      [GOOD.replace('13:45', '24:45'), 'invalid date'],
      [GOOD.replace('-05:00', '+15:00'), 'invalid date'],
      [GOOD.replace('-05:00', 'EST'), 'invalid date'],
      [GOOD.replace('\t6\t', '\t300\t'), 'unknown protocol'],
      [GOOD.replace('\t6\t', '\tFOO\t'), 'unknown protocol'],
      [GOOD.replace('\tS', '\tSX'), 'invalid TCP flags'],
      [`${GOOD}\textra`, 'too many fields'],
      [GOOD.replace('\t6\tS', ''), 'missing fields'],
      [
        tsv('2003-04-23 13:45:12 -05:00', '1', '1', '198.51.100.7', '256', '192.0.2.10', '0', '1'),
        'invalid ICMP type',
      ],
      [
        tsv('2003-04-23 13:45:12 -05:00', '1', '1', '198.51.100.7', '3', '192.0.2.10', '999', '1'),
        'invalid ICMP code',
      ],
    ];
    for (const [line, why] of cases) expect(reason(one(line)), line).toBe(`rejected: ${why}`);
  });

  it('rejects a line cut before its protocol field and never throws', () => {
    const protoStart = GOOD.lastIndexOf('\t6\t') + 1;
    for (let i = 1; i < protoStart; i++) expect(reason(one(GOOD.slice(0, i)))).toMatch(/^rejected: /);
    expect(reason(one(GOOD.slice(0, 10)))).toBe('rejected: missing fields');
  });

  it('turns random bytes into rejections without throwing', () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    const parse = (l: string) => one(l);
    for (let n = 0; n < 5000; n++) {
      let s = '';
      const len = rnd() % 200;
      for (let i = 0; i < len; i++) s += String.fromCharCode(rnd() % 256);
      expect(isEvent(parse(s))).toBe(false);
    }
    for (let n = 0; n < 5000; n++) {
      const chars = [...GOOD];
      for (let k = 0; k < 2; k++) chars[rnd() % chars.length] = String.fromCharCode(rnd() % 128);
      const o = parse(chars.join(''));
      if (isEvent(o)) expect(o.dstPort === null || o.dstPort <= 65535).toBe(true);
    }
  });

  it('handles a 1 MB line in linear time', () => {
    const parse = (l: string) => one(l);
    expect(reason(parse('\t'.repeat(1_000_000)))).toBe('rejected: too many fields');
    expect(reason(parse(`${GOOD}${'S'.repeat(1_000_000)}X`))).toBe('rejected: invalid TCP flags');
    expect(reason(parse(GOOD.replace('198.51.100.7', '1'.repeat(1_000_000))))).toBe(
      'rejected: invalid SRC address',
    );
    expect(reason(parse(GOOD.replace('198.51.100.7', ':'.repeat(1_000_000))))).toBe(
      'rejected: invalid SRC address',
    );
  });
});
