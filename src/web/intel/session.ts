/**
 * Password login and logout for browsers: `POST /api/v1/session` checks the password (argon2, in
 * intel's AuthService) and sets the session cookie; `DELETE` ends the session; `GET` says who the
 * caller is. Attempts are throttled per (client address, account) pair and per client address before the password is
 * even looked at (rate-limit.ts), so guessing runs at the refill rate whatever the attacker sends.
 */
import { KobanError } from '../../core/index.js';
import type { IntelService } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import { clearSessionCookie, clientAddress, sessionToken, setSessionCookie } from '../auth-middleware.js';
import type { LoginThrottle } from '../rate-limit.js';
import { LoginBody, SessionSchema } from './schemas.js';
import { iso } from './views.js';

export function mountSessionRoutes(
  api: ApiRoutes,
  intel: IntelService,
  throttle: LoginThrottle,
  now: () => number,
): void {
  api.add(
    {
      method: 'post',
      path: '/api/v1/session',
      operationId: 'login',
      summary: 'Log in with e-mail and password',
      description:
        'Sets the session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS). Attempts are limited ' +
        'per account and client address, and per client address (never per account alone, so nobody ' +
        'can lock a user out); past the limit the answer is 429 with Retry-After.',
      tags: ['session'],
      auth: 'none',
      body: { json: { schema: LoginBody, maxBytes: 16 * 1024 } },
      responses: {
        200: {
          description: 'Logged in.',
          schema: SessionSchema,
          headers: { 'Set-Cookie': 'The session cookie.' },
        },
      },
      errors: [401, 429],
    },
    async ({ c, body }) => {
      const { email, password } = body.value;
      const address = clientAddress(c, api.clientOptions);
      const waitMs = throttle.attempt(email, address);
      if (waitMs > 0)
        throw new KobanError('E_RATE_LIMIT', 'too many login attempts; try again later', {
          retryAfterS: Math.ceil(waitMs / 1000),
        });
      const login = await intel.auth.login(email, password);
      throttle.succeeded(email, address);
      setSessionCookie(c, login.token, (login.expiresMs - now()) / 1000, api.clientOptions);
      const a = login.actor;
      return {
        status: 200,
        body: {
          kind: a.kind,
          userId: a.userId,
          orgId: a.orgId,
          role: a.role,
          scopes: [...a.scopes].sort(),
          expiresAt: iso(login.expiresMs),
        },
      };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/v1/session',
      operationId: 'whoami',
      summary: 'Who the caller is, and with which scopes',
      tags: ['session'],
      auth: 'actor',
      responses: {
        200: { description: 'The caller (anonymous without credentials).', schema: SessionSchema },
      },
    },
    async ({ actor }) => ({
      status: 200,
      body: {
        kind: actor.kind,
        userId: actor.userId,
        orgId: actor.orgId,
        role: actor.role,
        scopes: [...actor.scopes].sort(),
        expiresAt: null,
      },
    }),
  );

  api.add(
    {
      method: 'delete',
      path: '/api/v1/session',
      operationId: 'logout',
      summary: 'Log out: end the session and clear its cookie',
      tags: ['session'],
      auth: 'none',
      responses: { 204: { description: 'The session (if any) has ended.' } },
    },
    async ({ c }) => {
      const token = sessionToken(c);
      if (token) await intel.auth.logout(token);
      clearSessionCookie(c, api.clientOptions);
      return c.body(null, 204);
    },
  );
}
