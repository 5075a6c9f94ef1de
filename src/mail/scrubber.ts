/**
 * The string-level part of `shareableView`: every value the extraction classified private is
 * replaced wherever it occurs in what is shared — bodies, subject, file names, URL and other
 * indicator values — not only by its domain. Private values are the recipients (the message's
 * own and those of inline-forwarded header blocks), the reporter, every address in a private
 * domain, the private domains, private host names and private IP addresses (internal names, RFC
 * 1918 / ULA ranges, the reporter's own relays), and the names written beside them.
 *
 * Three strengths, by how safe a replacement is on the string:
 * - `everywhere`: whole values (addresses, also URL-, percent- and base64-encoded, as phishing
 *   links carry the victim's address to pre-fill a fake login page; hosts, IPs, domains) and
 *   local parts standing as a whole token, which is safe on indicator values;
 * - `url`: plus recipient names in a URL's path, query and fragment (never its host, where a
 *   name-shaped label would wreck a shared domain);
 * - `prose`: plus local parts and names anywhere (subject, bodies, display and file names).
 * Role mailboxes (RFC 2142 `info`, `support` …) name a function, not a person: their local part is
 * scrubbed in prose only, so a URL path `/support/` survives. Each strength finds all its values
 * in one pass (needles.ts), linear in the text however many recipients a message lists.
 */
import { type Needle, NeedleSet } from './needles.js';
import type { EmailExtraction, RecipientContext } from './types.js';

export const REDACTED_RECIPIENT = '[recipient]';
export const REDACTED_DOMAIN = '[recipient-domain]';
export const REDACTED_HOST = '[private-host]';
export const REDACTED_IP = '[private-ip]';

export interface Scrubber {
  readonly everywhere: (s: string) => string;
  readonly url: (s: string) => string;
  readonly prose: (s: string) => string;
}

/** The private values of a message and of every message attached to it. */
export interface PrivateValues {
  /** Recipients' and reporters' addresses (their local parts are scrubbed too). */
  readonly recipients: Set<string>;
  /** Every private address: the recipients and any address in a private domain. */
  readonly addresses: Set<string>;
  readonly domains: Set<string>;
  readonly names: Set<string>;
  readonly hosts: Set<string>;
  readonly ips: Set<string>;
}

export function privateValuesOf(x: EmailExtraction, into?: PrivateValues): PrivateValues {
  const v = into ?? {
    recipients: new Set(),
    addresses: new Set(),
    domains: new Set(),
    names: new Set(),
    hosts: new Set(),
    ips: new Set(),
  };
  addContext(x.recipients, v);
  for (const o of x.observables) {
    if (o.privacy !== 'private') continue;
    if (o.kind === 'email') v.addresses.add(o.value);
    else if (o.kind === 'ip') v.ips.add(o.value);
    else if (o.kind === 'domain') addHost(o.value, v);
  }
  for (const h of x.headers.received) {
    for (const f of [h.fromHost, h.fromRdns, h.byHost]) if (f?.privacy === 'private') addHost(f.value, v);
    for (const f of [h.relayIp, h.byIp]) if (f?.privacy === 'private') v.ips.add(f.value);
  }
  for (const f of x.headers.xOriginatingIp) if (f.privacy === 'private') v.ips.add(f.value);
  for (const a of x.attachments) if (a.message) privateValuesOf(a.message, v);
  return v;
}

function addContext(c: RecipientContext, v: PrivateValues): void {
  for (const a of c.addresses) {
    v.recipients.add(a);
    v.addresses.add(a);
  }
  for (const d of c.domains) if (d.includes('.')) v.domains.add(d);
  for (const n of c.names) v.names.add(n);
}

/** A single-label name is scrubbed only when it looks like a machine (`exch01`), not a word (`user`). */
function addHost(host: string, v: PrivateValues): void {
  if (host.includes('.') || (host.length >= 4 && /[a-z]/.test(host) && /\d/.test(host))) v.hosts.add(host);
}

/** RFC 2142 mailbox names, and the role names in common use beside them. */
const ROLE_LOCAL_PARTS = new Set([
  'postmaster',
  'hostmaster',
  'webmaster',
  'abuse',
  'noc',
  'security',
  'info',
  'marketing',
  'sales',
  'support',
  'usenet',
  'news',
  'www',
  'uucp',
  'ftp',
  'admin',
  'contact',
  'office',
  'help',
  'service',
  'noreply',
  'no-reply',
  'report',
  'mail',
]);

/** A role mailbox's local part (`info`, `support`): it names a function, not a person. */
export function isRoleLocalPart(local: string): boolean {
  return ROLE_LOCAL_PARTS.has(local.toLowerCase());
}

/** A dot as written in defanged indicators too (`10[.]9[.]9[.]9`, `host(dot)corp`). */
const DOTS = ['.', '[.]', '(.)', '{.}', '[dot]', '(dot)'];

function dotted(value: string): string[] {
  return value.includes('.') ? DOTS.map((d) => value.split('.').join(d)) : [value];
}

const ANY_DOT = String.raw`(?:\.|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\))`;

/** An address-shaped token, its host in group 1 (defanged dots allowed): checked against the private domains. */
const ADDRESS_TOKEN = new RegExp(
  String.raw`(?<![\w.+-])(?:[\w.+-]|%(?!40)[0-9A-Fa-f]{2}){1,64}(?:@|%40)((?:[a-z0-9-]+${ANY_DOT})+[a-z0-9-]+)(?![a-z0-9-])`,
  'gi',
);

const is = (re: RegExp) => (s: string, i: number) => i >= 0 && i < s.length && re.test(s[i]!);
const hostChar = is(/[a-z0-9-]/i);
const digit = is(/\d/);
const wordish = is(/[\w.+-]/);
const letterOrDigit = is(/[\p{L}\p{N}]/u);

/** The address as it appears inside base64 at each of the three alignments (RFC 4648 §4, §5). */
function base64Forms(a: string): string[] {
  const whole = Buffer.from(a, 'latin1').toString('base64');
  const forms = [whole, whole.replace(/=+$/, '')];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.from(`${'\0'.repeat(k)}${a}`, 'latin1')
      .toString('base64')
      .replace(/=+$/, '');
    // Drop the characters that mix in bits of the neighbouring bytes at either end.
    const core = enc.slice([0, 2, 3][k], (k + a.length) % 3 !== 0 ? -1 : undefined);
    if (core.length >= 8) forms.push(core);
  }
  const urlSafe = forms.map((f) => f.replace(/\+/g, '-').replace(/\//g, '_'));
  return [...new Set([...forms, ...urlSafe])];
}

/** "鈴木 花子" is also "鈴木" and "花子"; a Latin token shorter than three letters is too common. */
function nameTokens(names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const n of names) {
    const t = n.trim();
    if (t.length >= 3) out.add(t);
    for (const tok of t.split(/[\s,.'"()<>]+/)) {
      if (tok.length >= 3 || (/[^\x00-\x7f]/.test(tok) && tok.length >= 2)) out.add(tok);
    }
  }
  return out;
}

/** Recipients whose URL- and base64-encoded forms are looked for. */
const MAX_ENCODED_FORMS = 500;

/** A needle replacing its text with `replacement`, where `accept` (if any) agrees. */
const to = (replacement: string, accept?: Needle['accept']) => (text: string) => ({
  text,
  replacement,
  accept,
});

export function scrubberFor(v: PrivateValues): Scrubber {
  const localParts = new Set<string>();
  for (const a of v.recipients) {
    const local = a.slice(0, a.lastIndexOf('@'));
    if (local.length >= 3) localParts.add(local);
  }
  const tokens = nameTokens(v.names);
  const asciiTokens = [...tokens].filter((t) => !/[^\x00-\x7f]/.test(t));
  const otherTokens = [...tokens].filter((t) => /[^\x00-\x7f]/.test(t));
  const addresses = addressNeedles(v);
  const values = valueNeedles(v, localParts);
  // Names anywhere in prose (Japanese has no spaces), after the local parts standing as words.
  const prose = new NeedleSet([
    ...[...tokens].map(to(REDACTED_RECIPIENT)),
    ...[...localParts].map(
      to(REDACTED_RECIPIENT, (s, a, b) => !wordish(s, a - 1) && !/[\w-]/.test(s[b] ?? '')),
    ),
  ]);
  const urlNames = new NeedleSet([
    ...asciiTokens.map(to(REDACTED_RECIPIENT, (s, a, b) => !letterOrDigit(s, a - 1) && !letterOrDigit(s, b))),
    ...[...otherTokens, ...otherTokens.map(encodeURIComponent)].map(to(REDACTED_RECIPIENT)),
  ]);
  const inPrivateDomain = privateDomainTest(v.domains);
  const everywhere = (s: string) => {
    let out = addresses.replace(s);
    if (v.domains.size > 0)
      out = out.replace(ADDRESS_TOKEN, (m, host: string) => (inPrivateDomain(host) ? REDACTED_RECIPIENT : m));
    return values.replace(out);
  };
  return {
    everywhere,
    prose: (s) => prose.replace(everywhere(s)),
    url: (s) => {
      const out = everywhere(s);
      const auth = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(out);
      const cut = auth ? auth[0].length : 0;
      return out.slice(0, cut) + urlNames.replace(out.slice(cut));
    },
  };
}

/**
 * Whole addresses, also encoded as per-recipient tracking links carry them — the encoded forms for
 * the first recipients only: a message listing thousands of them must not build a matcher of
 * hundreds of thousands of needles.
 */
function addressNeedles(v: PrivateValues): NeedleSet {
  const encoded = new Set([...v.recipients].slice(0, MAX_ENCODED_FORMS));
  return new NeedleSet(
    [...v.addresses].flatMap((a) =>
      [a, a.replace('@', '%40'), ...(encoded.has(a) ? [encodeURIComponent(a), ...base64Forms(a)] : [])].map(
        to(REDACTED_RECIPIENT),
      ),
    ),
  );
}

/** Hosts, IPs, domains and local parts standing as a whole token; leftmost-longest, so a host is replaced whole before the private domain it ends in. */
function valueNeedles(v: PrivateValues, localParts: ReadonlySet<string>): NeedleSet {
  return new NeedleSet([
    ...[...v.hosts]
      .filter((h) => !v.domains.has(h))
      .flatMap(dotted)
      .map(
        to(
          REDACTED_HOST,
          (s, a, b) => !hostChar(s, a - 1) && !hostChar(s, b) && !(s[b] === '.' && hostChar(s, b + 1)),
        ),
      ),
    ...[...v.ips].flatMap((ip) =>
      ip.includes(':')
        ? [
            to(
              REDACTED_IP,
              (s, a, b) => !/[0-9a-f:]/i.test(s[a - 1] ?? '') && !/[0-9a-f:]/i.test(s[b] ?? ''),
            )(ip),
          ]
        : dotted(ip).map(
            to(
              REDACTED_IP,
              (s, a, b) =>
                !digit(s, a - 1) && s[a - 1] !== '.' && !digit(s, b) && !(s[b] === '.' && digit(s, b + 1)),
            ),
          ),
    ),
    ...[...v.domains]
      .flatMap(dotted)
      .map(to(REDACTED_DOMAIN, (s, a, b) => !hostChar(s, a - 1) && !hostChar(s, b))),
    ...[...localParts]
      .filter((l) => !isRoleLocalPart(l))
      .map(to(REDACTED_RECIPIENT, (s, a, b) => !wordish(s, a - 1) && s[a - 1] !== '%' && !wordish(s, b))),
  ]);
}

/** Whether a host (written with any dot) lies in a private domain. Private domains all hold a dot (addContext), so the host's last label alone is never one. */
function privateDomainTest(domains: ReadonlySet<string>): (host: string) => boolean {
  const anyDot = new RegExp(ANY_DOT, 'gi');
  return (host) => {
    const labels = host.toLowerCase().replace(anyDot, '.').split('.');
    for (let k = 0; k < labels.length - 1; k++) if (domains.has(labels.slice(k).join('.'))) return true;
    return false;
  };
}
