/**
 * Host-name helpers: normalisation to lower-case ASCII (IDN → punycode, RFC 3492 via
 * `domainToASCII`), the organisational domain used to decide whether a host belongs to the
 * reporter (the Public Suffix List, through `tldts`), internal-name detection, and the TLD test for
 * bare domains found in prose (hand-written: whether `readme.md` in a sentence is a host is a
 * judgement about prose, not something the suffix list answers).
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { getDomain } from 'tldts';
import { canonicalIp } from '../core/index.js';

export interface HostName {
  /** Lower-case ASCII form. */
  readonly ascii: string;
  /** Unicode form when it differs (an IDN), for display only. */
  readonly unicode?: string;
}

/** Lower-case ASCII host name, or null when `s` is not one (an IP address is not a host name here). */
export function normaliseHost(s: string): HostName | null {
  let h = s.trim().replace(/\.+$/, '');
  if (h === '' || h.length > 253 || canonicalIp(h) !== null) return null;
  if (/[^\x21-\x7e]/.test(h)) {
    const ascii = domainToASCII(h);
    if (ascii === '') return null;
    h = ascii;
  }
  h = h.toLowerCase();
  // Underscores are not legal in host names (RFC 952) but common in HELO names; keep them.
  if (!/^[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/.test(h)) return null;
  if (h.includes('xn--')) {
    const unicode = domainToUnicode(h);
    if (unicode !== '' && unicode !== h) return { ascii: h, unicode };
  }
  return { ascii: h };
}

/** Suffixes that name an internal network (RFC 6762 `.local`, RFC 8375 `home.arpa`, common private TLDs). */
const INTERNAL_TLDS = new Set([
  'local',
  'lan',
  'corp',
  'internal',
  'intranet',
  'localdomain',
  'home',
  'private',
]);

/** Single-label names and names under an internal suffix cannot be resolved from the internet. */
export function isInternalHost(ascii: string): boolean {
  if (!ascii.includes('.')) return true;
  return hasInternalSuffix(ascii);
}

/** A dotted name under an internal suffix (`mgw01.corp.local`): an internal host wherever it is written. */
export function hasInternalSuffix(ascii: string): boolean {
  if (ascii.endsWith('.home.arpa')) return true;
  return ascii.includes('.') && INTERNAL_TLDS.has(ascii.slice(ascii.lastIndexOf('.') + 1));
}

/**
 * The registrable ("organisational") domain of a host, from the Public Suffix List (`tldts`):
 * `mx1.mail.example.co.jp` → `example.co.jp`, `www.city.shibuya.tokyo.jp` → `city.shibuya.tokyo.jp`
 * (Japan's geographic names are public suffixes down to the municipality), `pref.hokkaido.lg.jp`
 * → `hokkaido.lg.jp`. The list's private section is on: a host under a platform that hands out
 * subdomains to its users (`user.github.io`, `foo.web.app`, `bucket.s3.amazonaws.com`) belongs to
 * that user, not to the platform — so a reporter at one such name does not make the whole platform
 * private, and two lures at different users' pages do not share a sender domain. A host that is
 * itself a public suffix (`github.io`, `co.jp`) or has a single label is its own answer.
 */
export function organisationalDomain(ascii: string): string {
  return getDomain(ascii, PSL_OPTIONS) ?? ascii;
}

const PSL_OPTIONS = { allowPrivateDomains: true, extractHostname: false, detectIp: false } as const;

/** True when `host` is `domain` or one of its subdomains. */
export function isWithin(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * Providers whose domain a recipient shares with millions of others: a recipient at one of them
 * says nothing about the reporter's organisation, so the domain stays shareable.
 */
export const MAILBOX_PROVIDERS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'yahoo.co.jp',
  'ymail.com',
  'hotmail.com',
  'hotmail.co.jp',
  'outlook.com',
  'outlook.jp',
  'live.com',
  'live.jp',
  'msn.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'mail.ru',
  'yandex.ru',
  'yandex.com',
  'protonmail.com',
  'proton.me',
  'qq.com',
  '163.com',
  '126.com',
  'naver.com',
  'docomo.ne.jp',
  'ezweb.ne.jp',
  'au.com',
  'softbank.ne.jp',
  'i.softbank.jp',
  'nifty.com',
  'biglobe.ne.jp',
  'ocn.ne.jp',
  'so-net.ne.jp',
  'optonline.net',
  'comcast.net',
  'orange.fr',
  'free.fr',
  'libero.it',
  'zoho.com',
]);

/**
 * Generic TLDs accepted for a bare domain in prose (URLs and addresses need no such test). Every
 * two-letter ccTLD is accepted too, except those that are mostly file extensions.
 */
const GENERIC_TLDS = new Set(
  (
    'com net org info biz edu gov mil int xyz top site online club shop store live icu buzz vip work link ' +
    'click app dev page cloud tech space website fun one pro asia mobi name tel travel jobs cat coop aero ' +
    'museum blog news email digital network systems solutions services support center today world life ' +
    'global group company business agency media studio design host press social rest bar best cam cyou ' +
    'monster quest sbs lol mom bond cfd beauty hair skin homes autos boats yachts motorcycles tokyo osaka ' +
    'nagoya yokohama kyoto okinawa ryukyu jpn bank finance money loan loans credit capital ' +
    'exchange market trade win bid date review party science stream download racing accountant cricket ' +
    'faith men webcam gdn kim ltd ink run fit zone plus tools ninja guru rocks expert academy wiki lat ' +
    'africa amazon google microsoft apple'
  ).split(' '),
);
const FILE_EXTENSION_CCTLDS = new Set([
  'js',
  'py',
  'sh',
  'md',
  'pl',
  'rs',
  'ps',
  'so',
  'cs',
  'gz',
  'db',
  'ts',
]);

/** Whether the last label of a bare domain found in prose looks like a real TLD rather than a file extension. */
export function plausibleTld(tld: string): boolean {
  const t = tld.toLowerCase();
  if (t.startsWith('xn--')) return true;
  if (/^[a-z]{2}$/.test(t)) return !FILE_EXTENSION_CCTLDS.has(t);
  return GENERIC_TLDS.has(t);
}
