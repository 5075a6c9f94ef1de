import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixture, HAVE_SAMPLES, sample } from '../../../test/samples.js';
import { isEvent, type ObservationEvent, type RecordOutcome } from '../../core/index.js';
import type { ParseContext } from '../types.js';
import { eveFormat } from './eve.js';

const CTX: ParseContext = {
  sensor: 'ctx-sensor',
  year: 2020,
  utcOffsetMinutes: 0,
  nowMs: Date.UTC(2024, 0, 1),
};

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.length > 0);
}

interface Tally {
  events: ObservationEvent[];
  skipped: Map<string, number>;
  rejected: Map<string, number>;
}

function run(input: string[], ctx: ParseContext = CTX): Tally {
  const parse = eveFormat.create(ctx);
  const out: Tally = { events: [], skipped: new Map(), rejected: new Map() };
  for (const l of input) {
    const o = parse(l);
    if (isEvent(o)) out.events.push(o);
    else {
      const m = o.outcome === 'skipped' ? out.skipped : out.rejected;
      m.set(o.reason, (m.get(o.reason) ?? 0) + 1);
    }
  }
  return out;
}

function one(line: string, ctx: ParseContext = CTX): RecordOutcome {
  return eveFormat.create(ctx)(line);
}

function reason(o: RecordOutcome): string {
  if (isEvent(o)) throw new Error('expected a rejection or skip, got an event');
  return `${o.outcome}: ${o.reason}`;
}

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

describe.skipIf(!HAVE_SAMPLES)('eve on the Suricata samples', () => {
  it('reads the testmyids alert with its exact fields', () => {
    const r = run(lines(sample('ids/alert-testmyids.eve.json')));
    expect(r.rejected.size).toBe(0);
    expect(r.skipped.size).toBe(0);
    expect(r.events).toHaveLength(1);
    // tcpdump -nn -v -r pcap/sv-alert-testmyids.pcap, packet 9 (pcap_cnt 9):
    // 22:42:07.573103 IP (ttl 49, length 40) 82.165.177.154.80 > 10.16.1.11.54186: Flags [F.]
    expect(r.events[0]).toEqual({
      timeMs: Date.UTC(2016, 6, 13, 22, 42, 7, 573),
      sensor: 'ctx-sensor',
      kind: 'ids',
      protocol: 'tcp',
      protocolNumber: 6,
      src: '82.165.177.154',
      dst: '10.16.1.11',
      srcPort: 80,
      dstPort: 54186,
      tcpFlags: 0x11,
      icmpType: null,
      icmpCode: null,
      length: 40,
      ttl: 49,
      ipId: null,
      ids: {
        generatorId: 1,
        signatureId: 2100498,
        signatureRev: 7,
        signature: 'GPL ATTACK_RESPONSE id check returned root',
        classtype: 'bad-unknown',
        technique: 'Other',
        priority: 2,
      },
      payload: null,
      quoted: null,
    });
    expect(Object.keys(r.events[0]!)).toEqual(FIELD_ORDER);
  });

  it('skips every record of the dnp3, dns and tls samples by event type', () => {
    const cases: [string, string, number][] = [
      ['ids/dnp3.eve.json', 'eve event_type dnp3', 54],
      ['ids/eve-dns.eve.json', 'eve event_type dns', 9],
      ['ids/single-dns-request.eve.json', 'eve event_type dns', 2],
      ['ids/tls-json-output-ids.eve.json', 'eve event_type tls', 1],
    ];
    for (const [file, why, n] of cases) {
      const r = run(lines(sample(file)));
      expect(r.events).toHaveLength(0);
      expect(r.rejected.size).toBe(0);
      expect([...r.skipped]).toEqual([[why, n]]);
    }
  });

  it('rejects every truncation of a real alert line, never crashing', () => {
    const line = lines(sample('ids/alert-testmyids.eve.json'))[0]!;
    const parse = eveFormat.create(CTX);
    for (let cut = 1; cut < line.length; cut++) {
      const o = parse(line.slice(0, cut));
      expect(isEvent(o)).toBe(false);
      expect((o as { outcome: string }).outcome).toBe('rejected');
    }
  });
});

describe('eve on the project fixtures', () => {
  const r = run(lines(fixture('ids/synthetic.eve.json')));

  it('counts events and skips per reason', () => {
    expect(r.rejected.size).toBe(0);
    expect(r.events).toHaveLength(6);
    expect(Object.fromEntries(r.skipped)).toEqual({
      'eve anomaly without addresses': 1,
      'eve event_type dns': 1,
      'eve event_type stats': 1,
    });
    for (const e of r.events) expect(Object.keys(e)).toEqual(FIELD_ORDER);
  });

  it('reads a Slammer alert with a +0900 offset and the host as the sensor, classified as Worm', () => {
    const e = r.events[0]!;
    expect(e.timeMs).toBe(Date.UTC(2003, 0, 25, 5, 30, 0, 123));
    expect(e.sensor).toBe('sensor-a');
    expect([e.protocol, e.src, e.srcPort, e.dst, e.dstPort]).toEqual([
      'udp',
      '198.51.100.7',
      1067,
      '203.0.113.9',
      1434,
    ]);
    expect([e.tcpFlags, e.length, e.ttl]).toEqual([null, null, null]);
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

  it('canonicalises full-form IPv6 and reads ICMPv6 type and code', () => {
    const e = r.events[1]!;
    expect(e.timeMs).toBe(Date.UTC(2014, 7, 2, 8, 50, 25, 823));
    expect(e.sensor).toBe('ctx-sensor');
    expect([e.protocol, e.protocolNumber, e.src, e.dst]).toEqual([
      'icmpv6',
      58,
      '2001:db8::1',
      '2001:db8::2',
    ]);
    expect([e.srcPort, e.dstPort, e.icmpType, e.icmpCode]).toEqual([null, null, 128, 0]);
    expect(e.ids?.classtype).toBe('network-scan');
    expect(e.ids?.technique).toBe('Scan');
    expect(e.ids?.priority).toBe(3);
  });

  it('turns an anomaly into an IDS event with the documented fixed fields', () => {
    const e = r.events[2]!;
    expect(e.timeMs).toBe(Date.UTC(2016, 0, 11, 13, 10, 54, 612));
    expect([e.src, e.dst, e.srcPort, e.dstPort]).toEqual(['192.0.2.1', '192.0.2.2', 0, 0]);
    expect(e.ids).toEqual({
      generatorId: 0,
      signatureId: 0,
      signatureRev: 0,
      signature: 'anomaly: decoder.udp.pkt_too_small',
      classtype: 'protocol-command-decode',
      technique: 'Other',
      priority: null,
    });
  });

  it('times a flow at flow.start and reads tcp.tcp_flags as hex', () => {
    const e = r.events[3]!;
    expect(e.timeMs).toBe(Date.UTC(2019, 4, 28, 21, 32, 29, 25));
    expect(e.sensor).toBe('sensor-b');
    expect([e.protocol, e.src, e.srcPort, e.dst, e.dstPort]).toEqual([
      'tcp',
      '192.0.2.50',
      51000,
      '198.51.100.80',
      443,
    ]);
    expect(e.tcpFlags).toBe(0x1b);
    expect([e.length, e.ttl, e.ids]).toEqual([null, null, null]);
  });

  it('reads a timestamp without offset in the context offset', () => {
    const tokyo = run(lines(fixture('ids/synthetic.eve.json')), { ...CTX, utcOffsetMinutes: 540 });
    expect(r.events[4]!.timeMs).toBe(Date.UTC(2009, 10, 24, 21, 27, 9, 534));
    expect(tokyo.events[4]!.timeMs).toBe(Date.UTC(2009, 10, 24, 12, 27, 9, 534));
    expect(tokyo.events[0]!.timeMs).toBe(r.events[0]!.timeMs);
    expect(r.events[4]!.ids?.technique).toBe('Trojan/Backdoor');
    expect(r.events[4]!.ids?.classtype).toBe('trojan-activity');
  });

  it('takes TTL, length and TCP flags from the attached packet behind a VLAN tag', () => {
    const e = r.events[5]!;
    expect([e.src, e.dst, e.ttl, e.length, e.tcpFlags]).toEqual([
      '198.51.100.20',
      '192.0.2.10',
      55,
      60,
      0x02,
    ]);
  });
});

const BASE = {
  timestamp: '2020-01-01T00:00:00.000000+0000',
  event_type: 'alert',
  src_ip: '192.0.2.1',
  src_port: 1234,
  dest_ip: '192.0.2.2',
  dest_port: 80,
  proto: 'TCP',
  alert: { gid: 1, signature_id: 1, rev: 1, signature: 'test', category: 'Misc activity', severity: 3 },
};
const lineWith = (patch: Record<string, unknown>): string => JSON.stringify({ ...BASE, ...patch });
const withFields = (patch: Record<string, unknown>): RecordOutcome => one(lineWith(patch));
const withAlert = (patch: Record<string, unknown>): RecordOutcome =>
  withFields({ alert: { ...BASE.alert, ...patch } });

describe('eve on malformed and hostile input', () => {
  it('accepts the base record the other cases modify', () => {
    const o = one(JSON.stringify(BASE));
    expect(isEvent(o)).toBe(true);
  });

  it('rejects non-JSON, JSON that is not an object, and objects without event_type', () => {
    expect(reason(one('hello'))).toBe('rejected: not a JSON object');
    expect(reason(one('[1,2]'))).toBe('rejected: not a JSON object');
    expect(reason(one('{not json'))).toBe('rejected: invalid JSON');
    expect(reason(one('{}'))).toBe('rejected: missing event_type');
    expect(reason(one('{"event_type":5}'))).toBe('rejected: invalid event_type');
  });

  it('rejects an alert with its fields missing, one clear reason at a time', () => {
    expect(reason(one('{"event_type":"alert"}'))).toBe('rejected: missing timestamp');
    expect(reason(one('{"event_type":"alert","timestamp":"2020-01-01T00:00:00Z"}'))).toBe(
      'rejected: missing alert',
    );
    expect(reason(withAlert({ signature_id: undefined }))).toBe('rejected: missing alert.signature_id');
    expect(reason(withAlert({ signature: undefined }))).toBe('rejected: missing alert.signature');
    expect(reason(withFields({ src_ip: undefined }))).toBe('rejected: missing src_ip');
    expect(reason(withFields({ dest_ip: undefined }))).toBe('rejected: missing dest_ip');
    expect(reason(withFields({ proto: undefined }))).toBe('rejected: missing proto');
    expect(reason(withFields({ src_ip: undefined, dest_ip: undefined }))).toBe(
      'skipped: eve alert without addresses',
    );
    expect(reason(one('{"event_type":"flow","timestamp":"2020-01-01T00:00:00Z"}'))).toBe(
      'rejected: missing flow',
    );
    expect(reason(one('{"event_type":"anomaly","timestamp":"2020-01-01T00:00:00Z"}'))).toBe(
      'rejected: missing anomaly',
    );
  });

  it('rejects wrong types and out-of-range values with the field named', () => {
    expect(reason(withFields({ src_port: 'x' }))).toBe('rejected: invalid src_port');
    expect(reason(withFields({ dest_port: 65536 }))).toBe('rejected: invalid dest_port');
    expect(reason(withFields({ src_port: 1.5 }))).toBe('rejected: invalid src_port');
    expect(reason(withFields({ src_ip: '192.0.2.256' }))).toBe('rejected: invalid src_ip');
    expect(reason(withFields({ dest_ip: 3232235521 }))).toBe('rejected: invalid dest_ip');
    expect(reason(withFields({ src_ip: '10.0.0.a' }))).toBe('rejected: invalid src_ip');
    expect(reason(withFields({ proto: 'BOGUS' }))).toBe('rejected: invalid proto');
    expect(reason(withFields({ proto: 256 }))).toBe('rejected: invalid proto');
    expect(reason(withFields({ timestamp: 1577836800 }))).toBe('rejected: invalid timestamp');
    expect(reason(withFields({ host: 7 }))).toBe('rejected: invalid host');
    expect(reason(withFields({ tcp: { tcp_flags: 27 } }))).toBe('rejected: invalid tcp.tcp_flags');
    expect(reason(withFields({ tcp: { tcp_flags: 'zz' } }))).toBe('rejected: invalid tcp.tcp_flags');
    expect(reason(withFields({ tcp: { tcp_flags: '\u0011' } }))).toBe('rejected: invalid tcp.tcp_flags');
    expect(reason(withFields({ tcp: { tcp_flags: '1bb' } }))).toBe('rejected: invalid tcp.tcp_flags');
    expect(reason(withFields({ tcp: 'x' }))).toBe('rejected: invalid tcp');
    expect(reason(withFields({ proto: 'ICMP', icmp_type: -1 }))).toBe('rejected: invalid icmp_type');
    expect(reason(withFields({ proto: 'ICMP', icmp_code: '3' }))).toBe('rejected: invalid icmp_code');
    expect(reason(withAlert({ signature_id: '2003' }))).toBe('rejected: invalid alert.signature_id');
    expect(reason(withAlert({ signature_id: -1 }))).toBe('rejected: invalid alert.signature_id');
    expect(reason(withAlert({ gid: 'one' }))).toBe('rejected: invalid alert.gid');
    expect(reason(withAlert({ rev: {} }))).toBe('rejected: invalid alert.rev');
    expect(reason(withAlert({ severity: '2' }))).toBe('rejected: invalid alert.severity');
    expect(reason(withAlert({ signature: 42 }))).toBe('rejected: invalid alert.signature');
    expect(reason(withAlert({ category: ['x'] }))).toBe('rejected: invalid alert.category');
    expect(reason(withFields({ alert: 'x' }))).toBe('rejected: missing alert');
  });

  it('rejects impossible timestamps', () => {
    for (const ts of [
      '2020-13-01T00:00:00Z',
      '2021-02-29T00:00:00Z',
      '2020-01-01T24:00:00Z',
      '2020-01-01T00:00:00+2500',
      '2020-01-01T00:00:00.+0000',
      '2020-01-01T00:00:00+00',
      '2020-01-01',
      'yesterday',
      '',
    ]) {
      expect(reason(withFields({ timestamp: ts }))).toBe('rejected: invalid timestamp');
    }
    expect(isEvent(withFields({ timestamp: '2020-02-29T23:59:60.5-05:30' }))).toBe(true);
    // The user guide's anomaly example: a capture with zero timestamps, shown in -0800.
    const epoch = withFields({ timestamp: '1969-12-31T16:04:21.000000-0800' });
    expect(isEvent(epoch) && epoch.timeMs).toBe(261_000);
    const year99 = withFields({ timestamp: '0099-01-01T00:00:00Z' });
    expect(isEvent(year99) && new Date(year99.timeMs).getUTCFullYear()).toBe(99);
  });

  it('fills defaults for an alert without gid, rev, category or severity and names a msg-less rule by sid', () => {
    const o = withFields({ alert: { signature_id: 9, signature: '' } });
    expect(isEvent(o) && o.ids).toEqual({
      generatorId: 1,
      signatureId: 9,
      signatureRev: 0,
      signature: 'sid 9',
      classtype: null,
      technique: 'Other',
      priority: null,
    });
  });

  it('accepts a numeric protocol and keeps ports of protocols other than TCP and UDP', () => {
    const o = withFields({ proto: '132', src_port: 5000, dest_port: 5001 });
    expect(isEvent(o) && [o.protocol, o.protocolNumber, o.srcPort, o.dstPort]).toEqual([
      'other',
      132,
      5000,
      5001,
    ]);
  });

  it('ignores an attached packet whose addresses are not the record’s', () => {
    // The fixture packet is 198.51.100.20 → 192.0.2.10; this record names other hosts.
    const packet = JSON.parse(lines(fixture('ids/synthetic.eve.json'))[8]!).packet as string;
    const o = withFields({ packet, packet_info: { linktype: 1 } });
    expect(isEvent(o) && [o.ttl, o.length, o.tcpFlags]).toEqual([null, null, null]);
    const bad = withFields({ packet: '!!!!', packet_info: { linktype: 1 } });
    expect(isEvent(bad) && bad.ttl).toBe(null);
  });

  it('skips other event types with a bounded set of reasons', () => {
    expect(reason(withFields({ event_type: 'http' }))).toBe('skipped: eve event_type http');
    expect(reason(withFields({ event_type: 'newtype' }))).toBe('skipped: eve event_type newtype');
    expect(reason(withFields({ event_type: 'Weird Type!' }))).toBe('skipped: eve event_type other');
    expect(reason(withFields({ event_type: 'x'.repeat(500) }))).toBe('skipped: eve event_type other');
  });

  it('never throws on random bytes and rejects them', () => {
    const parse = eveFormat.create(CTX);
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 8;
    };
    for (let i = 0; i < 3000; i++) {
      const len = rnd() % 300;
      let s = i % 2 === 0 ? '{' : '';
      for (let j = 0; j < len; j++) s += String.fromCharCode(rnd() % (i % 3 === 0 ? 0x10000 : 128));
      const o = parse(s);
      expect((o as { outcome?: string }).outcome).toBe('rejected');
    }
  });

  it('handles a 1 MB line and deeply nested JSON quickly and without crashing', () => {
    const parse = eveFormat.create(CTX);
    expect(reason(parse(`{${'a'.repeat(1 << 20)}`))).toBe('rejected: invalid JSON');
    expect(reason(parse(`{"event_type":"alert","x":"${'a'.repeat(1 << 20)}"}`))).toBe(
      'rejected: missing timestamp',
    );
    expect(reason(parse(lineWith({ pad: 'a'.repeat(1 << 20), src_port: 'x' })))).toBe(
      'rejected: invalid src_port',
    );
    const deep = `{"event_type":"alert","a":${'['.repeat(500_000)}${']'.repeat(500_000)}}`;
    expect(['rejected: invalid JSON', 'rejected: missing timestamp']).toContain(reason(parse(deep)));
    expect(reason(parse(`{"a":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_001)}`))).toMatch(/^rejected: /);
  });
});
