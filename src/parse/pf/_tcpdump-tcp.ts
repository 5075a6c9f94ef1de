/**
 * TCP flags as the two tcpdump printers write them (print-tcp.c of each):
 * - tcpdump.org: `Flags [S.]` — one letter per flag, F S R P U E W for FIN SYN RST PSH URG ECE
 *   CWR, `.` for ACK, `e` for AccECN's AE bit (RFC 9768, outside the flag octet), `none` for none;
 * - OpenBSD: the letters S F R P W E before the sequence numbers, `.` when none of those is set;
 *   ACK shows only as the ` ack N` field and URG as the ` urg N` field after ` win N`.
 * Both return the flag octet of RFC 9293 §3.1 (TCP_FLAG).
 */
import { TCP_FLAG } from '../../core/index.js';

/** tcpdump.org letters from `i` (after `Flags [`) to `]`: the flags, -2 when malformed, -3 when cut. */
export function modernTcpFlags(line: string, i: number): number {
  if (line.startsWith('none]', i)) return 0;
  let f = 0;
  for (let k = i; k < i + 10; k++) {
    if (k >= line.length) return -3;
    switch (line.charCodeAt(k)) {
      case 93: // ]
        return k === i ? -2 : f;
      case 70: // F
        f |= TCP_FLAG.FIN;
        break;
      case 83: // S
        f |= TCP_FLAG.SYN;
        break;
      case 82: // R
        f |= TCP_FLAG.RST;
        break;
      case 80: // P
        f |= TCP_FLAG.PSH;
        break;
      case 46: // .
        f |= TCP_FLAG.ACK;
        break;
      case 85: // U
        f |= TCP_FLAG.URG;
        break;
      case 69: // E
        f |= TCP_FLAG.ECE;
        break;
      case 87: // W
        f |= TCP_FLAG.CWR;
        break;
      case 101: // e
        break;
      default:
        return -2;
    }
  }
  return -2;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * OpenBSD letters at `i`, then the TCP fields up to ` win N` (`S 1:1(0) win 512`, `. ack 2 win 512`,
 * `FP 1:4(3) ack 2 win 512 urg 0`): the flags, or -1 when the text is not shaped like that.
 */
export function openbsdTcpFlags(line: string, i: number): number {
  let f = 0;
  let k = i;
  if (line.charCodeAt(k) === 46) {
    k++;
  } else {
    for (; k < i + 6; k++) {
      const c = line.charCodeAt(k);
      if (c === 83) f |= TCP_FLAG.SYN;
      else if (c === 70) f |= TCP_FLAG.FIN;
      else if (c === 82) f |= TCP_FLAG.RST;
      else if (c === 80) f |= TCP_FLAG.PSH;
      else if (c === 87) f |= TCP_FLAG.CWR;
      else if (c === 69) f |= TCP_FLAG.ECE;
      else break;
    }
  }
  if (k === i || line.charCodeAt(k) !== 32) return -1;
  const w = line.indexOf(' win ', k);
  if (w === -1) return -1;
  // ` ack N` comes right before ` win N`.
  let j = w - 1;
  while (j > k && isDigit(line.charCodeAt(j))) j--;
  if (j < w - 1 && line.startsWith(' ack', j - 4) && j - 4 >= k) f |= TCP_FLAG.ACK;
  let u = w + 5;
  while (isDigit(line.charCodeAt(u))) u++;
  if (line.startsWith(' urg ', u)) f |= TCP_FLAG.URG;
  return f;
}
