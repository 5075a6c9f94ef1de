/**
 * One portal request as a page sees it: its language (negotiated once), catalogue, formatter in
 * the operator's offset, the CSRF token for its forms, and links that keep a language given in the
 * URL. Pages read the center only through `PortalContext`, the part of `WebContext` they use.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { parseUtcOffset } from '../../core/index.js';
import type { WebContext } from '../context.js';
import { csrfToken } from './csrf.js';
import {
  CATALOGUES,
  Formatter,
  isLang,
  LANG_COOKIE,
  type Lang,
  type Messages,
  negotiateLang,
} from './i18n/index.js';

export type PortalContext = Pick<
  WebContext,
  | 'events'
  | 'observation'
  | 'publicStats'
  | 'simulated'
  | 'sensors'
  | 'monitored'
  | 'operatorAlerts'
  | 'intel'
  | 'loginThrottle'
  | 'options'
  | 'countryLookup'
  | 'reportsDir'
>;

export interface PageRequest {
  readonly lang: Lang;
  readonly t: Messages;
  readonly fmt: Formatter;
  /** The path and query of this page (the language switch returns here). */
  readonly here: string;
  /** The token every form of the page carries (csrf.ts). */
  readonly csrf: string;
  /** A link inside the portal; it keeps `?lang=` when this page's language came from the URL. */
  href(path: string, params?: Readonly<Record<string, string>>): string;
}

export function pageRequest(c: Context, ctx: PortalContext): PageRequest {
  const query = c.req.query('lang');
  const lang = negotiateLang({
    query,
    cookie: getCookie(c, LANG_COOKIE),
    acceptLanguage: c.req.header('Accept-Language'),
  });
  const url = new URL(c.req.url);
  let csrf: string | undefined;
  return {
    lang,
    t: CATALOGUES[lang],
    fmt: new Formatter(lang, parseUtcOffset(ctx.observation.utcOffset)),
    here: url.pathname + url.search,
    // Minted (and its cookie set) only by a page that renders a form.
    get csrf() {
      csrf ??= csrfToken(c, ctx.options);
      return csrf;
    },
    href(path, params = {}) {
      const q = new URLSearchParams(params);
      if (isLang(query)) q.set('lang', lang);
      const s = q.toString();
      return s ? `${path}?${s}` : path;
    },
  };
}
