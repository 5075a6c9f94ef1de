/**
 * Who may see the observation data live. A sensor's figures reveal where it listens: send marked
 * packets at an address, watch a public view move, and the address is known to be a sensor (the
 * probe-response attack on telescopes, Bethencourt et al., USENIX Security 2005; see
 * docs/public-statistics.md). So the live and per-sensor views, `/metrics` and live counts go to
 * the center's operator (the operator token, `kbo_…`) and to users holding `observations:read`
 * (center staff); everyone else gets the public view (public-stats.ts).
 */
import type { Context } from 'hono';
import { KobanError, parseBearer, tokenKind } from '../core/index.js';
import { type Actor, type AuthService, hasScope, type Scope } from '../intel/index.js';
import { requireRouteScope, resolveActor } from './auth-middleware.js';

export const OBSERVER_SCOPE: Scope = 'observations:read';

/** What a caller may see of the observation data. */
export type ObservationAccess = 'full' | 'public';

/** The request carries an operator token (checked elsewhere): `Bearer kbo_…`. */
export function sendsOperatorToken(c: Context): boolean {
  return tokenKind(parseBearer(c.req.header('Authorization')) ?? '') === 'operator';
}

export function accessOf(actor: Actor, operator: boolean): ObservationAccess {
  return operator || hasScope(actor, OBSERVER_SCOPE) ? 'full' : 'public';
}

export interface ObserverCredentials {
  readonly auth: AuthService;
  /** Throws E_AUTH unless the header carries the operator token. */
  requireOperator(authorization: string | undefined): void;
}

/**
 * The caller's access, for handlers outside `ApiRoutes`: the operator token is checked (a wrong
 * one is E_AUTH), other credentials are resolved like the API's (a bad one is E_AUTH, never
 * silently the public), and no credentials mean the public.
 */
export async function observerAccess(c: Context, creds: ObserverCredentials): Promise<ObservationAccess> {
  if (sendsOperatorToken(c)) {
    creds.requireOperator(c.req.header('Authorization'));
    return 'full';
  }
  return accessOf(await resolveActor(c, creds.auth), false);
}

/** For what only the operator and `observations:read` may read: E_AUTH for the public, E_FORBIDDEN for a user without the scope. */
export async function requireObserver(c: Context, creds: ObserverCredentials): Promise<void> {
  if (sendsOperatorToken(c)) {
    creds.requireOperator(c.req.header('Authorization'));
    return;
  }
  const actor = await resolveActor(c, creds.auth);
  if (actor.kind === 'anonymous') {
    c.header('WWW-Authenticate', 'Bearer realm="koban"');
    throw new KobanError(
      'E_AUTH',
      `send the operator token, or sign in or send an API token with the scope ${OBSERVER_SCOPE}`,
    );
  }
  requireRouteScope(c, actor, OBSERVER_SCOPE);
}
