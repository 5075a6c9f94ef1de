/**
 * Revocation and account control over the API: a user's API tokens (list, revoke), ending all of a
 * user's sessions, disabling and enabling users and organisations. Intel's services decide who may
 * (credentials.ts, users.ts, orgs.ts): one's own tokens and sessions; an org admin for its own
 * members; a center admin for anyone — and only a center admin for organisations. Each change is
 * audited; a revoked token, a disabled user or organisation is refused (401) on its next request.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import {
  type Actor,
  type ApiTokenInfo,
  type IntelService,
  ORG_KINDS,
  type Organisation,
  RoleSchema,
  ScopeSchema,
  type User,
} from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import { IdParams } from './schemas.js';
import { iso } from './views.js';

const Id = z.number().int().positive();
const Timestamp = z.iso.datetime();

export const ApiTokenSchema = z.strictObject({
  id: Id,
  userId: Id,
  name: z.string(),
  scopes: z.array(ScopeSchema),
  createdAt: Timestamp,
  expiresAt: Timestamp.nullable().describe('Null only for tokens issued before tokens expired by default.'),
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
const ApiTokenListSchema = z.strictObject({ tokens: z.array(ApiTokenSchema) });
const SessionsEndedSchema = z.strictObject({ ended: z.number().int().nonnegative() });

export const UserSchema = z.strictObject({
  id: Id,
  email: z.string(),
  displayName: z.string().nullable(),
  orgId: Id,
  role: RoleSchema,
  createdAt: Timestamp,
  disabledAt: Timestamp.nullable(),
});

export const OrganisationSchema = z.strictObject({
  id: Id,
  name: z.string(),
  kind: z.enum(ORG_KINDS),
  active: z.boolean().describe('False while disabled: none of its users can sign in or use a token.'),
});

function tokenBody(t: ApiTokenInfo): z.output<typeof ApiTokenSchema> {
  const at = (ms: number | null) => (ms === null ? null : iso(ms));
  return {
    id: t.id,
    userId: t.userId,
    name: t.name,
    scopes: [...t.scopes],
    createdAt: iso(t.createdMs),
    expiresAt: at(t.expiresMs),
    lastUsedAt: at(t.lastUsedMs),
    revokedAt: at(t.revokedMs),
  };
}

function userBody(u: User): z.output<typeof UserSchema> {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    orgId: u.orgId,
    role: u.role,
    createdAt: iso(u.createdMs),
    disabledAt: u.disabledMs === null ? null : iso(u.disabledMs),
  };
}

function orgBody(o: Organisation): z.output<typeof OrganisationSchema> {
  return { id: o.id, name: o.name, kind: o.kind, active: o.active };
}

/** Routes about people's own standing (credentials, decisions): the anonymous public signs in first. */
export function signedIn(actor: Actor): Actor {
  if (actor.kind === 'anonymous') throw new KobanError('E_AUTH', 'sign in or send an API token');
  return actor;
}

export function mountAccountRoutes(api: ApiRoutes, intel: IntelService): void {
  api.registry.name(ApiTokenSchema, 'ApiToken', 'An API token’s metadata (its secret is never kept).');
  api.registry.name(UserSchema, 'User');
  api.registry.name(OrganisationSchema, 'Organisation');
  const common = { tags: ['accounts'], auth: 'actor' as const, params: IdParams };

  api.add(
    {
      ...common,
      method: 'get',
      path: '/api/v1/users/{id}/tokens',
      operationId: 'listUserTokens',
      summary: 'A user’s API tokens: one’s own, an org admin’s members’, or anyone’s for a center admin',
      responses: { 200: { description: 'Newest first.', schema: ApiTokenListSchema } },
      errors: [401, 403, 404],
    },
    async ({ actor, params }) => ({
      status: 200,
      body: { tokens: (await intel.auth.listTokens(signedIn(actor), params.id)).map(tokenBody) },
    }),
  );

  api.add(
    {
      ...common,
      method: 'delete',
      path: '/api/v1/tokens/{id}',
      operationId: 'revokeToken',
      summary: 'Revoke an API token at once (audited); its next request gets 401',
      responses: { 204: { description: 'Revoked (or already revoked).' } },
      errors: [401, 403, 404],
    },
    async ({ c, actor, params }) => {
      await intel.auth.revokeToken(signedIn(actor), params.id);
      return c.body(null, 204);
    },
  );

  api.add(
    {
      ...common,
      method: 'delete',
      path: '/api/v1/users/{id}/sessions',
      operationId: 'endUserSessions',
      summary: 'End every open session of a user (audited)',
      responses: { 200: { description: 'How many sessions were ended.', schema: SessionsEndedSchema } },
      errors: [401, 403, 404],
    },
    async ({ actor, params }) => ({
      status: 200,
      body: { ended: await intel.auth.endSessions(signedIn(actor), params.id) },
    }),
  );
  mountStandingRoutes(api, intel, common);
}

/** Disabling and enabling users and organisations. */
function mountStandingRoutes(
  api: ApiRoutes,
  intel: IntelService,
  common: { tags: string[]; auth: 'actor'; params: typeof IdParams },
): void {
  for (const [verb, disable] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    api.add(
      {
        ...common,
        method: 'post',
        path: `/api/v1/users/{id}/${verb}`,
        operationId: `${verb}User`,
        summary: disable
          ? 'Disable a user: their sessions and tokens stop at once (center admins; org admins for members)'
          : 'Enable a disabled user again',
        scope: 'orgs:admin',
        responses: { 200: { description: 'The user.', schema: UserSchema } },
        errors: [403, 404],
      },
      async ({ actor, params }) => ({
        status: 200,
        body: userBody(
          disable ? await intel.users.disable(actor, params.id) : await intel.users.enable(actor, params.id),
        ),
      }),
    );
    api.add(
      {
        ...common,
        method: 'post',
        path: `/api/v1/orgs/{id}/${verb}`,
        operationId: `${verb}Organisation`,
        summary: disable
          ? 'Disable an organisation: none of its users can sign in or use a token (center admins)'
          : 'Enable a disabled organisation again (center admins)',
        scope: 'orgs:admin',
        responses: { 200: { description: 'The organisation.', schema: OrganisationSchema } },
        errors: [400, 403, 404],
      },
      async ({ actor, params }) => ({
        status: 200,
        body: orgBody(
          disable ? await intel.orgs.disable(actor, params.id) : await intel.orgs.enable(actor, params.id),
        ),
      }),
    );
  }
}
