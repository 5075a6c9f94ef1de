/**
 * The center parses reported e-mails in worker threads by default, so a hostile message costs the
 * server's event loop nothing (`/healthz` keeps answering: see BENCHMARKS.md for the figure). The
 * workers exist only in the compiled build, so this test loads `dist/center` and `dist/intel`; it is
 * skipped, and says so, when there is no build (`npm test` builds first). It asserts on the pool's
 * counters, never on time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, PROJECT_ROOT } from '../../test/samples.js';
import type * as Intel from '../intel/index.js';
import type * as Center from './index.js';

const DIST = join(PROJECT_ROOT, 'dist');
const BUILT = existsSync(join(DIST, 'intel', 'parse-worker.js'));
const load = async () => ({
  root: (await import(join(DIST, 'center', 'index.js'))) as typeof Center,
  intel: (await import(join(DIST, 'intel', 'index.js'))) as typeof Intel,
});

let center: Center.Center | null = null;
let dataDir = '';
afterEach(async () => {
  await center?.close();
  center = null;
  rmSync(dataDir, { recursive: true, force: true });
});

async function open(config?: Record<string, unknown>) {
  const { root, intel } = await load();
  dataDir = mkdtempSync(join(tmpdir(), 'koban-intake-pool-'));
  if (config) writeFileSync(join(dataDir, 'koban.json'), JSON.stringify(config));
  center = await root.openCenter({ dataDir, logLevel: 'silent', intel: { fsyncEvidence: false } });
  const system = intel.systemActor('test');
  const org = await center.intel.orgs.add(system, {
    name: 'P1工業',
    kind: 'member-company',
    domains: ['p1-kogyo.example'],
  });
  const user = await center.intel.users.add(system, {
    email: 'csirt@p1-kogyo.example',
    orgId: org.id,
    role: 'org-member',
  });
  const { token } = await center.intel.auth.createToken(system, {
    userId: user.id,
    name: 'test',
    scopes: ['reports:write', 'reports:read'],
  });
  const app = root.centerApp(center);
  const report = (raw: Buffer) =>
    app.request(
      '/api/v1/reports',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'message/rfc822' },
        body: raw,
      },
      { incoming: { socket: { remoteAddress: '192.0.2.10' } } },
    );
  return { center, intel, report };
}

describe.skipIf(!BUILT)('e-mail intake in the center (compiled build)', () => {
  it('parses a reported e-mail in a parse worker by default, the cores but one of them', async () => {
    const { center, intel, report } = await open();
    expect(center.intel.parseStats()).toEqual({
      workers: intel.defaultParseWorkers(),
      busy: 0,
      queued: 0,
      maxQueue: 16,
      completed: 0,
      failed: 0,
      refused: 0,
    });
    const r = await report(readFileSync(fixture('intel/x-lure-p1.eml')));
    expect(r.status).toBe(201);
    expect(center.intel.parseStats()).toMatchObject({ completed: 1, failed: 0, refused: 0 });
  });

  it('takes the worker count and queue from koban.json, and parses on the server thread with 0', async () => {
    const a = await open({ intake: { parseWorkers: 2, parseQueue: 3 } });
    expect(a.center.intel.parseStats()).toMatchObject({ workers: 2, maxQueue: 3 });
    await a.center.close();
    center = null;
    rmSync(dataDir, { recursive: true, force: true });
    const b = await open({ intake: { parseWorkers: 0 } });
    expect(b.center.intel.parseStats()).toBeNull();
    expect((await b.report(readFileSync(fixture('intel/x-lure-p1.eml')))).status).toBe(201);
  });
});
