/**
 * People: users belong to one organisation and hold one role. Center roles (center-admin,
 * analyst) exist only in the center; the service-provider role only in a security-service
 * provider; members get org-admin or org-member. Passwords are stored as Argon2id PHC strings
 * (passwords.ts).
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import type { RelationalDb } from '../../db/index.js';
import { appendAudit } from '../audit/audit.js';
import { parseInput } from '../input.js';
import { hasScope, isCenter } from '../labels/access.js';
import { type Actor, type Role, RoleSchema } from './actor.js';
import { endSessionsWhere } from './credentials.js';
import { type Organisation, OrgService } from './orgs.js';
import { DEFAULT_PASSWORD_HASHER, type PasswordHasher } from './passwords.js';

/** NIST SP 800-63B §3.1.1.2 asks for at least 8; a sharing center's accounts get more. */
export const MIN_PASSWORD_LENGTH = 12;

export const NewUserSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  orgId: z.number().int().positive(),
  role: RoleSchema,
  displayName: z.string().trim().min(1).max(200).optional(),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1024).optional(),
});
export type NewUser = z.input<typeof NewUserSchema>;

export interface User {
  readonly id: number;
  readonly email: string;
  readonly displayName: string | null;
  readonly orgId: number;
  readonly role: Role;
  readonly hasPassword: boolean;
  readonly createdMs: number;
  readonly disabledMs: number | null;
}

type Row = {
  id: number;
  email: string;
  display_name: string | null;
  org_id: number;
  role: string;
  password_hash: string | null;
  created_ms: number;
  disabled_ms: number | null;
};

export function toUser(r: Row): User {
  return {
    id: Number(r.id),
    email: r.email,
    displayName: r.display_name,
    orgId: Number(r.org_id),
    role: RoleSchema.parse(r.role),
    hasPassword: r.password_hash !== null,
    createdMs: Number(r.created_ms),
    disabledMs: r.disabled_ms === null ? null : Number(r.disabled_ms),
  };
}

/** Which roles an organisation of a kind may hold. */
export function roleFitsOrg(role: Role, org: Organisation): boolean {
  if (role === 'center-admin' || role === 'analyst') return org.kind === 'center';
  if (role === 'service-provider') return org.kind === 'security-service-provider';
  return org.kind !== 'center';
}

export class UserService {
  private readonly orgs: OrgService;

  constructor(
    private readonly db: RelationalDb,
    private readonly now: () => number = Date.now,
    private readonly passwords: PasswordHasher = DEFAULT_PASSWORD_HASHER,
  ) {
    this.orgs = new OrgService(db, now);
  }

  /**
   * Adds a user. Center admins (and the system) add anyone; an org admin adds members of its own
   * organisation only, and never a center role.
   */
  async add(actor: Actor, input: NewUser): Promise<User> {
    const u = parseInput(NewUserSchema, input, 'user');
    const org = await this.orgs.get(u.orgId);
    if (!org) throw new KobanError('E_NOT_FOUND', `no organisation with id ${u.orgId}`);
    this.checkMayAdd(actor, org, u.role);
    if (!roleFitsOrg(u.role, org)) {
      throw new KobanError('E_USAGE', `role ${u.role} does not fit an organisation of kind ${org.kind}`);
    }
    const passwordHash = u.password === undefined ? null : await this.passwords.hash(u.password);
    const nowMs = this.now();
    const id = await this.db.transaction().execute(async (tx) => {
      const dup = await tx.selectFrom('users').select('id').where('email', '=', u.email).executeTakeFirst();
      if (dup) throw new KobanError('E_CONFLICT', `a user ${u.email} already exists`);
      const r = await tx
        .insertInto('users')
        .values({
          email: u.email,
          display_name: u.displayName ?? null,
          org_id: org.id,
          role: u.role,
          password_hash: passwordHash,
          created_ms: nowMs,
          disabled_ms: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendAudit(
        tx,
        actor,
        {
          action: 'user.create',
          targetType: 'user',
          targetId: r.id,
          details: { email: u.email, orgId: org.id, role: u.role, password: passwordHash !== null },
        },
        nowMs,
      );
      return Number(r.id);
    });
    return (await this.get(id))!;
  }

  private checkMayAdd(actor: Actor, org: Organisation, role: Role): void {
    if (!hasScope(actor, 'orgs:admin'))
      throw new KobanError('E_FORBIDDEN', `${actor.label} lacks the scope orgs:admin`);
    if (isCenter(actor) && (actor.kind === 'system' || actor.role === 'center-admin')) return;
    if (actor.role === 'org-admin' && actor.orgId === org.id && role !== 'center-admin' && role !== 'analyst')
      return;
    throw new KobanError('E_FORBIDDEN', `${actor.label} may not add users to ${org.name}`);
  }

  async get(id: number): Promise<User | null> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r as Row) : null;
  }

  async byEmail(email: string): Promise<User | null> {
    const r = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return r ? toUser(r as Row) : null;
  }

  async requireByEmail(email: string): Promise<User> {
    const u = await this.byEmail(email);
    if (!u) throw new KobanError('E_NOT_FOUND', `no user ${email}`);
    return u;
  }

  /** Users of one organisation: its own admins and the center. */
  async list(actor: Actor, orgId: number): Promise<User[]> {
    const allowed =
      actor.kind === 'system' ||
      actor.role === 'center-admin' ||
      (actor.role === 'org-admin' && actor.orgId === orgId && hasScope(actor, 'orgs:admin'));
    if (!allowed)
      throw new KobanError('E_FORBIDDEN', `${actor.label} may not list the users of organisation ${orgId}`);
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('email')
      .execute();
    return rows.map((r) => toUser(r as Row));
  }

  /**
   * Disables a user: every session and token stops at once (authentication checks `disabled_ms` on
   * each request) and open sessions are ended, so enabling the user again does not revive them.
   * Center admins disable anyone; an org admin the members of its own organisation.
   */
  async disable(actor: Actor, userId: number): Promise<User> {
    return this.setDisabled(actor, userId, true);
  }

  /** Enables a disabled user again: they log in anew; their unexpired, unrevoked tokens work again. */
  async enable(actor: Actor, userId: number): Promise<User> {
    return this.setDisabled(actor, userId, false);
  }

  private async setDisabled(actor: Actor, userId: number, disable: boolean): Promise<User> {
    const u = await this.get(userId);
    if (!u) throw new KobanError('E_NOT_FOUND', `no user ${userId}`);
    const org = (await this.orgs.get(u.orgId))!;
    this.checkMayAdd(actor, org, u.role);
    if ((u.disabledMs !== null) === disable) return u;
    const nowMs = this.now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('users')
        .set({ disabled_ms: disable ? nowMs : null })
        .where('id', '=', userId)
        .execute();
      const details = disable ? { sessionsEnded: await endSessionsWhere(tx, { userId }, nowMs) } : {};
      await appendAudit(
        tx,
        actor,
        { action: disable ? 'user.disable' : 'user.enable', targetType: 'user', targetId: userId, details },
        nowMs,
      );
    });
    return (await this.get(userId))!;
  }
}
