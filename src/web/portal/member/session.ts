/**
 * Who is using the portal: the browser's portal session. A password login (login.ts) opens one of
 * intel's sessions — the same ones `POST /api/v1/session` opens, their secret stored only as a hash
 * (intel/identity/auth.ts) — and keeps its token in the `koban_portal` cookie: HttpOnly, Secure over
 * HTTPS, SameSite=Lax so a link to an advisory in a notification e-mail opens signed in (Lax
 * still withholds the cookie from cross-site POSTs; the portal's forms also carry a CSRF token,
 * csrf.ts). The API's own cookie stays SameSite=Strict: it has no CSRF token to fall back on.
 *
 * Pages under `/member/` and `/console/` read the actor with {@link signedIn}; without a valid
 * session the browser is sent to `/login`, and back afterwards.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { tokenKind } from '../../../core/index.js';
import { type Actor, type AuthService, isCenter } from '../../../intel/index.js';
import { type ClientOptions, isHttps } from '../../client.js';
import { CONSOLE_MESSAGES } from '../console/messages.js';
import { layout } from '../layout.js';
import { type PortalContext, pageRequest } from '../page.js';

export const PORTAL_SESSION_COOKIE = 'koban_portal';
export const LOGIN_PATH = '/login';
export const MEMBER_HOME = '/member/';
export const CONSOLE_HOME = '/console/';

export function setPortalSession(c: Context, token: string, maxAgeS: number, opts: ClientOptions): void {
  setCookie(c, PORTAL_SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c, opts),
    maxAge: Math.max(0, Math.floor(maxAgeS)),
  });
}

export function clearPortalSession(c: Context, opts: ClientOptions): void {
  deleteCookie(c, PORTAL_SESSION_COOKIE, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c, opts),
  });
}

/** The session token of the portal cookie, when it holds one. */
export function portalSessionToken(c: Context): string | null {
  const cookie = getCookie(c, PORTAL_SESSION_COOKIE);
  return cookie !== undefined && tokenKind(cookie) === 'session' ? cookie : null;
}

/** The signed-in user, or null (no cookie, or a session that ended: its cookie is cleared). */
export async function portalActor(c: Context, auth: AuthService, opts: ClientOptions): Promise<Actor | null> {
  const had = getCookie(c, PORTAL_SESSION_COOKIE) !== undefined;
  const token = portalSessionToken(c);
  const r = token ? await auth.check(token) : null;
  if (r?.ok && r.actor.kind === 'user') return r.actor;
  if (had) clearPortalSession(c, opts);
  return null;
}

/** Where a user lands after logging in: center staff in the console, members in the portal. */
export function homeOf(actor: Actor): string {
  return isCenter(actor) ? CONSOLE_HOME : MEMBER_HOME;
}

/** A `next` given to /login is followed only to a page of the portal's signed-in areas. */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 500) return null;
  if (!/^\/(member|console)\/[A-Za-z0-9/_?=&%.-]*$/.test(next)) return null;
  return next.includes('//') ? null : next;
}

/**
 * Guards an area: sets `c.var.actor` to the signed-in user, or redirects to /login (and back
 * afterwards). A user of the other area is sent to their own home.
 */
export function signedIn(ctx: PortalContext, area: 'member' | 'console'): MiddlewareHandler {
  return async (c, next) => {
    const actor = await portalActor(c, ctx.intel.auth, ctx.options);
    if (!actor) {
      const url = new URL(c.req.url);
      const back = safeNext(url.pathname + url.search);
      return c.redirect(back ? `${LOGIN_PATH}?next=${encodeURIComponent(back)}` : LOGIN_PATH, 303);
    }
    const home = homeOf(actor);
    // A member opening the console is refused outright (403), not redirected: the console is not
    // theirs to reach. Center staff who open a member page are sent to their console.
    if (area === 'console' && home !== CONSOLE_HOME) return forbidden(c, ctx, home);
    if (area === 'member' && home !== MEMBER_HOME) return c.redirect(home, 303);
    c.set('actor', actor);
    await next();
  };
}

function forbidden(c: Context, ctx: PortalContext, home: string) {
  const page = pageRequest(c, ctx);
  const t = CONSOLE_MESSAGES[page.lang].forbidden;
  return c.html(
    layout(page, {
      title: t.title,
      status: '',
      simulated: ctx.simulated,
      main: html`<h1>${t.title}</h1><p class="error" role="alert">${t.text}</p><p><a href="${page.href(home)}">${t.home}</a></p>`,
    }),
    403,
  );
}

/** Registered before the pages of both areas, so that no page of theirs is reached signed out. */
export function mountSignedInAreas(app: Hono, ctx: PortalContext): void {
  app.use('/member/*', signedIn(ctx, 'member'));
  app.use('/console/*', signedIn(ctx, 'console'));
}
