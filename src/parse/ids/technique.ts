/**
 * Technique classification of IDS detections, after the annual report's figure 2.3
 * (攻撃手法別検知状況; docs/background.md#observation), which counts detections by technique: Worm
 * (e.g. SQL Slammer on 1434/UDP), Scan, Exploit, DoS, …
 *
 * The mapping is deterministic and uses only the rule's own metadata, in this order:
 *  1. A short list of well-known worm rules by signature id ({@link WORM_SIGNATURE_IDS}): Slammer's
 *     rules do not all say "worm" (sid 2050 is "MS-SQL version overflow attempt", classtype misc-activity).
 *  2. The word `WORM` anywhere in the signature text (case-insensitive, whole word).
 *  3. The rule set's category word — the first word of the message, or the second after an `ET`, `ETPRO`
 *     or `GPL` prefix (`ET SCAN …`, `GPL EXPLOIT …`, Snort's `MALWARE-CNC …`, `INDICATOR-SCAN …`) — split
 *     on `-` and `_`, looked up in {@link SIGNATURE_KEYWORDS}. The category is the rule writer's own
 *     classification, so it outranks other words in the message.
 *  4. Any other word of the message found in {@link SIGNATURE_KEYWORDS}, classes tried in the order of
 *     {@link KEYWORD_PRECEDENCE} (DoS, Scan, Trojan/Backdoor, Exploit, Policy). Words are maximal runs of
 *     ASCII letters and digits compared case-insensitively; `DOS` right after `MS-` (MS-DOS, the operating
 *     system) is not a DoS keyword.
 *  5. The classtype ({@link CLASSTYPE_TECHNIQUE}); unknown or missing classtypes are `Other`.
 */
import type { Technique } from '../../core/index.js';

/** One `config classification:` line of a classification.config file. */
export interface Classification {
  /** The classtype short name rules use (`classtype:attempted-admin;`). */
  readonly shortName: string;
  /** The description Suricata writes to EVE `alert.category` and both tools write to fast.log. */
  readonly description: string;
  /** Default priority (1 high … 4 low). */
  readonly priority: number;
}

/**
 * The classification.config entries shipped with Suricata (OISF/suricata `etc/classification.config`,
 * which carries the Snort 2 list plus the Emerging Threats "Update" block) followed by the four extra
 * entries of Snort 2.9's `etc/classification.config` (sdf, file-format, malware-cnc, client-side-exploit).
 * Descriptions are copied verbatim, including Snort's "Senstive Data" misspelling, because they are
 * what appears in the logs.
 */
export const CLASSIFICATIONS: readonly Classification[] = [
  { shortName: 'not-suspicious', description: 'Not Suspicious Traffic', priority: 3 },
  { shortName: 'unknown', description: 'Unknown Traffic', priority: 3 },
  { shortName: 'bad-unknown', description: 'Potentially Bad Traffic', priority: 2 },
  { shortName: 'attempted-recon', description: 'Attempted Information Leak', priority: 2 },
  { shortName: 'successful-recon-limited', description: 'Information Leak', priority: 2 },
  { shortName: 'successful-recon-largescale', description: 'Large Scale Information Leak', priority: 2 },
  { shortName: 'attempted-dos', description: 'Attempted Denial of Service', priority: 2 },
  { shortName: 'successful-dos', description: 'Denial of Service', priority: 2 },
  { shortName: 'attempted-user', description: 'Attempted User Privilege Gain', priority: 1 },
  { shortName: 'unsuccessful-user', description: 'Unsuccessful User Privilege Gain', priority: 1 },
  { shortName: 'successful-user', description: 'Successful User Privilege Gain', priority: 1 },
  { shortName: 'attempted-admin', description: 'Attempted Administrator Privilege Gain', priority: 1 },
  { shortName: 'successful-admin', description: 'Successful Administrator Privilege Gain', priority: 1 },
  { shortName: 'rpc-portmap-decode', description: 'Decode of an RPC Query', priority: 2 },
  { shortName: 'shellcode-detect', description: 'Executable code was detected', priority: 1 },
  { shortName: 'string-detect', description: 'A suspicious string was detected', priority: 3 },
  { shortName: 'suspicious-filename-detect', description: 'A suspicious filename was detected', priority: 2 },
  {
    shortName: 'suspicious-login',
    description: 'An attempted login using a suspicious username was detected',
    priority: 2,
  },
  { shortName: 'system-call-detect', description: 'A system call was detected', priority: 2 },
  { shortName: 'tcp-connection', description: 'A TCP connection was detected', priority: 4 },
  { shortName: 'trojan-activity', description: 'A Network Trojan was detected', priority: 1 },
  {
    shortName: 'unusual-client-port-connection',
    description: 'A client was using an unusual port',
    priority: 2,
  },
  { shortName: 'network-scan', description: 'Detection of a Network Scan', priority: 3 },
  { shortName: 'denial-of-service', description: 'Detection of a Denial of Service Attack', priority: 2 },
  {
    shortName: 'non-standard-protocol',
    description: 'Detection of a non-standard protocol or event',
    priority: 2,
  },
  { shortName: 'protocol-command-decode', description: 'Generic Protocol Command Decode', priority: 3 },
  {
    shortName: 'web-application-activity',
    description: 'access to a potentially vulnerable web application',
    priority: 2,
  },
  { shortName: 'web-application-attack', description: 'Web Application Attack', priority: 1 },
  { shortName: 'misc-activity', description: 'Misc activity', priority: 3 },
  { shortName: 'misc-attack', description: 'Misc Attack', priority: 2 },
  { shortName: 'icmp-event', description: 'Generic ICMP event', priority: 3 },
  { shortName: 'inappropriate-content', description: 'Inappropriate Content was Detected', priority: 1 },
  { shortName: 'policy-violation', description: 'Potential Corporate Privacy Violation', priority: 1 },
  {
    shortName: 'default-login-attempt',
    description: 'Attempt to login by a default username and password',
    priority: 2,
  },
  // Suricata's "# Update" block (the Emerging Threats additions).
  { shortName: 'targeted-activity', description: 'Targeted Malicious Activity was Detected', priority: 1 },
  { shortName: 'exploit-kit', description: 'Exploit Kit Activity Detected', priority: 1 },
  {
    shortName: 'external-ip-check',
    description: 'Device Retrieving External IP Address Detected',
    priority: 2,
  },
  { shortName: 'domain-c2', description: 'Domain Observed Used for C2 Detected', priority: 1 },
  { shortName: 'pup-activity', description: 'Possibly Unwanted Program Detected', priority: 2 },
  { shortName: 'credential-theft', description: 'Successful Credential Theft Detected', priority: 1 },
  { shortName: 'social-engineering', description: 'Possible Social Engineering Attempted', priority: 2 },
  { shortName: 'coin-mining', description: 'Crypto Currency Mining Activity Detected', priority: 2 },
  {
    shortName: 'command-and-control',
    description: 'Malware Command and Control Activity Detected',
    priority: 1,
  },
  // Snort 2.9 only.
  { shortName: 'sdf', description: 'Senstive Data', priority: 2 },
  { shortName: 'file-format', description: 'Known malicious file or file based exploit', priority: 1 },
  { shortName: 'malware-cnc', description: 'Known malware command and control traffic', priority: 1 },
  { shortName: 'client-side-exploit', description: 'Known client side exploit attempt', priority: 1 },
];

/**
 * Classtype → technique. Decisions:
 * - Scan: reconnaissance — attempted-recon, network-scan, the successful-recon-* information leaks, and
 *   rpc-portmap-decode (portmapper queries enumerate a host's RPC services).
 * - Exploit: privilege-gain attempts and successes, shellcode, web-application-attack, exploit kits,
 *   system-call-detect, default-login/suspicious-login attempts, and Snort's file-format and
 *   client-side-exploit.
 * - DoS: attempted-dos, successful-dos, denial-of-service.
 * - Trojan/Backdoor: trojan-activity, command-and-control, domain-c2, Snort's malware-cnc, and
 *   pup-activity (software on an inside host that phones home).
 * - Policy: policy-violation, inappropriate-content, external-ip-check, Snort's sdf.
 * - Other: everything else, notably misc-activity, misc-attack, bad-unknown, unknown, not-suspicious,
 *   protocol-command-decode, non-standard-protocol, icmp-event, string-detect, tcp-connection,
 *   web-application-activity, targeted-activity, social-engineering, credential-theft and coin-mining:
 *   these name a confidence level or a protocol, not a technique.
 */
export const CLASSTYPE_TECHNIQUE: Readonly<Record<string, Technique>> = {
  'attempted-recon': 'Scan',
  'successful-recon-limited': 'Scan',
  'successful-recon-largescale': 'Scan',
  'network-scan': 'Scan',
  'rpc-portmap-decode': 'Scan',
  'attempted-user': 'Exploit',
  'unsuccessful-user': 'Exploit',
  'successful-user': 'Exploit',
  'attempted-admin': 'Exploit',
  'successful-admin': 'Exploit',
  'shellcode-detect': 'Exploit',
  'web-application-attack': 'Exploit',
  'exploit-kit': 'Exploit',
  'system-call-detect': 'Exploit',
  'default-login-attempt': 'Exploit',
  'suspicious-login': 'Exploit',
  'file-format': 'Exploit',
  'client-side-exploit': 'Exploit',
  'attempted-dos': 'DoS',
  'successful-dos': 'DoS',
  'denial-of-service': 'DoS',
  'trojan-activity': 'Trojan/Backdoor',
  'command-and-control': 'Trojan/Backdoor',
  'domain-c2': 'Trojan/Backdoor',
  'malware-cnc': 'Trojan/Backdoor',
  'pup-activity': 'Trojan/Backdoor',
  'policy-violation': 'Policy',
  'inappropriate-content': 'Policy',
  'external-ip-check': 'Policy',
  sdf: 'Policy',
};

/**
 * Signature words → technique, as rule sets name their categories: `WORM`; ET/GPL `SCAN`; `EXPLOIT` and
 * ET `SHELLCODE`; `DOS` and old Snort `DDOS`; `TROJAN`, `MALWARE`, `BACKDOOR`, Snort's `MALWARE-CNC`
 * (`CNC`), `C2` and ET `BOTCC` (botnet command-and-control lists); `POLICY`.
 */
export const SIGNATURE_KEYWORDS: ReadonlyMap<string, Technique> = new Map<string, Technique>([
  ['WORM', 'Worm'],
  ['SCAN', 'Scan'],
  ['EXPLOIT', 'Exploit'],
  ['SHELLCODE', 'Exploit'],
  ['DOS', 'DoS'],
  ['DDOS', 'DoS'],
  ['TROJAN', 'Trojan/Backdoor'],
  ['MALWARE', 'Trojan/Backdoor'],
  ['BACKDOOR', 'Trojan/Backdoor'],
  ['CNC', 'Trojan/Backdoor'],
  ['C2', 'Trojan/Backdoor'],
  ['BOTCC', 'Trojan/Backdoor'],
  ['POLICY', 'Policy'],
]);

/** Order in which keyword classes are tried when the category word names none (step 4). */
export const KEYWORD_PRECEDENCE: readonly Technique[] = [
  'DoS',
  'Scan',
  'Trojan/Backdoor',
  'Exploit',
  'Policy',
];

/** Message prefixes that name the rule set rather than the category (`ET SCAN …`, `GPL SQL …`). */
const RULESET_PREFIXES: ReadonlySet<string> = new Set(['ET', 'ETPRO', 'GPL']);

/**
 * SQL Slammer (CVE-2002-0649, UDP 1434) rules by signature id: Snort 2 `sql.rules` sid 2003
 * "MS-SQL Worm propagation attempt", 2004 "… OUTBOUND" (both classtype misc-attack) and 2050
 * "MS-SQL version overflow attempt" (misc-activity, the overflow Slammer uses), and their Emerging
 * Threats GPL copies (GPL sid = 2,100,000 + Snort sid: 2102003, 2102004, 2102050).
 */
export const WORM_SIGNATURE_IDS: ReadonlySet<number> = new Set([2003, 2004, 2050, 2102003, 2102004, 2102050]);

const BY_DESCRIPTION: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const c of CLASSIFICATIONS) {
    m.set(c.description.toLowerCase(), c.shortName);
    m.set(c.shortName, c.shortName);
  }
  return m;
})();

/**
 * The classtype short name for a classification description (`Potentially Bad Traffic` →
 * `bad-unknown`), compared case-insensitively and trimmed, because capitalisation differs between
 * rule-set versions. A short name given as-is is returned unchanged. `null` when unknown.
 */
export function classtypeFromDescription(desc: string): string | null {
  return BY_DESCRIPTION.get(desc.trim().toLowerCase()) ?? null;
}

/** Upper-cased words (maximal runs of ASCII letters and digits) of `s[start, end)`. */
function words(s: string, start: number, end: number, out: string[], msDos: boolean[]): void {
  let i = start;
  while (i < end) {
    while (i < end && !isWordChar(s.charCodeAt(i))) i++;
    const w0 = i;
    while (i < end && isWordChar(s.charCodeAt(i))) i++;
    if (i > w0) {
      out.push(s.slice(w0, i).toUpperCase());
      // "MS-DOS" is the operating system, not a denial of service.
      msDos.push(w0 >= 3 && s.charCodeAt(w0 - 1) === 45 && s.slice(w0 - 3, w0 - 1).toUpperCase() === 'MS');
    }
  }
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The rule set's category word of a message: `[start, end)` of `ET SCAN …`'s `SCAN`, `MALWARE-CNC`'s whole. */
function categoryRange(sig: string): [number, number] {
  let a = 0;
  while (a < sig.length && sig.charCodeAt(a) === 32) a++;
  let b = sig.indexOf(' ', a);
  if (b === -1) b = sig.length;
  if (RULESET_PREFIXES.has(sig.slice(a, b))) {
    a = b;
    while (a < sig.length && sig.charCodeAt(a) === 32) a++;
    b = sig.indexOf(' ', a);
    if (b === -1) b = sig.length;
  }
  return [a, b];
}

/** The technique of an IDS detection; see the module comment for the order of the rules. */
export function techniqueOf(input: {
  signature: string;
  classtype: string | null;
  signatureId: number;
}): Technique {
  if (WORM_SIGNATURE_IDS.has(input.signatureId)) return 'Worm';
  const sig = input.signature;
  const all: string[] = [];
  const msDos: boolean[] = [];
  words(sig, 0, sig.length, all, msDos);
  if (all.includes('WORM')) return 'Worm';

  const [ca, cb] = categoryRange(sig);
  const cat: string[] = [];
  const catMsDos: boolean[] = [];
  words(sig, ca, cb, cat, catMsDos);
  for (let i = 0; i < cat.length; i++) {
    const t = SIGNATURE_KEYWORDS.get(cat[i]!);
    if (t !== undefined && !catMsDos[i]) return t;
  }

  for (const cls of KEYWORD_PRECEDENCE) {
    for (let i = 0; i < all.length; i++) {
      if (SIGNATURE_KEYWORDS.get(all[i]!) === cls && !msDos[i]) return cls;
    }
  }

  const ct = input.classtype;
  // hasOwn: a hostile classtype such as `constructor` must not reach Object.prototype.
  if (ct !== null && Object.hasOwn(CLASSTYPE_TECHNIQUE, ct)) return CLASSTYPE_TECHNIQUE[ct]!;
  return 'Other';
}
