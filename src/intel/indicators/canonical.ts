/**
 * Canonical forms, applied to every value on ingest so that the same indicator reported by two
 * members, typed by an analyst or found in a mail compares equal:
 * - IP addresses: dotted quad; IPv6 per RFC 5952 (lower case, longest zero run as `::`);
 *   IPv4-mapped IPv6 becomes IPv4.
 * - CIDR: network address with host bits cleared; a full-length prefix is a plain address.
 * - Domains: lower-case ASCII, IDN → punycode (RFC 3492 via `domainToASCII`), trailing dot removed.
 * - URLs: WHATWG parsing (scheme and host lower-cased, IDN host, dot segments removed, default
 *   port removed) plus RFC 3986 §6.2.2: percent-encoded unreserved characters decoded, other
 *   percent-encodings in upper-case hex; the fragment is dropped (§3.5: never sent to the server),
 *   and the host loses a trailing dot.
 * - E-mail addresses: wholly lower-cased with an ASCII domain. RFC 5321 §2.4 lets a local part be
 *   case-sensitive, but nearly no provider treats it so, and the e-mail extraction lower-cases it
 *   too — both sides must agree or the same sender would never correlate.
 * - Hashes: lower-case hex; MD5, SHA-1 and SHA-256 told apart by length.
 */
import { canonicalIp, cidrToString, parseCidr } from '../../core/index.js';
import { normaliseHost, refang } from '../../mail/index.js';
import type { IndicatorType } from './types.js';

export interface Canonical {
  readonly type: IndicatorType;
  readonly value: string;
}

/** Longer values are not indicators but payloads (a data: URL, a pasted blob). */
export const MAX_VALUE_CHARS = 8192;

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 §6.2.2.1–2 on an already percent-encoded component. */
function normalisePercent(s: string): string {
  return s.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => {
    const ch = String.fromCharCode(Number.parseInt(h, 16));
    return UNRESERVED.test(ch) ? ch : `%${h.toUpperCase()}`;
  });
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  'http:': '80',
  'https:': '443',
  'ftp:': '21',
  'ftps:': '990',
};

export function canonicalUrl(text: string): string | null {
  const t = text.trim();
  if (t.length === 0 || t.length > MAX_VALUE_CHARS) return null;
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return null;
  }
  if (!(u.protocol in DEFAULT_PORTS)) return null;
  let host = u.hostname;
  if (host.startsWith('[')) {
    const ip = canonicalIp(host);
    if (!ip) return null;
    host = `[${ip}]`;
  } else {
    host = host.replace(/\.+$/, '');
    if (host === '') return null;
    if (canonicalIp(host) === null) {
      const h = normaliseHost(host);
      if (!h) return null;
      host = h.ascii;
    }
  }
  const port = u.port === '' || u.port === DEFAULT_PORTS[u.protocol] ? '' : `:${u.port}`;
  const user =
    u.username || u.password
      ? `${normalisePercent(u.username)}${u.password ? `:${normalisePercent(u.password)}` : ''}@`
      : '';
  const path = normalisePercent(u.pathname === '' ? '/' : u.pathname);
  return `${u.protocol}//${user}${host}${port}${path}${normalisePercent(u.search)}`;
}

export function canonicalDomain(text: string): string | null {
  const h = normaliseHost(text.trim().replace(/\.+$/, ''));
  return h?.ascii.includes('.') ? h.ascii : null;
}

export function canonicalEmail(text: string): string | null {
  const t = text.trim().replace(/^mailto:/i, '');
  const at = t.lastIndexOf('@');
  if (at <= 0 || at > 64 || /\s/.test(t)) return null;
  const domain = canonicalDomain(t.slice(at + 1));
  return domain ? `${t.slice(0, at).toLowerCase()}@${domain}` : null;
}

const HASH_TYPES: Readonly<Record<number, IndicatorType>> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

export function canonicalHash(text: string): Canonical | null {
  const t = text.trim().toLowerCase();
  const type = HASH_TYPES[t.length];
  return type && /^[0-9a-f]+$/.test(t) ? { type, value: t } : null;
}

function ipOrCidr(text: string): Canonical | null {
  const t = text.trim();
  if (!t.includes('/')) {
    const ip = canonicalIp(t);
    if (ip === null) return null;
    return { type: ip.includes(':') ? 'ipv6' : 'ipv4', value: ip };
  }
  const c = parseCidr(t);
  if (!c) return null;
  if (c.prefix === c.bytes.length * 8) return ipOrCidr(t.slice(0, t.indexOf('/')));
  return { type: 'cidr', value: cidrToString(c) };
}

/**
 * The canonical form of a value of a given type, or null when it is not one. Asking for `ipv4`
 * with an IPv6 address, or `md5` with a SHA-256, is an error (null), not a silent retyping.
 */
export function canonicalIndicator(type: IndicatorType, text: string): Canonical | null {
  if (text.length > MAX_VALUE_CHARS) return null;
  switch (type) {
    case 'ipv4':
    case 'ipv6':
    case 'cidr': {
      const c = ipOrCidr(text);
      return c && c.type === type ? c : null;
    }
    case 'domain': {
      const d = canonicalDomain(text);
      return d ? { type, value: d } : null;
    }
    case 'url': {
      const u = canonicalUrl(text);
      return u ? { type, value: u } : null;
    }
    case 'email': {
      const e = canonicalEmail(text);
      return e ? { type, value: e } : null;
    }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const h = canonicalHash(text);
      return h && h.type === type ? h : null;
    }
    default: {
      // Fuzzy keys are built by fuzzy.ts already normalised; only bound them.
      const v = text.trim();
      return v.length > 0 && v.length <= 512 ? { type, value: v } : null;
    }
  }
}

export interface Guessed extends Canonical {
  readonly port?: number;
}

/**
 * What a value typed by a person is: refanged first (`hxxp://`, `evil[.]com`), then read as a
 * hash, URL, CIDR, address (with an optional `:port`), e-mail address or domain, in that order.
 */
export function guessIndicator(text: string): Guessed | null {
  let s = refang(text.trim()).replace(/^[<"'(]+|[>"')]+$/g, '');
  if (s.length === 0 || s.length > MAX_VALUE_CHARS) return null;
  const hash = canonicalHash(s);
  if (hash) return hash;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return canonicalIndicator('url', s);
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(s);
  const v6port = /^\[([0-9a-f:.]+)\]:(\d{1,5})$/i.exec(s);
  const withPort = v4port ?? v6port;
  if (withPort) {
    const ip = ipOrCidr(withPort[1]!);
    const port = Number(withPort[2]);
    return ip && port > 0 && port < 65536 ? { ...ip, port } : null;
  }
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const ip = ipOrCidr(s);
  if (ip) return ip;
  if (s.includes('@')) return canonicalIndicator('email', s);
  return canonicalIndicator('domain', s);
}
