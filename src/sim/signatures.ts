/**
 * IDS rules the simulated sensors' Suricata raises, with their real metadata (gid, sid, rev, msg,
 * and the classification description Suricata writes as `alert.category`, with its priority as
 * `severity`). Sources:
 * - Snort 2.x community rules (2004–2005, as shipped in Debian's `snort-rules-default`): sql.rules
 *   sid 2003 rev 8; icmp.rules sid 469 rev 3; netbios.rules sid 2351 rev 8, 2257 rev 8, 2514 rev 7;
 *   dos.rules sid 1257 rev 9; backdoor.rules sid 2182 rev 8.
 * - Emerging Threats open rules, emerging-scan.rules: 2001219 rev 19, 2001972 rev 18, 2002911 rev 5,
 *   2009582 rev 3 (the threshold comments below are the rules' own `threshold:` options).
 * Classification descriptions and priorities: Snort/Suricata `classification.config`.
 *
 * Worm-outbreak episodes add rules of their own in the local-rule sid range (≥ 1,000,000, which
 * Snort and Suricata reserve for local rules), named `KOBAN-SIM WORM …`.
 */
import type { Technique } from '../core/index.js';

export interface Signature {
  readonly gid: number;
  readonly sid: number;
  readonly rev: number;
  readonly msg: string;
  /** Classification description (EVE `alert.category`). */
  readonly category: string;
  /** Classification priority (EVE `alert.severity`). */
  readonly severity: number;
  /** The technique Koban's classifier assigns (parse/ids/technique.ts); asserted in the tests. */
  readonly technique: Technique;
}

/** Indexes of the built-in rules in {@link BASE_SIGNATURES}. */
export const SIG = {
  /** SQL Slammer, any 1434/UDP datagram starting 0x04 with the worm's code (the annual report's figure 2.3, docs/background.md#observation). */
  SLAMMER: 0,
  /** `flags:S,12; threshold: type both, track by_src, count 5, seconds 120` to 22/TCP. */
  SSH_SCAN: 1,
  /** `flags:S,12; threshold: type both, track by_src, count 20, seconds 360` to 3389/TCP. */
  RDP_SCAN: 2,
  /** `flags:S,12; threshold: type both, track by_src, count 5, seconds 60` to 5800–5820/5900–5920. */
  VNC_SCAN: 3,
  /** `dsize:0; flags:S,12; ack:0; window:1024; fragbits:!D; threshold: type both, track by_dst, count 1, seconds 60`. */
  NMAP_SYN: 4,
  /** Echo request with no data (nmap host discovery). */
  PING_NMAP: 5,
  /** MS03-026 (Blaster) DCOM overflow on 135/TCP. */
  DCOM_OVERFLOW: 6,
  /** MS04-011 (Sasser) LSASS overflow on 445/TCP. */
  LSASS_OVERFLOW: 7,
  /** MS03-043 Messenger service overflow on 135/UDP. */
  MESSENGER_OVERFLOW: 8,
  /** Out-of-band data (URG) to 135–139/TCP. */
  WINNUKE: 9,
  /** SYN with window 55808 (typot trojan). */
  TYPOT: 10,
} as const;

export const BASE_SIGNATURES: readonly Signature[] = [
  {
    gid: 1,
    sid: 2003,
    rev: 8,
    msg: 'MS-SQL Worm propagation attempt',
    category: 'Misc Attack',
    severity: 2,
    technique: 'Worm',
  },
  {
    gid: 1,
    sid: 2001219,
    rev: 19,
    msg: 'ET SCAN Potential SSH Scan',
    category: 'Attempted Information Leak',
    severity: 2,
    technique: 'Scan',
  },
  {
    gid: 1,
    sid: 2001972,
    rev: 18,
    msg: 'ET SCAN Behavioral Unusually fast Terminal Server Traffic, Potential Scan or Infection (Inbound)',
    category: 'Detection of a Network Scan',
    severity: 3,
    technique: 'Scan',
  },
  {
    gid: 1,
    sid: 2002911,
    rev: 5,
    msg: 'ET SCAN Potential VNC Scan 5900-5920',
    category: 'Attempted Information Leak',
    severity: 2,
    technique: 'Scan',
  },
  {
    gid: 1,
    sid: 2009582,
    rev: 3,
    msg: 'ET SCAN NMAP -sS window 1024',
    category: 'Attempted Information Leak',
    severity: 2,
    technique: 'Scan',
  },
  {
    gid: 1,
    sid: 469,
    rev: 3,
    msg: 'ICMP PING NMAP',
    category: 'Attempted Information Leak',
    severity: 2,
    technique: 'Scan',
  },
  {
    gid: 1,
    sid: 2351,
    rev: 8,
    msg: 'NETBIOS DCERPC ISystemActivator path overflow attempt little endian',
    category: 'Attempted Administrator Privilege Gain',
    severity: 1,
    technique: 'Exploit',
  },
  {
    gid: 1,
    sid: 2514,
    rev: 7,
    msg: 'NETBIOS SMB-DS DCERPC LSASS DsRolerUpgradeDownlevelServer exploit attempt',
    category: 'Attempted Administrator Privilege Gain',
    severity: 1,
    technique: 'Exploit',
  },
  {
    gid: 1,
    sid: 2257,
    rev: 8,
    msg: 'NETBIOS DCERPC Messenger Service buffer overflow attempt',
    category: 'Attempted Administrator Privilege Gain',
    severity: 1,
    technique: 'Exploit',
  },
  {
    gid: 1,
    sid: 1257,
    rev: 9,
    msg: 'DOS Winnuke attack',
    category: 'Attempted Denial of Service',
    severity: 2,
    technique: 'DoS',
  },
  {
    gid: 1,
    sid: 2182,
    rev: 8,
    msg: 'BACKDOOR typot trojan traffic',
    category: 'A Network Trojan was detected',
    severity: 1,
    technique: 'Trojan/Backdoor',
  },
];

/** First sid of the simulator's own (local) rules. */
export const LOCAL_SID_BASE = 1_900_001;

/** A worm-outbreak episode's rule. */
export function outbreakSignature(sid: number, family: string): Signature {
  return {
    gid: 1,
    sid,
    rev: 1,
    msg: `KOBAN-SIM WORM ${family} propagation attempt`,
    category: 'Misc Attack',
    severity: 2,
    technique: 'Worm',
  };
}

/**
 * Suricata's `threshold: type both` semantics for one tracked key: alert once when the count is
 * reached within the window, then stay silent until the window (started by the first event) ends.
 */
export class ThresholdTracker {
  private windowStartUs = -1;
  private count = 0;
  private fired = false;

  constructor(
    private readonly count_: number,
    private readonly secondsUs: number,
  ) {}

  /** Counts an event at `tUs`; true when this event raises the alert. */
  hit(tUs: number): boolean {
    if (this.windowStartUs < 0 || tUs - this.windowStartUs >= this.secondsUs) {
      this.windowStartUs = tUs;
      this.count = 0;
      this.fired = false;
    }
    this.count++;
    if (!this.fired && this.count >= this.count_) {
      this.fired = true;
      return true;
    }
    return false;
  }
}
