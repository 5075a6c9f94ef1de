/**
 * The composition root: what `openCenter` takes from koban.json and the caller, and the
 * `WebContext` it hands the HTTP side — reading the flags the process changes while it runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { HSTS } from '../web/middleware/security-headers/index.js';
import { centerApp, openCenter, webContext } from './index.js';

describe('the composition root', () => {
  it('takes the proxies from koban.json trustProxy', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koban-proxy-'));
    writeFileSync(join(dataDir, 'koban.json'), JSON.stringify({ trustProxy: ['10.0.0.2'] }));
    const center = await openCenter({ dataDir, logLevel: 'silent' });
    try {
      expect(center.apiOptions.trustProxy).toEqual(['10.0.0.2']);
      const app = centerApp(center);
      const ask = (peer: string) =>
        app.request(
          '/healthz',
          { headers: { 'X-Forwarded-Proto': 'https' } },
          { incoming: { socket: { remoteAddress: peer } } },
        );
      expect((await ask('10.0.0.2')).headers.get('Strict-Transport-Security')).toBe(HSTS);
      expect((await ask('10.0.0.3')).headers.get('Strict-Transport-Security')).toBeNull();
    } finally {
      await center.close();
    }
    // koban serve --trust-proxy (ServeOptions.api) overrides koban.json.
    const flagged = await openCenter({ dataDir, logLevel: 'silent', api: { trustProxy: ['10.0.0.9'] } });
    try {
      expect(flagged.apiOptions.trustProxy).toEqual(['10.0.0.9']);
    } finally {
      await flagged.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
  it('gives the HTTP side the flags the process changes while it runs, not a copy', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koban-wiring-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    const center = await openCenter({ dataDir, logLevel: 'silent' });
    onTestFinished(() => center.close());
    const ctx = webContext(center);
    expect([ctx.draining, ctx.simulated, ctx.publicStats]).toEqual([
      false,
      false,
      { delayHours: 24, minCount: 5 },
    ]);
    center.draining = true;
    center.simulated = true;
    center.publicStats = { delayHours: 0, minCount: 1 };
    expect([ctx.draining, ctx.simulated, ctx.publicStats]).toEqual([
      true,
      true,
      { delayHours: 0, minCount: 1 },
    ]);
    const health = await centerApp(center).request('/healthz');
    expect(await health.json()).toEqual({ status: 'draining' });
  });
});
