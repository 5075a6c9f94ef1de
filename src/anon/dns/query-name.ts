/**
 * The names the DNSBL answers (docs/anonymizer.md#dns), below its zone:
 * - `d.c.b.a` (RFC 5782 §2.1) or 32 reversed nibbles (§2.4): is the address listed now;
 * - `<ip-rev>.<port>.<dest-ip-rev>.ip-port` — TorDNSEL's type-1 query: can a Tor exit at ip reach
 *   dest:port (the destination's address is kept for the evidence; a policy summary is per port);
 * - `<ip-rev>.<YYYYMMDD[HH[MM]]>.at`: was it listed at that instant (UTC).
 */
import { canonicalIp } from '../../core/index.js';

export type QueryName =
  | { readonly form: 'apex' }
  | { readonly form: 'address'; readonly ip: string }
  | { readonly form: 'ip-port'; readonly ip: string; readonly port: number; readonly dest: string }
  | { readonly form: 'at'; readonly ip: string; readonly atMs: number };

/** Reversed address labels (4 octets or 32 nibbles) to the canonical address; null if neither. */
function reversedIp(labels: readonly string[]): string | null {
  if (labels.length === 4) {
    if (!labels.every((l) => /^\d{1,3}$/.test(l))) return null;
    return canonicalIp([...labels].reverse().join('.'));
  }
  if (labels.length === 32) {
    if (!labels.every((l) => /^[0-9a-f]$/.test(l))) return null;
    const hex = [...labels].reverse().join('');
    return canonicalIp(hex.match(/.{4}/g)!.join(':'));
  }
  return null;
}

function stampMs(label: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?$/.exec(label);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0'] = m.slice(1).map((x) => x ?? '0');
  const ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi);
  const back = new Date(ms);
  if (back.getUTCMonth() !== +mo! - 1 || back.getUTCDate() !== +d! || +h > 23 || +mi > 59) return null;
  return ms;
}

/** The query name (lower case, no trailing dot) read against the zone; null when ill-formed. */
export function readQueryName(name: string, zone: string): QueryName | 'outside' | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n === zone) return { form: 'apex' };
  if (!n.endsWith(`.${zone}`)) return 'outside';
  const labels = n.slice(0, -(zone.length + 1)).split('.');
  const last = labels[labels.length - 1];
  if (last === 'ip-port') {
    const rest = labels.slice(0, -1);
    // Either address may be IPv4 (4 labels) or IPv6 (32 nibbles): the first split that reads wins.
    for (const ipLen of [4, 32]) {
      const ip = reversedIp(rest.slice(0, ipLen));
      const portText = rest[ipLen] ?? '';
      const dest = reversedIp(rest.slice(ipLen + 1));
      const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
      if (ip !== null && dest !== null && port >= 1 && port <= 65_535)
        return { form: 'ip-port', ip, port, dest };
    }
    return null;
  }
  if (last === 'at') {
    const rest = labels.slice(0, -1);
    const ip = reversedIp(rest.slice(0, -1));
    const atMs = stampMs(rest[rest.length - 1] ?? '');
    return ip === null || atMs === null ? null : { form: 'at', ip, atMs };
  }
  const ip = reversedIp(labels);
  return ip === null ? null : { form: 'address', ip };
}
