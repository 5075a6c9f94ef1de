/**
 * Events on the wire: one record of an `events` batch (header.ts) is one event as a compact array
 * — arrays, not objects: smaller and about twice as fast to parse. The tuple types below name each
 * element; `encodeEvent` writes them at the sensor, `decodeEvent` checks every one at the center.
 *
 * `sensor` (the last, optional element) is only honoured from relay tokens (replay, demo feed), for
 * the names the relay owns (the center's sensor registry decides).
 */
import {
  canonicalIp,
  EVENT_KINDS,
  type EventKind,
  type IdsAlert,
  type ObservationEvent,
  protocolFromNumber,
  TECHNIQUES,
  type Technique,
} from '../core/index.js';

/** An IDS alert's signature: generator and signature ids, revision, text, class, technique, priority. */
export type WireIds = [
  gid: number,
  sid: number,
  rev: number,
  signature: string,
  classtype: string | null,
  technique: Technique,
  priority: number | null,
];

/** A payload fingerprint: length and hash of the first bytes. */
export type WirePayload = [length: number, hash: number];

/** The packet an ICMP error quotes (its protocol as a number; 255 for other). */
export type WireQuoted = [
  src: string,
  dst: string,
  proto: number,
  sport: number | null,
  dport: number | null,
];

/** One event of an `events` batch. */
export type WireEvent = [
  timeMs: number,
  kind: EventKind,
  proto: number,
  src: string,
  dst: string,
  sport: number | null,
  dport: number | null,
  tcpFlags: number | null,
  icmpType: number | null,
  icmpCode: number | null,
  length: number | null,
  ttl: number | null,
  ids: WireIds | null,
  payload: WirePayload | null,
  quoted: WireQuoted | null,
  /** When the agent read the record (ms), if it knows. */
  recvMs: number | null,
  /** The sensor's name, from relay tokens only. */
  sensor?: string,
];

/** Encodes an event for the wire; `recvMs` is when the agent read it. */
export function encodeEvent(e: ObservationEvent, recvMs: number | null, sensor?: string): WireEvent {
  const i = e.ids;
  const q = e.quoted;
  const out: WireEvent = [
    e.timeMs,
    e.kind,
    e.protocolNumber,
    e.src,
    e.dst,
    e.srcPort,
    e.dstPort,
    e.tcpFlags,
    e.icmpType,
    e.icmpCode,
    e.length,
    e.ttl,
    i
      ? [i.generatorId, i.signatureId, i.signatureRev, i.signature, i.classtype, i.technique, i.priority]
      : null,
    e.payload ? [e.payload.length, e.payload.hash] : null,
    q ? [q.src, q.dst, q.protocol === 'other' ? 255 : protoNumber(q.protocol), q.srcPort, q.dstPort] : null,
    recvMs,
  ];
  if (sensor !== undefined) out.push(sensor);
  return out;
}

function protoNumber(p: string): number {
  return p === 'tcp' ? 6 : p === 'udp' ? 17 : p === 'icmp' ? 1 : p === 'icmpv6' ? 58 : 255;
}

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const optInt = (v: unknown, min: number, max: number): boolean => v === null || isInt(v, min, max);

export interface DecodedEvent {
  readonly event: ObservationEvent;
  readonly receivedMs: number | null;
  readonly sensor: string | null;
}

/**
 * Decodes and validates one wire event; returns a reason string for anything malformed. Every
 * field is checked: the center never stores what a sensor could not have observed. Checked by hand,
 * not by a schema: this runs once per event, hundreds of thousands of times a second at the center.
 */
export function decodeEvent(v: unknown, defaultSensor: string): DecodedEvent | string {
  if (!Array.isArray(v) || v.length < 16 || v.length > 17) return 'event is not a 16/17-element array';
  const [t, kind, proto, src, dst, sp, dp, flags, it, ic, len, ttl, ids, payload, quoted, recv, sensor] =
    v as unknown[];
  if (!isInt(t, 0, 8.64e15)) return 'invalid time';
  if (typeof kind !== 'string' || !(EVENT_KINDS as readonly string[]).includes(kind)) return 'invalid kind';
  if (!isInt(proto, 0, 255)) return 'invalid protocol';
  const s = typeof src === 'string' ? canonicalIp(src) : null;
  if (s === null) return 'invalid source address';
  const d = typeof dst === 'string' ? canonicalIp(dst) : null;
  if (d === null) return 'invalid destination address';
  if (!optInt(sp, 0, 65535) || !optInt(dp, 0, 65535)) return 'invalid port';
  if (!optInt(flags, 0, 255) || !optInt(it, 0, 255) || !optInt(ic, 0, 255) || !optInt(ttl, 0, 255)) {
    return 'invalid header field';
  }
  if (!optInt(len, 0, 0xffffffff)) return 'invalid length';
  if (!optInt(recv, 0, 8.64e15)) return 'invalid receive time';
  let idsAlert: IdsAlert | null = null;
  if (ids !== null) {
    if (!Array.isArray(ids) || ids.length !== 7) return 'invalid ids';
    const [gid, sid, rev, sig, ct, tech, prio] = ids as unknown[];
    if (!isInt(gid, 0, 0xffffffff) || !isInt(sid, 0, 0xffffffff) || !isInt(rev, 0, 0xffffffff))
      return 'invalid ids';
    if (
      typeof sig !== 'string' ||
      sig.length > 1024 ||
      (ct !== null && (typeof ct !== 'string' || ct.length > 128))
    ) {
      return 'invalid ids';
    }
    if (
      typeof tech !== 'string' ||
      !(TECHNIQUES as readonly string[]).includes(tech) ||
      !optInt(prio, 0, 255)
    ) {
      return 'invalid ids';
    }
    idsAlert = {
      generatorId: gid,
      signatureId: sid,
      signatureRev: rev,
      signature: sig,
      classtype: ct as string | null,
      technique: tech as Technique,
      priority: prio as number | null,
    };
  }
  let fp: ObservationEvent['payload'] = null;
  if (payload !== null) {
    if (!Array.isArray(payload) || payload.length !== 2 || !isInt(payload[0], 0, 0xffffffff))
      return 'invalid payload';
    if (!isInt(payload[1], 0, 0xffffffff)) return 'invalid payload';
    fp = { length: payload[0], hash: payload[1] };
  }
  let q: ObservationEvent['quoted'] = null;
  if (quoted !== null) {
    if (!Array.isArray(quoted) || quoted.length !== 5) return 'invalid quoted packet';
    const [qs, qd, qp, qsp, qdp] = quoted as unknown[];
    const qsc = typeof qs === 'string' ? canonicalIp(qs) : null;
    const qdc = typeof qd === 'string' ? canonicalIp(qd) : null;
    if (!qsc || !qdc || !isInt(qp, 0, 255) || !optInt(qsp, 0, 65535) || !optInt(qdp, 0, 65535)) {
      return 'invalid quoted packet';
    }
    q = {
      src: qsc,
      dst: qdc,
      protocol: protocolFromNumber(qp),
      srcPort: qsp as number | null,
      dstPort: qdp as number | null,
    };
  }
  if (sensor !== undefined && (typeof sensor !== 'string' || sensor.length === 0 || sensor.length > 64)) {
    return 'invalid sensor name';
  }
  const event: ObservationEvent = {
    timeMs: t,
    sensor: defaultSensor,
    kind: kind as EventKind,
    protocol: protocolFromNumber(proto),
    protocolNumber: proto,
    src: s,
    dst: d,
    srcPort: sp as number | null,
    dstPort: dp as number | null,
    tcpFlags: flags as number | null,
    icmpType: it as number | null,
    icmpCode: ic as number | null,
    length: len as number | null,
    ttl: ttl as number | null,
    ids: idsAlert,
    payload: fp,
    quoted: q,
  };
  return { event, receivedMs: recv as number | null, sensor: (sensor as string | undefined) ?? null };
}
