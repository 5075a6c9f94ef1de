/**
 * Who acts in the sharing network: member organisations (`OrgService`), their people
 * (`UserService`: roles, passwords), and how a request becomes an `Actor` (`AuthService`: logins,
 * sessions, API tokens with scopes). Every service of intel takes an `Actor`; the role and scope
 * lists here are what the access rules (labels/) and the HTTP API check.
 */
export {
  type Actor,
  ANONYMOUS,
  ROLE_SCOPES,
  ROLES,
  type Role,
  RoleSchema,
  SCOPES,
  type Scope,
  ScopeSchema,
  systemActor,
  userActor,
} from './actor.js';
export { type ApiTokenInfo, type AuthOptions, AuthService, INVALID_CREDENTIAL } from './auth.js';
export { DEFAULT_TOKEN_TTL_DAYS, MAX_TOKEN_TTL_DAYS } from './credentials.js';
export { type NewOrg, ORG_KINDS, type Organisation, type OrgKind, OrgService } from './orgs.js';
export { type Argon2Cost, argon2Hasher, DEFAULT_PASSWORD_HASHER, type PasswordHasher } from './passwords.js';
export { type User, UserService } from './users.js';
