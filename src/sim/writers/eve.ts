/**
 * Writes the IDS side of a firewall+IDS site as Suricata EVE JSON alert records (Suricata user guide,
 * "Eve JSON Format"), one per line, keys in Suricata's order:
 *
 *   {"timestamp":"2006-08-18T09:00:01.123456+0900","flow_id":…,"in_iface":"eth0","event_type":"alert",
 *    "src_ip":…,"src_port":…,"dest_ip":…,"dest_port":…,"proto":"UDP","alert":{"action":"allowed","gid":1,
 *    "signature_id":2003,"rev":8,"signature":"MS-SQL Worm propagation attempt","category":"Misc Attack",
 *    "severity":2},"host":"fw-tokyo"}
 *
 * ICMP alerts carry `icmp_type`/`icmp_code` instead of ports. `flow_id` is a hash of the 5-tuple, so
 * packets of one flow share it. The first line is a record of event type `simulation` saying the data
 * is simulated (parsers skip unknown event types).
 */
import { formatInOffset } from '../../core/index.js';
import { type EventBuffer, PROTO } from '../event-buffer.js';
import { hash2, hash3 } from '../prng.js';
import type { SimSensor } from '../sensors.js';
import type { Signature } from '../signatures.js';
import {
  type ByteSink,
  encodeAscii,
  LocalClock,
  putBytes,
  putIpv4,
  putMinuteSecondMicros,
  putUint,
} from './sink.js';

const A = encodeAscii;
const TS_OPEN = A('{"timestamp":"');
const FLOW = A('","flow_id":');
const SRC_IP = A(',"in_iface":"eth0","event_type":"alert","src_ip":"');
const SRC_PORT = A('","src_port":');
const DEST_IP_PORTED = A(',"dest_ip":"');
const DEST_IP_ICMP = A('","dest_ip":"');
const DEST_PORT = A('","dest_port":');
const PROTO_TCP = A(',"proto":"TCP"');
const PROTO_UDP = A(',"proto":"UDP"');
const PROTO_ICMP = A('","proto":"ICMP","icmp_type":');
const ICMP_CODE = A(',"icmp_code":');

export class EveWriter {
  records = 0;
  private readonly clock: LocalClock;
  private readonly tz: Uint8Array;
  /** `,"alert":{…},"host":"…"}\n` per signature index. */
  private readonly tails: Uint8Array[];

  constructor(
    readonly sink: ByteSink,
    readonly sensor: SimSensor,
    readonly offsetMinutes: number,
    signatures: readonly Signature[],
  ) {
    this.clock = new LocalClock(offsetMinutes);
    // EVE writes the offset without a colon (strftime %z).
    const tz = formatInOffset(0, offsetMinutes).slice(19);
    this.tz = A(tz === 'Z' ? '+0000' : tz.replace(':', ''));
    const host = JSON.stringify(sensor.name);
    this.tails = signatures.map((s) =>
      A(
        `,"alert":{"action":"allowed","gid":${s.gid},"signature_id":${s.sid},"rev":${s.rev},` +
          `"signature":${JSON.stringify(s.msg)},"category":${JSON.stringify(s.category)},` +
          `"severity":${s.severity}},"host":${host}}\n`,
      ),
    );
  }

  /** The notice record: the data is simulated. */
  header(startMs: number, seed: number): void {
    const ts = `${formatInOffset(startMs, this.offsetMinutes).slice(0, 19)}.000000${new TextDecoder().decode(this.tz)}`;
    const rec = {
      timestamp: ts,
      event_type: 'simulation',
      simulation: {
        simulated: true,
        generator: 'koban simulate',
        seed,
        sensor: this.sensor.name,
        monitored: this.sensor.cidr,
        note: 'SIMULATED DATA: not real traffic',
      },
      host: this.sensor.name,
    };
    const s = this.sink;
    s.pos = putBytes(s.buf, s.pos, A(`${JSON.stringify(rec)}\n`));
  }

  /** Writes the alerts among packets `order[from, to)`. */
  write(buf: EventBuffer, order: Uint32Array, from: number, to: number): void {
    const s = this.sink;
    const b = s.buf;
    let p = s.pos;
    let n = 0;
    const clock = this.clock;
    for (let j = from; j < to; j++) {
      const i = order[j]!;
      const sig = buf.alert[i]!;
      if (sig < 0) continue;
      if (p > s.limit) {
        s.pos = p;
        s.flush();
        p = 0;
      }
      const src = buf.src[i]!;
      const dst = buf.dst[i]!;
      const proto = buf.proto[i]!;
      const within = clock.enter(buf.t[i]!);
      p = putBytes(b, p, TS_OPEN);
      p = putBytes(b, p, clock.prefix);
      p = putMinuteSecondMicros(b, p, within);
      p = putBytes(b, p, this.tz);
      p = putBytes(b, p, FLOW);
      // A positive integer below 2^53, the same for every packet of the flow.
      const lo = hash3(src, dst, (buf.sport[i]! << 16) | buf.dport[i]!);
      const hi = hash2(lo, proto) & 0x1fffff;
      p = putUint(b, p, hi * 4294967296 + lo);
      p = putBytes(b, p, SRC_IP);
      p = putIpv4(b, p, src);
      if (proto === PROTO.ICMP) {
        p = putBytes(b, p, DEST_IP_ICMP);
        p = putIpv4(b, p, dst);
        p = putBytes(b, p, PROTO_ICMP);
        p = putUint(b, p, buf.flags[i]!);
        p = putBytes(b, p, ICMP_CODE);
        p = putUint(b, p, buf.code[i]!);
      } else {
        p = putBytes(b, p, SRC_PORT);
        p = putUint(b, p, buf.sport[i]!);
        p = putBytes(b, p, DEST_IP_PORTED);
        p = putIpv4(b, p, dst);
        p = putBytes(b, p, DEST_PORT);
        p = putUint(b, p, buf.dport[i]!);
        p = putBytes(b, p, proto === PROTO.TCP ? PROTO_TCP : PROTO_UDP);
      }
      p = putBytes(b, p, this.tails[sig]!);
      n++;
    }
    s.pos = p;
    this.records += n;
  }
}
