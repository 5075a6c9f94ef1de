/**
 * Suricata EVE JSON (`eve.json`, one JSON object per line; Suricata user guide, "Eve JSON Format").
 *
 * - `alert` → an IDS event with `ids` from the `alert` object: gid (default 1), signature_id, rev,
 *   signature, category (a classification.config *description*, mapped to the classtype short name),
 *   severity as the priority, and the technique (technique.ts).
 * - `anomaly` → an IDS event for a decoder/stream/app-layer anomaly: generator, signature id and rev 0,
 *   signature `anomaly: <anomaly.event>` (or `anomaly.type` when there is no event), classtype
 *   `protocol-command-decode` — the classtype Suricata's own decoder-events.rules and stream-events.rules
 *   give these same conditions — technique `Other`, no priority.
 * - `flow` → an access seen by the IDS sensor (`ids` null), timed at `flow.start`.
 * - every other event type (dns, tls, http, fileinfo, stats, dnp3, …) is skipped as
 *   `eve event_type <type>`; a record of one of those three types without any address (a decoder
 *   anomaly on a frame that is not IP) is skipped as `eve <type> without addresses`.
 *
 * Timestamps carry their offset (`+0200`); ones without (Suricata 1.x/2.x) are read in the context's
 * offset. The sensor is the record's `host` (Suricata's `sensor-name`) when present. TTL and length
 * come from the attached `packet` when Suricata logged one and it is the record's own packet.
 */
import { type IdsAlert, type RecordOutcome, reject, type Skip, skip } from '../../core/index.js';
import type { ParseContext, TextFormat } from '../types.js';
import { type PacketHeader, readPacketHeader } from './_evepacket.js';
import { AddressCanon, idsEvent, parseEveTimestamp, protocolNumberOf, TechniqueCache } from './_ids.js';
import { classtypeFromDescription } from './technique.js';

type Json = Record<string, unknown>;

/**
 * Suricata event types that are never observations, recognised from the raw text so that such lines
 * (most of a typical eve.json) skip JSON.parse. Suricata writes `event_type` at the top level before
 * any nested object, so the first `"event_type":"` in the line is the record's own.
 */
const NON_OBSERVATION_TYPES = [
  'dns',
  'http',
  'http2',
  'tls',
  'fileinfo',
  'stats',
  'dnp3',
  'smtp',
  'ssh',
  'smb',
  'nfs',
  'krb5',
  'dhcp',
  'ftp',
  'ftp_data',
  'tftp',
  'ike',
  'ikev2',
  'snmp',
  'sip',
  'rdp',
  'rfb',
  'mqtt',
  'netflow',
  'drop',
  'dcerpc',
  'modbus',
  'enip',
  'quic',
  'pgsql',
  'bittorrent-dht',
  'websocket',
  'ldap',
  'mdns',
  'pop3',
  'arp',
  'frame',
  'email',
];

const EVENT_TYPE_KEY = '"event_type":"';
/** Event-type names that may appear in a skip reason: short and plain, so reasons group when counted. */
const TYPE_NAME = /^[a-z0-9_-]{1,24}$/;

const SKIPS = new Map<string, Skip>(NON_OBSERVATION_TYPES.map((t) => [t, skip(`eve event_type ${t}`)]));
const SKIP_OTHER_TYPE = skip('eve event_type other');

function skipType(type: string): Skip {
  let s = SKIPS.get(type);
  if (s === undefined) {
    if (!TYPE_NAME.test(type) || SKIPS.size > 256) return SKIP_OTHER_TYPE;
    s = skip(`eve event_type ${type}`);
    SKIPS.set(type, s);
  }
  return s;
}

const MAX_U32 = 0xffff_ffff;

/** An integer in [min, max], or -1 when absent, -2 when present but not such an integer. */
function intField(o: Json, key: string, min: number, max: number): number {
  const v = o[key];
  if (v === undefined || v === null) return -1;
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : -2;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Transport {
  readonly srcPort: number | null;
  readonly dstPort: number | null;
  readonly icmpType: number | null;
  readonly icmpCode: number | null;
}

/** The ICMP type and code (ICMP, ICMPv6) or the ports (anything else), or the rejection reason. */
function transportOf(rec: Json, isIcmp: boolean): Transport | string {
  if (isIcmp) {
    const t = intField(rec, 'icmp_type', 0, 255);
    const c = intField(rec, 'icmp_code', 0, 255);
    if (t === -2) return 'invalid icmp_type';
    if (c === -2) return 'invalid icmp_code';
    return { srcPort: null, dstPort: null, icmpType: t < 0 ? null : t, icmpCode: c < 0 ? null : c };
  }
  const sp = intField(rec, 'src_port', 0, 65535);
  const dp = intField(rec, 'dest_port', 0, 65535);
  if (sp === -2) return 'invalid src_port';
  if (dp === -2) return 'invalid dest_port';
  return { srcPort: sp < 0 ? null : sp, dstPort: dp < 0 ? null : dp, icmpType: null, icmpCode: null };
}

/** 1–2 hex digits as Suricata writes `tcp.tcp_flags` (`%02x`); -1 if not. */
function hexOctet(s: string): number {
  if (s.length < 1 || s.length > 2) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

class EveParser {
  private readonly ctx: ParseContext;
  private readonly techniques = new TechniqueCache();
  private readonly addresses = new AddressCanon();
  private readonly pkt: PacketHeader = { ttl: -1, length: -1, tcpFlags: -1 };

  constructor(ctx: ParseContext) {
    this.ctx = ctx;
  }

  parse(line: string): RecordOutcome {
    if (line.charCodeAt(0) !== 123) return reject('not a JSON object');
    const k = line.indexOf(EVENT_TYPE_KEY);
    if (k > 0 && line.charCodeAt(line.length - 1) === 125) {
      const end = line.indexOf('"', k + EVENT_TYPE_KEY.length);
      if (end !== -1 && end - k < 40) {
        const known = SKIPS.get(line.slice(k + EVENT_TYPE_KEY.length, end));
        if (known !== undefined) return known;
      }
    }
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      // Also catches a RangeError from pathologically deep nesting.
      return reject('invalid JSON');
    }
    if (!isObject(rec)) return reject('not a JSON object');
    const type = rec.event_type;
    if (type === undefined) return reject('missing event_type');
    if (typeof type !== 'string') return reject('invalid event_type');
    if (type !== 'alert' && type !== 'anomaly' && type !== 'flow') return skipType(type);
    return this.observation(rec, type);
  }

  private observation(rec: Json, type: 'alert' | 'anomaly' | 'flow'): RecordOutcome {
    const timeMs = this.timeOf(rec, type);
    if (typeof timeMs === 'string') return reject(timeMs);
    // The type's own object first, so that a record missing it is rejected rather than skipped below.
    const ids = this.idsOf(rec, type);
    if (typeof ids === 'string') return reject(ids);

    const host = rec.host;
    if (host !== undefined && typeof host !== 'string') return reject('invalid host');
    const sensor = host === undefined || host === '' ? this.ctx.sensor : host;

    const srcText = rec.src_ip;
    const dstText = rec.dest_ip;
    if (srcText === undefined && dstText === undefined) return skip(`eve ${type} without addresses`);
    if (srcText === undefined) return reject('missing src_ip');
    if (dstText === undefined) return reject('missing dest_ip');
    const src = typeof srcText === 'string' ? this.addresses.text(srcText) : null;
    if (src === null) return reject('invalid src_ip');
    const dst = typeof dstText === 'string' ? this.addresses.text(dstText) : null;
    if (dst === null) return reject('invalid dest_ip');

    const protoField = rec.proto;
    if (protoField === undefined) return reject('missing proto');
    const protocolNumber =
      typeof protoField === 'string'
        ? protocolNumberOf(protoField)
        : typeof protoField === 'number' &&
            Number.isInteger(protoField) &&
            protoField >= 0 &&
            protoField <= 255
          ? protoField
          : -1;
    if (protocolNumber < 0) return reject('invalid proto');

    const t = transportOf(rec, protocolNumber === 1 || protocolNumber === 58);
    if (typeof t === 'string') return reject(t);

    let tcpFlags: number | null = null;
    if (protocolNumber === 6 && rec.tcp !== undefined) {
      if (!isObject(rec.tcp)) return reject('invalid tcp');
      const f = rec.tcp.tcp_flags;
      if (f !== undefined) {
        const n = typeof f === 'string' ? hexOctet(f) : -1;
        if (n < 0) return reject('invalid tcp.tcp_flags');
        tcpFlags = n;
      }
    }

    let ttl: number | null = null;
    let length: number | null = null;
    if (typeof rec.packet === 'string' && isObject(rec.packet_info)) {
      const lt = rec.packet_info.linktype;
      if (typeof lt === 'number' && readPacketHeader(rec.packet, lt, src, dst, this.pkt)) {
        ttl = this.pkt.ttl;
        length = this.pkt.length;
        if (tcpFlags === null && protocolNumber === 6 && this.pkt.tcpFlags >= 0) tcpFlags = this.pkt.tcpFlags;
      }
    }

    return idsEvent(
      timeMs,
      sensor,
      protocolNumber,
      src,
      dst,
      t.srcPort,
      t.dstPort,
      tcpFlags,
      t.icmpType,
      t.icmpCode,
      length,
      ttl,
      ids,
    );
  }

  /** The record's time: its timestamp, or for a flow record the flow's first packet (flow.start). */
  private timeOf(rec: Json, type: 'alert' | 'anomaly' | 'flow'): number | string {
    let ts: unknown;
    if (type === 'flow') {
      const f = rec.flow;
      if (!isObject(f)) return 'missing flow';
      ts = f.start;
      if (ts === undefined) return 'missing flow.start';
      if (typeof ts !== 'string') return 'invalid flow.start';
    } else {
      ts = rec.timestamp;
      if (ts === undefined) return 'missing timestamp';
      if (typeof ts !== 'string') return 'invalid timestamp';
    }
    const timeMs = parseEveTimestamp(ts, this.ctx.utcOffsetMinutes);
    if (Number.isNaN(timeMs)) return type === 'flow' ? 'invalid flow.start' : 'invalid timestamp';
    return timeMs;
  }

  /** The IDS part of an alert or anomaly record (null for a flow), or the rejection reason. */
  private idsOf(rec: Json, type: 'alert' | 'anomaly' | 'flow'): IdsAlert | null | string {
    if (type === 'alert') return this.alert(rec.alert);
    if (type === 'flow') return null;
    const a = rec.anomaly;
    if (!isObject(a)) return 'missing anomaly';
    const name = typeof a.event === 'string' ? a.event : typeof a.type === 'string' ? a.type : 'unknown';
    return {
      generatorId: 0,
      signatureId: 0,
      signatureRev: 0,
      signature: `anomaly: ${name}`,
      classtype: 'protocol-command-decode',
      technique: 'Other',
      priority: null,
    };
  }

  /** The `alert` object as an IdsAlert, or the rejection reason. */
  private alert(a: unknown): IdsAlert | string {
    if (!isObject(a)) return 'missing alert';
    const sid = intField(a, 'signature_id', 0, MAX_U32);
    if (sid === -1) return 'missing alert.signature_id';
    if (sid === -2) return 'invalid alert.signature_id';
    const gid = intField(a, 'gid', 0, MAX_U32);
    if (gid === -2) return 'invalid alert.gid';
    const rev = intField(a, 'rev', 0, MAX_U32);
    if (rev === -2) return 'invalid alert.rev';
    const sev = intField(a, 'severity', 0, 255);
    if (sev === -2) return 'invalid alert.severity';
    const msg = a.signature;
    if (msg === undefined) return 'missing alert.signature';
    if (typeof msg !== 'string') return 'invalid alert.signature';
    const cat = a.category;
    if (cat !== undefined && cat !== null && typeof cat !== 'string') return 'invalid alert.category';
    const classtype = typeof cat === 'string' ? classtypeFromDescription(cat) : null;
    // A rule without msg: name it by its id rather than store an empty signature.
    const signature = msg === '' ? `sid ${sid}` : msg;
    return {
      generatorId: gid < 0 ? 1 : gid,
      signatureId: sid,
      signatureRev: Math.max(rev, 0),
      signature,
      classtype,
      technique: this.techniques.get(sid, signature, classtype),
      // Severity 0 is not a Suricata priority (1 high … 255): unknown.
      priority: sev <= 0 ? null : sev,
    };
  }
}

export const eveFormat: TextFormat = {
  name: 'eve',
  kind: 'text',
  detect: {
    rank: 1,
    looksLike: (l) => l.startsWith('{') && l.includes('"event_type"'),
    skippedLinesCount: true,
  },
  create(ctx: ParseContext) {
    const parser = new EveParser(ctx);
    return (line: string) => parser.parse(line);
  },
};
