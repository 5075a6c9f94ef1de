import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addMember, type Member, openTestIntel, type TestIntel } from '../_testkit.js';
import { listAudit } from '../audit/audit.js';
import { unknownIdentifierTag } from './auth.js';

let t: TestIntel;
let center: Member;
let p1: Member;
const PASSWORD = 'correct horse battery staple';

beforeEach(async () => {
  t = await openTestIntel();
  center = await addMember(
    t,
    { name: 'Center', kind: 'center' },
    { email: 'admin@center.example', role: 'center-admin' },
  );
  const org = await t.intel.orgs.add(t.system, { name: 'P1', kind: 'member-company', prefecture: 'Tokyo' });
  const user = await t.intel.users.add(t.system, {
    email: 'Suzuki@P1.example',
    orgId: org.id,
    role: 'org-member',
    password: PASSWORD,
  });
  p1 = { org, user, actor: (await t.intel.auth.login('suzuki@p1.example', PASSWORD)).actor };
});
afterEach(async () => {
  await t.close();
});

describe('organisations and users', () => {
  it('stores prefectures by their English name, whatever form they were given in', async () => {
    const a = await t.intel.orgs.add(t.system, { name: 'A', kind: 'local-government', prefecture: '広島県' });
    const b = await t.intel.orgs.add(t.system, { name: 'B', kind: 'bank', prefecture: '34' });
    expect([a.prefecture, b.prefecture, p1.org.prefecture]).toEqual(['hiroshima', 'hiroshima', 'tokyo']);
    await expect(
      t.intel.orgs.add(t.system, { name: 'C', kind: 'isp', prefecture: 'Atlantis' }),
    ).rejects.toMatchObject({
      code: 'E_USAGE',
      message:
        'organisation: prefecture: "Atlantis" is not a prefecture (JIS code, English or Japanese name)',
    });
  });

  it('refuses a second organisation of the same name and an unknown kind', async () => {
    await expect(t.intel.orgs.add(t.system, { name: 'P1', kind: 'member-company' })).rejects.toMatchObject({
      code: 'E_CONFLICT',
    });
    await expect(t.intel.orgs.add(t.system, { name: 'Z', kind: 'pirate' as 'isp' })).rejects.toMatchObject({
      code: 'E_USAGE',
    });
  });

  it('lets only center admins add organisations', async () => {
    await expect(t.intel.orgs.add(p1.actor, { name: 'Z', kind: 'isp' })).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await expect(t.intel.orgs.add(center.actor, { name: 'Z', kind: 'isp' })).resolves.toMatchObject({
      name: 'Z',
    });
  });

  it('keeps center roles in the center and the provider role at providers', async () => {
    await expect(
      t.intel.users.add(t.system, { email: 'x@p1.example', orgId: p1.org.id, role: 'analyst' }),
    ).rejects.toMatchObject({
      message: 'role analyst does not fit an organisation of kind member-company',
    });
    await expect(
      t.intel.users.add(t.system, { email: 'y@p1.example', orgId: p1.org.id, role: 'service-provider' }),
    ).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('lets an org admin add members to its own organisation only', async () => {
    const admin = await addMember(
      t,
      { name: 'P1', kind: 'member-company' },
      { email: 'admin@p1.example', role: 'org-admin' },
    );
    await expect(
      t.intel.users.add(admin.actor, { email: 'new@p1.example', orgId: p1.org.id, role: 'org-member' }),
    ).resolves.toMatchObject({ orgId: p1.org.id });
    await expect(
      t.intel.users.add(admin.actor, { email: 'new@center.example', orgId: center.org.id, role: 'analyst' }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    await expect(
      t.intel.users.add(p1.actor, { email: 'new2@p1.example', orgId: p1.org.id, role: 'org-member' }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('shows members their own organisation and the center every one', async () => {
    expect((await t.intel.orgs.list(p1.actor)).map((o) => o.name)).toEqual(['P1']);
    expect((await t.intel.orgs.list(center.actor)).map((o) => o.name)).toEqual(['Center', 'P1']);
  });

  it('stores the password as an Argon2id PHC string and refuses short ones', async () => {
    const row = await t.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', p1.user.id)
      .executeTakeFirstOrThrow();
    // The test world's cheap Argon2id (_testkit.ts); production's cost: passwords.test.ts.
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    await expect(
      t.intel.users.add(t.system, {
        email: 'z@p1.example',
        orgId: p1.org.id,
        role: 'org-member',
        password: 'short',
      }),
    ).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

describe('sessions', () => {
  it('logs in with the right password and authenticates the session token', async () => {
    const s = await t.intel.auth.login('suzuki@p1.example', PASSWORD);
    expect(s.token).toMatch(/^kss_\d+_[A-Za-z0-9_-]{43}$/);
    expect(s.expiresMs).toBe(t.clock.ms + 12 * 3_600_000);
    const actor = await t.intel.auth.authenticate(s.token);
    expect(actor).toMatchObject({
      kind: 'user',
      userId: p1.user.id,
      orgId: p1.org.id,
      role: 'org-member',
      label: `session:${s.sessionId} (user:${p1.user.id})`,
    });
    expect([...actor!.scopes].sort()).toEqual([
      'campaigns:read',
      'indicators:read',
      'reports:read',
      'reports:write',
    ]);
  });

  it('fails a wrong password and an unknown user the same way, and audits both', async () => {
    await expect(t.intel.auth.login('suzuki@p1.example', 'wrong password!!')).rejects.toMatchObject({
      code: 'E_AUTH',
      message: 'invalid e-mail or password',
    });
    await expect(t.intel.auth.login('nobody@p1.example', PASSWORD)).rejects.toMatchObject({
      code: 'E_AUTH',
      message: 'invalid e-mail or password',
    });
    const failed = await listAudit(t.db, { action: 'auth.login-failed' });
    expect(failed.map((r) => r.details)).toEqual([
      { email: null, unknownAccount: unknownIdentifierTag('nobody@p1.example') },
      { email: 'suzuki@p1.example' },
    ]);
  });

  it('never writes a login identifier that names no account into the audit (a password typed into the e-mail field)', async () => {
    const typo = 'Tr0ub4dor&3-suzuki';
    await expect(t.intel.auth.login(typo, typo)).rejects.toMatchObject({ code: 'E_AUTH' });
    await expect(t.intel.auth.login(typo, 'again')).rejects.toMatchObject({ code: 'E_AUTH' });
    const failed = await listAudit(t.db, { action: 'auth.login-failed' });
    expect(JSON.stringify(failed).toLowerCase()).not.toContain(typo.toLowerCase());
    // The same text leaves the same tag: repeated guesses stay linkable without being readable.
    expect(failed.map((r) => r.details)).toEqual([
      { email: null, unknownAccount: expect.stringMatching(/^[0-9a-f]{16}$/) },
      { email: null, unknownAccount: failed[1]!.details.unknownAccount },
    ]);
  });

  it('ends a session at its absolute expiry and after two idle hours', async () => {
    const s = await t.intel.auth.login('suzuki@p1.example', PASSWORD);
    for (let h = 1; h <= 11; h++) {
      t.clock.ms += 3_600_000;
      expect(await t.intel.auth.authenticate(s.token)).not.toBeNull();
    }
    t.clock.ms += 3_600_000;
    expect(await t.intel.auth.authenticate(s.token)).toBeNull();
    const idle = await t.intel.auth.login('suzuki@p1.example', PASSWORD);
    t.clock.ms += 2 * 3_600_000;
    expect(await t.intel.auth.authenticate(idle.token)).toBeNull();
  });

  it('ends a session on logout, on revocation, and when the user is disabled', async () => {
    const a = await t.intel.auth.login('suzuki@p1.example', PASSWORD);
    await t.intel.auth.logout(a.token);
    expect(await t.intel.auth.authenticate(a.token)).toBeNull();
    const b = await t.intel.auth.login('suzuki@p1.example', PASSWORD);
    await t.intel.auth.revokeSession(center.actor, b.sessionId);
    expect(await t.intel.auth.authenticate(b.token)).toBeNull();
    const c = await t.intel.auth.login('suzuki@p1.example', PASSWORD);
    await t.intel.users.disable(center.actor, p1.user.id);
    expect(await t.intel.auth.authenticate(c.token)).toBeNull();
    await expect(t.intel.auth.login('suzuki@p1.example', PASSWORD)).rejects.toMatchObject({ code: 'E_AUTH' });
  });

  it('rejects a token with the right id and a wrong secret, and malformed tokens', async () => {
    const s = await t.intel.auth.login('suzuki@p1.example', PASSWORD);
    const forged = `kss_${s.sessionId}_${'A'.repeat(43)}`;
    expect(await t.intel.auth.authenticate(forged)).toBeNull();
    for (const bad of ['', 'kss_1_short', `kss_999_${'A'.repeat(43)}`, `${s.token}x`, 'Bearer x']) {
      expect(await t.intel.auth.authenticate(bad)).toBeNull();
    }
  });
});

describe('API tokens', () => {
  it('issues a token once, stores only its SHA-256, and narrows the actor to its scopes', async () => {
    const { token, info } = await t.intel.auth.createToken(p1.actor, {
      userId: p1.user.id,
      name: 'feed reader',
      scopes: ['indicators:read'],
    });
    expect(token).toMatch(/^kbt_\d+_[A-Za-z0-9_-]{43}$/);
    const row = await t.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', info.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.split('_').slice(2).join('_'));
    const actor = await t.intel.auth.authenticate(token);
    expect([...actor!.scopes]).toEqual(['indicators:read']);
    expect(actor!.label).toBe(`token:${info.id} (user:${p1.user.id})`);
  });

  it('refuses scopes beyond the user’s role and tokens for other users', async () => {
    await expect(
      t.intel.auth.createToken(p1.actor, { userId: p1.user.id, name: 'x', scopes: ['campaigns:write'] }),
    ).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: 'scopes not available to this user: campaigns:write',
    });
    await expect(
      t.intel.auth.createToken(p1.actor, { userId: center.user.id, name: 'x', scopes: ['reports:read'] }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('stops a revoked or expired token', async () => {
    const a = await t.intel.auth.createToken(center.actor, {
      userId: p1.user.id,
      name: 'a',
      scopes: ['reports:read'],
    });
    await t.intel.auth.revokeToken(p1.actor, a.info.id);
    expect(await t.intel.auth.authenticate(a.token)).toBeNull();
    const b = await t.intel.auth.createToken(center.actor, {
      userId: p1.user.id,
      name: 'b',
      scopes: ['reports:read'],
      expiresMs: t.clock.ms + 1000,
    });
    expect(await t.intel.auth.authenticate(b.token)).not.toBeNull();
    t.clock.ms += 1000;
    expect(await t.intel.auth.authenticate(b.token)).toBeNull();
  });
});
