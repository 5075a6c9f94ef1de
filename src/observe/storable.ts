/**
 * Whether an event produced by a parser fits the event store's columns, checked before it is
 * queued for a write: a value the store cannot hold must reject its record, not fail the
 * transaction that carries other sensors' batches too. Wire events are checked field by field in
 * `decodeEvent` (src/wire/event.ts); this is the same check for events parsed at the center from
 * raw lines.
 */
import { canonicalIp, EVENT_KINDS, type ObservationEvent, TECHNIQUES } from '../core/index.js';

const U8 = 255;
const U16 = 65535;
const U32 = 0xffffffff;
/** ECMAScript's time value range (±8.64e15 ms); the store keeps non-negative ones. */
const MAX_TIME_MS = 8.64e15;

const isInt = (v: unknown, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const optInt = (v: unknown, max: number): boolean => v === null || isInt(v, max);
const isAddress = (v: unknown): boolean => typeof v === 'string' && canonicalIp(v) !== null;

/** The first field of `e` the store could not hold, as a rejection reason, or null. */
export function storableProblem(e: ObservationEvent): string | null {
  if (!isInt(e.timeMs, MAX_TIME_MS)) return 'invalid time';
  if (!(EVENT_KINDS as readonly string[]).includes(e.kind)) return 'invalid kind';
  if (!isInt(e.protocolNumber, U8)) return 'invalid protocol';
  if (!isAddress(e.src)) return 'invalid source address';
  if (!isAddress(e.dst)) return 'invalid destination address';
  if (!optInt(e.srcPort, U16) || !optInt(e.dstPort, U16)) return 'invalid port';
  if (!optInt(e.tcpFlags, U8) || !optInt(e.icmpType, U8) || !optInt(e.icmpCode, U8) || !optInt(e.ttl, U8))
    return 'invalid header field';
  if (!optInt(e.length, U32)) return 'invalid length';
  const i = e.ids;
  if (
    i !== null &&
    (!isInt(i.generatorId, U32) ||
      !isInt(i.signatureId, U32) ||
      !isInt(i.signatureRev, U32) ||
      !(TECHNIQUES as readonly string[]).includes(i.technique) ||
      !optInt(i.priority, U8))
  )
    return 'invalid ids';
  if (e.payload !== null && (!isInt(e.payload.length, U32) || !isInt(e.payload.hash, U32)))
    return 'invalid payload';
  const q = e.quoted;
  if (
    q !== null &&
    (!isAddress(q.src) || !isAddress(q.dst) || !optInt(q.srcPort, U16) || !optInt(q.dstPort, U16))
  )
    return 'invalid quoted packet';
  return null;
}

/** A receive time as the store keeps it (integer UTC ms), or null when it is not one. */
export function isReceiveTime(v: unknown): v is number {
  return isInt(v, MAX_TIME_MS);
}
