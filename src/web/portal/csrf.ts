/**
 * CSRF protection for the portal's cookie-authenticated forms (OWASP CSRF Prevention Cheat Sheet):
 *
 * - Origin check: Hono's `csrf` middleware refuses a form POST whose `Origin` (or, without one,
 *   `Sec-Fetch-Site`) names another site;
 * - synchroniser token, double-submitted: the page puts a random token in each form (hidden field
 *   `_csrf`) and in an HttpOnly cookie; a POST must carry both, equal (compared in constant time
 *   through their hashes). A cross-site page can neither read the token nor set the cookie: over
 *   HTTPS the cookie is `__Host-` prefixed, so a sibling subdomain cannot plant one either.
 *
 * The login and language forms use it today; the member portal's and console's forms add
 * {@link csrfField} to the form and {@link requireCsrf} to the route.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { KobanError, mintSecret, secretHash, secretHashMatches } from '../../core/index.js';
import { type ClientOptions, isHttps } from '../client.js';

export const CSRF_FIELD = '_csrf';
const COOKIE = 'koban_csrf';
/** A minted secret: 32 random bytes in base64url. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
/** Largest form body read for the token (the portal's forms are small; uploads set their own). */
export const MAX_FORM_BYTES = 64 * 1024;

function cookieName(c: Context, opts: ClientOptions): string {
  return isHttps(c, opts) ? `__Host-${COOKIE}` : COOKIE;
}

/** This browser's token: the cookie's, or a new one set as the cookie. Call it while rendering a form. */
export function csrfToken(c: Context, opts: ClientOptions = {}): string {
  const name = cookieName(c, opts);
  const current = getCookie(c, name);
  if (current && TOKEN_RE.test(current)) return current;
  const token = mintSecret();
  setCookie(c, name, token, { path: '/', httpOnly: true, sameSite: 'Lax', secure: isHttps(c, opts) });
  return token;
}

/** The hidden field every portal form carries. */
export function csrfField(token: string) {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** Whether a submitted token matches the cookie's (constant time; malformed never matches). */
export function csrfMatches(cookie: string | undefined, submitted: unknown): boolean {
  const given = typeof submitted === 'string' ? submitted : '';
  const ok = cookie !== undefined && TOKEN_RE.test(cookie) && TOKEN_RE.test(given);
  return secretHashMatches(secretHash(ok ? cookie : 'x'), secretHash(given)) && ok;
}

/**
 * Guards a form route: same-origin POST, body at most `maxBytes` (default {@link MAX_FORM_BYTES};
 * an upload form gives its own), token equal to the cookie's; otherwise E_FORBIDDEN (403). The
 * parsed form is left in `c.req` (parseBody caches it).
 */
export function requireCsrf(opts: ClientOptions = {}, maxBytes = MAX_FORM_BYTES): MiddlewareHandler {
  const origin = csrf();
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new KobanError('E_LIMIT', `a form body may hold at most ${maxBytes} bytes`);
    },
  });
  return async (c, next) => {
    try {
      await origin(c, async () => {});
    } catch (e) {
      // Hono answers a cross-site form with its own 403 exception: the center's one error shape instead.
      if (e instanceof HTTPException)
        throw new KobanError('E_FORBIDDEN', 'a form must be sent from this site');
      throw e;
    }
    await limit(c, async () => {
      const form = await c.req.parseBody();
      if (!csrfMatches(getCookie(c, cookieName(c, opts)), form[CSRF_FIELD]))
        throw new KobanError('E_FORBIDDEN', 'the form’s CSRF token is missing or does not match');
      await next();
    });
  };
}
