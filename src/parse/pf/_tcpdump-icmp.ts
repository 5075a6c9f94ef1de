/**
 * ICMP and ICMPv6 type and code from the text tcpdump prints for them. Two printers exist:
 * OpenBSD's tcpdump (usr.sbin/tcpdump/print-icmp.c, print-icmp6.c: `icmp: echo request`,
 * `icmp6: 2001:db8::1 udp port 53 unreachable`) and tcpdump.org's (print-icmp.c, print-icmp6.c:
 * `ICMP echo request, id 1, seq 1, length 64`, `ICMP6, destination unreachable, unreachable port,
 * 2001:db8::99 udp port 53, length 60`). The phrases below are theirs; the numbers are RFC 792 /
 * RFC 1812 §5.2.7.1 (ICMP) and RFC 4443 / RFC 4861 (ICMPv6).
 *
 * An error that names the port it could not reach (`X udp port N unreachable`) also names the
 * packet it quotes: destination X, that protocol and port. Its source is not printed; it is taken
 * to be the error's own destination, to which RFC 792 sends errors (the source of the offending
 * packet). The quoted source port is not printed either and stays null.
 */
import { canonicalIp, protocolFromNumber, type QuotedPacket } from '../../core/index.js';

// ICMPv4 types (RFC 792).
const ECHO_REPLY = 0;
const UNREACH = 3;
const REDIRECT = 5;
const TIME_EXCEEDED = 11;
const PARAM_PROB = 12;
// ICMPv6 types (RFC 4443 §2.1, RFC 4861 §4, RFC 2710, RFC 3810).
const V6_UNREACH = 1;
const V6_TIME_EXCEEDED = 3;
const V6_PARAM_PROB = 4;

/** ICMPv4 messages named by a fixed phrase (type, code). */
const V4_PHRASES: readonly (readonly [string, number, number])[] = [
  ['echo request', 8, 0],
  ['echo reply', ECHO_REPLY, 0],
  ['source quench', 4, 0],
  ['router solicitation', 10, 0],
  ['router advertisement', 9, 0],
  ['time stamp query', 13, 0],
  ['time stamp request', 13, 0],
  ['time stamp reply', 14, 0],
  ['information request', 15, 0],
  ['information reply', 16, 0],
  ['address mask request', 17, 0],
  ['address mask is', 18, 0],
  ['time exceeded in-transit', TIME_EXCEEDED, 0],
  ['ip reassembly time exceeded', TIME_EXCEEDED, 1],
  ['parameter problem - octet', PARAM_PROB, 0],
  ['requested option absent', PARAM_PROB, 1],
  ['bad length', PARAM_PROB, 2],
];

/** Suffixes of `net X unreachable…` (codes 0, 6, 9, 11) and `host X unreachable…` (1, 7, 10, 12–15). */
const NET_SUFFIXES: readonly (readonly [string, number])[] = [
  [' - unknown', 6],
  [' - admin prohibited', 9],
  [' - tos prohibited', 11],
];
const HOST_SUFFIXES: readonly (readonly [string, number])[] = [
  [' - unknown', 7],
  [' - admin prohibited filter', 13],
  [' - admin prohibited', 10],
  [' - tos prohibited', 12],
  [' - host precedence violation', 14],
  [' - precedence cutoff', 15],
];
/** `X unreachable - …` forms (codes 4, 5, 8). */
const ADDR_SUFFIXES: readonly (readonly [string, number])[] = [
  [' unreachable - need to frag', 4],
  [' unreachable - source route failed', 5],
  [' unreachable - source host isolated', 8],
];

/** ICMPv6 messages named by a fixed phrase, both printers' wording (type, code; -1 = not printed). */
const V6_PHRASES: readonly (readonly [string, number, number])[] = [
  ['echo request', 128, 0],
  ['echo reply', 129, 0],
  ['packet too big', 2, 0],
  ['too big', 2, 0],
  ['time exceeded in-transit', V6_TIME_EXCEEDED, 0],
  ['ip6 reassembly time exceeded', V6_TIME_EXCEEDED, 1],
  ['time exceeded reassembly', V6_TIME_EXCEEDED, 1],
  ['multicast listener query', 130, 0],
  ['multicast listener report v2', 143, 0],
  ['multicast listener report', 131, 0],
  ['multicast listener done', 132, 0],
  ['router solicitation', 133, 0],
  ['router advertisement', 134, 0],
  ['neighbor sol', 135, 0],
  ['neighbor adv', 136, 0],
  ['redirect', 137, 0],
  ['router renum', 138, -1],
];

/** Destination unreachable reasons (RFC 4443 §3.1), tcpdump.org's second part and OpenBSD's suffix. */
const V6_UNREACH_CODES: readonly (readonly [string, number])[] = [
  ['unreachable route', 0],
  ['unreachable prohibited', 1],
  ['beyond scope', 2],
  ['unreachable address', 3],
  ['unreachable port', 4],
];

const V6_PARAM_CODES: readonly (readonly [string, number])[] = [
  ['errorneous', 0], // OpenBSD's spelling
  ['erroneous', 0],
  ['next header', 1],
  ['option', 2],
];

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Reads the ICMP part of a line into its fields; one reader per parser (it keeps no line state).
 * The matchers return whether they recognised the text.
 */
export class IcmpText {
  type = -1;
  code = -1;
  quoted: QuotedPacket | null = null;
  private numEnd = 0;

  /**
   * Reads the ICMP text starting at `p` (after `ICMP `, `icmp: `, `ICMP6, ` or `icmp6: `). `outerDst`
   * is the canonical destination of the error itself, taken as the quoted packet's source.
   */
  read(line: string, p: number, v6: boolean, outerDst: string): boolean {
    this.type = -1;
    this.code = -1;
    this.quoted = null;
    return v6 ? this.readV6(line, p, outerDst) : this.readV4(line, p, outerDst);
  }

  private readV4(line: string, p: number, outerDst: string): boolean {
    for (const [phrase, type, code] of V4_PHRASES) {
      if (line.startsWith(phrase, p)) return this.set(type, code);
    }
    if (line.startsWith('net ', p)) return this.unreachSuffix(line, p + 4, 0, NET_SUFFIXES);
    if (line.startsWith('host ', p)) return this.unreachSuffix(line, p + 5, 1, HOST_SUFFIXES);
    if (line.startsWith('time exceeded-#', p)) return this.set(TIME_EXCEEDED, this.uint(line, p + 15, 255));
    if (line.startsWith('redirect', p)) return this.redirect(line, p);
    if (line.startsWith('type-#', p)) return this.set(this.uint(line, p + 6, 255), -1);
    // `#N X unreachable`: an unreachable code tcpdump has no words for.
    if (line.charCodeAt(p) === 35) return this.set(UNREACH, this.uint(line, p + 1, 255));
    const sp = line.indexOf(' ', p);
    if (sp === -1) return false;
    for (const [suffix, code] of ADDR_SUFFIXES) {
      if (line.startsWith(suffix, sp)) return this.set(UNREACH, code);
    }
    return this.portUnreachable(line, p, sp, UNREACH, 3, outerDst, true);
  }

  private readV6(line: string, p: number, outerDst: string): boolean {
    for (const [phrase, type, code] of V6_PHRASES) {
      if (line.startsWith(phrase, p)) return this.set(type, code);
    }
    if (line.startsWith('destination unreachable, ', p)) {
      // tcpdump.org: `destination unreachable, unreachable port, 2001:db8::99 udp port 53`.
      let q = p + 25;
      while (line.charCodeAt(q) === 32) q++;
      this.set(V6_UNREACH, -1);
      for (const [reason, code] of V6_UNREACH_CODES) {
        if (!line.startsWith(reason, q)) continue;
        this.code = code;
        if (code === 4 && line.startsWith(', ', q + reason.length)) {
          const a = q + reason.length + 2;
          const sp = line.indexOf(' ', a);
          if (sp !== -1) this.portUnreachable(line, a, sp, V6_UNREACH, 4, outerDst, false);
        }
        break;
      }
      return true;
    }
    if (line.startsWith('parameter problem', p)) {
      let q = p + 17;
      if (line.charCodeAt(q) === 44) q++;
      while (line.charCodeAt(q) === 32) q++;
      this.set(V6_PARAM_PROB, -1);
      for (const [reason, code] of V6_PARAM_CODES) {
        if (line.startsWith(reason, q)) return this.set(V6_PARAM_PROB, code);
      }
      if (line.startsWith('code-#', q)) this.code = this.uint(line, q + 6, 255);
      return true;
    }
    if (line.startsWith('time exceeded code-#', p)) {
      return this.set(V6_TIME_EXCEEDED, this.uint(line, p + 20, 255));
    }
    if (line.startsWith('type-#', p)) return this.set(this.uint(line, p + 6, 255), -1);
    // OpenBSD: the unreachable address comes first (`2001:db8::99 unreachable route`).
    const sp = line.indexOf(' ', p);
    if (sp === -1) return false;
    for (const [reason, code] of V6_UNREACH_CODES) {
      if (line.startsWith(reason, sp + 1)) return this.set(V6_UNREACH, code);
    }
    if (line.startsWith(' unreachable code-#', sp)) {
      return this.set(V6_UNREACH, this.uint(line, sp + 19, 255));
    }
    return this.portUnreachable(line, p, sp, V6_UNREACH, 4, outerDst, true);
  }

  /** Records the type and code (-1: not known). */
  private set(type: number, code: number): true {
    this.type = type;
    this.code = code;
    return true;
  }

  /** `X unreachable` and the known suffixes after it; `base` is the code without a suffix. */
  private unreachSuffix(
    line: string,
    a: number,
    base: number,
    suffixes: readonly (readonly [string, number])[],
  ) {
    const sp = line.indexOf(' ', a);
    if (sp === -1 || !line.startsWith(' unreachable', sp)) return false;
    for (const [suffix, code] of suffixes) {
      if (line.startsWith(suffix, sp + 12)) return this.set(UNREACH, code);
    }
    return this.set(UNREACH, base);
  }

  /** `redirect X to net Y` (0), `… to host Y` (1), `redirect-tos …` (2, 3), `redirect-#N …`. */
  private redirect(line: string, p: number): boolean {
    if (line.startsWith('redirect-#', p)) return this.set(REDIRECT, this.uint(line, p + 10, 255));
    const tos = line.startsWith('redirect-tos ', p);
    const sp = line.indexOf(' ', p + (tos ? 13 : 9));
    if (sp === -1) return false;
    if (line.startsWith(' to net ', sp)) return this.set(REDIRECT, tos ? 2 : 0);
    if (line.startsWith(' to host ', sp)) return this.set(REDIRECT, tos ? 3 : 1);
    return false;
  }

  /**
   * `X tcp port N unreachable`, `X udp port N unreachable`, `X protocol P port N unreachable`
   * (port unreachable) and, for ICMPv4, `X protocol P unreachable` (code 2). The address is at
   * `[a, sp)`; sets the quoted packet when the text gives its protocol. tcpdump.org's ICMPv6 text
   * has no ` unreachable` after the port (`unreachable port, X udp port N`): `word` is false.
   */
  private portUnreachable(
    line: string,
    a: number,
    sp: number,
    type: number,
    portCode: number,
    src: string,
    word: boolean,
  ): boolean {
    let proto: number;
    let q = sp + 1;
    if (line.startsWith('tcp port ', q)) {
      proto = 6;
      q += 9;
    } else if (line.startsWith('udp port ', q)) {
      proto = 17;
      q += 9;
    } else if (line.startsWith('protocol ', q)) {
      proto = this.uint(line, q + 9, 255);
      if (proto < 0) return false;
      q = this.numEnd;
      if (type === UNREACH && line.startsWith(' unreachable', q)) {
        this.quote(line, a, sp, proto, -1, src);
        return this.set(UNREACH, 2);
      }
      if (!line.startsWith(' port ', q)) return false;
      q += 6;
    } else {
      return false;
    }
    const port = this.uint(line, q, 65535);
    // A service name instead (tcpdump run without -n): the code is still known, the port is not.
    const after = port < 0 ? line.indexOf(' ', q) : this.numEnd;
    if (word && (after === -1 || !line.startsWith(' unreachable', after))) return false;
    this.quote(line, a, sp, proto, port, src);
    return this.set(type, portCode);
  }

  private quote(line: string, a: number, e: number, proto: number, port: number, src: string): void {
    const dst = canonicalIp(line.slice(a, e));
    if (dst === null) return;
    const p = protocolFromNumber(proto);
    const ported = p === 'tcp' || p === 'udp';
    this.quoted = { src, dst, protocol: p, srcPort: null, dstPort: ported && port >= 0 ? port : null };
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
