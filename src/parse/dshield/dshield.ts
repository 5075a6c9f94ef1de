/**
 * The DShield firewall-log submission format (SANS Internet Storm Center, "DShield format" of the
 * client specification at dshield.org/specs.html): one access per line, nine TAB-separated fields
 *
 *   date  userid  count  source IP  source port  target IP  target port  protocol  [TCP flags]
 *   2003-04-23 13:45:12 -05:00	1234	1	198.51.100.7	51234	192.0.2.10	22	6	S
 *
 * as the DShield client framework writes and checks them (framework.pl `validate_dshield`, and
 * fail2ban's action.d/dshield.conf which writes the same line):
 * - date `YYYY-MM-DD HH:MM:SS ±HH:MM` (also `±HHMM`); a date without a zone is read in the
 *   context's offset (the submission mail's subject names the zone for the whole batch);
 * - userid and count: decimal; count > 1 says the line stands for that many identical accesses
 *   (the framework folds syslog's "last message repeated N times" into it);
 * - addresses: IPv4 dotted quad or IPv6. The framework's "obfuscate" option replaces the target's
 *   first octet with 10 (`10.x.y.z`), which is still an address; anything that is not an address
 *   (a masked `10.0.0.x`) is rejected, never guessed;
 * - ports: decimal, or `???` when unknown (fail2ban writes `???` as source port). For ICMP the
 *   source port field carries the ICMP type and the target port field the code (framework.pl's
 *   iptables parser: `$srcpt = TYPE; $dstpt = CODE`; its header comment says the reverse, the
 *   code and psad's documentation agree on type first);
 * - protocol: a number from /etc/protocols or its name (`TCP`, `UDP`, `ICMP`); `???` is unknown
 *   and the line is rejected, since an event needs its protocol;
 * - TCP flags: letters from `12UAPRSF` (framework.pl), Snort's notation where `1` and `2` are the
 *   two bits above URG (Snort's TH_RES1 0x80 = CWR, TH_RES2 0x40 = ECE; RFC 3168). Empty when
 *   not known; ignored for other protocols.
 *
 * Counts: an `ObservationEvent` is one access, so a line with count N yields N identical events
 * (totals stay right). A count above {@link MAX_COUNT} is rejected rather than expanded: no real
 * submission line stands for that many identical accesses, and a hostile one must not exhaust
 * memory. Lines starting with `#` are comments and are skipped.
 */
import {
  canonicalIp,
  ipv4ToString,
  type ObservationEvent,
  parseIPv4,
  protocolFromNumber,
  type Rejection,
  reject,
  type Skip,
  skip,
  TCP_FLAG,
} from '../../core/index.js';
import type { LineOutcome, ParseContext, TextFormat } from '../types.js';

const SKIP_COMMENT: Skip = Object.freeze(skip('comment line'));
const R_MISSING_FIELDS = frozenReject('missing fields');
const R_TOO_MANY_FIELDS = frozenReject('too many fields');
const R_INVALID_DATE = frozenReject('invalid date');
const R_INVALID_USERID = frozenReject('invalid userid');
const R_INVALID_COUNT = frozenReject('invalid count');
const R_COUNT_TOO_LARGE = frozenReject('count too large');
/** Largest count expanded into events. */
export const MAX_COUNT = 10_000;
const R_INVALID_SRC = frozenReject('invalid SRC address');
const R_INVALID_DST = frozenReject('invalid DST address');
const R_INVALID_SPT = frozenReject('invalid SRC port');
const R_INVALID_DPT = frozenReject('invalid DST port');
const R_INVALID_TYPE = frozenReject('invalid ICMP type');
const R_INVALID_CODE = frozenReject('invalid ICMP code');
const R_MISSING_PROTO = frozenReject('missing protocol');
const R_UNKNOWN_PROTO = frozenReject('unknown protocol');
const R_INVALID_FLAGS = frozenReject('invalid TCP flags');

function frozenReject(reason: string): Rejection {
  return Object.freeze(reject(reason));
}

/** Protocol names a submission may carry instead of the number (/etc/protocols, upper or lower case). */
const PROTOCOL_NAMES: readonly (readonly [string, number])[] = [
  ['TCP', 6],
  ['UDP', 17],
  ['ICMP', 1],
  ['ICMPV6', 58],
  ['IPV6-ICMP', 58],
  ['ICMP6', 58],
  ['GRE', 47],
  ['ESP', 50],
  ['AH', 51],
  ['SCTP', 132],
  ['IGMP', 2],
];

/** `12UAPRSF` letters (framework.pl), by char code. */
function flagBit(c: number): number {
  switch (c) {
    case 83: // S
      return TCP_FLAG.SYN;
    case 70: // F
      return TCP_FLAG.FIN;
    case 82: // R
      return TCP_FLAG.RST;
    case 80: // P
      return TCP_FLAG.PSH;
    case 65: // A
      return TCP_FLAG.ACK;
    case 85: // U
      return TCP_FLAG.URG;
    case 49: // 1: Snort's RES1
      return TCP_FLAG.CWR;
    case 50: // 2: Snort's RES2
      return TCP_FLAG.ECE;
    default:
      return -1;
  }
}

/** The flag letters from `from` to the end of the line as TCP flag bits; -1 on a letter that is none. */
function tcpFlagsField(line: string, from: number): number {
  let f = 0;
  for (let i = from; i < line.length; i++) {
    const bit = flagBit(line.charCodeAt(i));
    if (bit < 0) return -1;
    f |= bit;
  }
  return f;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Two ASCII digits at `i` as a number, or -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** Decimal digits in `[s, e)` no larger than `max`, -2 for `???` (unknown), or -1. */
function field(line: string, s: number, e: number, max: number): number {
  if (e - s === 3 && line.startsWith('???', s)) return -2;
  if (e <= s || e - s > 10) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = line.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v > max ? -1 : v;
}

class DshieldParser {
  private readonly sensor: string;
  private readonly offsetMs: number;
  // The last date field and its UTC time: a batch repeats its seconds.
  private dateKey = '';
  private dateMs = 0;
  // Last address texts and their canonical forms.
  private srcRaw = '';
  private srcVal = '';
  private dstRaw = '';
  private dstVal = '';

  constructor(ctx: ParseContext) {
    this.sensor = ctx.sensor;
    this.offsetMs = ctx.utcOffsetMinutes * 60_000;
  }

  parse(line: string): LineOutcome {
    if (line.charCodeAt(0) === 35) return SKIP_COMMENT;
    const t0 = line.indexOf('\t');
    const t1 = t0 === -1 ? -1 : line.indexOf('\t', t0 + 1);
    const t2 = t1 === -1 ? -1 : line.indexOf('\t', t1 + 1);
    const t3 = t2 === -1 ? -1 : line.indexOf('\t', t2 + 1);
    const t4 = t3 === -1 ? -1 : line.indexOf('\t', t3 + 1);
    const t5 = t4 === -1 ? -1 : line.indexOf('\t', t4 + 1);
    const t6 = t5 === -1 ? -1 : line.indexOf('\t', t5 + 1);
    if (t6 === -1) return R_MISSING_FIELDS;
    // The flags field is optional: 8 or 9 fields.
    let t7 = line.indexOf('\t', t6 + 1);
    if (t7 === -1) t7 = line.length;
    else if (line.indexOf('\t', t7 + 1) !== -1) return R_TOO_MANY_FIELDS;

    const timeMs = this.date(line, t0);
    if (Number.isNaN(timeMs)) return R_INVALID_DATE;
    if (field(line, t0 + 1, t1, 9_999_999_999) < 0) return R_INVALID_USERID;
    const count = field(line, t1 + 1, t2, 999_999_999);
    if (count < 1) return R_INVALID_COUNT;
    if (count > MAX_COUNT) return R_COUNT_TOO_LARGE;

    const src = this.address(line, t2 + 1, t3, false);
    if (src === null) return R_INVALID_SRC;
    const dst = this.address(line, t4 + 1, t5, true);
    if (dst === null) return R_INVALID_DST;

    const proto = this.protocol(line, t6 + 1, t7);
    if (proto < 0) return proto === -2 ? R_MISSING_PROTO : R_UNKNOWN_PROTO;

    // ICMP puts its type and code in the port fields.
    const icmp = proto === 1 || proto === 58;
    const sp = field(line, t3 + 1, t4, icmp ? 255 : 65535);
    if (sp === -1) return icmp ? R_INVALID_TYPE : R_INVALID_SPT;
    const dp = field(line, t5 + 1, t6, icmp ? 255 : 65535);
    if (dp === -1) return icmp ? R_INVALID_CODE : R_INVALID_DPT;
    // Ports mean something for the transports that have them only.
    const ported = proto === 6 || proto === 17 || proto === 132 || proto === 33;
    const flags = proto === 6 && t7 + 1 < line.length ? tcpFlagsField(line, t7 + 1) : -2;
    if (flags === -1) return R_INVALID_FLAGS;

    const event: ObservationEvent = {
      timeMs,
      sensor: this.sensor,
      kind: 'firewall',
      protocol: protocolFromNumber(proto),
      protocolNumber: proto,
      src,
      dst,
      srcPort: ported && sp >= 0 ? sp : null,
      dstPort: ported && dp >= 0 ? dp : null,
      tcpFlags: flags >= 0 ? flags : null,
      icmpType: icmp && sp >= 0 ? sp : null,
      icmpCode: icmp && dp >= 0 ? dp : null,
      length: null,
      ttl: null,
      ipId: null,
      ids: null,
      payload: null,
      quoted: null,
    };
    if (count === 1) return event;
    return new Array<ObservationEvent>(count).fill(event);
  }

  /** `YYYY-MM-DD HH:MM:SS[ ±HH:MM | ±HHMM | Z]` in `[0, e)` as UTC ms, or NaN. */
  private date(line: string, e: number): number {
    const key = this.dateKey;
    if (key.length === e && line.startsWith(key)) return this.dateMs;
    const yh = two(line, 0);
    const yl = two(line, 2);
    const y = yh < 0 || yl < 0 ? -1 : yh * 100 + yl;
    const mo = two(line, 5);
    const d = two(line, 8);
    const h = two(line, 11);
    const mi = two(line, 14);
    const s = two(line, 17);
    const sep = line.charCodeAt(10);
    if (
      e < 19 ||
      y < 0 ||
      mo < 1 ||
      mo > 12 ||
      d < 1 ||
      h < 0 ||
      h > 23 ||
      mi < 0 ||
      mi > 59 ||
      s < 0 ||
      s > 59 ||
      line.charCodeAt(4) !== 45 ||
      line.charCodeAt(7) !== 45 ||
      (sep !== 32 && sep !== 84) ||
      line.charCodeAt(13) !== 58 ||
      line.charCodeAt(16) !== 58 ||
      d > daysInMonth(y, mo - 1)
    ) {
      return Number.NaN;
    }
    let off = this.offsetMs;
    let i = 19;
    if (line.charCodeAt(i) === 32) i++;
    if (i < e) {
      const c = line.charCodeAt(i);
      if (c === 90 && i + 1 === e) {
        off = 0;
      } else if (c === 43 || c === 45) {
        const colon = line.charCodeAt(i + 3) === 58 ? 1 : 0;
        const oh = two(line, i + 1);
        const om = two(line, i + 3 + colon);
        if (oh < 0 || om < 0 || oh > 14 || om > 59 || i + 5 + colon !== e) return Number.NaN;
        off = (c === 45 ? -1 : 1) * (oh * 60 + om) * 60_000;
      } else {
        return Number.NaN;
      }
    } else if (i !== e) {
      return Number.NaN;
    }
    const ms = Date.UTC(y, mo - 1, d, h, mi, s) - off;
    this.dateKey = line.slice(0, e);
    this.dateMs = ms;
    return ms;
  }

  /** Canonical address text of `[s, e)`, or null. */
  private address(line: string, s: number, e: number, isDst: boolean): string | null {
    const raw = isDst ? this.dstRaw : this.srcRaw;
    if (raw.length === e - s && line.startsWith(raw, s)) return isDst ? this.dstVal : this.srcVal;
    let val: string | null;
    const colon = line.indexOf(':', s);
    if (colon !== -1 && colon < e) {
      val = canonicalIp(line.slice(s, e));
    } else {
      const n = parseIPv4(line, s, e);
      val = n < 0 ? null : ipv4ToString(n);
    }
    if (val === null) return null;
    if (isDst) {
      this.dstRaw = line.slice(s, e);
      this.dstVal = val;
    } else {
      this.srcRaw = line.slice(s, e);
      this.srcVal = val;
    }
    return val;
  }

  /** Protocol number of `[s, e)`: digits or a name; -2 when unknown (`???`, empty), -1 when not one. */
  private protocol(line: string, s: number, e: number): number {
    const n = field(line, s, e, 255);
    if (n >= 0) return n;
    if (n === -2 || e === s) return -2;
    for (const [name, num] of PROTOCOL_NAMES) {
      if (name.length !== e - s) continue;
      let ok = true;
      for (let i = 0; i < name.length && ok; i++) {
        // ASCII case-insensitive: clear bit 5 of letters only.
        let c = line.charCodeAt(s + i);
        if (c >= 97 && c <= 122) c -= 32;
        ok = c === name.charCodeAt(i);
      }
      if (ok) return num;
    }
    return -1;
  }
}

/** DShield submission lines (tab-separated; see the file comment for the fields). */
export const dshieldFormat: TextFormat<LineOutcome> = {
  name: 'dshield',
  kind: 'text',
  detect: { rank: 5, looksLike: (l) => l.split('\t').length >= 8 && l.split('\t').length <= 9 },
  create(ctx: ParseContext): (line: string) => LineOutcome {
    const parser = new DshieldParser(ctx);
    return (line) => parser.parse(line);
  },
};
