/**
 * Snort / Suricata "fast" alert lines (`fast.log`, Snort's `alert_fast`):
 *
 *   08/02/2014-10:50:25.823699  [**] [1:6:1] (null) [**] [Classification: (null)] [Priority: 3] {TCP} a:3000 -> b:56508
 *   08/02-10:50:25.823699  [**] [1:2003:8] MS-SQL Worm propagation attempt [**] [Classification: Misc Attack] [Priority: 2] {UDP} 198.51.100.7:1067 -> 203.0.113.9:1434
 *
 * Layout as Suricata's alert-fastlog.c prints it: time, an optional `[Drop] `/`[wDrop] ` action,
 * `[**] [gid:sid:rev] msg [**] [Classification: description] [Priority: n] {PROTO} src:port -> dst:port`.
 * - Time: `MM/DD/YYYY-` (Suricata), `MM/DD/YY-` (Snort -y) or year-less `MM/DD-` (Snort default; the
 *   context's year, rolled back one year when that would put the alert more than a day after `nowMs`).
 *   The format carries no zone: both tools print local time, read in the context's UTC offset.
 * - Message: `(null)` (a rule without msg) becomes `sid <n>`, never the text "(null)"; Snort 3's quoted
 *   messages lose their quotes.
 * - Classification: the description, mapped to the classtype short name (`(null)` or unknown → null).
 *   Snort omits the block for rules without a classtype.
 * - Protocol: a name (`TCP`, `IPV6-ICMP`) or Suricata's `PROTO:047`.
 * - Addresses: IPv4 or IPv6 (Suricata writes IPv6 in full, `0000:…:0001`), the port after the LAST
 *   colon. TCP, UDP and SCTP lines always carry ports. For ICMP, Suricata prints type and code in the
 *   port positions while Snort prints bare addresses: a token that is a whole address has no number.
 *   For other protocols the numbers Suricata prints are zeros and are dropped.
 * - Suricata's decoder-event lines (`[**] [Raw pkt: …]`, no addresses) are skipped.
 */
import { DAY_MS, type RecordOutcome, reject, skip } from '../core/index.js';
import {
  AddressCanon,
  civilToUtcMs,
  fractionMs,
  idsEvent,
  parseUint,
  protocolNumberOf,
  TechniqueCache,
} from './_ids.js';
import { classtypeFromDescription } from './technique.js';
import type { ParseContext, TextFormat } from './types.js';

const MAX_U32 = 0xffff_ffff;
const SKIP_DECODER_EVENT = skip('fastlog decoder event');
const CLASSIFICATION = '[Classification: ';
const PRIORITY = '[Priority: ';

class FastlogParser {
  private readonly ctx: ParseContext;
  private readonly techniques = new TechniqueCache();
  private readonly addresses = new AddressCanon();
  /** Outputs of {@link endpoint}. */
  private addr = '';
  private num = -1;

  constructor(ctx: ParseContext) {
    this.ctx = ctx;
  }

  /** Time of `line[0, end)`, UTC ms; NaN when malformed. */
  private time(line: string, end: number): number {
    // MM/DD[/YY|/YYYY]-HH:MM:SS[.ffffff]
    if (end < 14 || line.charCodeAt(2) !== 47) return Number.NaN;
    const mo = parseUint(line, 0, 2, 2);
    const d = parseUint(line, 3, 5, 2);
    let y: number;
    let p: number;
    if (line.charCodeAt(5) === 47) {
      const dash = line.indexOf('-', 6);
      if (dash !== 8 && dash !== 10) return Number.NaN;
      y = parseUint(line, 6, dash, 4);
      if (y < 0) return Number.NaN;
      if (dash === 8) y += 2000;
      p = dash + 1;
    } else if (line.charCodeAt(5) === 45) {
      y = -1;
      p = 6;
    } else return Number.NaN;
    if (end < p + 8 || line.charCodeAt(p + 2) !== 58 || line.charCodeAt(p + 5) !== 58) return Number.NaN;
    const h = parseUint(line, p, p + 2, 2);
    const mi = parseUint(line, p + 3, p + 5, 2);
    const sec = parseUint(line, p + 6, p + 8, 2);
    let ms = 0;
    if (end > p + 8) {
      if (line.charCodeAt(p + 8) !== 46) return Number.NaN;
      ms = fractionMs(line, p + 9, end);
    }
    if (mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || ms < 0) return Number.NaN;
    const off = this.ctx.utcOffsetMinutes;
    if (y >= 0) return civilToUtcMs(y, mo, d, h, mi, sec, ms, off);
    const t = civilToUtcMs(this.ctx.year, mo, d, h, mi, sec, ms, off);
    // A year-less date that would lie in the future was written last year (as for syslog).
    if (!(t <= this.ctx.nowMs + DAY_MS)) {
      const before = civilToUtcMs(this.ctx.year - 1, mo, d, h, mi, sec, ms, off);
      if (!Number.isNaN(before)) return before;
    }
    return t;
  }

  /**
   * Splits an address token into `addr` and `num` (-1 when there is none). `portMode`: 2 the number is
   * required (TCP/UDP/SCTP), 1 optional (anything else). False when malformed.
   */
  private endpoint(tok: string, portMode: 1 | 2): boolean {
    if (portMode === 1) {
      const whole = this.addresses.text(tok);
      if (whole !== null) {
        this.addr = whole;
        this.num = -1;
        return true;
      }
    }
    const c = tok.lastIndexOf(':');
    if (c <= 0) return false;
    const a = this.addresses.text(tok.slice(0, c));
    const n = parseUint(tok, c + 1, tok.length, 5);
    if (a === null || n < 0 || n > 65535) return false;
    this.addr = a;
    this.num = n;
    return true;
  }

  parse(line: string): RecordOutcome {
    const sp = line.indexOf(' ');
    if (sp === -1) return reject('truncated line');
    const timeMs = this.time(line, sp);
    if (Number.isNaN(timeMs)) return reject('invalid time');

    // "[**] [gid:sid:rev] " — anything between the time and it is the action ([Drop] / [wDrop]).
    const head = line.indexOf('[**] [', sp);
    if (head === -1) return reject('missing [**] header');
    const idStart = head + 6;
    const idEnd = line.indexOf(']', idStart);
    if (idEnd === -1 || idEnd - idStart > 40) return reject('invalid [gid:sid:rev]');
    const c1 = line.indexOf(':', idStart);
    const c2 = c1 === -1 ? -1 : line.indexOf(':', c1 + 1);
    if (c2 === -1 || c2 > idEnd) return reject('invalid [gid:sid:rev]');
    const gid = parseUint(line, idStart, c1, 10);
    const sid = parseUint(line, c1 + 1, c2, 10);
    const rev = parseUint(line, c2 + 1, idEnd, 10);
    if (gid < 0 || sid < 0 || rev < 0 || gid > MAX_U32 || sid > MAX_U32 || rev > MAX_U32) {
      return reject('invalid [gid:sid:rev]');
    }

    // The message runs to the " [**] " that is followed by the classification or priority block.
    const msgStart = idEnd + 2;
    let msgEnd = line.indexOf(' [**] [', idEnd);
    while (
      msgEnd !== -1 &&
      !line.startsWith(CLASSIFICATION, msgEnd + 6) &&
      !line.startsWith(PRIORITY, msgEnd + 6)
    ) {
      msgEnd = line.indexOf(' [**] [', msgEnd + 1);
    }
    if (msgEnd === -1) return reject('missing priority');
    let ms = msgStart;
    let me = msgEnd;
    if (me - ms >= 2 && line.charCodeAt(ms) === 34 && line.charCodeAt(me - 1) === 34) {
      ms++;
      me--;
    }
    const msg = ms >= me ? '' : line.slice(ms, me);
    const signature = msg === '' || msg === '(null)' ? `sid ${sid}` : msg;

    let p = msgEnd + 6;
    let classtype: string | null = null;
    if (line.startsWith(CLASSIFICATION, p)) {
      const ce = line.indexOf(']', p + CLASSIFICATION.length);
      if (ce === -1) return reject('invalid classification');
      const text = line.slice(p + CLASSIFICATION.length, ce);
      classtype = text === '(null)' ? null : classtypeFromDescription(text);
      p = ce + 2;
    }
    if (!line.startsWith(PRIORITY, p)) return reject('missing priority');
    const pe = line.indexOf(']', p + PRIORITY.length);
    const prio = pe === -1 ? -1 : parseUint(line, p + PRIORITY.length, pe, 3);
    if (prio < 0 || prio > 255) return reject('invalid priority');
    p = pe + 1;

    if (line.startsWith(' [**] [Raw pkt:', p)) return SKIP_DECODER_EVENT;
    // Further blocks before the protocol (Snort 3's "[AppID: http]").
    while (line.charCodeAt(p) === 32 && line.charCodeAt(p + 1) === 91) {
      const be = line.indexOf(']', p + 2);
      if (be === -1) return reject('missing protocol');
      p = be + 1;
    }
    if (line.charCodeAt(p) !== 32 || line.charCodeAt(p + 1) !== 123) return reject('missing protocol');
    const protoEnd = line.indexOf('}', p + 2);
    if (protoEnd === -1 || protoEnd - p > 24) return reject('missing protocol');
    const protocolNumber = protocolNumberOf(line.slice(p + 2, protoEnd));
    if (protocolNumber < 0) return reject('unknown protocol');

    const arrow = line.indexOf(' -> ', protoEnd);
    if (arrow === -1 || line.charCodeAt(protoEnd + 1) !== 32) return reject('missing addresses');
    const dStart = arrow + 4;
    let dEnd = line.indexOf(' ', dStart);
    if (dEnd === -1) dEnd = line.length;
    // Address tokens are at most 45 (IPv6 text) + 2 (brackets) + 6 (":65535") characters.
    if (arrow - protoEnd - 2 > 53 || dEnd - dStart > 53) return reject('invalid address');

    const portMode = protocolNumber === 6 || protocolNumber === 17 || protocolNumber === 132 ? 2 : 1;
    if (!this.endpoint(line.slice(protoEnd + 2, arrow), portMode)) return reject('invalid source address');
    const src = this.addr;
    const srcNum = this.num;
    if (!this.endpoint(line.slice(dStart, dEnd), portMode)) return reject('invalid destination address');
    const dst = this.addr;
    const dstNum = this.num;

    const isIcmp = protocolNumber === 1 || protocolNumber === 58;
    if (isIcmp && (srcNum > 255 || dstNum > 255)) return reject('invalid ICMP type or code');
    const ports = portMode === 2;
    const technique = this.techniques.get(sid, signature, classtype);
    return idsEvent(
      timeMs,
      this.ctx.sensor,
      protocolNumber,
      src,
      dst,
      ports ? srcNum : null,
      ports ? dstNum : null,
      null,
      isIcmp && srcNum >= 0 ? srcNum : null,
      isIcmp && dstNum >= 0 ? dstNum : null,
      null,
      null,
      {
        generatorId: gid,
        signatureId: sid,
        signatureRev: rev,
        signature,
        classtype,
        technique,
        // Snort prints priority 0 for rules without one; that is "unknown", not "highest".
        priority: prio === 0 ? null : prio,
      },
    );
  }
}

export const fastlogFormat: TextFormat = {
  name: 'fastlog',
  kind: 'text',
  create(ctx: ParseContext) {
    const parser = new FastlogParser(ctx);
    return (line: string) => parser.parse(line);
  },
};
