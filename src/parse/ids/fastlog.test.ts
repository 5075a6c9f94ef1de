import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, HAVE_SAMPLES, sample } from '../../../test/samples.js';
import { isEvent, type ObservationEvent, type RecordOutcome } from '../../core/index.js';
import type { ParseContext } from '../types.js';
import { fastlogFormat } from './fastlog.js';

const CTX: ParseContext = { sensor: 'fw-1', year: 2003, utcOffsetMinutes: 0, nowMs: Date.UTC(2003, 5, 1) };

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

function all(input: string[], ctx: ParseContext = CTX): RecordOutcome[] {
  const parse = fastlogFormat.create(ctx);
  return input.map((l) => parse(l));
}

function ev(o: RecordOutcome | undefined): ObservationEvent {
  if (o === undefined || !isEvent(o)) throw new Error(`expected an event, got ${JSON.stringify(o)}`);
  return o;
}

function reason(o: RecordOutcome): string {
  if (isEvent(o)) throw new Error('expected a rejection or skip, got an event');
  return `${o.outcome}: ${o.reason}`;
}

const one = (line: string, ctx: ParseContext = CTX): RecordOutcome => fastlogFormat.create(ctx)(line);

describe.skipIf(!HAVE_SAMPLES)('fastlog on the Suricata http2-files sample', () => {
  const input = () => lines(sample('ids/http2-files.fast.log'));

  it('reads all 28 alerts with IPv6 written in full canonicalised to ::1', () => {
    const out = all(input());
    expect(out).toHaveLength(28);
    const events = out.map(ev);
    expect(events[0]).toEqual({
      timeMs: Date.UTC(2014, 7, 2, 10, 50, 25, 823),
      sensor: 'fw-1',
      kind: 'ids',
      protocol: 'tcp',
      protocolNumber: 6,
      src: '::1',
      dst: '::1',
      srcPort: 3000,
      dstPort: 56508,
      tcpFlags: null,
      icmpType: null,
      icmpCode: null,
      length: null,
      ttl: null,
      ipId: null,
      ids: {
        generatorId: 1,
        signatureId: 6,
        signatureRev: 1,
        signature: 'sid 6',
        classtype: null,
        technique: 'Other',
        priority: 3,
      },
      payload: null,
      quoted: null,
    });
    // awk -F'[][]' '{print $4}' http2-files.fast.log
    expect(events.map((e) => e.ids?.signatureId)).toEqual([
      6, 7, 8, 9, 10, 11, 12, 13, 3, 7, 10, 13, 7, 7, 10, 10, 13, 13, 7, 7, 10, 10, 13, 13, 4, 4, 5, 2,
    ]);
    for (const e of events) {
      expect([e.src, e.dst, e.protocol]).toEqual(['::1', '::1', 'tcp']);
      expect(e.ids?.signature).not.toContain('(null)');
      expect(e.ids?.signature).toBe(`sid ${e.ids?.signatureId}`);
      expect([e.srcPort, e.dstPort]).toEqual(e.srcPort === 3000 ? [3000, 56508] : [56508, 3000]);
    }
    expect(events.filter((e) => e.srcPort === 56508).map((e) => e.ids?.signatureId)).toEqual([3, 4, 4, 2]);
    expect(events[27]!.timeMs).toBe(Date.UTC(2014, 7, 2, 10, 50, 25, 840));
  });

  it('reads the zone-less time in the context UTC offset', () => {
    const jst = all(input(), { ...CTX, utcOffsetMinutes: 540 });
    expect(ev(jst[0]).timeMs).toBe(Date.UTC(2014, 7, 2, 1, 50, 25, 823));
  });

  it('never turns a line cut before its destination into an event', () => {
    const line = input()[0]!;
    const parse = fastlogFormat.create(CTX);
    const dst = line.lastIndexOf(' ') + 1;
    for (let cut = 1; cut < line.length; cut++) {
      const o = parse(line.slice(0, cut));
      if (cut <= dst + 40) expect((o as { outcome?: string }).outcome).toBe('rejected');
    }
  });
});

describe('fastlog on the project fixtures', () => {
  const out = all(lines(fixture('ids/synthetic.fast.log')));

  it('reads a Snort year-less Slammer alert in the context year, classified as Worm', () => {
    const e = ev(out[0]);
    expect(e.timeMs).toBe(Date.UTC(2003, 0, 25, 14, 30, 0, 123));
    expect([e.protocol, e.src, e.srcPort, e.dst, e.dstPort]).toEqual([
      'udp',
      '198.51.100.7',
      1067,
      '203.0.113.9',
      1434,
    ]);
    expect(e.ids).toEqual({
      generatorId: 1,
      signatureId: 2003,
      signatureRev: 8,
      signature: 'MS-SQL Worm propagation attempt',
      classtype: 'misc-attack',
      technique: 'Worm',
      priority: 2,
    });
  });

  it('reads Snort ICMP lines without ports and Suricata ICMP lines with type and code', () => {
    const snort = ev(out[1]);
    expect([snort.protocol, snort.src, snort.dst, snort.srcPort, snort.icmpType, snort.icmpCode]).toEqual([
      'icmp',
      '198.51.100.7',
      '203.0.113.9',
      null,
      null,
      null,
    ]);
    expect(snort.ids?.classtype).toBe('misc-activity');
    const suri = ev(out[2]);
    expect(suri.timeMs).toBe(Date.UTC(2003, 0, 25, 14, 32, 0, 500));
    expect([suri.srcPort, suri.dstPort, suri.icmpType, suri.icmpCode]).toEqual([null, null, 8, 0]);
    const v6 = ev(out[7]);
    expect([v6.protocol, v6.protocolNumber, v6.src, v6.dst, v6.icmpType, v6.icmpCode]).toEqual([
      'icmpv6',
      58,
      '2001:db8::1',
      '2001:db8::2',
      128,
      0,
    ]);
    expect(v6.ids?.technique).toBe('DoS');
  });

  it('reads a [Drop] line with full-form IPv6 addresses and ports', () => {
    const e = ev(out[3]);
    expect([e.src, e.srcPort, e.dst, e.dstPort]).toEqual(['2001:db8::1', 50000, '2001:db8::2', 22]);
    expect(e.ids?.classtype).toBe('attempted-recon');
    expect(e.ids?.technique).toBe('Scan');
  });

  it('skips decoder-event lines, which carry a raw packet instead of addresses', () => {
    expect(reason(out[4]!)).toBe('skipped: fastlog decoder event');
  });

  it('reads a line without classification and treats priority 0 as unknown', () => {
    const e = ev(out[5]);
    expect(e.ids?.classtype).toBeNull();
    expect(e.ids?.priority).toBeNull();
    expect(e.ids?.signature).toBe('local test rule');
  });

  it('reads a two-digit year and a numbered protocol, dropping the zero ports', () => {
    const e = ev(out[6]);
    expect(e.timeMs).toBe(Date.UTC(2003, 0, 25, 14, 36, 0, 250));
    expect([e.protocol, e.protocolNumber, e.srcPort, e.dstPort]).toEqual(['other', 47, null, null]);
    expect(e.ids?.classtype).toBe('bad-unknown');
  });

  it('rolls a year-less date that would lie in the future back one year', () => {
    const ctx = { ...CTX, year: 2004, nowMs: Date.UTC(2004, 0, 2) };
    expect(ev(one(lines(fixture('ids/synthetic.fast.log'))[0]!, ctx)).timeMs).toBe(
      Date.UTC(2003, 0, 25, 14, 30, 0, 123),
    );
  });
});

const GOOD =
  '01/25/2003-14:30:00.123456  [**] [1:2003:8] MS-SQL Worm propagation attempt [**] [Classification: Misc Attack] [Priority: 2] {UDP} 198.51.100.7:1067 -> 203.0.113.9:1434';

describe('fastlog on malformed and hostile input', () => {
  it('accepts the base line the other cases modify', () => {
    expect(isEvent(one(GOOD))).toBe(true);
  });

  it('strips the quotes Snort 3 puts around the message and skips its extra blocks', () => {
    const snort3 =
      '01/25-14:30:00.123456 [**] [1:2003:8] "MS-SQL Worm propagation attempt" [**] [Classification: Misc Attack] [Priority: 2] [AppID: sql] {UDP} 198.51.100.7:1067 -> 203.0.113.9:1434';
    const e = ev(one(snort3));
    expect(e.ids?.signature).toBe('MS-SQL Worm propagation attempt');
    expect(e.dstPort).toBe(1434);
  });

  it('rejects each broken part with a clear reason', () => {
    const cases: [string, string][] = [
      [GOOD.replace('01/25/2003', '13/25/2003'), 'invalid time'],
      [GOOD.replace('01/25/2003', '02/30/2003'), 'invalid time'],
      [GOOD.replace('14:30:00', '24:30:00'), 'invalid time'],
      [GOOD.replace('01/25/2003', '01/25/203'), 'invalid time'],
      [GOOD.replace('.123456', '.'), 'invalid time'],
      [GOOD.replaceAll('[**]', '[*]'), 'missing [**] header'],
      [GOOD.replace('[1:2003:8]', '[1:2003]'), 'invalid [gid:sid:rev]'],
      [GOOD.replace('[1:2003:8]', '[1:x:8]'), 'invalid [gid:sid:rev]'],
      [GOOD.replace('[1:2003:8]', '[1:99999999999:8]'), 'invalid [gid:sid:rev]'],
      [GOOD.replace('[Priority: 2]', '[Prio: 2]'), 'missing priority'],
      [GOOD.replace('[Priority: 2]', '[Priority: high]'), 'invalid priority'],
      [GOOD.replace('{UDP}', 'UDP'), 'missing protocol'],
      [GOOD.replace('{UDP}', '{FOO}'), 'unknown protocol'],
      [GOOD.replace('{UDP}', '{PROTO:256}'), 'unknown protocol'],
      [GOOD.replace(' -> ', ' => '), 'missing addresses'],
      [GOOD.replace('198.51.100.7:1067', '198.51.100.7'), 'invalid source address'],
      [GOOD.replace('198.51.100.7:1067', '198.51.100.777:1067'), 'invalid source address'],
      [GOOD.replace('198.51.100.7:1067', '198.51.100.7:x'), 'invalid source address'],
      [GOOD.replace('203.0.113.9:1434', '203.0.113.9:65536'), 'invalid destination address'],
      [GOOD.replace('203.0.113.9:1434', ':1434'), 'invalid destination address'],
      [GOOD.replace('{UDP} 198.51.100.7:1067', '{ICMP} 198.51.100.7:300'), 'invalid ICMP type or code'],
      ['garbage', 'truncated line'],
      ['', 'truncated line'],
    ];
    for (const [line, why] of cases) expect(reason(one(line))).toBe(`rejected: ${why}`);
  });

  it('rejects every cut of a line before its destination address', () => {
    const parse = fastlogFormat.create(CTX);
    const dst = GOOD.lastIndexOf(' ') + 1;
    for (let cut = 0; cut <= dst; cut++) expect(reason(parse(GOOD.slice(0, cut)))).toMatch(/^rejected: /);
  });

  it('never throws on random bytes and rejects them', () => {
    const parse = fastlogFormat.create(CTX);
    let seed = 99;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    const alphabet = '0123456789/-:. [*]{}>abcdefTCPUD';
    for (let i = 0; i < 5000; i++) {
      const len = rnd() % 200;
      let s = i % 2 === 0 ? '01/25-14:30:00.1  [**] [' : '';
      for (let j = 0; j < len; j++) {
        s += i % 3 === 0 ? String.fromCharCode(rnd() % 0x10000) : alphabet[rnd() % alphabet.length];
      }
      const o = parse(s);
      expect((o as { outcome?: string }).outcome).toBe('rejected');
    }
  });

  it('handles 1 MB lines in linear time', () => {
    const parse = fastlogFormat.create(CTX);
    const big = 1 << 20;
    expect(reason(parse('1'.repeat(big)))).toBe('rejected: truncated line');
    expect(reason(parse(`01/25-14:30:00.1  [**] [1:2:3] ${'x'.repeat(big)}`))).toBe(
      'rejected: missing priority',
    );
    expect(reason(parse(`01/25-14:30:00.1  [**] [1:2:3] ${' [**] ['.repeat(big / 7)}`))).toBe(
      'rejected: missing priority',
    );
    expect(reason(parse(`01/25-14:30:00.1  ${'[**] '.repeat(big / 5)}`))).toMatch(/^rejected: /);
    const longMsg = GOOD.replace('MS-SQL Worm', 'y'.repeat(big));
    expect(ev(parse(longMsg)).ids?.signature).toHaveLength(big + ' propagation attempt'.length);
    expect(reason(parse(`${GOOD.split('{')[0]}{UDP} ${'1'.repeat(big)} -> 1.2.3.4:5`))).toBe(
      'rejected: invalid address',
    );
    // Text after the destination (a stenographer "pcapfile:" suffix) is not part of the alert.
    expect(ev(parse(`${GOOD} ${' [x]'.repeat(big / 4)}`)).dstPort).toBe(1434);
  });
});
