/**
 * The language switch: `POST /language` (a form in every page's header) stores the choice in a
 * cookie for a year and sends the browser back where it was. CSRF-guarded like every portal form;
 * the way back must be a path of this site (no open redirect: `//host` and `/\host` are refused).
 */
import type { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { isHttps } from '../client.js';
import { requireCsrf } from './csrf.js';
import { isLang, LANG_COOKIE } from './i18n/index.js';
import { LANGUAGE_PATH } from './layout.js';
import type { PortalContext } from './page.js';

const YEAR_S = 365 * 24 * 3600;

/** A same-site path to return to, or `/`. */
export function safeBack(back: unknown): string {
  if (typeof back !== 'string' || back.length > 2048) return '/';
  return /^\/(?![/\\])[^\s]*$/.test(back) ? back : '/';
}

export function mountLanguageSwitch(app: Hono, ctx: PortalContext): void {
  app.post(LANGUAGE_PATH, requireCsrf(ctx.options), async (c) => {
    const form = await c.req.parseBody();
    const lang = typeof form.lang === 'string' ? form.lang : '';
    if (isLang(lang))
      setCookie(c, LANG_COOKIE, lang, {
        path: '/',
        sameSite: 'Lax',
        maxAge: YEAR_S,
        secure: isHttps(c, ctx.options),
      });
    return c.redirect(safeBack(form.back), 303);
  });
}
