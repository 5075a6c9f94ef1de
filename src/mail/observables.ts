/**
 * Observables in free text: URLs, e-mail addresses, IP addresses and bare domains, after
 * refanging the forms analysts and members use to make indicators unclickable (`hxxp://`,
 * `evil[.]com`, `user[@]host`). Values are canonicalised so that the same indicator reported by
 * two members compares equal: URLs as the WHATWG URL serialiser writes them (host lower-cased and
 * IDNA-encoded, RFC 3492), domains in lower-case ASCII, IPs per RFC 5952.
 */
import { canonicalIp } from '../core/index.js';
import { hasInternalSuffix, normaliseHost, plausibleTld } from './domains.js';
import type { ObservableKind } from './types.js';

export interface Found {
  readonly kind: ObservableKind;
  readonly value: string;
  readonly display?: string;
  readonly defanged: boolean;
}

/** Defanging forms, one alternative each, so that one pass can record where it replaced. */
const DEFANGED =
  /\bh(?:xx|\*\*)p(s?)(?=\[?:\]?\/\/|:\/\/|\[:\/\/\])|\bfxp(s?)(?=:\/\/)|(\[:\/\/\])|(\[:\])|\s?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\})\s?|(\s?(?:\[@\]|\(@\)|\{@\}|\[at\])\s?)/gi;

interface Refanged {
  readonly text: string;
  /** Offsets in `text` where a replacement starts, ascending. */
  readonly marks: readonly number[];
}

function refangMarked(text: string): Refanged {
  const marks: number[] = [];
  let delta = 0;
  const out = text.replace(
    DEFANGED,
    (
      all: string,
      https?: string,
      ftps?: string,
      slashes?: string,
      colon?: string,
      at?: string,
      offset = 0,
    ) => {
      let rep = '.';
      if (https !== undefined) rep = `http${https}`;
      else if (ftps !== undefined) rep = `ftp${ftps}`;
      else if (slashes !== undefined) rep = '://';
      else if (colon !== undefined) rep = ':';
      else if (at !== undefined) rep = '@';
      marks.push(offset + delta);
      delta += rep.length - all.length;
      return rep;
    },
  );
  return { text: out, marks };
}

/** Undoes common defanging. Applied to prose only; a URL in an HTML attribute is taken as written. */
export function refang(text: string): string {
  return refangMarked(text).text;
}

/** Whether a sorted list holds a value in [from, to). */
function anyIn(sorted: readonly number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]! < to;
}

/** Whether `i` falls inside one of the sorted, non-overlapping spans. */
function insideAny(i: number, spans: readonly (readonly [number, number])[]): boolean {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (spans[mid]![0] <= i) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && i < spans[lo - 1]![1];
}

// Hand-written, not `linkify-it` (the hot path, and the domain): it misses URLs whose host is a
// bracketed IPv6 literal (`http://[2001:db8::1]/x`), finds `www.` names only under the TLDs of its
// own short list (not `www.evil.top`, `www.evil.icu` — the new gTLDs phishing favours), reads
// Japanese prose into the path (`https://a.example/xから来た`), and finds URLs 7–10× slower than
// these expressions over 4 MB of text, which every body of every report goes through
// (observables.test.ts holds the three cases). The host may be an IDN (`例え.テスト`), so only CJK
// punctuation ends it; the path is ASCII-only, which ends a URL written straight into Japanese
// prose.
const URL_RE =
  /\b(?:https?|ftps?):\/\/[^\s/?#<>"'`\\\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+(?:[/?#][^\s<>"'`\\\u0080-\uffff]*)?/gi;
const WWW_RE = /(?<![\w./@-])www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:[/?#][^\s<>"'`\\\u0080-\uffff]*)?/gi;
const EMAIL_RE =
  /(?<![\w.%+-])[a-z0-9._%+!#$&'*/=?^`{|}~-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})(?![\w-])/gi;
const IPV4_RE = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\d|\.\d)/g;
const IPV6_RE = /(?<![0-9a-f:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![0-9a-f:])/gi;
const DOMAIN_RE =
  /(?<![\w@./:-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})(?![\w@-]|\.[a-z0-9])/gi;

/** Trailing punctuation that ends a sentence rather than a URL; brackets only when unbalanced. */
function trimUrl(u: string): string {
  let s = u;
  for (;;) {
    const last = s[s.length - 1];
    if (last === undefined) return s;
    if ('.,;:!?\'"*'.includes(last)) s = s.slice(0, -1);
    else if (last === ')' && count(s, '(') < count(s, ')')) s = s.slice(0, -1);
    else if (last === ']' && count(s, '[') < count(s, ']')) s = s.slice(0, -1);
    else if (last === '}' && count(s, '{') < count(s, '}')) s = s.slice(0, -1);
    else return s;
  }
}

/** An ASCII host followed without a space by non-ASCII text ends where the text starts. */
function cutAuthority(u: string): string {
  const m = /^([a-z]+:\/\/)([^/?#]*)/i.exec(u);
  if (!m) return u;
  const auth = m[2]!;
  const cut = auth.search(/[^\x00-\x7f]/);
  if (cut > 0 && /\.[a-z]{2,63}$/i.test(auth.slice(0, cut))) return m[1]! + auth.slice(0, cut);
  return u;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

export interface NormalisedUrl {
  readonly href: string;
  /** Host name (lower-case ASCII) or canonical IP. */
  readonly host: string;
  readonly hostIsIp: boolean;
  readonly display?: string;
}

/** WHATWG-parses an absolute http(s)/ftp URL; null for anything else. */
export function normaliseUrl(text: string): NormalisedUrl | null {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return null;
  }
  if (!['http:', 'https:', 'ftp:', 'ftps:'].includes(u.protocol) || u.hostname === '') return null;
  const bare = u.hostname.replace(/^\[|\]$/g, '');
  const ip = canonicalIp(bare);
  if (ip) return { href: u.href, host: ip, hostIsIp: true };
  const host = normaliseHost(bare);
  if (!host) return null;
  return { href: u.href, host: host.ascii, hostIsIp: false, display: host.unicode };
}

/** Everything found in one piece of prose. `defanged` compares against the text as written. */
export function extractFromText(text: string): Found[] {
  const { text: clean, marks } = refangMarked(text);
  const out: Found[] = [];
  // Linear in the text: defanging is looked up by position, spans by binary search.
  const defanged = (index: number, length: number) => anyIn(marks, index, index + length);
  const urlSpans: [number, number][] = [];
  const addUrl = (raw: string, index: number, prefix = '') => {
    const t = trimUrl(cutAuthority(raw));
    const n = normaliseUrl(prefix + t);
    if (!n) return;
    urlSpans.push([index, index + t.length]);
    out.push({ kind: 'url', value: n.href, defanged: defanged(index, t.length) });
    out.push(hostFound(n, defanged(index, t.length)));
  };
  for (const m of clean.matchAll(URL_RE)) addUrl(m[0], m.index);
  const schemeSpans = urlSpans.slice();
  for (const m of clean.matchAll(WWW_RE)) {
    if (!insideAny(m.index, schemeSpans)) addUrl(m[0], m.index, 'http://');
  }
  urlSpans.sort((p, q) => p[0] - q[0]);
  for (const m of clean.matchAll(EMAIL_RE)) {
    if (insideAny(m.index, urlSpans)) continue;
    const addr = normaliseEmail(m[0]);
    if (!addr) continue;
    const d = defanged(m.index, m[0].length);
    out.push({ kind: 'email', value: addr.address, defanged: d });
    out.push({ kind: 'domain', value: addr.domain, defanged: d });
  }
  for (const m of clean.matchAll(IPV4_RE)) {
    const ip = canonicalIp(m[0]);
    if (ip && !insideAny(m.index, urlSpans))
      out.push({ kind: 'ip', value: ip, defanged: defanged(m.index, m[0].length) });
  }
  for (const m of clean.matchAll(IPV6_RE)) {
    if (!m[0].includes('::') && m[0].split(':').length < 8) continue;
    if (!/[0-9a-f]/i.test(m[0]) || insideAny(m.index, urlSpans)) continue;
    const ip = canonicalIp(m[0]);
    if (ip) out.push({ kind: 'ip', value: ip, defanged: defanged(m.index, m[0].length) });
  }
  for (const m of clean.matchAll(DOMAIN_RE)) {
    if (insideAny(m.index, urlSpans)) continue;
    const tld = m[0].slice(m[0].lastIndexOf('.') + 1);
    // A defanged name is a domain by the writer's own statement; otherwise ask for a real-looking TLD,
    // or an internal suffix: a member's note naming its own host ("mgw01.corp.local") must be found to be kept private.
    const d = defanged(m.index, m[0].length);
    if (!d && !plausibleTld(tld) && !hasInternalSuffix(m[0].toLowerCase())) continue;
    const host = normaliseHost(m[0]);
    if (host) out.push({ kind: 'domain', value: host.ascii, display: host.unicode, defanged: d });
  }
  return out;
}

export function hostFound(n: NormalisedUrl, defanged: boolean): Found {
  return n.hostIsIp
    ? { kind: 'ip', value: n.host, defanged }
    : { kind: 'domain', value: n.host, display: n.display, defanged };
}

/** Lower-cased address with an ASCII domain, or null. */
export function normaliseEmail(text: string): { address: string; domain: string } | null {
  const t = text.trim().replace(/^mailto:/i, '');
  const at = t.lastIndexOf('@');
  if (at <= 0) return null;
  const host = normaliseHost(t.slice(at + 1));
  if (!host) return null;
  return { address: `${t.slice(0, at).toLowerCase()}@${host.ascii}`, domain: host.ascii };
}
