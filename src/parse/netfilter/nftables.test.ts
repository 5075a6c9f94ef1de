import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../../test/samples.js';
import type { ObservationEvent } from '../../core/index.js';
import type { ParseContext } from '../types.js';
import { iptablesFormat } from './iptables.js';
import { nftablesFormat } from './nftables.js';

// Year 2026, JST (+09:00), reference time 2026-06-01T00:00Z.
const CTX: ParseContext = {
  sensor: 'ctx-sensor',
  year: 2026,
  utcOffsetMinutes: 540,
  nowMs: Date.UTC(2026, 5, 1),
};

function lines(name: string): string[] {
  return readFileSync(fixture(`firewall/${name}`), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
}

function event(e: Partial<ObservationEvent>): ObservationEvent {
  return {
    timeMs: 0,
    sensor: 'nfhost',
    kind: 'firewall',
    protocol: 'tcp',
    protocolNumber: 6,
    src: '',
    dst: '192.0.2.10',
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

describe('nftablesFormat', () => {
  it('is the text format named nftables', () => {
    expect(nftablesFormat.name).toBe('nftables');
    expect(nftablesFormat.kind).toBe('text');
  });

  it('reads nftables log statement prefixes, log flags all, and skips ARP packets', () => {
    const parse = nftablesFormat.create(CTX);
    const t = (s: number) => Date.UTC(2026, 2, 7, 0, 0, s);
    expect(lines('nftables.log').map((l) => parse(l))).toEqual([
      // `nft-drop: IN=…`
      event({
        timeMs: t(0),
        src: '198.51.100.71',
        srcPort: 33001,
        dstPort: 8443,
        tcpFlags: 0x02,
        length: 44,
        ttl: 44,
        ipId: 7001,
      }),
      // `[nftables] Inbound Denied: IN=…`
      event({
        timeMs: t(1),
        src: '198.51.100.72',
        protocol: 'udp',
        protocolNumber: 17,
        srcPort: 33002,
        dstPort: 123,
        length: 56,
        ttl: 49,
        ipId: 7002,
      }),
      // `log flags all`: MACSRC= before SRC=, `SEQ= ACK=0` (a number, not the ACK flag), OPT (…), MARK=.
      event({
        timeMs: t(2),
        src: '198.51.100.73',
        srcPort: 33003,
        dstPort: 22,
        tcpFlags: 0x02,
        length: 60,
        ttl: 52,
        ipId: 7003,
      }),
      event({
        timeMs: t(3),
        src: '2001:db8:1::1',
        dst: '2001:db8::bad',
        srcPort: 40404,
        dstPort: 25,
        tcpFlags: 0x02,
        length: 80,
        ttl: 64,
      }),
      { outcome: 'skipped', reason: 'not an ip packet' },
    ]);
  });

  it('reads every firewall fixture exactly as the iptables format does', () => {
    const names = readdirSync(fixture('firewall')).filter((n) => n.endsWith('.log'));
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const name of names) {
      const nft = nftablesFormat.create(CTX);
      const ipt = iptablesFormat.create(CTX);
      for (const line of lines(name)) expect(nft(line)).toEqual(ipt(line));
    }
  });
});
