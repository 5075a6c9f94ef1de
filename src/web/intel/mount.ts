/**
 * The intel context's REST API under /api/v1/: sessions, reports, indicators, campaigns, alerts,
 * declassifications, and accounts (token revocation, ending sessions, disabling users and orgs). Every
 * route goes through `ApiRoutes` (api-route.ts): the same authentication, scope check, input
 * validation, body limits and OpenAPI registration. Routes added later (member alerts) use the
 * `routes` this returns, so they share all of it and appear in the same document.
 */
import type { Hono } from 'hono';
import type { IntelService } from '../../intel/index.js';
import { DEFAULT_EMAIL_LIMITS } from '../../mail/index.js';
import { ApiRoutes, type ApiRoutesOptions } from '../api-route.js';
import { type ApiInfo, ApiRegistry } from '../openapi.js';
import { LoginThrottle, type LoginThrottleOptions } from '../rate-limit.js';
import { mountAccountRoutes } from './accounts.js';
import { mountAlertRoutes } from './alerts.js';
import { mountCampaignRoutes } from './campaigns.js';
import { mountDeclassificationRoutes } from './declassifications.js';
import { mountIndicatorRoutes } from './indicators.js';
import { mountReportRoutes } from './reports.js';
import { MAX_JSON_BYTES, nameIntelSchemas } from './schemas.js';
import { mountSessionRoutes } from './session.js';

export interface IntelApiOptions extends ApiRoutesOptions {
  /** Share a registry with other route modules (default: a new one, returned). */
  readonly registry?: ApiRegistry;
  /** Largest e-mail upload (default: the parser's own limit, 25 MiB). */
  readonly maxEmailBytes?: number;
  /** Largest JSON body (default 1 MiB). */
  readonly maxJsonBytes?: number;
  readonly login?: LoginThrottleOptions;
  /** The clock (default Date.now); give the intel services' clock when they run on another. */
  readonly now?: () => number;
  /** Called (not awaited) after an alert to members is sent: start its deliveries. */
  readonly afterAlertSent?: () => void;
}

export interface IntelApi {
  /** Add further routes here: same auth, validation and OpenAPI registry. */
  readonly routes: ApiRoutes;
  readonly registry: ApiRegistry;
}

export const API_INFO: ApiInfo = {
  title: 'Koban API',
  version: '1',
  description:
    'The REST API of a Koban center. Errors always have the shape `{ "error": { "code", "message" } }` ' +
    'with a stable code. Credentials: an API token as `Authorization: Bearer …`, or the session cookie ' +
    'of `POST /api/v1/session`; without either, the caller is the anonymous public (TLP:CLEAR only). ' +
    'Every date and time in the API is an ISO 8601 string: instants in UTC (`2012-02-10T00:00:00.000Z`), ' +
    'observation buckets in the operator’s UTC offset (`2012-02-10T00:00:00+09:00`); query parameters ' +
    'take ISO 8601 too.',
};

export function mountIntelApi(app: Hono, intel: IntelService, options: IntelApiOptions = {}): IntelApi {
  const registry = options.registry ?? new ApiRegistry();
  const now = options.now ?? Date.now;
  nameIntelSchemas(registry);
  const routes = new ApiRoutes(app, registry, intel.auth, options);
  mountSessionRoutes(routes, intel, new LoginThrottle(options.login, now), now);
  mountReportRoutes(
    routes,
    intel,
    {
      maxEmailBytes: options.maxEmailBytes ?? DEFAULT_EMAIL_LIMITS.maxRawBytes,
      maxJsonBytes: options.maxJsonBytes ?? MAX_JSON_BYTES,
    },
    now,
  );
  mountIndicatorRoutes(routes, intel, now);
  mountCampaignRoutes(routes, intel);
  mountAlertRoutes(routes, intel, options.afterAlertSent);
  mountDeclassificationRoutes(routes, intel);
  mountAccountRoutes(routes, intel);
  return { routes, registry };
}
