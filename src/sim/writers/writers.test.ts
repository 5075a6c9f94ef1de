import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ObservationEvent, parseIPv4 } from '../../core/index.js';
import { openInput, parseInput } from '../../parse/index.js';
import { EventBuffer, PROTO, sortByTime, TCP_OPT } from '../event-buffer.js';
import { standardPayloads } from '../payloads.js';
import type { SimSensor } from '../sensors.js';
import { BASE_SIGNATURES, SIG } from '../signatures.js';
import { FLAGS } from '../traffic.js';
import { EveWriter } from './eve.js';
import { IptablesWriter } from './iptables.js';
import { PcapWriter } from './pcap.js';
import { ByteSink } from './sink.js';

const dir = mkdtempSync(join(tmpdir(), 'koban-sim-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sensor: SimSensor = {
  index: 0,
  name: 'fw-test',
  site: 'firewall-ids',
  base: parseIPv4('133.1.2.16'),
  prefix: 28,
  size: 16,
  cidr: '133.1.2.16/28',
  mac: [2, 0x4b, 1, 2, 3, 4],
  gatewayMac: [2, 0, 5, 6, 7, 1],
  activity: 1,
};
const ip = (s: string): number => parseIPv4(s);
// 2006-08-18T00:00:00Z = 09:00 JST
const T0 = Date.UTC(2006, 7, 18) * 1000;
const pl = standardPayloads();

/** One packet of every shape the simulator writes. */
function buffer(): { buf: EventBuffer; order: Uint32Array } {
  const b = new EventBuffer(4);
  let i = b.add(T0 + 1_123_456, ip('126.10.20.30'), ip('133.1.2.17'), PROTO.TCP, 4321, 445, 113);
  b.flags[i] = FLAGS.SYN;
  b.df[i] = 1;
  b.ipId[i] = 1234;
  b.window[i] = 65535;
  b.tcpOpt[i] = TCP_OPT.WINDOWS;
  i = b.add(T0 + 2_000_000, ip('61.2.3.4'), ip('133.1.2.18'), PROTO.UDP, 1055, 1434, 107);
  b.ipId[i] = 77;
  b.payload[i] = pl.slammer;
  b.alert[i] = SIG.SLAMMER;
  i = b.add(T0 + 3_000_000, ip('8.8.4.4'), ip('133.1.2.19'), PROTO.TCP, 80, 40000, 50);
  b.flags[i] = FLAGS.SYN_ACK;
  b.df[i] = 1;
  b.window[i] = 5840;
  b.tcpOpt[i] = TCP_OPT.MSS;
  i = b.add(T0 + 4_000_000, ip('12.1.1.1'), ip('133.1.2.20'), PROTO.ICMP, 0, 0, 60);
  b.flags[i] = 3;
  b.code[i] = 3;
  b.ipId[i] = 5;
  b.quote(i, ip('133.1.2.20'), ip('12.1.1.1'), PROTO.UDP, 5555, 27015, 100, 9, 60);
  i = b.add(T0 + 5_000_000, ip('126.9.9.9'), ip('133.1.2.21'), PROTO.ICMP, 512, 7, 118);
  b.flags[i] = 8;
  b.payload[i] = pl.windowsPing;
  b.alert[i] = SIG.PING_NMAP;
  const order = new Uint32Array(b.length);
  sortByTime(b, T0, T0 + 3_600_000_000, order, new Float64Array(b.length), { lastUs: -1 });
  return { buf: b, order };
}

async function parse(
  path: string,
): Promise<{ events: ObservationEvent[]; rejected: number; format: string }> {
  const input = await openInput(path);
  const ctx = { sensor: 'ctx', year: 2006, utcOffsetMinutes: 540, nowMs: Date.UTC(2030, 0, 1) };
  const { format, batches } = parseInput(input, 'auto', ctx, { maxLineChars: 65536, name: path });
  const events: ObservationEvent[] = [];
  let rejected = 0;
  for await (const b of batches) {
    events.push(...b.events);
    rejected += b.rejections.length;
  }
  return { events, rejected, format };
}

function sum16(b: Uint8Array, s: number, e: number): number {
  let x = 0;
  for (let i = s; i < e; i += 2) x += (b[i]! << 8) | (i + 1 < e ? b[i + 1]! : 0);
  while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
  return x;
}

describe('iptables writer', () => {
  it('writes kernel LOG lines behind an RFC 3339 syslog prefix', async () => {
    const path = join(dir, 'simulated-iptables.log');
    const sink = new ByteSink(path);
    const w = new IptablesWriter(sink, sensor, 540, pl.table);
    w.header(Date.UTC(2006, 7, 18), 1);
    const { buf, order } = buffer();
    w.write(buf, order, 0, buf.length);
    sink.close();
    const lines = readFileSync(path, 'latin1').split('\n');
    expect(lines[0]).toMatch(/^2006-08-18T09:00:00\.000000\+09:00 fw-test koban-sim: SIMULATED DATA/);
    expect(lines[1]).toBe(
      '2006-08-18T09:00:01.123456+09:00 fw-test kernel: [UFW BLOCK] IN=eth0 OUT= MAC=02:4b:01:02:03:04:02:00:05:06:07:01:08:00 ' +
        'SRC=126.10.20.30 DST=133.1.2.17 LEN=48 TOS=0x00 PREC=0x00 TTL=113 ID=1234 DF PROTO=TCP SPT=4321 DPT=445 ' +
        'WINDOW=65535 RES=0x00 SYN URGP=0 ',
    );
    expect(lines[2]).toContain('PROTO=UDP SPT=1055 DPT=1434 LEN=384 ');
    expect(lines[2]).toContain(' LEN=404 ');
    expect(lines[3]).toContain('WINDOW=5840 RES=0x00 ACK SYN URGP=0 ');
    expect(lines[4]).toContain(
      'PROTO=ICMP TYPE=3 CODE=3 [SRC=133.1.2.20 DST=12.1.1.1 LEN=60 TOS=0x00 PREC=0x00 TTL=100 ID=9 PROTO=UDP SPT=5555 DPT=27015 LEN=40 ] ',
    );
    expect(lines[5]).toContain('PROTO=ICMP TYPE=8 CODE=0 ID=512 SEQ=7 ');
    const { events, rejected, format } = await parse(path);
    expect(format).toBe('iptables');
    expect(rejected).toBe(0);
    expect(events).toHaveLength(5);
    expect(events[0]).toMatchObject({
      sensor: 'fw-test',
      src: '126.10.20.30',
      dstPort: 445,
      tcpFlags: 2,
      ttl: 113,
      length: 48,
    });
    expect(events[0]!.timeMs).toBe(Date.UTC(2006, 7, 18, 0, 0, 1, 123));
    expect(events[3]!.quoted).toEqual({
      src: '133.1.2.20',
      dst: '12.1.1.1',
      protocol: 'udp',
      srcPort: 5555,
      dstPort: 27015,
    });
  });
});

describe('EVE writer', () => {
  it('writes Suricata alert records for the packets that raise a rule', async () => {
    const path = join(dir, 'simulated-eve.json');
    const sink = new ByteSink(path);
    const w = new EveWriter(sink, sensor, 540, BASE_SIGNATURES);
    w.header(Date.UTC(2006, 7, 18), 1);
    const { buf, order } = buffer();
    w.write(buf, order, 0, buf.length);
    sink.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const header = JSON.parse(lines[0]!);
    expect(header).toMatchObject({ event_type: 'simulation', simulation: { simulated: true } });
    const slammer = JSON.parse(lines[1]!);
    expect(Object.keys(slammer)).toEqual([
      'timestamp',
      'flow_id',
      'in_iface',
      'event_type',
      'src_ip',
      'src_port',
      'dest_ip',
      'dest_port',
      'proto',
      'alert',
      'host',
    ]);
    expect(slammer).toMatchObject({
      timestamp: '2006-08-18T09:00:02.000000+0900',
      event_type: 'alert',
      src_ip: '61.2.3.4',
      dest_port: 1434,
      proto: 'UDP',
      alert: {
        gid: 1,
        signature_id: 2003,
        rev: 8,
        signature: 'MS-SQL Worm propagation attempt',
        category: 'Misc Attack',
        severity: 2,
      },
      host: 'fw-test',
    });
    expect(Number.isSafeInteger(slammer.flow_id)).toBe(true);
    expect(JSON.parse(lines[2]!)).toMatchObject({ proto: 'ICMP', icmp_type: 8, icmp_code: 0 });
    const { events, rejected, format } = await parse(path);
    expect(format).toBe('eve');
    expect(rejected).toBe(0);
    expect(events.map((e) => e.ids!.technique)).toEqual(['Worm', 'Scan']);
  });
});

describe('pcap writer', () => {
  it('writes Ethernet frames with correct IPv4, TCP, UDP and ICMP checksums', async () => {
    const path = join(dir, 'simulated-darknet.pcap');
    const sink = new ByteSink(path);
    const w = new PcapWriter(sink, { ...sensor, site: 'darknet' }, pl.table);
    w.header();
    const { buf, order } = buffer();
    w.write(buf, order, 0, buf.length);
    sink.close();
    const b = new Uint8Array(readFileSync(path));
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    expect(dv.getUint32(0, true)).toBe(0xa1b2c3d4);
    expect(dv.getUint32(20, true)).toBe(1);
    let p = 24;
    let n = 0;
    while (p < b.length) {
      const caplen = dv.getUint32(p + 8, true);
      expect(dv.getUint32(p + 12, true)).toBe(caplen);
      const ipo = p + 16 + 14;
      const hl = (b[ipo]! & 15) * 4;
      const total = dv.getUint16(ipo + 2);
      expect(total).toBe(caplen - 14);
      expect(sum16(b, ipo, ipo + hl)).toBe(0xffff);
      const proto = b[ipo + 9]!;
      const t = ipo + hl;
      const tlen = total - hl;
      if (proto === 6 || proto === 17) {
        const pseudo = sum16(b, ipo + 12, ipo + 20) + proto + tlen;
        let x = pseudo + sum16(b, t, t + tlen);
        while (x > 0xffff) x = (x & 0xffff) + (x >>> 16);
        expect(x).toBe(0xffff);
      } else {
        expect(sum16(b, t, t + tlen)).toBe(0xffff);
        if (b[t] === 3) expect(sum16(b, t + 8, t + 28)).toBe(0xffff); // the quoted IPv4 header
      }
      p += 16 + caplen;
      n++;
    }
    expect(n).toBe(5);
    const { events, rejected, format } = await parse(path);
    expect(format).toBe('pcap');
    expect(rejected).toBe(0);
    expect(events[1]!.payload!.length).toBe(376);
    expect(events[1]!.length).toBe(404);
    expect(events[2]!.tcpFlags).toBe(0x12);
    expect(events[3]!.quoted).toEqual({
      src: '133.1.2.20',
      dst: '12.1.1.1',
      protocol: 'udp',
      srcPort: 5555,
      dstPort: 27015,
    });
    expect(events.map((e) => e.kind)).toEqual(['darknet', 'darknet', 'darknet', 'darknet', 'darknet']);
  });
});
