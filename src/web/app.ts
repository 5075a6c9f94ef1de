/**
 * The center's HTTP application (Hono): security headers, the one error shape (errors.ts), the
 * operational routes, the portal (portal/: the public site at `/`), the live observation page, the REST API with its OpenAPI document and the Swagger UI
 * page over it, and the TAXII 2.1 server at `/taxii2/` (taxii-routes.ts). Routes only translate HTTP to calls on the contexts and back, through the
 * `WebContext` the composition root gives.
 */
import { Hono } from 'hono';
import { DEFAULT_INGEST_LIMITS } from '../observe/index.js';
import { API_INFO, mountApi } from './api.js';
import { API_DOCS_PATH, mountApiDocs } from './api-docs.js';
import type { WebContext } from './context.js';
import { errorHandler } from './errors.js';
import { mountHealthRoutes } from './health-routes.js';
import { mountHome } from './home.js';
import { securityHeaders } from './middleware/security-headers/index.js';
import { ApiRegistry, mountOpenApi } from './openapi.js';
import { mountPortal, notFoundHandler } from './portal/index.js';
import { mountTaxii } from './taxii-routes.js';

export { errorBody } from './errors.js';

/** Default largest compressed ingest body, and what it may inflate to (`ingest` in koban.json). */
export const MAX_BODY_BYTES = DEFAULT_INGEST_LIMITS.maxBodyBytes;
export const MAX_INFLATED_BYTES = DEFAULT_INGEST_LIMITS.maxInflatedBytes;

export function buildApp(ctx: WebContext): Hono {
  const app = new Hono();
  app.use(securityHeaders({ ...ctx.options, dataImagePages: [API_DOCS_PATH] }));
  app.onError(errorHandler(ctx.log));
  // Browsers asking for a page get an HTML 404/405 in their language; machine paths the JSON error.
  app.notFound(notFoundHandler(app, ctx));
  const observer = {
    auth: ctx.intel.auth,
    requireOperator: (h: string | undefined) => ctx.requireOperator(h),
  };
  const registry = new ApiRegistry();
  mountHealthRoutes(app, registry, ctx, observer);
  mountPortal(app, ctx);
  mountHome(app, ctx, observer);
  mountApi(app, registry, ctx);
  // The center's one login throttle (the session route, the portal's form, TAXII's Basic).
  mountTaxii(app, ctx, ctx.loginThrottle, ctx.options.taxii);
  mountApiDocs(app);
  mountOpenApi(app, registry, API_INFO);
  return app;
}
