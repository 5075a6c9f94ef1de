/**
 * The identity of an observation: what tells the same record delivered by two sources (one
 * packet that rsyslog wrote to both `ufw.log` and `syslog`) from two records that merely look
 * alike. It is every field the record carries — the time to the millisecond, kind, protocol,
 * addresses, ports, TCP flags, ICMP type and code, IP length, TTL and IP ID, the IDS signature,
 * the payload fingerprint and the quoted packet — so that two real packets differing in any of
 * them (a retransmission with a new IP ID, a second probe in the next millisecond) stay two.
 * The sensor is not hashed: the store keeps identities per sensor.
 *
 * 64 bits, as two 32-bit hashes of different construction (MurmurHash3's block step, and
 * xxHash32's round) over the same field stream: two different records of one sensor in the same
 * millisecond collide with a probability of about 2^-64.
 */
import type { EventKind, ObservationEvent } from '../core/index.js';

const KIND_CODES: Readonly<Record<EventKind, number>> = { firewall: 1, ids: 2, darknet: 3 };
const NONE = -1;
const SEED_1 = 0x9747b28c;
const SEED_2 = 0x165667b1;

/** MurmurHash3 x86_32 block step (Appleby, public domain). */
function step(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** xxHash32 round (Collet, BSD-2-Clause). */
function round(acc: number, k: number): number {
  acc = (acc + Math.imul(k, 0x85ebca77)) | 0;
  acc = (acc << 13) | (acc >>> 19);
  return Math.imul(acc, 0x9e3779b1);
}

/** MurmurHash3 finaliser: every input bit affects every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Computes identities into its two fields; one per store, reused per event (no allocation). */
export class IdentityHasher {
  /** The two halves of the last identity computed. */
  h1 = 0;
  h2 = 0;

  of(e: ObservationEvent): void {
    this.h1 = SEED_1;
    this.h2 = SEED_2;
    this.num(e.timeMs % 0x1_0000_0000);
    this.num(Math.floor(e.timeMs / 0x1_0000_0000));
    this.num(KIND_CODES[e.kind]);
    this.num(e.protocolNumber);
    this.text(e.src);
    this.text(e.dst);
    this.num(e.srcPort ?? NONE);
    this.num(e.dstPort ?? NONE);
    this.num(e.tcpFlags ?? NONE);
    this.num(e.icmpType ?? NONE);
    this.num(e.icmpCode ?? NONE);
    this.num(e.length ?? NONE);
    this.num(e.ttl ?? NONE);
    this.num(e.ipId ?? NONE);
    const ids = e.ids;
    this.num(ids ? ids.generatorId : NONE);
    this.num(ids ? ids.signatureId : NONE);
    const p = e.payload;
    this.num(p ? p.length : NONE);
    this.num(p ? p.hash : NONE);
    const q = e.quoted;
    if (q) {
      this.text(q.src);
      this.text(q.dst);
      this.num(q.srcPort ?? NONE);
      this.num(q.dstPort ?? NONE);
    } else {
      this.num(NONE);
    }
    this.h1 = fmix(this.h1);
    this.h2 = fmix(this.h2);
  }

  private num(v: number): void {
    this.h1 = step(this.h1, v);
    this.h2 = round(this.h2, v);
  }

  /** Two UTF-16 units per word, then the length, so that `ab`+`c` and `a`+`bc` differ. */
  private text(s: string): void {
    const n = s.length;
    let i = 0;
    for (; i + 1 < n; i += 2) this.num(s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
    if (i < n) this.num(s.charCodeAt(i));
    this.num(n | 0x40000000);
  }
}
