/**
 * What a request no route answers gets. A browser (it accepts `text/html`) asking for a page gets
 * an HTML page in its negotiated language, in the portal's layout with its navigation: 404 for
 * a path nothing serves, 405 with an `Allow` header (RFC 9110 §15.5.6) for a path served only
 * under other methods — a GET of a form's POST target, say. Machine paths (the JSON API, TAXII,
 * feeds, data files, health and metrics) and clients that do not ask for HTML keep the API's one
 * JSON error shape.
 */
import type { Context, Hono, NotFoundHandler } from 'hono';
import { html } from 'hono/html';
import { PatternRouter } from 'hono/router/pattern-router';
import { errorBody } from '../errors.js';
import { ERROR_MESSAGES } from './error-messages.js';
import { layout } from './layout.js';
import { type PortalContext, pageRequest } from './page.js';
import { fleetStatus, statusText } from './status.js';

const MACHINE_PREFIXES = ['/api/', '/taxii2/', '/feeds/'] as const;
const MACHINE_PATHS = new Set(['/api', '/taxii2', '/feeds', '/healthz', '/metrics']);
/** Data files and feeds: a client fetching one wants data or a machine-readable error. */
const MACHINE_SUFFIX = /\.(json|csv|atom|xml|txt|stix|ndjson)$/i;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Whether an unanswered request gets an HTML page rather than the JSON error. */
export function wantsHtmlError(path: string, accept: string | undefined): boolean {
  if (MACHINE_PATHS.has(path) || MACHINE_PREFIXES.some((p) => path.startsWith(p))) return false;
  if (MACHINE_SUFFIX.test(path)) return false;
  return accept !== undefined && /\btext\/html\b/i.test(accept);
}

/**
 * The methods some route answers a path with. Built once from the app's routes on the first
 * unanswered request (all routes are mounted by then); middleware (`use`, method ALL) is left out:
 * it answers nothing by itself.
 */
function allowedMethods(app: Hono): (path: string) => string[] {
  let router: PatternRouter<string> | null = null;
  return (path) => {
    if (router === null) {
      const r = new PatternRouter<string>();
      for (const route of app.routes)
        if (route.method !== 'ALL') r.add(route.method, route.path, route.method);
      router = r;
    }
    const found = router;
    return METHODS.filter((m) => found.match(m, path)[0].length > 0);
  };
}

async function errorPage(c: Context, ctx: PortalContext, allowed: readonly string[]) {
  const page = pageRequest(c, ctx);
  const m = ERROR_MESSAGES[page.lang];
  const method = allowed.length > 0;
  const title = method ? m.methodTitle : m.notFoundTitle;
  const text = method ? m.method(c.req.method, c.req.path, allowed.join(', ')) : m.notFound(c.req.path);
  const status = statusText(await fleetStatus(ctx, (ctx.options.now ?? Date.now)()), page);
  if (method) c.header('Allow', allowed.join(', '));
  return c.html(
    layout(page, {
      title,
      status,
      simulated: ctx.simulated,
      main: html`<h1>${title}</h1><p>${text}</p><p><a href="${page.href('/')}">${m.home}</a></p>`,
    }),
    method ? 405 : 404,
  );
}

/** The app's not-found handler: an HTML page for browsers' page requests, the JSON error otherwise. */
export function notFoundHandler(app: Hono, ctx: PortalContext): NotFoundHandler {
  const allowedFor = allowedMethods(app);
  return (c) => {
    if (!wantsHtmlError(c.req.path, c.req.header('Accept')))
      return c.json(errorBody('E_NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404);
    // HEAD is answered wherever GET is (Hono); a HEAD reaching here has no GET either.
    const allowed = allowedFor(c.req.path).filter((m) => m !== c.req.method);
    return errorPage(c, ctx, allowed);
  };
}
