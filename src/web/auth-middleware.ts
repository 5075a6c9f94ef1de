/**
 * Who is calling the intel API: `Authorization: Bearer <API token>` (scoped, intel's AuthService),
 * the session cookie a password login sets, or nobody — the anonymous public, which reads
 * TLP:CLEAR only. Credentials that are present but invalid, expired or revoked are refused with
 * E_AUTH rather than read as anonymous: a member must not mistake the public view for their own.
 * The 401 says why (expired at …, revoked, account or organisation disabled) once the token's
 * secret matched; an unknown or forged token only hears that it is invalid.
 * The scope a route needs is checked here; what the actor may read is decided by intel's access
 * module inside the services.
 *
 * The cookie is HttpOnly (scripts cannot read it), SameSite=Strict (no cross-site request carries
 * it, RFC 6265bis §5.4.7 — with JSON and message/rfc822 bodies, which need a CORS preflight, that
 * is what stops cross-site request forgery) and Secure whenever the request came over HTTPS.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { KobanError, parseBearer, tokenKind } from '../core/index.js';
import {
  type Actor,
  ANONYMOUS,
  type AuthService,
  hasScope,
  INVALID_CREDENTIAL,
  type Scope,
} from '../intel/index.js';
import { type ClientOptions, isHttps } from './client.js';

export { type ClientOptions, clientAddress, isHttps, type TrustProxy } from './client.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by `actorMiddleware` (and every route of api-route.ts): who is calling. */
    actor: Actor;
  }
}

export const SESSION_COOKIE = 'koban_session';

function unauthorized(c: Context, message: string): KobanError {
  // RFC 6750 §3: a 401 names the scheme the client should use.
  c.header('WWW-Authenticate', 'Bearer realm="koban"');
  return new KobanError('E_AUTH', message);
}

/** The actor behind the request's credentials; throws E_AUTH for credentials that do not hold. */
export async function resolveActor(c: Context, auth: AuthService): Promise<Actor> {
  const header = c.req.header('Authorization');
  if (header !== undefined) {
    const token = parseBearer(header);
    if (token === null) throw unauthorized(c, 'the Authorization header must be "Bearer <API token>"');
    const r = await auth.check(token);
    if (!r.ok) throw unauthorized(c, r.reason);
    return r.actor;
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie !== undefined && cookie !== '') {
    // Only session tokens belong in the cookie; an API token is sent as a bearer token.
    const r = isSessionToken(cookie) ? await auth.check(cookie) : null;
    if (!r?.ok) {
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      // The specific reason only for a cookie whose secret matched (auth.check decides).
      const known = r && r.reason !== INVALID_CREDENTIAL;
      throw unauthorized(
        c,
        known ? r.reason : 'the session has ended (expired, idle or logged out); log in again',
      );
    }
    return r.actor;
  }
  return ANONYMOUS;
}

/** E_AUTH when the anonymous public lacks the scope (signing in may help), E_FORBIDDEN for a user. */
export function requireRouteScope(c: Context, actor: Actor, scope: Scope): void {
  if (hasScope(actor, scope)) return;
  if (actor.kind === 'anonymous')
    throw unauthorized(c, `sign in or send an API token with the scope ${scope}`);
  throw new KobanError('E_FORBIDDEN', `${actor.label} lacks the scope ${scope}`);
}

/** Middleware for plain Hono handlers: sets `c.var.actor`, checking the scope when one is given. */
export function actorMiddleware(auth: AuthService, scope?: Scope): MiddlewareHandler {
  return async (c, next) => {
    const actor = await resolveActor(c, auth);
    if (scope !== undefined) requireRouteScope(c, actor, scope);
    c.set('actor', actor);
    await next();
  };
}

export function setSessionCookie(c: Context, token: string, maxAgeS: number, opts: ClientOptions = {}): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c, opts),
    maxAge: Math.max(0, Math.floor(maxAgeS)),
  });
}

export function clearSessionCookie(c: Context, opts: ClientOptions = {}): void {
  deleteCookie(c, SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure: isHttps(c, opts),
  });
}

/** The session token of the request (cookie, or a `kss_` bearer token), for logout. */
export function sessionToken(c: Context): string | null {
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie !== undefined && isSessionToken(cookie)) return cookie;
  const bearer = parseBearer(c.req.header('Authorization'));
  return bearer !== null && isSessionToken(bearer) ? bearer : null;
}

function isSessionToken(token: string): boolean {
  return tokenKind(token) === 'session';
}
