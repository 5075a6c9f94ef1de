/**
 * Test helpers for the intel services: a fresh relational store in the run's dialect (in-memory
 * SQLite, or a PostgreSQL schema: test/relational.ts) with a temporary evidence directory (and
 * audit chain key), a controllable clock, and the cast of the reference case
 * (docs/background.md#sharing-network: the center, X and Y whose mail was stolen, their partners
 * P1–P3, a security-service provider). Used by tests only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshRelational } from '../../test/relational.js';
import { DAY_MS } from '../core/index.js';
import { openRelational, type RelationalDb } from '../db/index.js';
import { type Actor, systemActor, userActor } from './identity/actor.js';
import type { Organisation } from './identity/orgs.js';
import { argon2Hasher } from './identity/passwords.js';
import type { User } from './identity/users.js';
import type { Tlp } from './labels/tlp.js';
import { type IntelOptions, IntelService } from './service.js';

export interface TestIntel {
  readonly db: RelationalDb;
  readonly intel: IntelService;
  readonly dir: string;
  readonly clock: { ms: number };
  readonly system: Actor;
  close(): Promise<void>;
}

/**
 * Argon2id at its lowest cost, for the accounts tests make: production's cost (passwords.ts) is
 * meant to be slow. Verifying reads the cost from the stored hash, so logins take the same path.
 */
export const TEST_PASSWORDS = argon2Hasher({ memoryCost: 8, timeCost: 1 });

/** 2012-02-10T00:00:00Z, the day after X's lure (docs/background.md#sharing-network). */
export const T0 = Date.UTC(2012, 1, 10);

export async function openTestIntel(
  opts: Pick<
    IntelOptions,
    'fanOut' | 'emailLimits' | 'advisories' | 'resolver' | 'intakeLimits' | 'auth'
  > = {},
): Promise<TestIntel> {
  const store = await freshRelational();
  const raw = await openRelational(':memory:', { url: store.url });
  const dir = mkdtempSync(join(tmpdir(), 'koban-intel-'));
  const clock = { ms: T0 };
  const intel = await IntelService.open(raw, {
    evidenceDir: join(dir, 'evidence'),
    auditDir: dir,
    now: () => clock.ms,
    fsyncEvidence: false,
    ...opts,
    auth: { passwords: TEST_PASSWORDS, ...opts.auth },
  });
  // The services' handle: the same connection, with the audit chain key attached.
  const db = intel.db;
  return {
    db,
    intel,
    dir,
    clock,
    system: systemActor('test'),
    async close() {
      await intel.close();
      await raw.destroy();
      await store.drop();
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

/** The two C2 addresses of the reference case's samples: one registered in Thailand, one in the USA (see the fixtures' README). */
export const C2_TH = '27.254.40.5';
export const C2_US = '74.208.142.31';

export interface Seed002Campaign {
  /** The reports of the lures received by P1 and P2 (X's stolen mail) and P3 (Y's). */
  readonly reportIds: { readonly p1: number; readonly p2: number; readonly p3: number };
  readonly campaignId: number;
}

/**
 * The reference case (docs/background.md#sharing-network) up to the campaign: the three lures
 * reported by P1, P2 (20:30 and 20:31 on 9 February) and P3 (a month later), and the analysis of each attachment showing the same two C2
 * addresses — which puts the three reports in one campaign (scenario-002.test.ts checks how).
 */
export async function seed002Campaign(t: TestIntel, cast: Cast): Promise<Seed002Campaign> {
  const p1 = await t.intel.intake.submitEmail(cast.p1.actor, intelFixture('x-lure-p1.eml'));
  t.clock.ms += 60_000;
  const p2 = await t.intel.intake.submitEmail(cast.p2.actor, intelFixture('x-lure-p2.eml'));
  t.clock.ms += 34 * DAY_MS;
  const p3 = await t.intel.intake.submitEmail(cast.p3.actor, intelFixture('y-lure-p3.eml'));
  for (const r of [p1, p2, p3]) {
    await t.intel.intake.addIndicators(cast.analyst.actor, r.reportId, [
      { value: `${C2_TH}:443`, role: 'c2', note: 'sandbox: HTTPS beacon every 60 s' },
      { value: C2_US, role: 'c2', port: 80 },
    ]);
  }
  return {
    reportIds: { p1: p1.reportId, p2: p2.reportId, p3: p3.reportId },
    campaignId: p2.correlation!.campaignId!,
  };
}

/**
 * Lets alerts quote reports under `tlp`, below their labels: the analyst requests the
 * declassification, the center admin approves it (four eyes; declassify.ts).
 */
export async function declassify(
  t: TestIntel,
  cast: Pick<Cast, 'admin' | 'analyst'>,
  reportIds: readonly number[],
  tlp: Tlp,
): Promise<void> {
  const requested = await t.intel.declassifications.request(cast.analyst.actor, {
    reportIds: [...reportIds],
    tlp,
    reason: 'lure facts and C2 addresses only, reporters anonymised',
  });
  for (const d of requested) await t.intel.declassifications.approve(cast.admin.actor, d.id);
}
