import { describe, expect, it } from 'vitest';
import { parseClickHouseUrl } from './clickhouse-url.js';

describe('ClickHouse events URL', () => {
  it('names one server, its database and the default user', () => {
    expect(parseClickHouseUrl('//127.0.0.1:8123/koban', {})).toEqual({
      nodes: ['http://127.0.0.1:8123'],
      database: 'koban',
      cluster: null,
      username: 'default',
      password: '',
    });
    expect(parseClickHouseUrl('//ch.example/koban?secure=1', {}).nodes).toEqual(['https://ch.example:8443']);
  });

  it('names the shards of a cluster, entry node first', () => {
    expect(parseClickHouseUrl('//a:8123,b:8124/k?cluster=koban_shards', {})).toMatchObject({
      nodes: ['http://a:8123', 'http://b:8124'],
      cluster: 'koban_shards',
    });
  });

  it('takes credentials from the URL, else the environment, and never puts them in the node URLs', () => {
    const fromUrl = parseClickHouseUrl('//koban:p%40ss@a:8123/k', { KOBAN_CLICKHOUSE_PASSWORD: 'env' });
    expect([fromUrl.username, fromUrl.password, fromUrl.nodes]).toEqual(['koban', 'p@ss', ['http://a:8123']]);
    const fromEnv = parseClickHouseUrl('//a:8123/k', {
      KOBAN_CLICKHOUSE_USER: 'u',
      KOBAN_CLICKHOUSE_PASSWORD: 'secret',
    });
    expect([fromEnv.username, fromEnv.password]).toEqual(['u', 'secret']);
  });

  it('refuses what it cannot use with E_CONFIG, without quoting the URL (it may hold a password)', () => {
    for (const bad of [
      'no-slashes',
      '//a:8123/bad-name',
      '//a:8123,b:8124/k',
      '//a:99999/k',
      '//a:8123/k?user=x',
      '//u:hunter2@a:8123/k;DROP',
    ]) {
      let err: unknown = null;
      try {
        parseClickHouseUrl(bad, {});
      } catch (e) {
        err = e;
      }
      expect(err).toMatchObject({ code: 'E_CONFIG' });
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});
