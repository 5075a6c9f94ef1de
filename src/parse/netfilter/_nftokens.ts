/**
 * The vocabulary of the kernel's netfilter log text (Linux net/netfilter/nf_log_syslog.c):
 * character-level helpers, the protocol names it prints, its TCP flag words and the ICMP types
 * whose body it dumps.
 *
 * Measured on the development machine (Node 20): a `charCodeAt` costs about 2–3 ns, an
 * `indexOf` or `startsWith` call about 12–18 ns plus well under 1 ns per character it passes.
 * So keys longer than a few characters are matched with `startsWith`, token ends are found with
 * `indexOf`, and only digits and the three-letter flag words are read character by character.
 */

/** Index of the first space at or after `i`, or the end of the line. */
export function wordEnd(line: string, i: number): number {
  const e = line.indexOf(' ', i);
  return e === -1 ? line.length : e;
}

export function skipSpaces(line: string, i: number): number {
  while (line.charCodeAt(i) === 32) i++;
  return i;
}

/** Decimal digits in `[s, e)` as a number no larger than `max`, or -1. */
export function parseUint(line: string, s: number, e: number, max: number): number {
  if (e <= s || e - s > 10) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = line.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v > max ? -1 : v;
}

/**
 * IANA number of a `PROTO=` value in `[s, e)`: the names nf_log_syslog.c prints (TCP, UDP,
 * UDPLITE, ICMP, ICMPv6, AH, ESP) or the decimal number it prints for any other protocol; -1 if
 * neither.
 */
export function protocolNumber(line: string, s: number, e: number): number {
  switch (e - s) {
    case 2:
      return line.startsWith('AH', s) ? 51 : parseUint(line, s, e, 255);
    case 3: {
      const a = line.charCodeAt(s);
      const b = line.charCodeAt(s + 1);
      const c = line.charCodeAt(s + 2);
      if (a === 84 && b === 67 && c === 80) return 6; // TCP
      if (a === 85 && b === 68 && c === 80) return 17; // UDP
      if (a === 69 && b === 83 && c === 80) return 50; // ESP
      return parseUint(line, s, e, 255);
    }
    case 4:
      return line.startsWith('ICMP', s) ? 1 : -1;
    case 6:
      return line.startsWith('ICMPv6', s) ? 58 : -1;
    case 7:
      return line.startsWith('UDPLITE', s) ? 136 : -1;
    default:
      return parseUint(line, s, e, 255);
  }
}

/** Protocols whose ports the kernel prints (`SPT=%u DPT=%u`): TCP, UDP, UDP-Lite. */
export function hasPorts(protocol: number): boolean {
  return protocol === 6 || protocol === 17 || protocol === 136;
}

/** TCP_FLAG bit of the three-letter flag word at `i` (nf_log_dump_tcp_header), or 0. */
export function tcpFlagBit(line: string, i: number): number {
  const a = line.charCodeAt(i + 1);
  const b = line.charCodeAt(i + 2);
  switch (line.charCodeAt(i)) {
    case 67: // CWR
      return a === 87 && b === 82 ? 0x80 : 0;
    case 69: // ECE
      return a === 67 && b === 69 ? 0x40 : 0;
    case 85: // URG
      return a === 82 && b === 71 ? 0x20 : 0;
    case 65: // ACK
      return a === 67 && b === 75 ? 0x10 : 0;
    case 80: // PSH
      return a === 83 && b === 72 ? 0x08 : 0;
    case 82: // RST
      return a === 83 && b === 84 ? 0x04 : 0;
    case 83: // SYN
      return a === 89 && b === 78 ? 0x02 : 0;
    case 70: // FIN
      return a === 73 && b === 78 ? 0x01 : 0;
    default:
      return 0;
  }
}

/**
 * The flag words after `DPT=` (from `from`) up to `URGP=`, or to the end of the line (some
 * write-ups drop WINDOW/RES/URGP). -1 when the line records no flag field at all, so a NULL
 * scan, which the kernel writes as `RES=0x00 URGP=0` with no words between, stays 0.
 * `AE` (the accurate-ECN bit) has no place in the flag octet and is ignored; `ACK=` (the
 * acknowledgement number of `--log-tcp-sequence`) is a field, not the flag word.
 */
export function scanTcpFlags(line: string, from: number): number {
  const u = line.indexOf(' URGP=', from);
  if (u === -1) return scanTcpFlagsForward(line, from);
  // nf_log_dump_tcp_header writes the words right before `URGP=`: walk back over them.
  let flags = 0;
  let j = u;
  for (;;) {
    while (j > from && line.charCodeAt(j - 1) === 32) j--;
    if (j - 4 < from || line.charCodeAt(j - 4) !== 32) break;
    const bit = tcpFlagBit(line, j - 3);
    if (bit === 0) break;
    flags |= bit;
    j -= 4;
  }
  return flags;
}

function scanTcpFlagsForward(line: string, from: number): number {
  const n = line.length;
  let flags = 0;
  let seen = false;
  let i = from;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32) {
      i++;
      continue;
    }
    const s = i;
    i = wordEnd(line, i);
    if (i - s === 3) {
      const bit = tcpFlagBit(line, s);
      if (bit !== 0) {
        flags |= bit;
        seen = true;
      }
    } else if (c === 82 && line.startsWith('RES=', s)) {
      seen = true;
    }
  }
  return seen ? flags : -1;
}

/** ICMP types whose body quotes the offending packet: RFC 792 (3, 4, 5, 11, 12), RFC 4443 §3 (1–4). */
export function isIcmpError(protocol: number, type: number): boolean {
  if (protocol === 58) return type >= 1 && type <= 4;
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/**
 * True when the log prefix right before `IN=` at `inIdx` is ufw's `[UFW AUDIT] ` or
 * `[UFW AUDIT INVALID] ` (ufw's before-logging rules, which log a packet before the rule that
 * decides it logs it again).
 */
export function isUfwAudit(line: string, inIdx: number): boolean {
  if (line.charCodeAt(inIdx - 1) !== 32 || line.charCodeAt(inIdx - 2) !== 93) return false;
  const c = line.charCodeAt(inIdx - 3);
  if (c === 84) return inIdx >= 12 && line.startsWith('[UFW AUDIT] ', inIdx - 12);
  if (c === 68) return inIdx >= 20 && line.startsWith('[UFW AUDIT INVALID] ', inIdx - 20);
  return false;
}
