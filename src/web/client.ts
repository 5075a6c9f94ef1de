/**
 * Who the client is behind a reverse proxy. `X-Forwarded-For` and `X-Forwarded-Proto` are the
 * proxy's word and anyone can send them, so they are believed only from the proxies the operator
 * named (`trustProxy`: a list of addresses and CIDR blocks, or `true` for any peer — only for a
 * port nothing else can reach). With a list, the client is the right-most `X-Forwarded-For` entry
 * that is not one of those proxies (each proxy appends the address it received from; entries
 * further left are the client's to invent) — the rule of RFC 7239 §7.4 applied to the de-facto
 * header.
 */
import type { Context } from 'hono';
import { addrBytes, type Cidr, cidrContains, parseAddressBlock } from '../core/index.js';

export type TrustProxy = boolean | readonly string[];

export interface ClientOptions {
  /** Reverse proxies whose forwarding headers are believed (default: none). */
  readonly trustProxy?: TrustProxy;
}

const compiled = new WeakMap<readonly string[], readonly Cidr[]>();

function proxyBlocks(list: readonly string[]): readonly Cidr[] {
  let blocks = compiled.get(list);
  if (!blocks) {
    blocks = list.map((s) => parseAddressBlock(s.trim())).filter((c): c is Cidr => c !== null);
    compiled.set(list, blocks);
  }
  return blocks;
}

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) as `192.0.2.1`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function isTrusted(address: string, trust: TrustProxy | undefined): boolean {
  if (trust === true) return true;
  if (!trust || trust.length === 0) return false;
  const bytes = addrBytes(unmapped(address));
  return bytes !== null && proxyBlocks(trust).some((c) => cidrContains(c, bytes));
}

/** The socket's peer (@hono/node-server's bindings), or `unknown`. */
export function peerAddress(c: Context): string {
  const env: unknown = c.env;
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined)?.incoming;
  const address = incoming?.socket?.remoteAddress;
  return typeof address === 'string' && address !== '' ? unmapped(address) : 'unknown';
}

/** True when the request came from a proxy whose forwarding headers are believed. */
export function fromTrustedProxy(c: Context, opts: ClientOptions = {}): boolean {
  return isTrusted(peerAddress(c), opts.trustProxy);
}

/** The client's address: the peer, or, from a trusted proxy, the address it forwarded for. */
export function clientAddress(c: Context, opts: ClientOptions = {}): string {
  const peer = peerAddress(c);
  if (!isTrusted(peer, opts.trustProxy)) return peer;
  const hops = (c.req.header('X-Forwarded-For') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (opts.trustProxy === true) return hops.at(-1) ?? peer;
  // Walk back past our own proxies; the first address that is not one of them is the client.
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!isTrusted(hops[i]!, opts.trustProxy)) return unmapped(hops[i]!);
  }
  return hops[0] ?? peer;
}

/** HTTPS to the client: the connection itself, or a trusted proxy saying so. */
export function isHttps(c: Context, opts: ClientOptions = {}): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  if (!fromTrustedProxy(c, opts)) return false;
  // The first entry is the scheme the client-facing proxy received.
  return c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}
