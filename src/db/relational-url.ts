/**
 * Which relational store a URL names (`--db`, `KOBAN_DB`, koban.json `db`): none or `sqlite:` →
 * the data directory's SQLite file; `sqlite:PATH` → that file (relative to the data directory);
 * `postgres://…` or `postgresql://…` → a PostgreSQL database (libpq's URI form, read by `pg`).
 */
import { isAbsolute, join } from 'node:path';
import { KobanError } from '../core/index.js';

export type RelationalLocation =
  | { readonly dialect: 'sqlite'; /** Absent: the data directory's `koban.sqlite`. */ readonly file?: string }
  | { readonly dialect: 'postgres'; readonly url: string };

export function parseRelationalUrl(url: string | undefined, dataDir: string): RelationalLocation {
  const given = url?.trim() ?? '';
  if (given === '') return { dialect: 'sqlite' };
  if (/^postgres(ql)?:\/\//i.test(given)) return { dialect: 'postgres', url: given };
  if (/^sqlite:/i.test(given)) {
    let path = given.slice('sqlite:'.length);
    // sqlite:///var/lib/koban/koban.sqlite, as some tools write it.
    if (path.startsWith('//')) path = decodeURIComponent(path.replace(/^\/\/[^/]*/, ''));
    if (path === '') return { dialect: 'sqlite' };
    if (path === ':memory:') return { dialect: 'sqlite', file: path };
    return { dialect: 'sqlite', file: isAbsolute(path) ? path : join(dataDir, path) };
  }
  throw new KobanError(
    'E_CONFIG',
    `${describeRelationalUrl(given)}: not a database URL Koban knows (use postgres://USER@HOST/DATABASE, or sqlite: for the data directory's file)`,
  );
}

/** The URL for messages and logs: the password (in the user part or the query) hidden. */
export function describeRelationalUrl(url: string | undefined): string {
  const given = url?.trim() ?? '';
  if (given === '') return 'sqlite:';
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) return given;
  let u: URL;
  try {
    u = new URL(given);
  } catch {
    // Not parseable: show the scheme only, since anything after it may hold a password.
    return `${given.slice(0, given.indexOf(':'))}://…`;
  }
  if (u.password !== '') u.password = '***';
  for (const key of [...u.searchParams.keys()])
    if (/pass/i.test(key)) u.searchParams.set(key, '***');
  return u.toString().replace(/%2A%2A%2A/g, '***');
}
