/** Which list format a file is, from its first meaningful lines; and the parse of it. */
import { KobanError } from '../../core/index.js';
import type { ListFormat, ParsedList } from './entry.js';
import { parseRbldnsd } from './rbldnsd.js';
import { parseBulk, parseOnionoo, parseRelayCsv, parseTorDnsel } from './tor.js';

export function detectListFormat(text: string): ListFormat | null {
  const head = text.slice(0, 4096).replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(head)) return /"relays"\s*:/.test(text.slice(0, 1 << 20)) ? 'onionoo' : null;
  const lines = head
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const first = lines[0] ?? '';
  if (first.startsWith('@type tordnsel') || first.startsWith('ExitNode ')) return 'tordnsel';
  if (/^fingerprint\s*,\s*ipaddr\s*,\s*port$/i.test(first)) return 'tor-relays-csv';
  // Anything an rbldnsd file has that a bare address list does not: special lines, values, blocks.
  if (lines.some((l) => /^[$:;!]/.test(l) || /\s/.test(l) || l.includes('/'))) return 'rbldnsd';
  return lines.length === 0 ? null : 'bulk';
}

export function parseList(text: string, format: ListFormat): ParsedList {
  switch (format) {
    case 'tordnsel':
      return parseTorDnsel(text);
    case 'bulk':
      return parseBulk(text);
    case 'tor-relays-csv':
      return parseRelayCsv(text);
    case 'rbldnsd':
      return parseRbldnsd(text);
    case 'onionoo': {
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new KobanError('E_FORMAT', `not JSON: ${(e as Error).message}`);
      }
      return parseOnionoo(doc);
    }
  }
}
