/**
 * Authentication: password login (Argon2id) creating a session, and API tokens carrying scopes.
 * Both credentials are `<prefix>_<row id>_<256-bit random secret>`; only the SHA-256 of the secret
 * is stored and it is compared with `timingSafeEqual` (a fast hash suits 256-bit random secrets;
 * argon2 is for human passwords). Sessions end at an absolute expiry, after an idle period, on
 * logout or revocation, and when the user or their organisation is disabled.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import { KobanError } from '../core/index.js';
import type { RelationalDb } from '../db/index.js';
import {
  type Actor,
  ANONYMOUS,
  ROLE_SCOPES,
  RoleSchema,
  type Scope,
  ScopeSchema,
  userActor,
} from './actor.js';
import { appendAudit } from './audit.js';
import { parseInput } from './orgs.js';

export interface AuthOptions {
  /** Absolute session lifetime (default 12 h: one working day). */
  readonly sessionTtlMs?: number;
  /** A session unused this long ends (default 2 h). */
  readonly sessionIdleMs?: number;
}

export interface LoginResult {
  /** The session token: shown once, never stored. */
  readonly token: string;
  readonly sessionId: number;
  readonly expiresMs: number;
  readonly actor: Actor;
}

export const NewTokenSchema = z.object({
  userId: z.number().int().positive(),
  name: z.string().trim().min(1).max(100),
  scopes: z.array(ScopeSchema).min(1),
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
  readonly revokedMs: number | null;
}

const TOKEN_RE = /^(kss|kbt)_(\d{1,12})_([A-Za-z0-9_-]{43})$/;

function secretHash(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

function sameHash(storedHex: string | undefined, given: Buffer): boolean {
  const stored = storedHex ? Buffer.from(storedHex, 'hex') : Buffer.alloc(32);
  return stored.length === given.length && timingSafeEqual(stored, given) && storedHex !== undefined;
}

/** Compared against when the e-mail is unknown, so a failed login takes as long either way. */
let dummyHash: Promise<string> | null = null;

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

  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
    opts: AuthOptions = {},
  ) {
    this.ttlMs = opts.sessionTtlMs ?? 12 * 3_600_000;
    this.idleMs = opts.sessionIdleMs ?? 2 * 3_600_000;
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
    dummyHash ??= hash(randomBytes(16).toString('hex'));
    const stored = row?.password_hash ?? (await dummyHash);
    let ok = false;
    try {
      ok = await verify(stored, password);
    } catch {
      ok = false;
    }
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
    const secret = randomBytes(32).toString('base64url');
    const actorBase = { userId: Number(row.id), orgId: Number(row.org_id), role: RoleSchema.parse(row.role) };
    const expiresMs = nowMs + this.ttlMs;
    const sessionId = await this.db.transaction().execute(async (tx) => {
      const s = await tx
        .insertInto('sessions')
        .values({
          user_id: actorBase.userId,
          token_hash: secretHash(secret).toString('hex'),
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
      token: `kss_${sessionId}_${secret}`,
      sessionId,
      expiresMs,
      actor: userActor(actorBase, undefined, `session:${sessionId}`),
    };
  }

  /** The actor behind a session or API token, or null for anything invalid, expired or revoked. */
  async authenticate(token: string): Promise<Actor | null> {
    const m = TOKEN_RE.exec(token);
    if (!m) return null;
    const id = Number(m[2]);
    const given = secretHash(m[3]!);
    return m[1] === 'kss' ? this.sessionActor(id, given) : this.tokenActor(id, given);
  }

  private async sessionActor(id: number, given: Buffer): Promise<Actor | null> {
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
    if (!sameHash(row?.token_hash, given) || !row) return null;
    const nowMs = this.now();
    if (row.revoked_ms !== null || row.disabled_ms !== null || Number(row.active) !== 1) return null;
    if (nowMs >= Number(row.expires_ms) || nowMs - Number(row.last_used_ms) >= this.idleMs) return null;
    // One write a minute at most: the idle clock needs no finer grain.
    if (nowMs - Number(row.last_used_ms) >= 60_000) {
      await this.db.updateTable('sessions').set({ last_used_ms: nowMs }).where('id', '=', id).execute();
    }
    return userActor(
      { userId: Number(row.user_id), orgId: Number(row.org_id), role: RoleSchema.parse(row.role) },
      undefined,
      `session:${id}`,
    );
  }

  private async tokenActor(id: number, given: Buffer): Promise<Actor | null> {
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
    if (!sameHash(row?.token_hash, given) || !row) return null;
    const nowMs = this.now();
    if (row.revoked_ms !== null || row.disabled_ms !== null || Number(row.active) !== 1) return null;
    if (row.expires_ms !== null && nowMs >= Number(row.expires_ms)) return null;
    if (row.last_used_ms === null || nowMs - Number(row.last_used_ms) >= 60_000) {
      await this.db.updateTable('api_tokens').set({ last_used_ms: nowMs }).where('id', '=', id).execute();
    }
    const scopes = z.array(ScopeSchema).parse(JSON.parse(row.scopes));
    return userActor(
      { userId: Number(row.user_id), orgId: Number(row.org_id), role: RoleSchema.parse(row.role) },
      scopes,
      `token:${id}`,
    );
  }

  /** Ends the session a token belongs to (logout). Unknown tokens are ignored. */
  async logout(token: string): Promise<void> {
    const actor = await this.authenticate(token);
    const m = TOKEN_RE.exec(token);
    if (!actor || !m || m[1] !== 'kss') return;
    await this.revokeSession(actor, Number(m[2]));
  }

  /** Revokes a session: its owner, a center admin, or the system. */
  async revokeSession(actor: Actor, sessionId: number): Promise<void> {
    const s = await this.db
      .selectFrom('sessions')
      .select(['user_id', 'revoked_ms'])
      .where('id', '=', sessionId)
      .executeTakeFirst();
    if (!s) throw new KobanError('E_NOT_FOUND', `no session ${sessionId}`);
    this.checkOwnerOrAdmin(actor, Number(s.user_id));
    if (s.revoked_ms !== null) return;
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
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
   * Issues an API token for a user: for oneself (scopes within one's own), or by a center admin
   * or the system for anyone. The scopes must fit the user's role. The token is returned once.
   */
  async createToken(actor: Actor, input: NewToken): Promise<{ token: string; info: ApiTokenInfo }> {
    const t = parseInput(NewTokenSchema, input, 'API token');
    const user = await this.db
      .selectFrom('users')
      .select(['id', 'role', 'disabled_ms'])
      .where('id', '=', t.userId)
      .executeTakeFirst();
    if (!user) throw new KobanError('E_NOT_FOUND', `no user ${t.userId}`);
    this.checkOwnerOrAdmin(actor, t.userId);
    const role = RoleSchema.parse(user.role);
    const allowed = new Set<Scope>(ROLE_SCOPES[role]);
    const beyond = t.scopes.filter(
      (s) => !allowed.has(s) || (actor.kind === 'user' && actor.userId === t.userId && !actor.scopes.has(s)),
    );
    if (beyond.length > 0) {
      throw new KobanError('E_FORBIDDEN', `scopes not available to this user: ${beyond.join(', ')}`);
    }
    const scopes = [...new Set(t.scopes)].sort();
    const secret = randomBytes(32).toString('base64url');
    const nowMs = this.now();
    const id = await this.db.transaction().execute(async (tx) => {
      const r = await tx
        .insertInto('api_tokens')
        .values({
          user_id: t.userId,
          name: t.name,
          token_hash: secretHash(secret).toString('hex'),
          scopes: JSON.stringify(scopes),
          created_ms: nowMs,
          expires_ms: t.expiresMs ?? null,
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
          details: { userId: t.userId, name: t.name, scopes },
        },
        nowMs,
      );
      return Number(r.id);
    });
    return {
      token: `kbt_${id}_${secret}`,
      info: {
        id,
        userId: t.userId,
        name: t.name,
        scopes,
        createdMs: nowMs,
        expiresMs: t.expiresMs ?? null,
        revokedMs: null,
      },
    };
  }

  async revokeToken(actor: Actor, tokenId: number): Promise<void> {
    const t = await this.db
      .selectFrom('api_tokens')
      .select(['user_id', 'revoked_ms'])
      .where('id', '=', tokenId)
      .executeTakeFirst();
    if (!t) throw new KobanError('E_NOT_FOUND', `no API token ${tokenId}`);
    this.checkOwnerOrAdmin(actor, Number(t.user_id));
    if (t.revoked_ms !== null) return;
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('api_tokens').set({ revoked_ms: nowMs }).where('id', '=', tokenId).execute();
      await appendAudit(
        tx,
        actor,
        { action: 'auth.token-revoke', targetType: 'api-token', targetId: tokenId },
        nowMs,
      );
    });
  }

  private checkOwnerOrAdmin(actor: Actor, userId: number): void {
    if (
      actor.kind === 'system' ||
      actor.role === 'center-admin' ||
      (actor.kind === 'user' && actor.userId === userId)
    )
      return;
    throw new KobanError('E_FORBIDDEN', `${actor.label} may not manage the credentials of user ${userId}`);
  }
}
