// A center on damaged stores: it refuses to start with one E_STORE line, and a store failure seen
// while it runs turns /healthz into a 503 naming the store.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { damageEventBlock, eventStoreWithHistory } from '../../test/damaged-stores.js';
import { KobanError } from '../core/index.js';
import { startCenter } from './server.js';
import { centerApp } from './web-context.js';
import { openCenter } from './wiring.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-store-health-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe('a center on damaged stores', () => {
  it('does not start when the relational store is not a database, and says which file and what to do', async () => {
    writeFileSync(join(dir, 'koban.sqlite'), Buffer.alloc(8192, 0x41));
    const e = await failure(startCenter({ dataDir: dir, host: '127.0.0.1', port: 0, logLevel: 'silent' }));
    expect(e).toBeInstanceOf(KobanError);
    expect((e as KobanError).code).toBe('E_STORE');
    expect((e as KobanError).message).toBe(
      `${join(dir, 'koban.sqlite')}: file is not a database; the file is not a store Koban can read ` +
        '(overwritten, or another program’s file): restore it from the last backup (README, "Damaged stores")',
    );
  });

  it('does not start when the newest events cannot be read', async () => {
    const path = await eventStoreWithHistory(dir);
    await damageEventBlock(path, 'newest');
    const e = await failure(openCenter({ dataDir: dir, logLevel: 'silent' }));
    expect((e as KobanError).code).toBe('E_STORE');
    expect((e as KobanError).message.startsWith(`${path}: IO Error: Corrupt database file`)).toBe(true);
  });

  it('answers /healthz with 503 and the error once a store fails while it runs', async () => {
    const path = await eventStoreWithHistory(dir);
    await damageEventBlock(path, 'oldest');
    const center = await openCenter({ dataDir: dir, logLevel: 'silent' });
    try {
      const app = centerApp(center);
      // The local operator token sees the stores; anyone else only the status (public-stats.test.ts).
      const asOperator = { headers: { Authorization: `Bearer ${center.localOperatorToken}` } };
      const ok = await app.request('/healthz', asOperator);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({
        status: 'ok',
        stores: [
          { store: 'events', ok: true },
          { store: 'relational', ok: true },
        ],
      });
      // Something reads the damaged old events (distinct sources by port: from raw events).
      const read = await failure(
        center.observatory.store.aggregate({ groupBy: ['port'], measure: 'sources' }),
      );
      expect((read as KobanError).code).toBe('E_STORE');
      const anonymous = await app.request('/healthz');
      expect(anonymous.status).toBe(503);
      expect(await anonymous.json()).toEqual({ status: 'error' });
      const res = await app.request('/healthz', asOperator);
      expect(res.status).toBe(503);
      const body = (await res.json()) as {
        status: string;
        stores: { store: string; ok: boolean; error?: string }[];
      };
      expect(body.status).toBe('error');
      expect(body.stores[1]).toEqual({ store: 'relational', ok: true });
      expect(body.stores[0]?.ok).toBe(false);
      // The file's name, not its path.
      expect(body.stores[0]?.error).toMatch(
        /^events\.duckdb: IO Error: Corrupt database file: computed checksum \d+ does not match stored checksum \d+/,
      );
    } finally {
      await center.close();
    }
  });
});
