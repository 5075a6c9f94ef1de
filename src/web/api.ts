/**
 * The REST API under /api/v1/, every route through one `ApiRoutes` (api-route.ts): the intel
 * routes (intel/mount.ts), the observation views, sensor ingest, the operator's alerts, scanner list
 * and backscatter statistics — one authentication, validation and error style, and one OpenAPI
 * document listing them all.
 */
import type { Hono } from 'hono';
import { mountAnonymizerEvidenceRoutes } from './anonymizer-evidence-route.js';
import { mountAnonymizerRoutes } from './anonymizer-route.js';
import { ApiRoutes } from './api-route.js';
import type { WebContext } from './context.js';
import { mountDeprecatedAlertList } from './deprecated-alerts.js';
import { mountFeedRoutes } from './feeds/mount.js';
import { mountIngestRoute } from './ingest-route.js';
import { mountIntelRoutes } from './intel/mount.js';
import { sensorAuth } from './middleware/sensor-auth/index.js';
import type { ApiInfo, ApiRegistry } from './openapi.js';
import { mountOperatorAlertRoutes } from './operator-alerts-route.js';
import { mountOperatorBackscatterRoutes } from './operator-backscatter-route.js';
import { mountOperatorScannerRoutes } from './operator-scanners-route.js';
import { mountRecorderRoutes } from './recorder-route.js';
import { mountStatsRoute } from './stats-route.js';

export const API_INFO: ApiInfo = {
  title: 'Koban API',
  version: '1',
  description:
    'The REST API of a Koban center. Errors always have the shape `{ "error": { "code", "message" } }` ' +
    'with a stable code. Credentials: an API token as `Authorization: Bearer …`, or the session cookie ' +
    'of `POST /api/v1/session`; without either, the caller is the anonymous public (TLP:CLEAR only). ' +
    'Every date and time in the API is an ISO 8601 string: instants in UTC (`2012-02-10T00:00:00.000Z`), ' +
    'observation buckets in the operator’s UTC offset (`2012-02-10T00:00:00+09:00`); query parameters ' +
    'take ISO 8601 too. Deprecated routes answer with `Deprecation: true` and a `Link` to their successor.',
};

export function mountApi(app: Hono, registry: ApiRegistry, ctx: WebContext): ApiRoutes {
  const now = ctx.options.now ?? Date.now;
  const routes = new ApiRoutes(app, registry, ctx.intel.auth, {
    ...ctx.options,
    requireOperator: (h) => ctx.requireOperator(h),
    sensorAuth: sensorAuth(ctx.sensors),
  });
  mountIntelRoutes(routes, ctx.intel, ctx.options, ctx.loginThrottle);
  mountFeedRoutes(routes, ctx.intel, now);
  mountStatsRoute(routes, {
    store: ctx.events,
    config: ctx.observation,
    now,
    publicStats: () => ctx.publicStats,
  });
  mountIngestRoute(routes, { ingest: ctx.ingest, draining: () => ctx.draining, now });
  mountOperatorAlertRoutes(routes, ctx.operatorAlerts);
  mountOperatorScannerRoutes(routes, ctx.scanners);
  mountOperatorBackscatterRoutes(routes, ctx.backscatter);
  mountAnonymizerRoutes(routes, ctx.anonymizer);
  mountAnonymizerEvidenceRoutes(routes, ctx.anonymizer, ctx.intel);
  mountRecorderRoutes(routes, ctx.recorderHeads);
  mountDeprecatedAlertList(routes, ctx.intel, ctx.operatorAlerts);
  return routes;
}
