import { describe, expect, it } from 'vitest';
import { TECHNIQUES } from '../../core/index.js';
import {
  CLASSIFICATIONS,
  CLASSTYPE_TECHNIQUE,
  classtypeFromDescription,
  SIGNATURE_KEYWORDS,
  techniqueOf,
} from './technique.js';

const t = (signature: string, classtype: string | null = null, signatureId = 1) =>
  techniqueOf({ signature, classtype, signatureId });

describe('classtypeFromDescription', () => {
  it('maps the descriptions Suricata writes to EVE alert.category to their short names', () => {
    expect(classtypeFromDescription('Potentially Bad Traffic')).toBe('bad-unknown');
    expect(classtypeFromDescription('Attempted Administrator Privilege Gain')).toBe('attempted-admin');
    expect(classtypeFromDescription('Detection of a Network Scan')).toBe('network-scan');
    expect(classtypeFromDescription('A Network Trojan was detected')).toBe('trojan-activity');
    expect(classtypeFromDescription('Misc Attack')).toBe('misc-attack');
    expect(classtypeFromDescription('Malware Command and Control Activity Detected')).toBe(
      'command-and-control',
    );
    expect(classtypeFromDescription('Known malware command and control traffic')).toBe('malware-cnc');
  });

  it('ignores case and surrounding spaces, since rule-set versions capitalise differently', () => {
    expect(classtypeFromDescription('A Network Trojan was Detected')).toBe('trojan-activity');
    expect(classtypeFromDescription('  misc activity ')).toBe('misc-activity');
  });

  it('returns a short name given as-is and null for anything unknown', () => {
    expect(classtypeFromDescription('attempted-recon')).toBe('attempted-recon');
    expect(classtypeFromDescription('(null)')).toBeNull();
    expect(classtypeFromDescription('constructor')).toBeNull();
    expect(classtypeFromDescription('')).toBeNull();
  });

  it('has one entry per short name and per description', () => {
    const names = CLASSIFICATIONS.map((c) => c.shortName);
    const descs = CLASSIFICATIONS.map((c) => c.description.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(descs).size).toBe(descs.length);
    expect(CLASSIFICATIONS).toHaveLength(47);
    for (const c of CLASSIFICATIONS) expect(classtypeFromDescription(c.description)).toBe(c.shortName);
  });

  it('maps classtypes only to known techniques and only from known classtypes', () => {
    const names = new Set(CLASSIFICATIONS.map((c) => c.shortName));
    for (const [ct, tech] of Object.entries(CLASSTYPE_TECHNIQUE)) {
      expect(names.has(ct)).toBe(true);
      expect(TECHNIQUES).toContain(tech);
    }
    for (const tech of SIGNATURE_KEYWORDS.values()) expect(TECHNIQUES).toContain(tech);
  });
});

describe('techniqueOf', () => {
  it('classifies the SQL Slammer rules as Worm, including sid 2050 which never says "worm"', () => {
    // Snort 2 sql.rules: messages and classtypes as shipped.
    expect(t('MS-SQL Worm propagation attempt', 'misc-attack', 2003)).toBe('Worm');
    expect(t('MS-SQL Worm propagation attempt OUTBOUND', 'misc-attack', 2004)).toBe('Worm');
    expect(t('MS-SQL version overflow attempt', 'misc-activity', 2050)).toBe('Worm');
    expect(t('GPL SQL Slammer Worm propagation attempt', 'misc-attack', 2102003)).toBe('Worm');
    expect(t('GPL SQL version overflow attempt', 'misc-activity', 2102050)).toBe('Worm');
  });

  it('classifies any rule with the word worm as Worm, whatever else it says', () => {
    expect(t('ET WORM Possible Worm Sohanad.Z or Other Infection Request', 'trojan-activity')).toBe('Worm');
    expect(t('ET TROJAN Conficker worm callback', 'trojan-activity')).toBe('Worm');
    expect(t('ET SCAN worm-like sweep', null)).toBe('Worm');
  });

  it('reads the rule-set category after ET, ETPRO and GPL prefixes', () => {
    expect(t('ET SCAN Potential SSH Scan', 'attempted-recon')).toBe('Scan');
    expect(t('GPL SCAN nmap XMAS', 'attempted-recon')).toBe('Scan');
    expect(t('ET EXPLOIT MS04-011 Lsasrv.dll RPC exploit (WinXP)', 'misc-attack')).toBe('Exploit');
    expect(t('ET DOS Possible SYN flood', 'attempted-dos')).toBe('DoS');
    expect(t('ET TROJAN Smoke Loader Checkin r=gate', 'trojan-activity')).toBe('Trojan/Backdoor');
    expect(t('ET MALWARE AskSearch Spyware User-Agent', 'pup-activity')).toBe('Trojan/Backdoor');
    expect(t('ETPRO TROJAN Win32.Sality.bh Checkin 2', null)).toBe('Trojan/Backdoor');
    expect(t('ET POLICY DNS Query to .bit TLD', 'bad-unknown')).toBe('Policy');
    expect(t('ET SHELLCODE Bindshell2 Decoder Shellcode', 'shellcode-detect')).toBe('Exploit');
    expect(t('ET BOTCC Known Bot C&C Server Traffic group 1', 'trojan-activity')).toBe('Trojan/Backdoor');
  });

  it('reads Snort category words such as MALWARE-CNC, INDICATOR-SCAN and old Snort DDOS or BACKDOOR', () => {
    expect(t('MALWARE-CNC Win.Trojan.Zeus outbound connection', 'trojan-activity')).toBe('Trojan/Backdoor');
    expect(t('INDICATOR-SCAN UPnP service discover attempt', 'network-scan')).toBe('Scan');
    expect(t('DDOS mstream client to handler', 'attempted-dos')).toBe('DoS');
    expect(t('BACKDOOR Q access', 'misc-activity')).toBe('Trojan/Backdoor');
    expect(t('POLICY-OTHER Adobe ColdFusion admin interface access attempt', 'policy-violation')).toBe(
      'Policy',
    );
    expect(t('EXPLOIT-KIT Angler exploit kit landing page', 'trojan-activity')).toBe('Exploit');
  });

  it('lets the category word outrank other keywords in the message', () => {
    expect(t('ET SCAN Metasploit exploit module probe', null)).toBe('Scan');
    expect(t('ET POLICY outbound scan of port 445', null)).toBe('Policy');
    expect(t('ET EXPLOIT Possible DoS via malformed header', null)).toBe('Exploit');
  });

  it('falls back to keywords anywhere in the order DoS, Scan, Trojan/Backdoor, Exploit, Policy', () => {
    expect(t('ET INFO Possible DoS and Scan', null)).toBe('DoS');
    expect(t('ET INFO Possible Scan with exploit', null)).toBe('Scan');
    expect(t('SERVER-WEBAPP backdoor exploit attempt', null)).toBe('Trojan/Backdoor');
    expect(t('OS-WINDOWS SMB exploit attempt', 'attempted-admin')).toBe('Exploit');
    expect(t('ET INFO content security policy header', null)).toBe('Policy');
    expect(t('ET CURRENT_EVENTS Possible C2 beacon', null)).toBe('Trojan/Backdoor');
  });

  it('matches whole words only and does not read MS-DOS as a denial of service', () => {
    expect(t('ET INFO MS-DOS executable download', null)).toBe('Other');
    expect(t('MS-DOS ATTRIB command', 'attempted-user')).toBe('Exploit');
    expect(t('ET INFO Scanner software', null)).toBe('Other');
    expect(t('ET INFO dose of doses', null)).toBe('Other');
  });

  it('uses the classtype when the signature names no technique', () => {
    expect(t('GPL ATTACK_RESPONSE id check returned root', 'bad-unknown')).toBe('Other');
    expect(t('OS-WINDOWS Microsoft Windows SMB remote code execution attempt', 'attempted-admin')).toBe(
      'Exploit',
    );
    expect(t('ICMP PING NMAP', 'attempted-recon')).toBe('Scan');
    expect(t('SERVER-OTHER amplification', 'attempted-dos')).toBe('DoS');
    expect(t('PUA-ADWARE something', 'command-and-control')).toBe('Trojan/Backdoor');
    expect(t('CHAT IRC message', 'policy-violation')).toBe('Policy');
    expect(t('ICMP PING', 'misc-activity')).toBe('Other');
    expect(t('anything', 'constructor')).toBe('Other');
    expect(t('', null)).toBe('Other');
  });

  it('is deterministic: the same input always gives the same class', () => {
    const inputs = ['ET SCAN x', 'MS-SQL version overflow attempt', 'GPL EXPLOIT ntpdx overflow', 'x'];
    const first = inputs.map((s) => t(s, 'misc-activity', 7));
    for (let i = 0; i < 3; i++) expect(inputs.map((s) => t(s, 'misc-activity', 7))).toEqual(first);
  });
});
