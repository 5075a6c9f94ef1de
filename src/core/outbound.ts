/**
 * Outbound HTTP to addresses someone else chose (members' webhooks, the operator's notification
 * webhooks): one guard against server-side request forgery, shared by every sender.
 *
 * - `outboundUrlProblem` checks a URL without DNS: http(s) only (http when allowed), no
 *   credentials, and no internal name or address literal — `localhost` and `*.localhost`
 *   (RFC 6761 §6.3), `*.internal` (reserved for private use by ICANN, 2024; cloud metadata lives
 *   at `metadata.google.internal`), `*.local` (mDNS, RFC 6762), `*.home.arpa` (RFC 8375), other
 *   `.arpa` names, single-label names, and loopback, private, link-local, CGNAT, unique-local,
 *   multicast or otherwise reserved literals. A trailing dot is the same name (`localhost.`), and
 *   the WHATWG URL parser has already turned decimal, octal and hex IPv4 forms into a dotted quad.
 * - `postGuarded` resolves the name at send time, refuses when ANY of its addresses is internal (a
 *   name such as `10.0.0.1.nip.io` passes the first check and resolves inside), and connects to
 *   exactly the addresses it checked — through the socket's own `lookup`, so the TLS server name
 *   and the Host header stay the name while a second resolution (a DNS rebinding between check
 *   and connect) can never happen. Redirects are never followed.
 *
 * `allowPrivate` turns the address and name checks off (tests, closed networks); the scheme and
 * credential checks stay.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { cidrContains, ipv4Scope, ipv6Scope, parseCidr, parseIPv4, parseIPv6 } from './ip.js';

export interface TargetPolicy {
  /** Plain `http://` targets too (default: https only). */
  readonly allowHttp?: boolean;
  /** Internal names and addresses too (tests, closed networks; default false). */
  readonly allowPrivate?: boolean;
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Every address a name resolves to (a test gives its own). */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** Named special-purpose blocks, for messages that say what an address is (IANA registries). */
const NAMED_BLOCKS: readonly (readonly [cidr: string, name: string])[] = [
  ['0.0.0.0/8', 'an unspecified ("this network")'],
  ['127.0.0.0/8', 'a loopback'],
  ['10.0.0.0/8', 'a private (RFC 1918)'],
  ['172.16.0.0/12', 'a private (RFC 1918)'],
  ['192.168.0.0/16', 'a private (RFC 1918)'],
  ['100.64.0.0/10', 'a shared CGNAT (RFC 6598)'],
  ['169.254.0.0/16', 'a link-local (cloud metadata)'],
  ['224.0.0.0/4', 'a multicast'],
  ['255.255.255.255/32', 'the broadcast'],
  ['::/128', 'the unspecified'],
  ['::1/128', 'the loopback'],
  ['fc00::/7', 'a unique-local'],
  ['fe80::/10', 'a link-local'],
  ['ff00::/8', 'a multicast'],
];
const PARSED_BLOCKS = NAMED_BLOCKS.map(([c, name]) => ({ cidr: parseCidr(c)!, name }));

function blockName(bytes: Uint8Array, fallback: string): string {
  for (const b of PARSED_BLOCKS) if (cidrContains(b.cidr, bytes)) return b.name;
  return fallback;
}

/**
 * Why an address may not be a target, or null for a public unicast address. IPv6 forms that carry
 * an IPv4 address — mapped (`::ffff:a.b.c.d`), NAT64 (64:ff9b::/96, RFC 6052) and 6to4 (2002::/16,
 * RFC 3056) — are judged by the IPv4 address they reach.
 */
export function internalAddressProblem(address: string): string | null {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!text.includes(':')) {
    const n = parseIPv4(text);
    if (n < 0) return `${address} is not an IP address`;
    const scope = ipv4Scope(n);
    if (scope === 'public') return null;
    const bytes = new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    return `${text} is ${blockName(bytes, `a ${scope}`)} address`;
  }
  const b = parseIPv6(text);
  if (!b) return `${address} is not an IP address`;
  const embedded = embeddedIPv4(b);
  if (embedded !== null) {
    const inner = internalAddressProblem(embedded);
    return inner === null ? null : `${text} reaches ${inner}`;
  }
  const scope = ipv6Scope(b);
  return scope === 'public' ? null : `${text} is ${blockName(b, `a ${scope}`)} address`;
}

function embeddedIPv4(b: Uint8Array): string | null {
  const quad = (i: number) => `${b[i]}.${b[i + 1]}.${b[i + 2]}.${b[i + 3]}`;
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return quad(12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return quad(12);
  if (b[0] === 0x20 && b[1] === 0x02) return quad(2);
  return null;
}

const INTERNAL_SUFFIXES = ['localhost', 'internal', 'local', 'home.arpa', 'arpa', 'localdomain'];

/** The host of a URL as a name to resolve or an address literal (brackets and a trailing dot removed). */
export function targetHost(u: URL): string {
  return u.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

/** Why this URL may not be a target (without DNS), or null. */
export function outboundUrlProblem(raw: string, policy: TargetPolicy = {}): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return `"${raw.slice(0, 200)}" is not a URL`;
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && policy.allowHttp))
    return `${u.protocol} is not allowed; use https://`;
  if (u.username || u.password) return 'credentials in the URL are not allowed';
  const host = targetHost(u);
  if (host === '' || host.split('.').some((l) => l === '')) return `"${u.hostname}" is not a host name`;
  if (policy.allowPrivate) return null;
  if (host.includes(':') || parseIPv4(host) >= 0) return internalAddressProblem(host);
  if (!host.includes('.')) return `${host} is a single-label (internal) name`;
  const suffix = INTERNAL_SUFFIXES.find((s) => host === s || host.endsWith(`.${s}`));
  if (suffix) return `${host} is an internal name (.${suffix})`;
  return null;
}

/** Why a send failed: refused by the guard (retrying cannot help), a network error, a timeout. */
export class OutboundError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'network' | 'timeout',
  ) {
    super(message);
    this.name = 'OutboundError';
  }
}

/**
 * The addresses to connect to: every address of the host, each checked (unless private targets
 * are allowed). Throws `OutboundError` 'refused' when one is internal, 'network' when the name
 * does not resolve.
 */
export async function resolveTarget(
  host: string,
  policy: TargetPolicy,
  resolver: Resolver = systemResolver,
): Promise<readonly ResolvedAddress[]> {
  const literal = host.includes(':') ? 6 : parseIPv4(host) >= 0 ? 4 : 0;
  let addresses: readonly ResolvedAddress[];
  if (literal !== 0) addresses = [{ address: host, family: literal }];
  else {
    try {
      addresses = await resolver(host);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new OutboundError(`${host} does not resolve (${code ?? (e as Error).message})`, 'network');
    }
    if (addresses.length === 0) throw new OutboundError(`${host} does not resolve`, 'network');
  }
  if (!policy.allowPrivate) {
    for (const a of addresses) {
      const why = internalAddressProblem(a.address);
      if (why) throw new OutboundError(`${host}: ${why}; refused`, 'refused');
    }
  }
  return addresses;
}

/** A socket `lookup` that answers only with the addresses already checked (no second resolution). */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all)
      callback(
        null,
        addresses.map((a) => ({ address: a.address, family: a.family })),
      );
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  };
}

export interface OutboundPost {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** For resolution, connection and the answer's headers together. */
  readonly timeoutMs: number;
  readonly policy: TargetPolicy;
  readonly resolver?: Resolver;
}

/**
 * POSTs once to a checked, pinned target and returns the HTTP status (the answer's body is not
 * read). Throws `OutboundError`; a 3xx is returned as it is, never followed.
 */
export async function postGuarded(p: OutboundPost): Promise<{ status: number }> {
  const problem = outboundUrlProblem(p.url, p.policy);
  if (problem) throw new OutboundError(problem, 'refused');
  const u = new URL(p.url);
  const abort = new AbortController();
  const timedOut = () => new OutboundError(`timeout after ${p.timeoutMs} ms`, 'timeout');
  const timer = setTimeout(() => abort.abort(timedOut()), p.timeoutMs);
  const aborted = new Promise<never>((_, reject) =>
    abort.signal.addEventListener('abort', () => reject(timedOut()), { once: true }),
  );
  // Handled here so that a deadline after the answer rejects nobody's promise.
  aborted.catch(() => undefined);
  try {
    const addresses = await Promise.race([resolveTarget(targetHost(u), p.policy, p.resolver), aborted]);
    return await send(u, p, addresses, abort.signal, timedOut);
  } finally {
    clearTimeout(timer);
  }
}

function send(
  u: URL,
  p: OutboundPost,
  addresses: readonly ResolvedAddress[],
  signal: AbortSignal,
  timedOut: () => OutboundError,
): Promise<{ status: number }> {
  const body = Buffer.from(p.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(
      u,
      {
        method: 'POST',
        headers: { ...p.headers, 'content-length': String(body.length) },
        lookup: pinnedLookup(addresses),
        // A fresh connection per send: a pooled socket could outlive the check it was made under.
        agent: false,
        signal,
      },
      (res: IncomingMessage) => {
        resolve({ status: res.statusCode ?? 0 });
        // Only the status is needed: a huge or endless answer is not read.
        res.destroy();
      },
    );
    req.on('error', (e: Error) => {
      if (signal.aborted) reject(timedOut());
      else reject(e instanceof OutboundError ? e : new OutboundError(e.message, 'network'));
    });
    req.end(body);
  });
}
