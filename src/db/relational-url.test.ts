// Which store a database URL names, and how it is shown: pure functions, no store opened.
import { describe, expect, it } from 'vitest';
import { KobanError } from '../core/index.js';
import { describeRelationalUrl, parseRelationalUrl } from './relational-url.js';

const DATA = '/var/lib/koban';

function refusal(url: string): KobanError {
  try {
    parseRelationalUrl(url, DATA);
  } catch (e) {
    expect(e).toBeInstanceOf(KobanError);
    return e as KobanError;
  }
  throw new Error(`${url} was accepted`);
}

describe('parseRelationalUrl', () => {
  it('takes nothing, or sqlite: alone, for the data directory’s file', () => {
    for (const url of [undefined, '', '  ', 'sqlite:', 'SQLITE:', 'sqlite://'])
      expect(parseRelationalUrl(url, DATA)).toEqual({ dialect: 'sqlite' });
  });

  it('takes sqlite:PATH relative to the data directory, or absolute', () => {
    expect(parseRelationalUrl('sqlite:shared/koban.sqlite', DATA)).toEqual({
      dialect: 'sqlite',
      file: '/var/lib/koban/shared/koban.sqlite',
    });
    expect(parseRelationalUrl('sqlite:/srv/koban.sqlite', DATA)).toEqual({
      dialect: 'sqlite',
      file: '/srv/koban.sqlite',
    });
    expect(parseRelationalUrl('sqlite:///srv/my%20koban.sqlite', DATA)).toEqual({
      dialect: 'sqlite',
      file: '/srv/my koban.sqlite',
    });
    expect(parseRelationalUrl('sqlite::memory:', DATA)).toEqual({ dialect: 'sqlite', file: ':memory:' });
  });

  it('takes both PostgreSQL schemes as they are, for pg to read', () => {
    for (const url of [
      'postgres://koban:secret@db.example:5432/koban',
      'postgresql://koban@db.example/koban?sslmode=require',
      'postgres:///koban?host=/run/postgresql',
    ])
      expect(parseRelationalUrl(url, DATA)).toEqual({ dialect: 'postgres', url });
  });

  it('refuses another scheme with E_CONFIG naming the scheme, never the password', () => {
    const e = refusal('mysql://root:hunter2@db.example/koban');
    expect(e.code).toBe('E_CONFIG');
    expect(e.message).toBe(
      'database URL: unsupported scheme "mysql:" (expected postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory)',
    );
  });

  it('refuses what is not a URL, an unparseable one and postgres: without //, without quoting them', () => {
    expect(refusal('koban.sqlite').message).toBe(
      'database URL: not a URL (expected postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory)',
    );
    const broken = refusal('postgres://koban:hunter2@[::1/koban');
    expect(broken.code).toBe('E_CONFIG');
    expect(broken.message).toBe(
      'database URL: not a valid postgres:// URL (expected postgres://USER@HOST/DATABASE; leave it out for the SQLite file in the data directory)',
    );
    const bare = refusal('postgres:hunter2');
    expect(bare.code).toBe('E_CONFIG');
    expect(bare.message).toBe(
      'database URL: not a valid postgres:// URL (expected postgres://USER@HOST/DATABASE)',
    );
  });
});

describe('describeRelationalUrl', () => {
  it('hides the password of the user part and of the query', () => {
    expect(describeRelationalUrl('postgres://koban:hunter2@db.example:5432/koban')).toBe(
      'postgres://koban:***@db.example:5432/koban',
    );
    expect(
      describeRelationalUrl('postgres://db.example/koban?user=koban&password=hunter2&sslmode=require'),
    ).toBe('postgres://db.example/koban?user=koban&password=***&sslmode=require');
    expect(describeRelationalUrl('postgres://koban@db.example/koban')).toBe(
      'postgres://koban@db.example/koban',
    );
  });

  it('shows only the scheme of what it cannot parse, and the SQLite forms as given', () => {
    expect(describeRelationalUrl('postgres://koban:hunter2@[::1/koban')).toBe('postgres://…');
    expect(describeRelationalUrl('hunter2')).toBe('(not a URL)');
    expect(describeRelationalUrl(undefined)).toBe('sqlite:');
    expect(describeRelationalUrl('sqlite:/srv/koban.sqlite')).toBe('sqlite:/srv/koban.sqlite');
  });
});
