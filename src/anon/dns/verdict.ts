/**
 * What the DNSBL says about a name below its zone (docs/anonymizer.md#dns), shared by the fast path
 * (fast-answer.ts) and the general one (answer.ts): outside the zone, the apex, or a code and the
 * TXT reason of a listed address.
 */
import type * as dnsPacket from 'dns-packet';
import { KobanError } from '../../core/index.js';
import type { IndexShare, Listing } from '../lookup.js';
import { readQueryName } from './query-name.js';

export const ANSWER_TTL_S = 300;
export const NEGATIVE_TTL_S = 60;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface DnsblSource {
  /** Listed or not, with the reason (E_STALE when the lists do not cover the time). */
  listing(ip: string, opts: { atMs?: number; port?: number }): Listing;
  /** Newest list's publication, for the SOA serial; null: nothing imported. */
  serialMs(): number | null;
  /** The data for worker threads (dns/udp-threads.ts): without it, one thread answers. */
  share?(): DnsblShare;
  /** Calls `listener` when the data changed (a reload), so that worker threads get the new one. */
  onChange?(listener: () => void): () => void;
}

/** The index in shared memory and the freshness limit: what a worker thread answers from. */
export interface DnsblShare {
  readonly index: IndexShare;
  readonly staleHours: number;
}

export interface Verdict {
  readonly rcode: number;
  readonly reason: string | null;
}

/** The zone's SOA record: the authority section of a negative answer (RFC 2308 §3). */
export function soaAnswer(zone: string, serialMs: number | null): dnsPacket.Answer {
  return {
    type: 'SOA',
    name: zone,
    ttl: NEGATIVE_TTL_S,
    data: {
      mname: `ns.${zone}`,
      rname: `hostmaster.${zone}`,
      serial: Math.floor((serialMs ?? 0) / 1000) >>> 0,
      refresh: 3600,
      retry: 600,
      expire: 86_400,
      minimum: NEGATIVE_TTL_S,
    },
  };
}

/** A TXT string: at most 255 bytes (RFC 1035 §3.3.14), cut on a UTF-8 character boundary. */
export function txtBytes(text: string): Buffer {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= 255) return b;
  let end = 255;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

export function verdict(name: string, zone: string, src: DnsblSource): Verdict | 'outside' | 'apex' {
  const q = readQueryName(name, zone);
  if (q === 'outside') return 'outside';
  if (q === null) return { rcode: RCODE.NXDOMAIN, reason: null };
  if (q.form === 'apex') return 'apex';
  // RFC 5782 §5: the test entries, answered whatever the lists hold.
  if (q.ip === '127.0.0.2') return { rcode: RCODE.NOERROR, reason: 'RFC 5782 test entry' };
  if (q.ip === '127.0.0.1') return { rcode: RCODE.NXDOMAIN, reason: null };
  try {
    const a =
      q.form === 'at'
        ? src.listing(q.ip, { atMs: q.atMs })
        : q.form === 'ip-port'
          ? src.listing(q.ip, { port: q.port })
          : src.listing(q.ip, {});
    return a.listed ? { rcode: RCODE.NOERROR, reason: a.reason } : { rcode: RCODE.NXDOMAIN, reason: null };
  } catch (e) {
    if (e instanceof KobanError && e.code === 'E_STALE') return { rcode: RCODE.SERVFAIL, reason: null };
    throw e;
  }
}
