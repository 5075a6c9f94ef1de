/**
 * pf logs as tcpdump prints them from a pflog file (`tcpdump -n -e -ttt -r /var/log/pflog`, as
 * the OpenBSD pf FAQ "Logging" and pflogd(8) show):
 *
 *   Oct 28 14:11:59.244233 rule 0/(match) block in on kue0: 195.234.33.34.6346 > 10.0.0.10.1468:
 *     S 2715316225:2715316225(0) win 16384 <mss 1460,nop,nop,sackOK> (DF)                  (OpenBSD)
 *   2024-01-02 03:04:05.123456 rule 3/0(match): block in on em0: 198.51.100.7.443 >
 *     10.0.0.10.51000: Flags [S.], seq 5, ack 77, win 16384, length 0        (tcpdump.org, FreeBSD)
 *
 * The pflog header (`-e`) is required: without it the line names no rule, action or interface
 * and cannot be told from other tcpdump output. Its shapes (print-pflog.c):
 * - OpenBSD: `rule N[.ruleset.N|.def]/(reason) [[uid U, pid P] ]ACTION DIR on IF: [[uid U, pid P] ]
 *   [[orig src A:P, dst B:P] ]` — the bracketed parts with -v; `rule def/…` for the default rule.
 * - tcpdump.org: `rule N[.ruleset][.N]/R(reason)[ [uid U]][ [ridentifier N]]: ACTION DIR on IF: `,
 *   then with -v on OpenBSD headers `[rewritten: src A:P, src B:P; `. An action the build does not
 *   know prints as `unkn(N)` (a FreeBSD `match` read on Linux is `unkn(12)`).
 * Every action is an event: `block` lines are the unsolicited accesses, but operators also log
 * `pass` and `match` rules, and the event has no field for the decision.
 *
 * Timestamps, including deltas that accumulate from the first absolute time: _tcpdump-time.ts.
 * The packet text: _tcpdump-packet.ts. tcpdump.org's -v prints the IPv4 header on the packet's
 * first line and the addresses on an indented second line; the first line is returned as a skip
 * and its TTL, length and protocol are kept for the second. Further indented lines (the packet an
 * ICMP error quotes, payload decodes) are skipped. A header line whose second line never comes is
 * lost with its skip.
 */
import { type RecordOutcome, type Rejection, type Skip, skip } from '../../core/index.js';
import type { ParseContext, TextFormat } from '../types.js';
import { frozenReject, TcpdumpPacketReader } from './_tcpdump-packet.js';
import { TcpdumpClock, TS_INVALID, TS_NO_DATE, TS_NO_REFERENCE, timestampReason } from './_tcpdump-time.js';

const SKIP_CONTINUATION: Skip = Object.freeze(skip('tcpdump continuation line'));
const SKIP_VERBOSE_HEADER: Skip = Object.freeze(skip('verbose ip header line'));
const R_TS_UNRECOGNISED = frozenReject(timestampReason(-1));
const R_TS_INVALID = frozenReject(timestampReason(TS_INVALID));
const R_TS_NO_REFERENCE = frozenReject(timestampReason(TS_NO_REFERENCE));
const R_TS_NO_DATE = frozenReject(timestampReason(TS_NO_DATE));
const R_NO_HEADER = frozenReject('missing pflog header');
const R_INVALID_HEADER = frozenReject('invalid pflog header');
const R_UNKNOWN_ACTION = frozenReject('unknown pf action');
const R_INVALID_DIRECTION = frozenReject('invalid pf direction');
const R_TRUNCATED = frozenReject('truncated record');
const R_INVALID_VERBOSE = frozenReject('invalid verbose ip header');
/** By the negative result of `header`: -1, -2, -3, -4. */
const HEADER_REJECTIONS: readonly Rejection[] = [
  R_INVALID_HEADER,
  R_UNKNOWN_ACTION,
  R_INVALID_DIRECTION,
  R_TRUNCATED,
];

/** Actions print-pflog.c names (OpenBSD, FreeBSD, NetBSD, Darwin tables). */
const ACTIONS: readonly string[] = [
  'block',
  'pass',
  'match',
  'scrub',
  'noscrub',
  'nat',
  'nonat',
  'binat',
  'nobinat',
  'rdr',
  'nordr',
  'synproxy-drop',
  'defer',
  'divert',
  'rt',
  'afrt',
  'dummynet',
  'nodummynet',
  'nat64',
  'nonat64',
];
const DIRECTIONS: readonly string[] = ['in', 'out', 'in/out', 'fwd'];

/** IPv6 next headers that are extension headers, not the transport (RFC 8200 §4, IANA). */
function isExtensionHeader(n: number): boolean {
  return n === 0 || n === 43 || n === 44 || n === 60 || n === 135 || n === 139 || n === 140;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `[s, e)` is one of `words`, or tcpdump's `unkn(N)` for a value it has no name for. */
function isWord(line: string, s: number, e: number, words: readonly string[]): boolean {
  if (line.startsWith('unkn(', s) && line.charCodeAt(e - 1) === 41) return true;
  for (const w of words) if (w.length === e - s && line.startsWith(w, s)) return true;
  return false;
}

class PfParser {
  private readonly clock: TcpdumpClock;
  private readonly packet = new TcpdumpPacketReader();
  private readonly sensor: string;
  // A tcpdump.org -v IPv4 header waiting for its address line.
  private pending = false;
  private pTimeMs = 0;
  private pTtl = -1;
  private pLen = -1;
  private pProto = -1;
  private numEnd = 0;
  /** Text of the last well-formed header, `rule …` up to the `: ` after the interface. */
  private headerKey = '';

  constructor(ctx: ParseContext) {
    this.clock = new TcpdumpClock(ctx);
    this.sensor = ctx.sensor;
  }

  parse(line: string): RecordOutcome {
    const c = line.charCodeAt(0);
    // Indented lines continue the packet above; ` 00:00:00.000123` is a 4.99 -ttt delta instead.
    if (c === 9 || (c === 32 && !isDigit(line.charCodeAt(1)))) return this.continuation(line);
    this.pending = false;
    const t = this.clock.read(line, 0);
    if (t < 0) {
      if (t === TS_INVALID) return R_TS_INVALID;
      if (t === TS_NO_REFERENCE) return R_TS_NO_REFERENCE;
      return t === TS_NO_DATE ? R_TS_NO_DATE : R_TS_UNRECOGNISED;
    }
    let q: number;
    const key = this.headerKey;
    if (key !== '' && line.startsWith(key, t)) {
      q = this.afterHeader(line, t + key.length);
    } else {
      if (!line.startsWith('rule ', t)) return R_NO_HEADER;
      q = this.header(line, t);
    }
    if (q < 0) return HEADER_REJECTIONS[-q - 1]!;
    if (line.charCodeAt(q) === 40) return this.verbose(line, q);
    return this.packet.read(line, q, this.clock.timeMs, this.sensor, -1, -1, -1);
  }

  /**
   * The pflog header at `t` (`rule …`): returns the index of the packet text, or -1 (malformed),
   * -2 (unknown action), -3 (unknown direction), -4 (nothing after the interface).
   */
  private header(line: string, t: number): number {
    const p = t + 5;
    // `ACTION DIR on IF: ` — the first ` on ` after the rule; rule set names have no spaces.
    const on = line.indexOf(' on ', p);
    if (on === -1) return -1;
    const dirStart = line.lastIndexOf(' ', on - 1) + 1;
    const actEnd = dirStart - 1;
    const actStart = line.lastIndexOf(' ', actEnd - 1) + 1;
    if (actStart <= p) return -1;
    // Before the action: `…(match): ` (tcpdump.org), `…/(match) ` or `…pid P] ` (OpenBSD).
    const before = line.charCodeAt(actStart - 2);
    if (before !== 58 && before !== 41 && before !== 93) return -1;
    const slash = line.indexOf('/', p);
    if (slash === -1 || slash > actStart) return -1;
    if (!isWord(line, actStart, actEnd, ACTIONS)) return -2;
    if (!isWord(line, dirStart, on, DIRECTIONS)) return -3;
    const ifEnd = line.indexOf(': ', on + 4);
    if (ifEnd === -1) return -4;
    const sp = line.indexOf(' ', on + 4);
    if (ifEnd === on + 4 || sp < ifEnd) return -1;
    // Lines of one rule repeat this text: the next such line skips the checks above.
    this.headerKey = line.slice(t, ifEnd + 2);
    return this.afterHeader(line, ifEnd + 2);
  }

  /** The optional parts between the interface and the packet; the index of the packet text. */
  private afterHeader(line: string, q: number): number {
    // OpenBSD -v: `[uid U, pid P] ` and `[orig src A:P, dst B:P] `; tcpdump.org `[rewritten: …; `.
    while (line.charCodeAt(q) === 91) {
      let b: number;
      if (line.startsWith('[uid ', q) || line.startsWith('[orig ', q)) b = line.indexOf('] ', q);
      else if (line.startsWith('[rewritten: ', q)) b = line.indexOf('; ', q);
      else break;
      if (b === -1) return -4;
      q = b + 2;
    }
    // tcpdump.org without -e-style link info names the network layer first.
    if (line.startsWith('IP ', q)) q += 3;
    else if (line.startsWith('IP6 ', q)) q += 4;
    return q;
  }

  /**
   * tcpdump.org -v: `(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)` ends
   * the line (print-ip.c ends it with `)\n    `), or IPv6's `(hlim 64, next-header TCP (6) payload
   * length: 20) ` precedes the addresses on the same line (print-ip6.c).
   */
  private verbose(line: string, q: number): RecordOutcome {
    if (line.startsWith('(tos ', q)) {
      if (line.charCodeAt(line.length - 1) !== 41) return R_INVALID_VERBOSE;
      const ttl = line.indexOf(', ttl ', q);
      const proto = line.indexOf(', proto ', q);
      const len = line.indexOf(', length ', q);
      if (proto === -1 || len === -1) return R_INVALID_VERBOSE;
      const pn = line.indexOf(' (', proto + 8);
      this.pTtl = ttl === -1 ? -1 : this.uint(line, ttl + 6, 255);
      this.pProto = pn === -1 ? -1 : this.uint(line, pn + 2, 255);
      this.pLen = this.uint(line, len + 9, 65535);
      this.pTimeMs = this.clock.timeMs;
      this.pending = true;
      return SKIP_VERBOSE_HEADER;
    }
    if (line.startsWith('(hlim ', q) || line.startsWith('(class ', q) || line.startsWith('(flowlabel ', q)) {
      const pl = line.indexOf('payload length: ', q);
      if (pl === -1) return R_INVALID_VERBOSE;
      let len = this.uint(line, pl + 16, 65535);
      if (len < 0 || !line.startsWith(') ', this.numEnd)) return R_INVALID_VERBOSE;
      const start = this.numEnd + 2;
      len += 40; // the fixed IPv6 header (RFC 8200 §3) is not part of the payload length
      const hl = line.indexOf('hlim ', q);
      const ttl = hl !== -1 && hl < pl ? this.uint(line, hl + 5, 255) : -1;
      const nh = line.indexOf('next-header ', q);
      let proto = -1;
      if (nh !== -1 && nh < pl) {
        const pn = line.indexOf(' (', nh + 12);
        if (pn !== -1 && pn < pl) proto = this.uint(line, pn + 2, 255);
        if (isExtensionHeader(proto)) proto = -1;
      }
      return this.packet.read(line, start, this.clock.timeMs, this.sensor, proto, ttl, len);
    }
    return this.packet.read(line, q, this.clock.timeMs, this.sensor, -1, -1, -1);
  }

  private continuation(line: string): RecordOutcome {
    if (!this.pending) return SKIP_CONTINUATION;
    this.pending = false;
    let q = 0;
    for (let c = line.charCodeAt(0); c === 32 || c === 9; c = line.charCodeAt(++q));
    return this.packet.read(line, q, this.pTimeMs, this.sensor, this.pProto, this.pTtl, this.pLen);
  }

  /** Decimal number at `i` up to `max` (end in numEnd), or -1. */
  private uint(line: string, i: number, max: number): number {
    let v = 0;
    let k = i;
    for (; isDigit(line.charCodeAt(k)) && k - i < 6; k++) v = v * 10 + (line.charCodeAt(k) - 48);
    this.numEnd = k;
    return k === i || v > max ? -1 : v;
  }
}

/** pf logs printed by `tcpdump -n -e` from a pflog file (OpenBSD or tcpdump.org tcpdump). */
export const pfFormat: TextFormat = {
  name: 'pf',
  kind: 'text',
  detect: {
    rank: 4,
    looksLike: (l) => / rule [^ ]+: (block|pass|match)| (block|pass|match) (in|out) on /.test(l),
  },
  create(ctx: ParseContext): (line: string) => RecordOutcome {
    const parser = new PfParser(ctx);
    return (line) => parser.parse(line);
  },
};
