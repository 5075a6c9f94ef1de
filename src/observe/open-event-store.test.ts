import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../../test/events.js';
import { openEventStore } from './open-event-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-open-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('choosing the event store', () => {
  it('opens the data directory’s DuckDB file by default, or with duckdb:', async () => {
    for (const events of [undefined, 'duckdb:', 'DuckDB:']) {
      const store = await openEventStore({ dataDir: dir, events });
      await store.append([ev({ timeMs: Date.UTC(2026, 0, 1) })]);
      await store.close();
    }
    const again = await openEventStore({ dataDir: dir, create: false });
    expect((await again.summary()).events).toBe(3);
    await again.close();
  });

  it('opens the DuckDB file of another directory named after duckdb:', async () => {
    const other = join(dir, 'events-elsewhere');
    const store = await openEventStore({ dataDir: join(dir, 'data'), events: `duckdb:${other}` });
    await store.close();
    expect(existsSync(join(other, 'events.duckdb'))).toBe(true);
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('refuses a store it has no adapter for with E_CONFIG, naming only the scheme', async () => {
    await expect(
      openEventStore({ dataDir: dir, events: 'cassandra://koban:secret@db:9042/koban' }),
    ).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: 'unknown event store "cassandra:" (this version knows duckdb:, clickhouse:)',
    });
    await expect(openEventStore({ dataDir: dir, events: '/var/lib/koban' })).rejects.toMatchObject({
      code: 'E_CONFIG',
      message: 'the event store must be named by a URL (duckdb:, clickhouse:)',
    });
    expect(existsSync(join(dir, 'events.duckdb'))).toBe(false);
  });

  it('hands clickhouse: URLs to the ClickHouse adapter, which refuses a bad one before connecting', async () => {
    const e = await openEventStore({
      dataDir: dir,
      events: 'clickhouse://koban:hunter2@db:8123/no-such;name',
    }).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(e).toMatchObject({
      code: 'E_CONFIG',
      message: 'invalid ClickHouse database name (letters, digits and _ only)',
    });
    expect(e?.message).not.toContain('hunter2');
    expect(existsSync(join(dir, 'events.duckdb'))).toBe(false);
  });
});
