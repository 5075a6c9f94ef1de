/**
 * A running center owns the event store, so `koban stats` on its data directory asks it over
 * HTTP — as the operator, with the token the center writes for this (owner-only, new at every
 * start, removed at stop): the operator's CLI keeps the live, per-sensor view.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LOCAL_OPERATOR_FILE } from './operator-token.js';
import { startCenter } from './server.js';

describe('the local operator token', () => {
  it('is written owner-only while the center runs, accepted as the operator, and removed at stop', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koban-local-op-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const running = await startCenter({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      detect: false,
      logLevel: 'silent',
    });
    const file = join(dataDir, LOCAL_OPERATOR_FILE);
    let stopped = false;
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = readFileSync(file, 'utf8');
      expect(token).toBe(running.center.localOperatorToken);
      const ask = (auth: Record<string, string>) =>
        fetch(`${running.url}/api/v1/stats/ports?sensor=fw-a`, { headers: auth });
      expect((await ask({ Authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await ask({})).status).toBe(403);
      await running.stop();
      stopped = true;
      expect(existsSync(file)).toBe(false);
    } finally {
      if (!stopped) await running.stop();
    }
  });
});
