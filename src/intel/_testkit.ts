/**
 * Test helpers for the intel services: an in-memory store with a temporary evidence directory,
 * a controllable clock, and the seed 002 cast (the center, X and Y whose mail was stolen, their
 * partners P1–P3, a security-service provider). Used by tests only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRelational, type RelationalDb } from '../db/index.js';
import { type Actor, systemActor, userActor } from './actor.js';
import type { Organisation } from './orgs.js';
import { type IntelOptions, IntelService } from './service.js';
import type { User } from './users.js';

export interface TestIntel {
  readonly db: RelationalDb;
  readonly intel: IntelService;
  readonly dir: string;
  readonly clock: { ms: number };
  readonly system: Actor;
  close(): Promise<void>;
}

/** 2012-02-10T00:00:00Z, the day after X's lure (seed 002). */
export const T0 = Date.UTC(2012, 1, 10);

export async function openTestIntel(
  opts: Pick<IntelOptions, 'fanOut' | 'emailLimits'> = {},
): Promise<TestIntel> {
  const db = await openRelational(':memory:');
  const dir = mkdtempSync(join(tmpdir(), 'koban-intel-'));
  const clock = { ms: T0 };
  const intel = await IntelService.open(db, {
    evidenceDir: join(dir, 'evidence'),
    now: () => clock.ms,
    fsyncEvidence: false,
    ...opts,
  });
  return {
    db,
    intel,
    dir,
    clock,
    system: systemActor('test'),
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Member {
  readonly org: Organisation;
  readonly user: User;
  readonly actor: Actor;
}

/** An organisation with one user, and that user as an actor (a session's full role scopes). */
export async function addMember(
  t: TestIntel,
  org: { name: string; kind: Organisation['kind']; sector?: string; prefecture?: string; domains?: string[] },
  user: { email: string; role: User['role'] },
): Promise<Member> {
  const o = (await t.intel.orgs.byName(org.name)) ?? (await t.intel.orgs.add(t.system, org));
  const u = await t.intel.users.add(t.system, { email: user.email, orgId: o.id, role: user.role });
  return { org: o, user: u, actor: userActor({ userId: u.id, orgId: o.id, role: u.role }) };
}

export interface Cast {
  readonly admin: Member;
  readonly analyst: Member;
  readonly x: Member;
  readonly y: Member;
  readonly p1: Member;
  readonly p2: Member;
  readonly p3: Member;
  readonly mssp: Member;
}

export async function seedCast(t: TestIntel): Promise<Cast> {
  const center = { name: 'Cyber Intelligence Center', kind: 'center' as const, prefecture: 'tokyo' };
  return {
    admin: await addMember(t, center, { email: 'admin@center.example', role: 'center-admin' }),
    analyst: await addMember(t, center, { email: 'analyst@center.example', role: 'analyst' }),
    x: await addMember(
      t,
      {
        name: 'X産業株式会社',
        kind: 'member-company',
        sector: 'manufacturing',
        prefecture: '広島県',
        domains: ['x-sangyo.example'],
      },
      { email: 'security@x-sangyo.example', role: 'org-admin' },
    ),
    y: await addMember(
      t,
      {
        name: 'Y精機株式会社',
        kind: 'member-company',
        sector: 'manufacturing',
        prefecture: 'okayama',
        domains: ['y-seiki.example'],
      },
      { email: 'security@y-seiki.example', role: 'org-admin' },
    ),
    p1: await addMember(
      t,
      {
        name: 'P1工業',
        kind: 'member-company',
        sector: 'manufacturing',
        prefecture: 'tokyo',
        domains: ['p1-kogyo.example'],
      },
      { email: 'csirt@p1-kogyo.example', role: 'org-member' },
    ),
    p2: await addMember(
      t,
      {
        name: 'P2協会',
        kind: 'member-company',
        sector: 'industry-association',
        prefecture: 'osaka',
        domains: ['p2-kyokai.example'],
      },
      { email: 'csirt@p2-kyokai.example', role: 'org-member' },
    ),
    p3: await addMember(
      t,
      {
        name: 'P3電機',
        kind: 'critical-infrastructure',
        sector: 'electricity',
        prefecture: '23',
        domains: ['p3-denki.example'],
      },
      { email: 'csirt@p3-denki.example', role: 'org-member' },
    ),
    mssp: await addMember(
      t,
      { name: 'Secure Watch KK', kind: 'security-service-provider', sector: 'security', prefecture: 'tokyo' },
      { email: 'soc@securewatch.example', role: 'service-provider' },
    ),
  };
}

export function intelFixture(name: string): Buffer {
  return readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'intel', name));
}

/** The two C2 addresses of seed 002's samples: one registered in Thailand, one in the USA (see the fixtures' README). */
export const C2_TH = '27.254.40.5';
export const C2_US = '74.208.142.31';
