/**
 * rbldnsd data files (ip4set; IPv6 entries as in ip6trie), read and written. The forms read are
 * the ones an exporter writes and most lists use: a full address, a CIDR block (`127.0.0.0/24`,
 * `127/8`), a short prefix (`127.0.0` = /24), an entry's value (`:127.0.0.2:text` or a bare TXT
 * text), a `:A:TXT` default line, `$TIMESTAMP` (the list's validity time) and the `$SOA`, `$NS`,
 * `$TTL` lines (accepted and not used). Ranges (`127.0.0.1-255`) and `!` exclusions are counted as
 * rejected with their line number, never silently widened (docs/anonymizer.md#rbldnsd-zones).
 */
import { canonicalIp, cidrToString, parseCidr } from '../../core/index.js';
import type { LineRejection, ListEntry, ParsedList } from './entry.js';

/** `yyyy:mm:dd[:hh[:mi[:ss]]]` (colons or dashes, or none) to ms; null for `0`, `-` or garbage. */
export function rbldnsdStampMs(text: string): number | null {
  const digits = text.replace(/[-:]/g, '');
  if (!/^\d{8}(\d{2}){0,3}$/.test(digits)) return null;
  const p = (i: number) => (digits.length > i ? Number(digits.slice(i, i + 2)) : 0);
  const ms = Date.UTC(Number(digits.slice(0, 4)), p(4) - 1, p(6), p(8), p(10), p(12));
  return Number.isNaN(ms) ? null : ms;
}

/** An ip4set address form as a canonical address or CIDR; null when it is not one this reads. */
function entryAddress(text: string): string | null {
  if (text.includes(':')) {
    if (text.includes('/')) {
      const c = parseCidr(text);
      return c ? cidrToString(c) : null;
    }
    return canonicalIp(text);
  }
  const [addr = '', bits] = text.split('/');
  const octets = addr.split('.');
  if (octets.length > 4 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) return null;
  // rbldnsd.8 "ip4set Dataset": `127.0.0` is 127.0.0.0/24; a missing length is 8 × the octets given.
  const prefix = bits === undefined ? octets.length * 8 : Number(bits);
  if (!/^\d{1,2}$/.test(bits ?? '0') || prefix > 32) return null;
  while (octets.length < 4) octets.push('0');
  if (prefix === 32) return canonicalIp(octets.map(Number).join('.'));
  const c = parseCidr(`${octets.map(Number).join('.')}/${prefix}`);
  return c ? cidrToString(c) : null;
}

/** `:127.0.0.2:text`, `:2:text` or a bare text: the TXT part (A values other than 127.0.0.2 are not kept). */
function valueText(value: string): string | null {
  const v = value.trim();
  if (v === '') return null;
  if (v.startsWith(':')) {
    const second = v.indexOf(':', 1);
    return second < 0 ? null : v.slice(second + 1).trim() || null;
  }
  return v;
}

export function parseRbldnsd(text: string): ParsedList {
  const rejected: LineRejection[] = [];
  const entries: ListEntry[] = [];
  let publishedMs: number | null = null;
  let defaultReason: string | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').trim();
    const n = i + 1;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('$')) {
      const [key, stamp = ''] = line.split(/\s+/);
      if (key === '$TIMESTAMP') {
        publishedMs = rbldnsdStampMs(stamp);
        if (publishedMs === null) rejected.push({ line: n, reason: `bad $TIMESTAMP: ${stamp.slice(0, 40)}` });
      } else if (!['$SOA', '$NS', '$TTL'].includes(key ?? '') && !/^\$\d$/.test(key ?? '')) {
        rejected.push({ line: n, reason: `unsupported special line ${key?.slice(0, 20)}` });
      }
      continue;
    }
    if (line.startsWith(':')) {
      defaultReason = valueText(line);
      continue;
    }
    if (line.startsWith('!')) {
      rejected.push({ line: n, reason: 'exclusions (!) are not supported' });
      continue;
    }
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const value = m[2]!.replace(/^;.*$/, '');
    const address = entryAddress(m[1]!);
    if (address === null) {
      rejected.push({ line: n, reason: `not an address or CIDR block this reads: ${m[1]!.slice(0, 60)}` });
      continue;
    }
    entries.push({
      address,
      fingerprint: null,
      policy: null,
      seenMs: null,
      reason: valueText(value) ?? defaultReason,
    });
  }
  return { format: 'rbldnsd', publishedMs, entries, rejected };
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/[-T]/g, ':');
}

/**
 * An rbldnsd ip4set data file of the addresses listed now: `$TIMESTAMP` is the newest list's
 * publication, the default value `:127.0.0.2:` + the reason with `$` (rbldnsd substitutes the
 * queried address). IPv6 entries are written too; rbldnsd reads those only in an ip6trie dataset.
 */
export function toRbldnsd(
  addresses: readonly string[],
  opts: { readonly publishedMs: number | null; readonly reason: string },
): string {
  const head = ['# written by koban anonymizer export --format rbldnsd'];
  if (opts.publishedMs !== null) head.push(`$TIMESTAMP ${stamp(opts.publishedMs)}`);
  head.push(`:127.0.0.2:${opts.reason.replace(/[\r\n]/g, ' ')}`);
  return `${[...head, ...addresses].join('\n')}\n`;
}
