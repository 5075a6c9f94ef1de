/**
 * `/login` (a form: e-mail and password, with the CSRF token) and `POST /logout`. The password is
 * checked by intel's AuthService, which opens the session (session.ts keeps its token in the
 * portal cookie); attempts go through the same LoginThrottle as `POST /api/v1/session`, charged
 * before the password is looked at, so the form offers no more guesses than the API.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { isKobanError } from '../../../core/index.js';
import { clientAddress } from '../../client.js';
import { csrfField, requireCsrf } from '../csrf.js';
import { LOGOUT_PATH, layout } from '../layout.js';
import { type PageRequest, type PortalContext, pageRequest } from '../page.js';
import { fleetStatus, statusText } from '../status.js';
import {
  clearPortalSession,
  homeOf,
  LOGIN_PATH,
  portalActor,
  portalSessionToken,
  safeNext,
  setPortalSession,
} from './session.js';

async function loginPage(
  c: Context,
  ctx: PortalContext,
  page: PageRequest,
  opts: { next: string | null; email?: string; error?: string; code?: 200 | 401 | 429 },
) {
  const t = page.t.member.login;
  const main = html`<h1>${t.title}</h1><p>${t.intro}</p>
${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
<form class="login" method="post" action="${page.href(LOGIN_PATH)}">
${csrfField(page.csrf)}${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ''}
<p><label for="login-email">${t.email}</label><br>
<input id="login-email" name="email" type="email" autocomplete="username" required maxlength="320" value="${opts.email ?? ''}"></p>
<p><label for="login-password">${t.password}</label><br>
<input id="login-password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></p>
<p><button type="submit">${t.submit}</button></p>
</form>`;
  const status = statusText(await fleetStatus(ctx, (ctx.options.now ?? Date.now)()), page);
  return c.html(layout(page, { title: t.title, status, simulated: ctx.simulated, main }), opts.code ?? 200);
}

function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === 'string' ? v : '';
}

async function submitLogin(c: Context, ctx: PortalContext) {
  const page = pageRequest(c, ctx);
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const email = field(form, 'email').slice(0, 320);
  const password = field(form, 'password').slice(0, 1024);
  const next = safeNext(form.next);
  const address = clientAddress(c, ctx.options);
  const waitMs = ctx.loginThrottle.attempt(email, address);
  if (waitMs > 0) {
    const s = Math.ceil(waitMs / 1000);
    c.header('Retry-After', String(s));
    return loginPage(c, ctx, page, { next, email, error: page.t.member.login.throttled(s), code: 429 });
  }
  let login: Awaited<ReturnType<PortalContext['intel']['auth']['login']>>;
  try {
    login = await ctx.intel.auth.login(email, password);
  } catch (e) {
    if (!(isKobanError(e) && e.code === 'E_AUTH')) throw e;
    return loginPage(c, ctx, page, { next, email, error: page.t.member.login.failed, code: 401 });
  }
  ctx.loginThrottle.succeeded(email, address);
  const nowMs = (ctx.options.now ?? Date.now)();
  setPortalSession(c, login.token, (login.expiresMs - nowMs) / 1000, ctx.options);
  const home = homeOf(login.actor);
  return c.redirect(next?.startsWith(home) ? next : home, 303);
}

export function mountLogin(app: Hono, ctx: PortalContext): void {
  app.get(LOGIN_PATH, async (c) => {
    const actor = await portalActor(c, ctx.intel.auth, ctx.options);
    if (actor) return c.redirect(homeOf(actor), 303);
    return loginPage(c, ctx, pageRequest(c, ctx), { next: safeNext(c.req.query('next')) });
  });
  app.post(LOGIN_PATH, requireCsrf(ctx.options), (c) => submitLogin(c, ctx));
  app.post(LOGOUT_PATH, requireCsrf(ctx.options), async (c) => {
    const token = portalSessionToken(c);
    if (token) await ctx.intel.auth.logout(token);
    clearPortalSession(c, ctx.options);
    return c.redirect('/', 303);
  });
}
