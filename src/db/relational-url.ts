/**
 * Which relational store a URL names (`--db`, `KOBAN_DB`, koban.json `db`, resolved by core's
 * `resolveRelationalUrl`): none or `sqlite:` → the data directory's SQLite file; `sqlite:PATH` →
 * that file (relative to the data directory); `postgres://…` or `postgresql://…` → a PostgreSQL
 * database (libpq's URI form, read by `pg`). Anything else is refused with core's wording, which
 * names the scheme and never the URL (it may carry a password).
 */
import { isAbsolute, join } from 'node:path';
import { KobanError, relationalUrlProblem } from '../core/index.js';

export type RelationalLocation =
  | { readonly dialect: 'sqlite' /** Absent: the data directory's `koban.sqlite`. */; readonly file?: string }
  | { readonly dialect: 'postgres'; readonly url: string };

export function parseRelationalUrl(url: string | undefined, dataDir: string): RelationalLocation {
  const given = url?.trim() ?? '';
  if (given === '') return { dialect: 'sqlite' };
  if (/^sqlite:/i.test(given)) {
    let path = given.slice('sqlite:'.length);
    // sqlite:///var/lib/koban/koban.sqlite, as some tools write it.
    if (path.startsWith('//')) path = decodeURIComponent(path.replace(/^\/\/[^/]*/, ''));
    if (path === '') return { dialect: 'sqlite' };
    if (path === ':memory:') return { dialect: 'sqlite', file: path };
    return { dialect: 'sqlite', file: isAbsolute(path) ? path : join(dataDir, path) };
  }
  const problem = relationalUrlProblem(given);
  if (problem !== null) throw new KobanError('E_CONFIG', `database URL: ${problem}`);
  // postgres:DB (no authority) passes that check but is no libpq URI: pg would take DB for a host.
  if (!/^[a-z]+:\/\//i.test(given)) {
    const scheme = given.slice(0, given.indexOf(':'));
    throw new KobanError(
      'E_CONFIG',
      `database URL: not a valid ${scheme}:// URL (expected ${scheme}://USER@HOST/DATABASE)`,
    );
  }
  return { dialect: 'postgres', url: given };
}

/** The URL for messages and logs: the password (in the user part or the query) hidden. */
export function describeRelationalUrl(url: string | undefined): string {
  const given = url?.trim() ?? '';
  if (given === '') return 'sqlite:';
  if (/^sqlite:/i.test(given)) return given;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(given)?.[1];
  if (scheme === undefined) return '(not a URL)';
  let u: URL;
  try {
    u = new URL(given);
  } catch {
    // Not parseable: the scheme only, since anything after it may hold a password.
    return `${scheme}://…`;
  }
  if (u.password !== '') u.password = '***';
  for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***');
  return u.toString().replace(/%2A%2A%2A/g, '***');
}
