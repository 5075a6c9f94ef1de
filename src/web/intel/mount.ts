/**
 * The intel context's REST API under /api/v1/: sessions, reports, indicators (and their export as
 * STIX 2.1), campaigns, advisories, declassifications, and accounts (token revocation, ending sessions, disabling users
 * and orgs). Every route goes through `ApiRoutes` (api-route.ts): the same authentication, scope
 * check, input validation, body limits and OpenAPI registration as the center's other routes.
 */
import type { IntelService } from '../../intel/index.js';
import { DEFAULT_EMAIL_LIMITS } from '../../mail/index.js';
import type { ApiRoutes } from '../api-route.js';
import type { WebOptions } from '../context.js';
import { LoginThrottle } from '../rate-limit.js';
import { mountAccountRoutes } from './accounts.js';
import { mountAdvisoryRoutes } from './advisories.js';
import { mountCampaignRoutes } from './campaigns.js';
import { mountDeclassificationRoutes } from './declassifications.js';
import { mountExportRoutes } from './export.js';
import { mountIndicatorRoutes } from './indicators.js';
import { mountReportRoutes } from './reports.js';
import { MAX_JSON_BYTES, nameIntelSchemas } from './schemas.js';
import { mountSessionRoutes } from './session.js';

export function mountIntelRoutes(
  routes: ApiRoutes,
  intel: IntelService,
  options: WebOptions = {},
  /** Shared with the portal's login form (one budget of guesses per client and account). */
  throttle?: LoginThrottle,
): void {
  const now = options.now ?? Date.now;
  nameIntelSchemas(routes.registry);
  mountSessionRoutes(routes, intel, throttle ?? new LoginThrottle(options.login, now), now);
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
  mountExportRoutes(routes, intel, now);
  mountCampaignRoutes(routes, intel);
  mountAdvisoryRoutes(routes, intel, options.afterAdvisorySent);
  mountDeclassificationRoutes(routes, intel);
  mountAccountRoutes(routes, intel);
}
