/** Which event store `openObservatory` opens: `--events`, else `KOBAN_EVENTS`, else koban.json `events`. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openObservatory } from './index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'koban-observatory-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

// A ClickHouse URL the adapter refuses before it connects: which store was chosen shows in the error.
const REFUSED = 'clickhouse://koban:hunter2@127.0.0.1:1/not-a-name';
const refusal = {
  code: 'E_CONFIG',
  message: 'invalid ClickHouse database name (letters, digits and _ only)',
};

describe('the event store a command opens', () => {
  it('is the one koban.json names, unless KOBAN_EVENTS or --events names another', async () => {
    writeFileSync(join(dir, 'koban.json'), JSON.stringify({ events: REFUSED }), { mode: 0o600 });
    vi.stubEnv('KOBAN_EVENTS', '');
    await expect(openObservatory(dir)).rejects.toMatchObject(refusal);
    vi.stubEnv('KOBAN_EVENTS', `duckdb:${join(dir, 'from-env')}`);
    const fromEnv = await openObservatory(dir);
    await fromEnv.close();
    expect(existsSync(join(dir, 'from-env', 'events.duckdb'))).toBe(true);
    await expect(openObservatory(dir, { events: REFUSED })).rejects.toMatchObject(refusal);
  });

  it('refuses a scheme no adapter knows with one line naming where it came from', async () => {
    vi.stubEnv('KOBAN_EVENTS', 'mysql://root:hunter2@db/koban');
    const e = await openObservatory(dir).then(
      () => null,
      (err: unknown) => err as Error,
    );
    expect(e).toMatchObject({ code: 'E_CONFIG' });
    expect(e?.message).toMatch(/^KOBAN_EVENTS: unsupported scheme "mysql:"/);
    expect(e?.message).not.toContain('hunter2');
  });
});
