// A damaged event store fails where it is opened or read with one E_STORE line naming the file,
// and the store remembers it for /healthz; its files are private to their owner.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { damageEventBlock, eventStoreWithHistory, NEW_MS, OLD_MS } from '../../../test/damaged-stores.js';
import { ev } from '../../../test/events.js';
import { KobanError } from '../../core/index.js';
import { DuckDbEventStore, EVENTS_DB_FILE } from './duckdb-store.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-duck-health-'));
  path = join(dir, EVENTS_DB_FILE);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function openError(options: { check?: boolean } = {}): Promise<KobanError> {
  const e = await DuckDbEventStore.open({ dataDir: dir, notice: () => {}, ...options }).then(
    async (s) => {
      await s.close();
      return null;
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KobanError);
  return e as KobanError;
}

describe('a damaged event store', () => {
  it('that is not a DuckDB file fails at open: one line, the file, what to do', async () => {
    writeFileSync(path, Buffer.alloc(1 << 20, 0x41));
    const e = await openError();
    expect(e.code).toBe('E_STORE');
    expect(e.exitStatus).toBe(12);
    expect(e.message).toBe(
      `${path}: IO Error: The file "${path}" exists, but it is not a valid DuckDB database file!; ` +
        'the file is not a store Koban can read (overwritten, or another program’s file): restore it from the last backup (README, "Damaged stores")',
    );
  });

  it('cut short fails at open as damaged', async () => {
    await eventStoreWithHistory(dir);
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, Math.floor(whole.length / 2)));
    const e = await openError();
    expect(e.code).toBe('E_STORE');
    expect(e.message.startsWith(`${path}: `)).toBe(true);
    expect(e.message).toContain('the file is damaged: stop Koban, move the file aside and restore it');
    expect(e.message).not.toContain('\n');
  });

  it('with a damaged block of its newest events fails the read check at open', async () => {
    await eventStoreWithHistory(dir);
    await damageEventBlock(path, 'newest');
    const e = await openError();
    expect(e.code).toBe('E_STORE');
    expect(e.message).toMatch(
      /: IO Error: Corrupt database file: computed checksum \d+ does not match stored checksum/,
    );
    // Without the check the same file opens as if healthy: the check is what catches it.
    const unchecked = await DuckDbEventStore.open({ dataDir: dir, check: false });
    expect(unchecked.health()).toEqual({ store: 'events', ok: true });
    await unchecked.close();
  });

  it('damaged in old data opens, then fails where read and reports it in its health', async () => {
    await eventStoreWithHistory(dir);
    await damageEventBlock(path, 'oldest');
    const store = await DuckDbEventStore.open({ dataDir: dir });
    try {
      expect(store.health()).toEqual({ store: 'events', ok: true });
      // Distinct sources by port are counted from the raw events (the hourly source sets keep no port).
      const e = await store.aggregate({ groupBy: ['port'], measure: 'sources' }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(KobanError);
      expect((e as KobanError).code).toBe('E_STORE');
      expect((e as KobanError).message.startsWith(`${path}: IO Error: Corrupt database file`)).toBe(true);
      const h = store.health();
      expect(h.ok).toBe(false);
      expect(h.error).toMatch(/^events\.duckdb: IO Error: Corrupt database file/);
      // Damage stays reported after a successful write (only a restart checks the file again).
      await store.append([ev({ timeMs: NEW_MS + 1 })]);
      expect(store.health().ok).toBe(false);
      // Reads that do not touch the damaged block still answer.
      expect(await store.rawTimeRange()).toEqual({ firstMs: OLD_MS, lastMs: NEW_MS + 1 });
    } finally {
      await store.close();
    }
  });
});

describe('the event store on disk', () => {
  it('is created private to its owner: directory 0700, file 0600', async () => {
    const sub = join(dir, 'new');
    const store = await DuckDbEventStore.open({ dataDir: sub });
    await store.close();
    expect(statSync(sub).mode & 0o777).toBe(0o700);
    expect(statSync(join(sub, EVENTS_DB_FILE)).mode & 0o777).toBe(0o600);
  });

  it('left readable by others by an earlier version is tightened when opened, and said so', async () => {
    const store = await DuckDbEventStore.open({ dataDir: dir });
    await store.close();
    chmodSync(dir, 0o755);
    chmodSync(path, 0o644);
    const notes: string[] = [];
    const again = await DuckDbEventStore.open({ dataDir: dir, notice: (m) => notes.push(m) });
    await again.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(notes).toEqual([
      `${dir} was readable by other users (mode 0755): changed to 0700`,
      `${path} was readable by other users (mode 0644): changed to 0600`,
    ]);
  });

  it('is not created by a reader: a missing store is E_NOT_FOUND and nothing is written', async () => {
    const missing = join(dir, 'typo');
    const e = await DuckDbEventStore.open({ dataDir: missing, create: false }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(KobanError);
    expect((e as KobanError).code).toBe('E_NOT_FOUND');
    expect((e as KobanError).message).toBe(`no data directory ${missing} (check --data or KOBAN_DATA)`);
    const empty = await DuckDbEventStore.open({ dataDir: dir, create: false }).catch((err: unknown) => err);
    expect((empty as KobanError).message).toBe(
      `${path} does not exist: no events have been stored in ${dir} yet (koban import or koban serve creates it)`,
    );
    expect(() => statSync(missing)).toThrow();
    expect(() => statSync(path)).toThrow();
  });
});
