/**
 * Who is acting: a user (through a session or an API token), an anonymous visitor of the public
 * portal, or the system itself (CLI bootstrap, background jobs). Every read and write of the intel
 * services takes an `Actor`; access.ts decides what it may do. Roles fix what a user may ever do;
 * an API token narrows that further to its scopes.
 */
import { z } from 'zod';

export const ROLES = ['center-admin', 'analyst', 'org-admin', 'org-member', 'service-provider'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const SCOPES = [
  'reports:read',
  'reports:write',
  'indicators:read',
  'indicators:write',
  'campaigns:read',
  'campaigns:write',
  'orgs:admin',
  'audit:read',
  // The live, per-sensor observation views and metrics (the public gets them delayed and
  // aggregated: docs/public-statistics.md).
  'observations:read',
  // Evidence websites recorded of requests from anonymizers (intel/site-evidence/): investigators.
  'evidence:read',
] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;

const MEMBER_SCOPES: readonly Scope[] = [
  'reports:read',
  'reports:write',
  'indicators:read',
  'campaigns:read',
];

/** The most a role may do; a session gets all of it, a token a subset. */
export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  'center-admin': SCOPES,
  analyst: [
    'reports:read',
    'reports:write',
    'indicators:read',
    'indicators:write',
    'campaigns:read',
    'campaigns:write',
    'observations:read',
    'evidence:read',
  ],
  'org-admin': [...MEMBER_SCOPES, 'orgs:admin'],
  'org-member': MEMBER_SCOPES,
  // Managed-security-service providers block C2 destinations for their customers
  // and report what they see (docs/background.md#sharing-network).
  'service-provider': MEMBER_SCOPES,
};

/** Center staff: the recipients of every member report (the center is the report's addressee). */
export function isCenterRole(role: Role | null): boolean {
  return role === 'center-admin' || role === 'analyst';
}

export interface Actor {
  readonly kind: 'user' | 'anonymous' | 'system';
  readonly userId: number | null;
  readonly orgId: number | null;
  readonly role: Role | null;
  readonly scopes: ReadonlySet<Scope>;
  /** Shown in the audit log: `user:12`, `token:3 (user:12)`, `system:cli`, `anonymous`. */
  readonly label: string;
}

export function userActor(
  u: { userId: number; orgId: number; role: Role },
  scopes: readonly Scope[] = ROLE_SCOPES[u.role],
  via = '',
): Actor {
  const allowed = new Set(ROLE_SCOPES[u.role]);
  return {
    kind: 'user',
    userId: u.userId,
    orgId: u.orgId,
    role: u.role,
    scopes: new Set(scopes.filter((s) => allowed.has(s))),
    label: via ? `${via} (user:${u.userId})` : `user:${u.userId}`,
  };
}

export const ANONYMOUS: Actor = Object.freeze({
  kind: 'anonymous',
  userId: null,
  orgId: null,
  role: null,
  scopes: new Set<Scope>(['reports:read', 'indicators:read', 'campaigns:read']),
  label: 'anonymous',
});

/**
 * The system: may do everything, and everything it does is audited under its name. Used by the
 * CLI's bootstrap commands (run by the operator, who already holds the data files) and by jobs.
 */
export function systemActor(name: string): Actor {
  return {
    kind: 'system',
    userId: null,
    orgId: null,
    role: null,
    scopes: new Set(SCOPES),
    label: `system:${name}`,
  };
}
