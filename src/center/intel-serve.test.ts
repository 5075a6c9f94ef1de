/**
 * The intel API on a started center (a real socket, `koban serve`'s wiring): the center opens the
 * intel services for its data directory, login sees the client's address, an e-mail goes up as
 * message/rfc822, and stopping the center closes the intel services with the stores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intelFixture, PASSWORD, T0, TEST_PASSWORDS } from '../../test/api-world.js';
import { systemActor } from '../intel/index.js';
import { type RunningCenter, startCenter } from './server.js';

let running: RunningCenter;
let url: string;
let dataDir: string;
/** The center's clock (intel services and API alike): it moves only when a test moves it. */
const clock = { ms: T0 };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'koban-intel-serve-'));
  running = await startCenter({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
    intel: { now: () => clock.ms, auth: { passwords: TEST_PASSWORDS } },
    api: { login: { perAddress: { capacity: 3, refillIntervalMs: 60_000 } } },
  });
  url = running.url;
  const intel = running.center.intel;
  const system = systemActor('test');
  const org = await intel.orgs.add(system, {
    name: 'P1工業',
    kind: 'member-company',
    domains: ['p1-kogyo.example'],
  });
  await intel.users.add(system, {
    email: 'csirt@p1-kogyo.example',
    orgId: org.id,
    role: 'org-member',
    password: PASSWORD,
  });
});
afterAll(async () => {
  await running.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const login = (password: string) =>
  fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'csirt@p1-kogyo.example', password }),
  });

describe('the intel API on a started center', () => {
  it('logs in, reports an e-mail with the session cookie and reads it back', async () => {
    const r = await login(PASSWORD);
    expect(r.status).toBe(200);
    const cookie = r.headers.get('Set-Cookie')!.split(';')[0]!;
    const up = await fetch(`${url}/api/v1/reports?tlp=GREEN`, {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'message/rfc822' },
      body: intelFixture('x-lure-p1.eml'),
    });
    expect(up.status).toBe(201);
    const { id } = (await up.json()) as { id: number };
    const back = await fetch(`${url}/api/v1/reports/${id}`, { headers: { Cookie: cookie } });
    expect(await back.json()).toMatchObject({ id, tlp: 'GREEN', kind: 'email' });
  });

  it('throttles login per client address on a real socket', async () => {
    // One attempt went to the first test; two more fill the address's bucket of three.
    expect((await login('wrong')).status).toBe(401);
    expect((await login('wrong')).status).toBe(401);
    const limited = await login(PASSWORD);
    expect(limited.status).toBe(429);
    // No time has passed on the center's clock since the first attempt, however long the logins took.
    expect(limited.headers.get('Retry-After')).toBe('60');
    clock.ms += 59_999;
    expect((await login(PASSWORD)).headers.get('Retry-After')).toBe('1');
    clock.ms += 1;
    expect((await login(PASSWORD)).status).toBe(200);
  });

  it('serves the OpenAPI document', async () => {
    const r = await fetch(`${url}/api/v1/openapi.json`);
    expect(((await r.json()) as { openapi: string }).openapi).toBe('3.1.0');
  });
});
