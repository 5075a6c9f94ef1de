/**
 * The common query answered without decoding it into objects (docs/anonymizer.md#index): one
 * question of class IN with a plain name (no compression pointer), nothing else in the packet —
 * what resolvers and mail servers send a DNSBL. The question is read in place, the answer written
 * straight into one buffer: the question copied, answer names as a pointer to it (RFC 1035
 * §4.1.4). Anything else returns undefined and goes through dns-packet (answer.ts), which gives
 * the same answers; a test compares the two over every form.
 */
import * as dnsPacket from 'dns-packet';
import { ANSWER_TTL_S, type DnsblSource, RCODE, soaAnswer, txtBytes, verdict } from './verdict.js';

const TYPE_A = 1;
const TYPE_TXT = 16;
const TYPE_ANY = 255;
const CLASS_IN = 1;
const HEADER = 12;
const AA = 0x0400;
const RD = 0x0100;

let soaCache: { zone: string; serial: number; bytes: Buffer } | null = null;

/** The zone's SOA record as dns-packet writes it (the authority of a negative answer), cached. */
function soaRecord(zone: string, serialMs: number | null): Buffer {
  const serial = Math.floor((serialMs ?? 0) / 1000) >>> 0;
  if (soaCache !== null && soaCache.zone === zone && soaCache.serial === serial) return soaCache.bytes;
  const packet = dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: 0,
    authorities: [soaAnswer(zone, serialMs)],
  });
  soaCache = { zone, serial, bytes: Buffer.from(packet.subarray(HEADER)) };
  return soaCache.bytes;
}

/** A name byte the fast path reads: letters, digits, hyphen, underscore. */
function plainByte(b: number): boolean {
  return (
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x2d ||
    b === 0x5f
  );
}

/** The question's name and where the question ends; undefined when not of the plain form. */
function readQuestion(query: Buffer): { name: string; qtype: number; end: number } | undefined {
  let o = HEADER;
  let name = '';
  for (;;) {
    const len = query[o];
    if (len === undefined || len > 63) return undefined;
    if (len === 0) break;
    if (o + 1 + len > query.length) return undefined;
    for (let i = o + 1; i <= o + len; i++) if (!plainByte(query[i]!)) return undefined;
    name +=
      name === ''
        ? query.toString('latin1', o + 1, o + 1 + len)
        : `.${query.toString('latin1', o + 1, o + 1 + len)}`;
    o += 1 + len;
    if (o - HEADER > 255) return undefined;
  }
  const end = o + 5;
  if (end !== query.length || query.readUInt16BE(o + 3) !== CLASS_IN) return undefined;
  return { name, qtype: query.readUInt16BE(o + 1), end };
}

/** One resource record named by a pointer to the question's name (offset 12). */
function writeRecord(out: Buffer, at: number, type: number, rdata: Buffer | readonly number[]): number {
  out.writeUInt16BE(0xc000 | HEADER, at);
  out.writeUInt16BE(type, at + 2);
  out.writeUInt16BE(CLASS_IN, at + 4);
  out.writeUInt32BE(ANSWER_TTL_S, at + 6);
  out.writeUInt16BE(rdata.length, at + 10);
  if (Buffer.isBuffer(rdata)) rdata.copy(out, at + 12);
  else for (let i = 0; i < rdata.length; i++) out[at + 12 + i] = rdata[i]!;
  return at + 12 + rdata.length;
}

const LOCALHOST_2 = [127, 0, 0, 2];

/**
 * The response to a plain query inside the zone, or undefined for the general path. The caller
 * has checked the header (a query, opcode 0, at most 512 bytes).
 */
export function fastAnswer(query: Buffer, zone: string, src: DnsblSource): Buffer | undefined {
  // One question, no answer, authority or additional records (an EDNS OPT goes the general way).
  if (query.readUInt16BE(4) !== 1 || query.readUInt32BE(6) !== 0 || query.readUInt16BE(10) !== 0)
    return undefined;
  const q = readQuestion(query);
  if (q === undefined) return undefined;
  const v = verdict(q.name, zone, src);
  if (v === 'outside' || v === 'apex') return undefined;
  let txt: Buffer | null = null;
  let a = false;
  if (v.rcode === RCODE.NOERROR) {
    a = q.qtype === TYPE_A || q.qtype === TYPE_ANY;
    if ((q.qtype === TYPE_TXT || q.qtype === TYPE_ANY) && v.reason !== null) {
      const t = txtBytes(v.reason);
      txt = Buffer.allocUnsafe(1 + t.length);
      txt[0] = t.length;
      t.copy(txt, 1);
    }
  }
  const answers = (a ? 1 : 0) + (txt === null ? 0 : 1);
  // Negative answers carry the SOA (RFC 2308 §3): NXDOMAIN, and NODATA (listed, other type).
  const soa =
    v.rcode === RCODE.NXDOMAIN || (v.rcode === RCODE.NOERROR && answers === 0)
      ? soaRecord(zone, src.serialMs())
      : null;
  const size = q.end + (a ? 16 : 0) + (txt === null ? 0 : 12 + txt.length) + (soa?.length ?? 0);
  const out = Buffer.allocUnsafe(size);
  query.copy(out, 0, 0, 2);
  out.writeUInt16BE(0x8000 | AA | (query.readUInt16BE(2) & RD) | v.rcode, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(answers, 6);
  out.writeUInt16BE(soa === null ? 0 : 1, 8);
  out.writeUInt16BE(0, 10);
  query.copy(out, HEADER, HEADER, q.end);
  let at = q.end;
  if (a) at = writeRecord(out, at, TYPE_A, LOCALHOST_2);
  if (txt !== null) at = writeRecord(out, at, TYPE_TXT, txt);
  if (soa !== null) soa.copy(out, at);
  return out;
}
