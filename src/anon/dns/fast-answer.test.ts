// The fast path (fast-answer.ts) against the general one (answer.ts, through dns-packet): for every
// form of name, type and data state the two responses decode to the same message, and what the
// fast path must leave to the general one it leaves.
import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { KobanError } from '../../core/index.js';
import { answerDecoded, answerQuery } from './answer.js';
import { fastAnswer } from './fast-answer.js';
import type { DnsblSource } from './verdict.js';

const ZONE = 'tor.dnsbl.koban.invalid';
const LONG = `exit ${'出口'.repeat(120)} $`;

/** A source over a fixed table: 192.0.2.1 listed with a reason of 255+ UTF-8 bytes, 192.0.2.9 stale. */
const source: DnsblSource = {
  listing(ip, opts) {
    if (ip === '192.0.2.9') throw new KobanError('E_STALE', 'stale');
    if (ip === '192.0.2.1') return { listed: true, reason: LONG.replace('$', ip) };
    if (ip === '2001:db8::1') return { listed: true, reason: 'tor-exit on onionoo' };
    if (ip === '198.51.100.7' && opts.port === 443) return { listed: true, reason: 'exit allows 443' };
    if (ip === '198.51.100.7') return { listed: false, reason: 'exit refuses the port' };
    return { listed: false, reason: null };
  },
  serialMs: () => Date.UTC(2026, 11, 7),
};

const v6 = (ip: string) => ip.replace(/:/g, '').split('').reverse().join('.');
const NAMES = [
  `1.2.0.192.${ZONE}`,
  `1.2.0.192.TOR.DNSBL.koban.invalid`,
  `2.2.0.192.${ZONE}`,
  `9.2.0.192.${ZONE}`,
  `2.0.0.127.${ZONE}`,
  `1.0.0.127.${ZONE}`,
  `${v6('20010db8000000000000000000000001')}.${ZONE}`,
  `7.100.51.198.443.1.2.0.192.ip-port.${ZONE}`,
  `7.100.51.198.80.1.2.0.192.ip-port.${ZONE}`,
  `1.2.0.192.20261207.at.${ZONE}`,
  `not-an-address.${ZONE}`,
  `1.2.0.300.${ZONE}`,
];
const TYPES = ['A', 'TXT', 'AAAA', 'MX', 'ANY'] as const;

const query = (name: string, type: string, rd = true) =>
  dnsPacket.encode({
    type: 'query',
    id: 4242,
    flags: rd ? dnsPacket.RECURSION_DESIRED : 0,
    questions: [{ type: type as 'A', name }],
  });

describe('the DNSBL fast path', () => {
  it('gives the same message as the general path for every form of name and type', () => {
    let compared = 0;
    for (const name of NAMES)
      for (const type of TYPES)
        for (const rd of [true, false]) {
          const q = query(name, type, rd);
          const fast = fastAnswer(q, ZONE, source);
          expect(fast, `${name} ${type}`).toBeInstanceOf(Buffer);
          const general = answerDecoded(q, ZONE, source);
          expect(dnsPacket.decode(fast!), `${name} ${type} rd=${rd}`).toEqual(dnsPacket.decode(general!));
          expect(answerQuery(q, ZONE, source)).toEqual(fast);
          compared++;
        }
    expect(compared).toBe(NAMES.length * TYPES.length * 2);
  });

  it('writes a TXT reason longer than 255 bytes cut on a character boundary', () => {
    const r = dnsPacket.decode(fastAnswer(query(`1.2.0.192.${ZONE}`, 'TXT'), ZONE, source)!);
    const txt = (r.answers![0] as dnsPacket.TxtAnswer).data as Buffer[];
    expect(txt[0]!.length).toBeLessThanOrEqual(255);
    expect(txt[0]!.length).toBe(254); // "exit " (5 bytes) + 83 three-byte characters
    expect(LONG.startsWith(txt[0]!.toString('utf8'))).toBe(true);
  });

  it('leaves to the general path what it does not read', () => {
    const outside = query('1.2.0.192.example.org', 'A');
    const apex = query(ZONE, 'SOA');
    const withOpt = dnsPacket.encode({
      type: 'query',
      id: 1,
      questions: [{ type: 'A', name: `1.2.0.192.${ZONE}` }],
      additionals: [
        {
          type: 'OPT',
          name: '.',
          udpPayloadSize: 1232,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    });
    const chaos = Buffer.from(query(`1.2.0.192.${ZONE}`, 'A'));
    chaos.writeUInt16BE(3, chaos.length - 2);
    const trailing = Buffer.concat([query(`1.2.0.192.${ZONE}`, 'A'), Buffer.from([0])]);
    const compressed = Buffer.from(query(`1.2.0.192.${ZONE}`, 'A'));
    compressed[12] = 0xc0;
    const space = query(`1 2.0.192.${ZONE}`, 'A');
    for (const q of [outside, apex, withOpt, chaos, trailing, compressed, space])
      expect(fastAnswer(q, ZONE, source)).toBeUndefined();
    // …and the general path still answers them.
    expect(dnsPacket.decode(answerQuery(outside, ZONE, source)!).flags! & 15).toBe(5);
    expect(
      (dnsPacket.decode(answerQuery(withOpt, ZONE, source)!).answers![0] as dnsPacket.StringAnswer).data,
    ).toBe('127.0.0.2');
  });
});
