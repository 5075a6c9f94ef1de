/**
 * Options many commands share. Declaring a command must stay cheap (`koban --help` and `koban CMD
 * --help` load the module that declares it), so this file imports commander and core alone:
 * opening what the options name is `_stores.ts`'s.
 */
import { Option } from 'commander';
import { KobanError, resolveRelationalUrl } from '../core/index.js';

/** The flags of a command that works on a data directory. */
export interface StoreFlags {
  data?: string;
  db?: string;
  events?: string;
}

/** `--db URL`: the relational store, wherever a command takes a data directory. */
export function dbOption(): Option {
  return new Option(
    '--db <url>',
    'relational store: postgres://USER@HOST/DATABASE (default: $KOBAN_DB, koban.json "db", else the SQLite file in the data directory)',
  );
}

/** `--events URL`: the event store, for the commands that read or write observation events. */
export function eventsOption(): Option {
  return new Option(
    '--events <url>',
    'event store: clickhouse://HOST:PORT/DATABASE (default: $KOBAN_EVENTS, koban.json "events", else the DuckDB file in the data directory)',
  );
}

/**
 * For the commands that take a data directory but keep nothing in the relational store (`import`,
 * `stats`, `operator-token`): `--db` is accepted, so one set of flags serves every command of a
 * center, and checked like everywhere else.
 */
export function checkDbFlag(flags: StoreFlags, env: NodeJS.ProcessEnv = process.env): void {
  resolveRelationalUrl(flags.db, env, {});
}

/** `--listen HOST:PORT` (`[v6]:PORT` for an IPv6 address), for the commands that serve. */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:]+)):(\d{1,5})$/.exec(s);
  if (!m || Number(m[3]) > 65535) throw new KobanError('E_USAGE', `--listen must be HOST:PORT, not "${s}"`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}
