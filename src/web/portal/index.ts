/**
 * The portal: the center's web pages for people, server-rendered (Hono's `html` templates), in
 * Japanese (default) and English, working without JavaScript. Today the public site: the monthly
 * observation release at `/` with its charts (ECharts SSR) and data downloads, and the public
 * TLP:CLEAR advisories with their Atom feed. Pages read the center only through `PortalContext`
 * (a part of `WebContext`); parts register in registry.ts. docs/portal.md explains the structure,
 * i18n and security (CSP, CSRF, escaping, the public view's thresholds).
 */
import type { Hono } from 'hono';
import type { PortalContext } from './page.js';
import { PORTAL_PARTS } from './registry.js';

export { csrfField, requireCsrf } from './csrf.js';
export { notFoundHandler } from './error-page.js';
export { CATALOGUES, type Lang, type Messages, negotiateLang } from './i18n/index.js';
export { layout } from './layout.js';
export { type PageRequest, type PortalContext, pageRequest } from './page.js';
export { PORTAL_PARTS, type PortalPart } from './registry.js';
export { type PublishRequest, publishReport } from './reports/publish.js';

export function mountPortal(app: Hono, ctx: PortalContext): void {
  for (const part of PORTAL_PARTS) part.mount(app, ctx);
}
