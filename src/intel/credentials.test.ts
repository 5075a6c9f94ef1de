/**
 * Taking access away: API tokens expire by default and are revoked, sessions are ended one by one
 * or all at once, users and organisations are disabled — each audited, each effective on the very
 * next authentication, with a reason the credential's holder can read.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../core/index.js';
import { addMember, type Member, openTestIntel, type TestIntel } from './_testkit.js';
import { listAudit } from './audit.js';

let t: TestIntel;
let admin: Member;
let xAdmin: Member;
let yAdmin: Member;
let member: { id: number; email: string };
const PASSWORD = 'correct horse battery staple';

beforeEach(async () => {
  t = await openTestIntel();
  admin = await addMember(
    t,
    { name: 'Center', kind: 'center' },
    { email: 'admin@center.example', role: 'center-admin' },
  );
  xAdmin = await addMember(
    t,
    { name: 'X', kind: 'member-company' },
    { email: 'admin@x.example', role: 'org-admin' },
  );
  yAdmin = await addMember(
    t,
    { name: 'Y', kind: 'member-company' },
    { email: 'admin@y.example', role: 'org-admin' },
  );
  const u = await t.intel.users.add(t.system, {
    email: 'tanaka@x.example',
    orgId: xAdmin.org.id,
    role: 'org-member',
    password: PASSWORD,
  });
  member = { id: u.id, email: u.email };
});
afterEach(async () => {
  await t.close();
});

async function memberToken(opts: { expiresMs?: number } = {}) {
  return t.intel.auth.createToken(t.system, {
    userId: member.id,
    name: 'feed',
    scopes: ['reports:read'],
    ...opts,
  });
}

describe('API token expiry', () => {
  it('expires a token after 90 days unless told otherwise, and says so to its holder', async () => {
    const { token, info } = await memberToken();
    expect(info.expiresMs).toBe(t.clock.ms + 90 * DAY_MS);
    t.clock.ms += 90 * DAY_MS - 1;
    expect((await t.intel.auth.check(token)).ok).toBe(true);
    t.clock.ms += 1;
    expect(await t.intel.auth.check(token)).toEqual({
      ok: false,
      reason: `the API token expired at ${new Date(info.expiresMs!).toISOString()}; ask for a new one`,
    });
  });

  it('takes a chosen expiry, up to ten years', async () => {
    const { info } = await memberToken({ expiresMs: t.clock.ms + 7 * DAY_MS });
    expect(info.expiresMs).toBe(t.clock.ms + 7 * DAY_MS);
    await expect(memberToken({ expiresMs: t.clock.ms + 3651 * DAY_MS })).rejects.toMatchObject({
      code: 'E_USAGE',
      message: 'API token: an expiry at most 3650 days ahead',
    });
  });

  it('tells a forged secret only that the token is invalid, even for a revoked token id', async () => {
    const { info } = await memberToken();
    await t.intel.auth.revokeToken(t.system, info.id);
    expect(await t.intel.auth.check(`kbt_${info.id}_${'A'.repeat(43)}`)).toEqual({
      ok: false,
      reason: 'the token is invalid, expired or revoked',
    });
  });
});

describe('revoking tokens and ending sessions', () => {
  it('lets the member’s org admin list and revoke its tokens, audited, and not another org’s admin', async () => {
    const { token, info } = await memberToken();
    await expect(t.intel.auth.listTokens(yAdmin.actor, member.id)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    await expect(t.intel.auth.revokeToken(yAdmin.actor, info.id)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
      message: `user:${yAdmin.user.id} may not manage the credentials of user ${member.id}`,
    });
    expect((await t.intel.auth.listTokens(xAdmin.actor, member.id)).map((x) => [x.id, x.revokedMs])).toEqual([
      [info.id, null],
    ]);
    await t.intel.auth.revokeToken(xAdmin.actor, info.id);
    expect(await t.intel.auth.check(token)).toEqual({
      ok: false,
      reason: `the API token was revoked at ${new Date(t.clock.ms).toISOString()}`,
    });
    const [row] = await listAudit(t.db, { action: 'auth.token-revoke' });
    expect(row).toMatchObject({ actorLabel: `user:${xAdmin.user.id}`, targetId: String(info.id) });
  });

  it('never lets an org admin issue a token for someone else', async () => {
    await expect(
      t.intel.auth.createToken(xAdmin.actor, { userId: member.id, name: 'x', scopes: ['reports:read'] }),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
  });

  it('ends every open session of a user at once', async () => {
    const a = await t.intel.auth.login(member.email, PASSWORD);
    const b = await t.intel.auth.login(member.email, PASSWORD);
    expect(await t.intel.auth.endSessions(xAdmin.actor, member.id)).toBe(2);
    expect(await t.intel.auth.authenticate(a.token)).toBeNull();
    expect(await t.intel.auth.authenticate(b.token)).toBeNull();
    expect((await listAudit(t.db, { action: 'auth.sessions-end' }))[0]?.details).toEqual({ ended: 2 });
  });
});

describe('disabling users and organisations', () => {
  it('stops a disabled user’s token and session at once, and enabling does not revive the session', async () => {
    const { token } = await memberToken();
    const s = await t.intel.auth.login(member.email, PASSWORD);
    await t.intel.users.disable(xAdmin.actor, member.id);
    expect(await t.intel.auth.check(token)).toEqual({ ok: false, reason: 'the account is disabled' });
    expect(await t.intel.auth.check(s.token)).toEqual({ ok: false, reason: 'the account is disabled' });
    await t.intel.users.enable(xAdmin.actor, member.id);
    expect((await t.intel.auth.check(token)).ok).toBe(true);
    expect((await t.intel.auth.check(s.token)).ok).toBe(false);
    const actions = (await listAudit(t.db, { targetType: 'user', targetId: String(member.id) })).map((r) => [
      r.action,
      r.details,
    ]);
    expect(actions.slice(0, 2)).toEqual([
      ['user.enable', {}],
      ['user.disable', { sessionsEnded: 1 }],
    ]);
  });

  it('stops every credential of a disabled organisation, lets only center admins do it, and never the center', async () => {
    const { token } = await memberToken();
    const s = await t.intel.auth.login(member.email, PASSWORD);
    await expect(t.intel.orgs.disable(xAdmin.actor, xAdmin.org.id)).rejects.toMatchObject({
      code: 'E_FORBIDDEN',
    });
    const off = await t.intel.orgs.disable(admin.actor, xAdmin.org.id);
    expect(off.active).toBe(false);
    expect(await t.intel.auth.check(token)).toEqual({ ok: false, reason: 'the organisation is disabled' });
    expect((await t.intel.auth.check(s.token)).ok).toBe(false);
    await expect(t.intel.auth.login(member.email, PASSWORD)).rejects.toMatchObject({ code: 'E_AUTH' });
    await expect(t.intel.orgs.disable(admin.actor, admin.org.id)).rejects.toMatchObject({
      code: 'E_USAGE',
      message: '"Center" is the center: it cannot be disabled',
    });
    await t.intel.orgs.enable(admin.actor, xAdmin.org.id);
    expect((await t.intel.auth.check(token)).ok).toBe(true);
    expect(
      (await listAudit(t.db, { targetType: 'org' })).slice(0, 2).map((r) => [r.action, r.details]),
    ).toEqual([
      ['org.enable', {}],
      ['org.disable', { sessionsEnded: 1 }],
    ]);
  });
});
