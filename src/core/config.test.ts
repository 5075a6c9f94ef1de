// Where the relational store is: `--db`, then KOBAN_DB, then koban.json `db`, else the SQLite
// file in the data directory; a URL that cannot name a store is one line naming its source, and
// never repeats the URL (it may carry a password).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, relationalUrlProblem, resolveEventsUrl, resolveRelationalUrl } from './config.js';
import { KobanError } from './errors.js';

const FLAG = 'postgres://flag@db.example/koban';
const ENV = 'postgresql://env@db.example/koban';
const FILE = 'postgres://file@db.example/koban';

describe('resolveRelationalUrl', () => {
  it('takes --db over KOBAN_DB over koban.json db, and nothing means the SQLite file', () => {
    expect(resolveRelationalUrl(FLAG, { KOBAN_DB: ENV }, { db: FILE })).toBe(FLAG);
    expect(resolveRelationalUrl(undefined, { KOBAN_DB: ENV }, { db: FILE })).toBe(ENV);
    expect(resolveRelationalUrl(undefined, {}, { db: FILE })).toBe(FILE);
    expect(resolveRelationalUrl(undefined, {}, {})).toBeUndefined();
  });

  it('counts an empty KOBAN_DB as unset', () => {
    expect(resolveRelationalUrl(undefined, { KOBAN_DB: '' }, { db: FILE })).toBe(FILE);
    expect(resolveRelationalUrl(undefined, { KOBAN_DB: '' }, {})).toBeUndefined();
  });

  it('accepts both PostgreSQL schemes, in any case, and a socket directory as host', () => {
    for (const url of [
      'postgres://koban:secret@127.0.0.1:5432/koban',
      'postgresql://koban@db.example/koban?sslmode=require',
      'POSTGRES://koban@db.example/koban',
      'postgres:///koban?host=/run/postgresql',
    ])
      expect(resolveRelationalUrl(url, {}, {})).toBe(url);
  });

  it('refuses another scheme with one line naming the source and the scheme, not the URL', () => {
    const cases: [string | undefined, NodeJS.ProcessEnv, { db?: string }, string, string][] = [
      ['mysql://root:hunter2@db/koban', {}, {}, 'E_USAGE', '--db'],
      [undefined, { KOBAN_DB: 'mysql://root:hunter2@db/koban' }, {}, 'E_CONFIG', 'KOBAN_DB'],
      [undefined, {}, { db: 'mysql://root:hunter2@db/koban' }, 'E_CONFIG', 'koban.json db'],
    ];
    for (const [flag, env, config, code, from] of cases) {
      let err: unknown;
      try {
        resolveRelationalUrl(flag, env, config);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(KobanError);
      expect((err as KobanError).code).toBe(code);
      expect((err as KobanError).message).toBe(
        `${from}: unsupported scheme "mysql:" (expected postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory)`,
      );
    }
  });

  it('refuses what is not a URL, or not a valid one', () => {
    expect(relationalUrlProblem('koban.sqlite')).toBe(
      'not a URL (expected postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory)',
    );
    expect(relationalUrlProblem('postgres://[::1/koban')).toBe(
      'not a valid postgres:// URL (expected postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory)',
    );
    expect(() => resolveRelationalUrl('', {}, {})).toThrow('--db: not a URL');
  });
});

describe('koban.json db', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'koban-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is read, and left out is undefined', () => {
    expect(loadConfig(dir, {}).db).toBeUndefined();
    writeFileSync(join(dir, 'koban.json'), JSON.stringify({ db: FILE }), { mode: 0o600 });
    expect(loadConfig(dir, {}).db).toBe(FILE);
  });

  it('with another scheme is a configuration error naming the file and the key', () => {
    writeFileSync(join(dir, 'koban.json'), JSON.stringify({ db: 'sqlite:///tmp/x' }), { mode: 0o600 });
    expect(() => loadConfig(dir, {})).toThrow(
      new KobanError(
        'E_CONFIG',
        `${join(dir, 'koban.json')}: db: unsupported scheme "sqlite:" (expected postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory)`,
      ),
    );
  });
});

describe('resolveEventsUrl', () => {
  const flag = 'clickhouse://flag:8123/koban';
  const env = 'clickhouse://env:8123/koban';
  const file = 'clickhouse://file:8123/koban';

  it('takes --events over KOBAN_EVENTS over koban.json events, and nothing means the DuckDB file', () => {
    expect(resolveEventsUrl(flag, { KOBAN_EVENTS: env }, { events: file })).toBe(flag);
    expect(resolveEventsUrl(undefined, { KOBAN_EVENTS: env }, { events: file })).toBe(env);
    expect(resolveEventsUrl(undefined, { KOBAN_EVENTS: '' }, { events: file })).toBe(file);
    expect(resolveEventsUrl(undefined, {}, {})).toBeUndefined();
    expect(resolveEventsUrl('duckdb:/srv/events', {}, {})).toBe('duckdb:/srv/events');
  });

  it('refuses another scheme with one line naming the source, not the URL', () => {
    const cases: [string | undefined, NodeJS.ProcessEnv, { events?: string }, string, string][] = [
      ['mysql://root:hunter2@db/koban', {}, {}, 'E_USAGE', '--events'],
      [undefined, { KOBAN_EVENTS: 'mysql://root:hunter2@db/koban' }, {}, 'E_CONFIG', 'KOBAN_EVENTS'],
      [undefined, {}, { events: 'mysql://root:hunter2@db/koban' }, 'E_CONFIG', 'koban.json events'],
    ];
    for (const [f, e, config, code, from] of cases) {
      expect(() => resolveEventsUrl(f, e, config)).toThrow(
        expect.objectContaining({
          code,
          message: `${from}: unsupported scheme "mysql:" (expected clickhouse://HOST:PORT/DATABASE; leave it out for the DuckDB file in the data directory)`,
        }),
      );
    }
  });
});
