/**
 * Authentication: password login (Argon2id) creating a session, and API tokens carrying scopes.
 * Both credentials are `<prefix>_<row id>_<256-bit random secret>` (`kss_`, `kbt_`); only the
 * SHA-256 of the secret is stored and it is compared in constant time (core secret-token.ts).
 * Sessions end at an absolute expiry, after an idle period, on logout or revocation, and when the
 * user or their organisation is disabled; API tokens at their expiry (90 days unless the issuer
 * chose otherwise), on revocation, and likewise (credentials.ts issues, lists and revokes them).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  formatIdToken,
  KobanError,
  mintSecret,
  parseIdToken,
  secretHash,
  secretHashHex,
  secretHashMatches,
} from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import { type Actor, ANONYMOUS, RoleSchema, ScopeSchema, userActor } from './actor.js';
import {
  type ApiTokenInfo,
  createToken,
  endSessions,
  listTokens,
  type NewToken,
  revokeSession,
  revokeToken,
} from './credentials.js';
import { DEFAULT_PASSWORD_HASHER, type PasswordHasher } from './passwords.js';

export type { ApiTokenInfo, NewToken } from './credentials.js';

export interface AuthOptions {
  /** Absolute session lifetime (default 12 h: one working day). */
  readonly sessionTtlMs?: number;
  /** A session unused this long ends (default 2 h). */
  readonly sessionIdleMs?: number;
  /** How passwords are hashed and checked (default Argon2id, passwords.ts). */
  readonly passwords?: PasswordHasher;
}

export interface LoginResult {
  /** The session token: shown once, never stored. */
  readonly token: string;
  readonly sessionId: number;
  readonly expiresMs: number;
  readonly actor: Actor;
}

/** What `check` answers: the actor, or why the credential does not hold (for the 401 message). */
export type AuthCheck =
  | { readonly ok: true; readonly actor: Actor }
  | { readonly ok: false; readonly reason: string };

/** The answer for a token that is malformed, unknown or whose secret does not match. */
export const INVALID_CREDENTIAL = 'the token is invalid, expired or revoked';
const INVALID: AuthCheck = { ok: false, reason: INVALID_CREDENTIAL };

function iso(ms: number | string): string {
  return new Date(Number(ms)).toISOString();
}

/** A disabled user or organisation stops every credential at once (checked on each request). */
function accountProblem(row: { disabled_ms: number | null; active: number }): string | null {
  if (row.disabled_ms !== null) return 'the account is disabled';
  if (Number(row.active) !== 1) return 'the organisation is disabled';
  return null;
}

/** Key of {@link unknownIdentifierTag}: held in memory only, never stored. */
const IDENTIFIER_TAG_KEY = randomBytes(32);

/**
 * What the audit keeps of a login identifier that names no account: a password typed into the
 * e-mail field would otherwise be written into the audit in clear. A keyed hash under a key that
 * lives only in this process links repeated attempts with the same text (one guesser, one run)
 * and cannot be reversed or brute-forced from the audit alone.
 */
export function unknownIdentifierTag(identifier: string): string {
  return createHmac('sha256', IDENTIFIER_TAG_KEY).update(identifier).digest('hex').slice(0, 16);
}

export class AuthService {
  private readonly ttlMs: number;
  private readonly idleMs: number;
  private readonly ctx: { readonly db: RelationalDb; readonly now: () => number };
  private readonly passwords: PasswordHasher;
  /** Compared against when the e-mail is unknown, so a failed login takes as long either way. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
    opts: AuthOptions = {},
  ) {
    this.ttlMs = opts.sessionTtlMs ?? 12 * 3_600_000;
    this.idleMs = opts.sessionIdleMs ?? 2 * 3_600_000;
    this.ctx = { db, now };
    this.passwords = opts.passwords ?? DEFAULT_PASSWORD_HASHER;
  }

  /** Checks the password and opens a session; any failure is the same E_AUTH. */
  async login(email: string, password: string): Promise<LoginResult> {
    const address = email.trim().toLowerCase();
    const row = await this.db
      .selectFrom('users')
      .innerJoin('organisations as o', 'o.id', 'users.org_id')
      .select([
        'users.id',
        'users.org_id',
        'users.role',
        'users.password_hash',
        'users.disabled_ms',
        'o.active',
      ])
      .where('users.email', '=', address)
      .executeTakeFirst();
    this.dummyHash ??= this.passwords.hash(randomBytes(16).toString('hex'));
    const stored = row?.password_hash ?? (await this.dummyHash);
    const ok = await this.passwords.verify(stored, password);
    const nowMs = this.now();
    if (!row || !ok || row.password_hash === null || row.disabled_ms !== null || Number(row.active) !== 1) {
      await appendAudit(
        this.db,
        ANONYMOUS,
        {
          action: 'auth.login-failed',
          targetType: 'user',
          ...(row ? { targetId: Number(row.id) } : {}),
          details: row ? { email: address } : { email: null, unknownAccount: unknownIdentifierTag(address) },
        },
        nowMs,
      );
      throw new KobanError('E_AUTH', 'invalid e-mail or password');
    }
    const secret = mintSecret();
    const actorBase = { userId: Number(row.id), orgId: Number(row.org_id), role: RoleSchema.parse(row.role) };
    const expiresMs = nowMs + this.ttlMs;
    const sessionId = await this.db.transaction().execute(async (tx) => {
      const s = await tx
        .insertInto('sessions')
        .values({
          user_id: actorBase.userId,
          token_hash: secretHashHex(secret),
          created_ms: nowMs,
          expires_ms: expiresMs,
          last_used_ms: nowMs,
          revoked_ms: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const actor = userActor(actorBase, undefined, `session:${s.id}`);
      await appendAudit(tx, actor, { action: 'auth.login', targetType: 'session', targetId: s.id }, nowMs);
      return Number(s.id);
    });
    return {
      token: formatIdToken('session', sessionId, secret),
      sessionId,
      expiresMs,
      actor: userActor(actorBase, undefined, `session:${sessionId}`),
    };
  }

  /** The actor behind a session or API token, or null for anything invalid, expired or revoked. */
  async authenticate(token: string): Promise<Actor | null> {
    const r = await this.check(token);
    return r.ok ? r.actor : null;
  }

  /**
   * The actor behind a token, or why it does not hold. The reason names the token's state (expired,
   * revoked, disabled) only once its secret matched: whoever holds the token may learn why it no
   * longer works; anyone else gets "invalid".
   */
  async check(token: string): Promise<AuthCheck> {
    const t = parseIdToken(token, ['session', 'apiToken']);
    if (!t) return INVALID;
    const given = secretHash(t.secret);
    return t.kind === 'session' ? this.sessionActor(t.id, given) : this.tokenActor(t.id, given);
  }

  private async sessionActor(id: number, given: Buffer): Promise<AuthCheck> {
    const row = await this.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .innerJoin('organisations as o', 'o.id', 'u.org_id')
      .select([
        's.token_hash',
        's.expires_ms',
        's.last_used_ms',
        's.revoked_ms',
        'u.id as user_id',
        'u.org_id',
        'u.role',
        'u.disabled_ms',
        'o.active',
      ])
      .where('s.id', '=', id)
      .executeTakeFirst();
    if (!secretHashMatches(row?.token_hash, given) || !row) return INVALID;
    const nowMs = this.now();
    const refused =
      accountProblem(row) ??
      (row.revoked_ms !== null
        ? `the session was ended at ${iso(row.revoked_ms)} (logged out or revoked); log in again`
        : nowMs >= Number(row.expires_ms)
          ? `the session expired at ${iso(row.expires_ms)}; log in again`
          : nowMs - Number(row.last_used_ms) >= this.idleMs
            ? 'the session ended after being idle; log in again'
            : null);
    if (refused !== null) return { ok: false, reason: refused };
    // One write a minute at most: the idle clock needs no finer grain.
    if (nowMs - Number(row.last_used_ms) >= 60_000) {
      await this.db.updateTable('sessions').set({ last_used_ms: nowMs }).where('id', '=', id).execute();
    }
    const actor = userActor(
      { userId: Number(row.user_id), orgId: Number(row.org_id), role: RoleSchema.parse(row.role) },
      undefined,
      `session:${id}`,
    );
    return { ok: true, actor };
  }

  private async tokenActor(id: number, given: Buffer): Promise<AuthCheck> {
    const row = await this.db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .innerJoin('organisations as o', 'o.id', 'u.org_id')
      .select([
        't.token_hash',
        't.scopes',
        't.expires_ms',
        't.revoked_ms',
        't.last_used_ms',
        'u.id as user_id',
        'u.org_id',
        'u.role',
        'u.disabled_ms',
        'o.active',
      ])
      .where('t.id', '=', id)
      .executeTakeFirst();
    if (!secretHashMatches(row?.token_hash, given) || !row) return INVALID;
    const nowMs = this.now();
    const refused =
      accountProblem(row) ??
      (row.revoked_ms !== null
        ? `the API token was revoked at ${iso(row.revoked_ms)}`
        : row.expires_ms !== null && nowMs >= Number(row.expires_ms)
          ? `the API token expired at ${iso(row.expires_ms)}; ask for a new one`
          : null);
    if (refused !== null) return { ok: false, reason: refused };
    if (row.last_used_ms === null || nowMs - Number(row.last_used_ms) >= 60_000) {
      await this.db.updateTable('api_tokens').set({ last_used_ms: nowMs }).where('id', '=', id).execute();
    }
    const scopes = z.array(ScopeSchema).parse(JSON.parse(row.scopes));
    const actor = userActor(
      { userId: Number(row.user_id), orgId: Number(row.org_id), role: RoleSchema.parse(row.role) },
      scopes,
      `token:${id}`,
    );
    return { ok: true, actor };
  }

  /** Ends the session a token belongs to (logout). Unknown tokens are ignored. */
  async logout(token: string): Promise<void> {
    const actor = await this.authenticate(token);
    const t = parseIdToken(token, ['session']);
    if (!actor || !t) return;
    await this.revokeSession(actor, t.id);
  }

  /** Ends one session: its owner, an admin of the user (credentials.ts), or the system. */
  revokeSession(actor: Actor, sessionId: number): Promise<void> {
    return revokeSession(this.ctx, actor, sessionId);
  }

  /** Ends every open session of a user; returns how many. */
  endSessions(actor: Actor, userId: number): Promise<number> {
    return endSessions(this.ctx, actor, userId);
  }

  /**
   * Issues an API token (returned once): for oneself within one's own scopes, or by a center admin
   * or the system for anyone, within the user's role. It expires after `DEFAULT_TOKEN_TTL_DAYS`
   * unless `expiresMs` says otherwise.
   */
  createToken(actor: Actor, input: NewToken): Promise<{ token: string; info: ApiTokenInfo }> {
    return createToken(this.ctx, actor, input);
  }

  /** A user's tokens (never their secrets). */
  listTokens(actor: Actor, userId: number): Promise<ApiTokenInfo[]> {
    return listTokens(this.ctx, actor, userId);
  }

  revokeToken(actor: Actor, tokenId: number): Promise<void> {
    return revokeToken(this.ctx, actor, tokenId);
  }
}
