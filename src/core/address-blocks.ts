/**
 * Addresses and CIDR blocks as people type them — koban.json's `trustProxy`, `koban serve
 * --trust-proxy`, a sensor's address blocks at registration — read with ipaddr.js, a well-kept
 * parser, into core's `Cidr` (ip.ts), which the matching code uses.
 *
 * Stricter than ipaddr.js alone: IPv4 only as four decimal octets without leading zeros (ipaddr.js
 * also reads inet_aton's `127.1`, `0x7f.0.0.1` and `010.0.0.1`, where a leading zero means octal —
 * in a configuration that is a typo, not an intent), IPv6 without a zone index (`fe80::1%eth0`
 * names an interface of this host, not a block) and without the deprecated IPv4-compatible form
 * (`::192.0.2.1`, RFC 4291 §2.5.5.1), which ipaddr.js silently turns into an IPv4-mapped one.
 *
 * The hot paths keep ip.ts's hand-written parsers: the log parsers read an address inside a line
 * without slicing it out, enrichment and warning-list matching run once per record, and neither
 * allocates — ipaddr.js builds an object and a few arrays per address.
 */
import { createRequire } from 'node:module';
import type { Cidr } from './ip.js';

type IpAddrLib = typeof import('ipaddr.js');

// Loaded on first use: every context imports core, and most commands read no address block.
let lib: IpAddrLib | null = null;
function ipaddr(): IpAddrLib {
  lib ??= createRequire(import.meta.url)('ipaddr.js') as IpAddrLib;
  return lib;
}

const PREFIX_RE = /^\d{1,3}$/;
const DEPRECATED_V4_COMPATIBLE_RE = /^::[\d.]*\./;

/**
 * A block written as `address/prefix` or a bare address (a /32 or /128), host bits cleared; null
 * for anything else.
 */
export function parseAddressBlock(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? null : text.slice(slash + 1);
  if (prefixText !== null && !PREFIX_RE.test(prefixText)) return null;
  const bytes = addressBytes(addr);
  if (!bytes) return null;
  const family = bytes.length === 4 ? 4 : 6;
  const max = bytes.length * 8;
  const prefix = prefixText === null ? max : Number(prefixText);
  if (prefix > max) return null;
  const { IPv4, IPv6 } = ipaddr();
  const mask = (family === 4 ? IPv4 : IPv6).subnetMaskFromPrefixLength(prefix).toByteArray();
  return { family, bytes: bytes.map((b, i) => b & mask[i]!), prefix };
}

function addressBytes(addr: string): Uint8Array | null {
  const { IPv4, IPv6 } = ipaddr();
  if (!addr.includes(':'))
    return IPv4.isValidFourPartDecimal(addr) ? Uint8Array.from(IPv4.parse(addr).toByteArray()) : null;
  if (addr.includes('%') || DEPRECATED_V4_COMPATIBLE_RE.test(addr) || !IPv6.isValid(addr)) return null;
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) is held to the same four decimal octets.
  const tail = addr.slice(addr.lastIndexOf(':') + 1);
  if (tail.includes('.') && !IPv4.isValidFourPartDecimal(tail)) return null;
  return Uint8Array.from(IPv6.parse(addr).toByteArray());
}
