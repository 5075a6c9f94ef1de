/**
 * One DNS query in, one response out (or nothing): the DNSBL's answers as a pure function over the
 * anonymizer service (docs/anonymizer.md#dns). RFC 5782: listed → A 127.0.0.2 and a TXT reason;
 * not listed → NXDOMAIN with the zone's SOA in the authority section (RFC 2308 §3); the test
 * entries 127.0.0.2 (listed) and 127.0.0.1 (not) answered whatever the data. Outside the zone:
 * REFUSED; ill-formed inside it: NXDOMAIN (as TorDNSEL does); stale data: SERVFAIL; a packet that
 * does not decode: FORMERR when it has a header to answer, otherwise dropped.
 */
import * as dnsPacket from 'dns-packet';
import { fastAnswer } from './fast-answer.js';
import { ANSWER_TTL_S, type DnsblSource, RCODE, soaAnswer, txtBytes, verdict } from './verdict.js';

export const DEFAULT_DNSBL_ZONE = 'tor.dnsbl.koban.invalid';
/** Largest query read: a question is at most 255 + 4 bytes, an OPT record a few more. */
export const MAX_QUERY_BYTES = 512;

export { type DnsblSource, RCODE } from './verdict.js';

/** Just the header with a code: for a packet whose question could not be read. */
function errorHeader(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  query.copy(out, 0, 0, 2);
  // QR=1, opcode copied, RD copied; counts zero.
  out.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x7900) | rcode, 2);
  return out;
}

/** The response to `query`, or null to drop it (too short to answer, or itself a response). */
export function answerQuery(query: Buffer, zone: string, src: DnsblSource): Buffer | null {
  if (query.length < 12 || (query[2]! & 0x80) !== 0) return null;
  if (query.length > MAX_QUERY_BYTES) return errorHeader(query, RCODE.FORMERR);
  const opcode = (query[2]! >> 3) & 0x0f;
  if (opcode !== 0) return errorHeader(query, RCODE.NOTIMP);
  return fastAnswer(query, zone, src) ?? answerDecoded(query, zone, src);
}

/**
 * `answerQuery` guarded: a failure (a bug, not bad input) is told to `onError` and answered
 * SERVFAIL when the packet has a header, so that it never stops the server.
 */
export function safeAnswer(
  msg: Buffer,
  zone: string,
  src: DnsblSource,
  onError?: (e: unknown) => void,
): Buffer | null {
  try {
    return answerQuery(msg, zone, src);
  } catch (e) {
    onError?.(e);
    if (msg.length < 12) return null;
    const out = Buffer.alloc(12);
    msg.copy(out, 0, 0, 2);
    out.writeUInt16BE(0x8000 | RCODE.SERVFAIL, 2);
    return out;
  }
}

/**
 * The same answer through dns-packet: every query the fast path leaves (names outside the zone or
 * at its apex, compression or extra records in the query, classes other than IN, bad packets).
 * Exported so that tests compare the two paths.
 */
export function answerDecoded(query: Buffer, zone: string, src: DnsblSource): Buffer | null {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(query);
  } catch {
    return errorHeader(query, RCODE.FORMERR);
  }
  const question = q.questions?.[0];
  if (q.questions?.length !== 1 || question === undefined) return errorHeader(query, RCODE.FORMERR);
  const v = verdict(question.name, zone, src);
  const rd = q.flag_rd ? dnsPacket.RECURSION_DESIRED : 0;
  const base = { type: 'response' as const, id: q.id ?? 0, questions: [question] };
  if (v === 'outside') return dnsPacket.encode({ ...base, flags: rd | RCODE.REFUSED });
  const flags = dnsPacket.AUTHORITATIVE_ANSWER | rd;
  const authority = [soaAnswer(zone, src.serialMs())];
  if (v === 'apex') {
    const answers = question.type === 'SOA' ? authority : [];
    return dnsPacket.encode({
      ...base,
      flags,
      answers,
      authorities: question.type === 'SOA' ? [] : authority,
    });
  }
  if (v.rcode !== RCODE.NOERROR) {
    const authorities = v.rcode === RCODE.NXDOMAIN ? authority : [];
    return dnsPacket.encode({ ...base, flags: flags | v.rcode, authorities });
  }
  const answers: dnsPacket.Answer[] = [];
  const name = question.name;
  // dns-packet reads type 255 as 'ANY', which its types do not name.
  const qtype: string = question.type;
  if (qtype === 'A' || qtype === 'ANY')
    answers.push({ type: 'A', name, ttl: ANSWER_TTL_S, data: '127.0.0.2' });
  if ((qtype === 'TXT' || qtype === 'ANY') && v.reason !== null)
    answers.push({ type: 'TXT', name, ttl: ANSWER_TTL_S, data: txtBytes(v.reason) });
  // Listed, but not of the type asked (AAAA, MX…): NODATA, the SOA telling how long to cache it.
  return dnsPacket.encode({ ...base, flags, answers, authorities: answers.length === 0 ? authority : [] });
}
