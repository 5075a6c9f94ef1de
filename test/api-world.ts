/**
 * Test world for the HTTP API: a center over a temporary data directory (its relational store in
 * the run's dialect: test/relational.ts), opened by the composition root (center/) as `koban serve`
 * opens it, and web/'s app over its `WebContext` (called with `app.request`, no socket), a
 * controllable clock, a small cast — the center's admin and
 * analyst, two member companies X and Y (an org-admin each, and a second X user), a provider — each
 * with a password and an API token of their role's full scopes, and a request helper. Tests only.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { type Center, type CenterOptions, centerApp, openCenter } from '../src/center/index.js';
import {
  type Actor,
  argon2Hasher,
  type NewOrg,
  ROLE_SCOPES,
  type Role,
  systemActor,
  userActor,
} from '../src/intel/index.js';
import type { WebOptions } from '../src/web/index.js';
import { freshRelational } from './relational.js';
import { fixture } from './samples.js';

export { rotateOperatorToken } from '../src/center/index.js';

export const PASSWORD = 'correct horse battery staple';
/**
 * Argon2id at its lowest cost: each world makes six accounts with passwords, and at production
 * cost (intel/passwords.ts) their hashing took much of these tests' time. Verifying reads the
 * cost from the stored hash, so logins take the production path.
 */
export const TEST_PASSWORDS = argon2Hasher({ memoryCost: 8, timeCost: 1 });
/** 2012-02-10T00:00:00Z, the day after the lures of test/fixtures/intel. */
export const T0 = Date.UTC(2012, 1, 10);

export interface Person {
  readonly userId: number;
  readonly orgId: number;
  readonly email: string;
  readonly role: Role;
  readonly actor: Actor;
  /** An API token with all of the role's scopes. */
  readonly token: string;
}

export interface Cast {
  readonly admin: Person;
  readonly analyst: Person;
  readonly x: Person;
  readonly x2: Person;
  readonly y: Person;
  readonly mssp: Person;
}

export interface ApiWorld {
  readonly center: Center;
  readonly app: Hono;
  readonly clock: { ms: number };
  readonly system: Actor;
  readonly cast: Cast;
  request(path: string, init?: ApiRequest): Promise<Response>;
  /**
   * Closes the center and opens it again over the same data directory and relational store (a
   * restart of `koban serve`): `center` and `app` are the new ones afterwards.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface ApiRequest {
  readonly method?: string;
  readonly token?: string | null;
  readonly cookie?: string;
  readonly json?: unknown;
  readonly body?: Uint8Array | string;
  readonly type?: string;
  readonly headers?: Record<string, string>;
  /** The client address as @hono/node-server would bind it. */
  readonly ip?: string;
}

export interface WorldOptions {
  /** Written as the data directory's `koban.json` before the center opens. */
  readonly config?: Record<string, unknown>;
  /** Intel options beyond the clock (a preparer of one's own, say). */
  readonly intel?: CenterOptions['intel'];
  /** The center organisation's name (default "Cyber Intelligence Center"); two federating centers need two. */
  readonly centerName?: string;
}

export async function openApiWorld(api: WebOptions = {}, more: WorldOptions = {}): Promise<ApiWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), 'koban-intel-api-'));
  if (more.config) writeFileSync(join(dataDir, 'koban.json'), JSON.stringify(more.config));
  const clock = { ms: T0 };
  const store = await freshRelational();
  const open = () =>
    openCenter({
      dataDir,
      relationalUrl: store.url,
      logLevel: 'silent',
      intel: {
        now: () => clock.ms,
        fsyncEvidence: false,
        auth: { passwords: TEST_PASSWORDS },
        ...more.intel,
      },
      api: { validateResponses: true, ...api },
    });
  let center = await open();
  let app = centerApp(center);
  const system = systemActor('test');
  const intel = center.intel;
  const centerName = more.centerName ?? 'Cyber Intelligence Center';
  const person = async (
    orgName: string,
    kind: NewOrg['kind'],
    email: string,
    role: Role,
    more: Omit<NewOrg, 'name' | 'kind'> = {},
  ) => {
    const org =
      (await intel.orgs.byName(orgName)) ?? (await intel.orgs.add(system, { name: orgName, kind, ...more }));
    const u = await intel.users.add(system, { email, orgId: org.id, role, password: PASSWORD });
    const { token } = await intel.auth.createToken(system, {
      userId: u.id,
      name: 'test',
      scopes: [...ROLE_SCOPES[role]],
    });
    return {
      userId: u.id,
      orgId: org.id,
      email,
      role,
      token,
      actor: userActor({ userId: u.id, orgId: org.id, role }),
    };
  };
  const cast: Cast = {
    admin: await person(centerName, 'center', 'admin@center.example', 'center-admin'),
    analyst: await person(centerName, 'center', 'analyst@center.example', 'analyst'),
    x: await person('X産業株式会社', 'member-company', 'security@x-sangyo.example', 'org-admin', {
      sector: 'manufacturing',
      prefecture: 'hiroshima',
      domains: ['x-sangyo.example'],
    }),
    x2: await person('X産業株式会社', 'member-company', 'tanaka@x-sangyo.example', 'org-member'),
    y: await person('Y精機株式会社', 'member-company', 'security@y-seiki.example', 'org-admin', {
      sector: 'manufacturing',
      prefecture: 'okayama',
      domains: ['y-seiki.example'],
    }),
    mssp: await person(
      'Secure Watch KK',
      'security-service-provider',
      'soc@securewatch.example',
      'service-provider',
      {
        sector: 'security',
        prefecture: 'tokyo',
      },
    ),
  };
  return {
    get center() {
      return center;
    },
    get app() {
      return app;
    },
    clock,
    system,
    cast,
    request(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.Authorization = `Bearer ${init.token}`;
      if (init.cookie) headers.Cookie = init.cookie;
      let body: Uint8Array | string | undefined = init.body;
      if (init.json !== undefined) {
        body = JSON.stringify(init.json);
        headers['Content-Type'] = 'application/json';
      }
      if (init.type) headers['Content-Type'] = init.type;
      const env = { incoming: { socket: { remoteAddress: init.ip ?? '192.0.2.10' } } };
      return Promise.resolve(
        app.request(
          path,
          { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body },
          env,
        ),
      );
    },
    async restart() {
      await center.close();
      center = await open();
      app = centerApp(center);
    },
    async close() {
      await center.close();
      await store.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function intelFixture(name: string): Buffer {
  return readFileSync(fixture(`intel/${name}`));
}

export type ErrorBody = { error: { code: string; message: string } };

/** The two C2 addresses of the lure fixtures (see test/fixtures/intel/README.md). */
export const C2_TH = '27.254.40.5';
export const C2_US = '74.208.142.31';
