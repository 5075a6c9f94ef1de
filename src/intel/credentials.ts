/**
 * Managing credentials: issuing API tokens (with an expiry, by default `DEFAULT_TOKEN_TTL_DAYS`),
 * listing and revoking them, and ending sessions — one session, or all of a user's at once. Each
 * change is audited in its transaction.
 *
 * Who may: the user for their own credentials; a center admin (with `orgs:admin`) for anyone; an
 * org admin (with `orgs:admin`) may list, revoke and end those of its own organisation's members —
 * but never issue a token for someone else, which would let it read what only that person may (a
 * RED report names people, not organisations). The system (the operator's CLI) may do all.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { DAY_MS, formatIdToken, KobanError, mintSecret, secretHashHex } from '../core/index.js';
import type { Database, RelationalDb } from '../db/index.js';
import { hasScope } from './access.js';
import { type Actor, isCenterRole, ROLE_SCOPES, RoleSchema, type Scope, ScopeSchema } from './actor.js';
import { appendAudit } from './audit.js';
import { parseInput } from './orgs.js';

/** API tokens expire after this many days unless the issuer says otherwise: a leaked token must not work for ever. */
export const DEFAULT_TOKEN_TTL_DAYS = 90;
/** The longest expiry an issuer may ask for. */
export const MAX_TOKEN_TTL_DAYS = 3650;

export const NewTokenSchema = z.object({
  userId: z.number().int().positive(),
  name: z.string().trim().min(1).max(100),
  scopes: z.array(ScopeSchema).min(1),
  /** When the token stops working; default: `DEFAULT_TOKEN_TTL_DAYS` from now. */
  expiresMs: z.number().int().positive().optional(),
});
export type NewToken = z.input<typeof NewTokenSchema>;

export interface ApiTokenInfo {
  readonly id: number;
  readonly userId: number;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly createdMs: number;
  readonly expiresMs: number | null;
  readonly lastUsedMs: number | null;
  readonly revokedMs: number | null;
}

type Ctx = { readonly db: RelationalDb; readonly now: () => number };

async function owner(db: Kysely<Database>, userId: number) {
  const u = await db
    .selectFrom('users')
    .select(['id', 'org_id', 'role'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!u) throw new KobanError('E_NOT_FOUND', `no user ${userId}`);
  return { id: Number(u.id), orgId: Number(u.org_id), role: RoleSchema.parse(u.role) };
}

/** Throws E_FORBIDDEN unless the actor may manage (or, with `issue`, issue) the user's credentials. */
function checkMayManage(
  actor: Actor,
  user: { id: number; orgId: number; role: ReturnType<typeof RoleSchema.parse> },
  issue = false,
): void {
  if (actor.kind === 'system') return;
  if (actor.kind === 'user' && actor.userId === user.id) return;
  const admin = hasScope(actor, 'orgs:admin');
  if (admin && actor.role === 'center-admin') return;
  if (!issue && admin && actor.role === 'org-admin' && actor.orgId === user.orgId && !isCenterRole(user.role))
    return;
  throw new KobanError('E_FORBIDDEN', `${actor.label} may not manage the credentials of user ${user.id}`);
}

/** Issues a token for a user (scopes within the role, and within one's own when issuing for oneself); shown once. */
export async function createToken(
  ctx: Ctx,
  actor: Actor,
  input: NewToken,
): Promise<{ token: string; info: ApiTokenInfo }> {
  const t = parseInput(NewTokenSchema, input, 'API token');
  const user = await owner(ctx.db, t.userId);
  checkMayManage(actor, user, true);
  const allowed = new Set<Scope>(ROLE_SCOPES[user.role]);
  const beyond = t.scopes.filter(
    (s) => !allowed.has(s) || (actor.kind === 'user' && actor.userId === t.userId && !actor.scopes.has(s)),
  );
  if (beyond.length > 0) {
    throw new KobanError('E_FORBIDDEN', `scopes not available to this user: ${beyond.join(', ')}`);
  }
  const scopes = [...new Set(t.scopes)].sort();
  const secret = mintSecret();
  const nowMs = ctx.now();
  const expiresMs = t.expiresMs ?? nowMs + DEFAULT_TOKEN_TTL_DAYS * DAY_MS;
  if (expiresMs > nowMs + MAX_TOKEN_TTL_DAYS * DAY_MS)
    throw new KobanError('E_USAGE', `API token: an expiry at most ${MAX_TOKEN_TTL_DAYS} days ahead`);
  const id = await ctx.db.transaction().execute(async (tx) => {
    const r = await tx
      .insertInto('api_tokens')
      .values({
        user_id: t.userId,
        name: t.name,
        token_hash: secretHashHex(secret),
        scopes: JSON.stringify(scopes),
        created_ms: nowMs,
        expires_ms: expiresMs,
        last_used_ms: null,
        revoked_ms: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendAudit(
      tx,
      actor,
      {
        action: 'auth.token-create',
        targetType: 'api-token',
        targetId: r.id,
        details: { userId: t.userId, name: t.name, scopes, expiresMs },
      },
      nowMs,
    );
    return Number(r.id);
  });
  return {
    token: formatIdToken('apiToken', id, secret),
    info: {
      id,
      userId: t.userId,
      name: t.name,
      scopes,
      createdMs: nowMs,
      expiresMs,
      lastUsedMs: null,
      revokedMs: null,
    },
  };
}

/** A user's API tokens, newest first (never their secrets, which are not kept). */
export async function listTokens(ctx: Ctx, actor: Actor, userId: number): Promise<ApiTokenInfo[]> {
  checkMayManage(actor, await owner(ctx.db, userId));
  const rows = await ctx.db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
  const ms = (v: number | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    id: Number(r.id),
    userId: Number(r.user_id),
    name: r.name,
    scopes: z.array(ScopeSchema).parse(JSON.parse(r.scopes)),
    createdMs: Number(r.created_ms),
    expiresMs: ms(r.expires_ms),
    lastUsedMs: ms(r.last_used_ms),
    revokedMs: ms(r.revoked_ms),
  }));
}

/** Revokes a token at once (its next request gets 401). Revoking it again changes nothing. */
export async function revokeToken(ctx: Ctx, actor: Actor, tokenId: number): Promise<void> {
  const t = await ctx.db
    .selectFrom('api_tokens')
    .select(['user_id', 'revoked_ms'])
    .where('id', '=', tokenId)
    .executeTakeFirst();
  if (!t) throw new KobanError('E_NOT_FOUND', `no API token ${tokenId}`);
  checkMayManage(actor, await owner(ctx.db, Number(t.user_id)));
  if (t.revoked_ms !== null) return;
  const nowMs = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    await tx.updateTable('api_tokens').set({ revoked_ms: nowMs }).where('id', '=', tokenId).execute();
    await appendAudit(
      tx,
      actor,
      {
        action: 'auth.token-revoke',
        targetType: 'api-token',
        targetId: tokenId,
        details: { userId: Number(t.user_id) },
      },
      nowMs,
    );
  });
}

/** Ends one session (logout, or revocation by its owner or an admin). */
export async function revokeSession(ctx: Ctx, actor: Actor, sessionId: number): Promise<void> {
  const s = await ctx.db
    .selectFrom('sessions')
    .select(['user_id', 'revoked_ms'])
    .where('id', '=', sessionId)
    .executeTakeFirst();
  if (!s) throw new KobanError('E_NOT_FOUND', `no session ${sessionId}`);
  checkMayManage(actor, await owner(ctx.db, Number(s.user_id)));
  if (s.revoked_ms !== null) return;
  const nowMs = ctx.now();
  await ctx.db.transaction().execute(async (tx) => {
    await tx.updateTable('sessions').set({ revoked_ms: nowMs }).where('id', '=', sessionId).execute();
    await appendAudit(
      tx,
      actor,
      { action: 'auth.session-revoke', targetType: 'session', targetId: sessionId },
      nowMs,
    );
  });
}

/**
 * Ends every open session of the users matching `where` inside `tx` (used when a user or an
 * organisation is disabled, so enabling it again does not bring old sessions back). Returns how many.
 */
export async function endSessionsWhere(
  tx: Kysely<Database>,
  users: { readonly userId: number } | { readonly orgId: number },
  nowMs: number,
): Promise<number> {
  const ids =
    'userId' in users
      ? [users.userId]
      : (await tx.selectFrom('users').select('id').where('org_id', '=', users.orgId).execute()).map((u) =>
          Number(u.id),
        );
  if (ids.length === 0) return 0;
  const r = await tx
    .updateTable('sessions')
    .set({ revoked_ms: nowMs })
    .where('user_id', 'in', ids)
    .where('revoked_ms', 'is', null)
    .where('expires_ms', '>', nowMs)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Ends all of a user's sessions (a lost laptop, a departing employee); audited with the count. */
export async function endSessions(ctx: Ctx, actor: Actor, userId: number): Promise<number> {
  checkMayManage(actor, await owner(ctx.db, userId));
  const nowMs = ctx.now();
  return ctx.db.transaction().execute(async (tx) => {
    const ended = await endSessionsWhere(tx, { userId }, nowMs);
    await appendAudit(
      tx,
      actor,
      { action: 'auth.sessions-end', targetType: 'user', targetId: userId, details: { ended } },
      nowMs,
    );
    return ended;
  });
}
