/**
 * The URL parameters of the TAXII 2.1 objects, manifest, object and versions endpoints (§3.4
 * Filtering, §3.6 Pagination): `added_after` (strictly later), `limit`, `next` (our opaque keyset
 * cursor: the date added of the last object sent), `match[id|type|version|spec_version]` (each a
 * comma-separated list, OR within a field, AND between fields). `match[version]` defaults to
 * `last`; the versions endpoint lists every version.
 */
import { KobanError } from '../../core/index.js';
import type { VersionMatch } from './store.js';
import { parseMicros, versionKey } from './timestamps.js';

export interface ParsedQuery {
  readonly afterUs: number | null;
  readonly limit: number;
  readonly ids?: readonly string[] | undefined;
  readonly types?: readonly string[] | undefined;
  readonly specVersions?: readonly string[] | undefined;
  readonly versions: VersionMatch;
}

const CURSOR_PREFIX = 'k1.';

export function encodeCursor(dateAddedUs: number): string {
  return CURSOR_PREFIX + Buffer.from(String(dateAddedUs), 'utf8').toString('base64url');
}

function decodeCursor(next: string): number {
  const text = next.startsWith(CURSOR_PREFIX)
    ? Buffer.from(next.slice(CURSOR_PREFIX.length), 'base64url').toString('utf8')
    : '';
  if (!/^\d{1,17}$/.test(text))
    throw new KobanError('E_USAGE', `next: "${next.slice(0, 80)}" is not a cursor this server gave`);
  return Number(text);
}

function list(params: URLSearchParams, name: string): string[] | undefined {
  const all = params.getAll(name);
  if (all.length === 0) return undefined;
  const items = all.flatMap((v) => v.split(',')).map((v) => v.trim());
  if (items.some((v) => v === '' || v.length > 200))
    throw new KobanError('E_USAGE', `${name}: empty or over-long item in "${all.join(',').slice(0, 80)}"`);
  if (items.length > 100) throw new KobanError('E_USAGE', `${name}: at most 100 items`);
  return [...new Set(items)];
}

function versionMatch(items: readonly string[] | undefined, byDefault: VersionMatch): VersionMatch {
  if (items === undefined) return byDefault;
  const keys: string[] = [];
  let all = false;
  let first = false;
  let last = false;
  for (const v of items) {
    if (v === 'all') all = true;
    else if (v === 'first') first = true;
    else if (v === 'last') last = true;
    else {
      const k = versionKey(v);
      if (k === null)
        throw new KobanError('E_USAGE', `match[version]: "${v}" is not first, last, all or a timestamp`);
      keys.push(k);
    }
  }
  return { all, first, last, keys };
}

export const LAST: VersionMatch = { all: false, first: false, last: true, keys: [] };
export const ALL: VersionMatch = { all: true, first: false, last: false, keys: [] };

/**
 * Parses the parameters. `versionsEndpoint`: every version is listed and `match[version]` does
 * not apply (§5.9). `maxLimit` caps `limit` (the server may return fewer, §3.6.1).
 */
export function parseQuery(params: URLSearchParams, maxLimit: number, versionsEndpoint = false): ParsedQuery {
  const added = params.get('added_after');
  let afterUs = added === null ? null : parseMicros(added, 'added_after');
  const next = params.get('next');
  if (next !== null) {
    const c = decodeCursor(next);
    afterUs = afterUs === null ? c : Math.max(afterUs, c);
  }
  const limitText = params.get('limit');
  let limit = maxLimit;
  if (limitText !== null) {
    if (!/^\d{1,9}$/.test(limitText) || Number(limitText) < 1)
      throw new KobanError('E_USAGE', `limit: "${limitText.slice(0, 40)}" is not a positive integer`);
    limit = Math.min(Number(limitText), maxLimit);
  }
  return {
    afterUs,
    limit,
    ids: list(params, 'match[id]'),
    types: list(params, 'match[type]'),
    specVersions: list(params, 'match[spec_version]'),
    versions: versionsEndpoint ? ALL : versionMatch(list(params, 'match[version]'), LAST),
  };
}
