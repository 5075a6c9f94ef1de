/**
 * The center's HTTP side, and nothing else: `buildApp` turns a `WebContext` — the few services
 * and settings the handlers need, given by the composition root (center/) — into a Hono app with
 * the REST API under /api/v1 (ingest, observation views, operator alerts, the intel routes), its
 * OpenAPI document and Swagger UI page, `/healthz`, `/metrics`, the portal's pages (portal/: the
 * public site at `/`, docs/portal.md) and the live observation page (`/live`). Requests come
 * from sensors, members, the operator and the public; answers are JSON (one error shape,
 * errors.ts), HTML or Prometheus text. It holds no domain logic and opens no store.
 */
export { buildApp, errorBody, MAX_BODY_BYTES, MAX_INFLATED_BYTES } from './app.js';
export type { TrustProxy } from './client.js';
export type { MetricsRenderer, ObservationSettings, WebContext, WebOptions } from './context.js';
export { ERROR_STATUS, type ErrorLog } from './errors.js';
export { type AuditStatus, CenterMetrics } from './metrics.js';
export { type PublishRequest, publishReport } from './portal/index.js';
export { LoginThrottle } from './rate-limit.js';
