/**
 * The feeds context's REST API under /api/v1/feeds/: blocklists of C2 destinations for the
 * service-provider council, their sightings back, and the MISP feed (docs/sharing.md). Every route
 * goes through `ApiRoutes` (api-route.ts): one authentication, scope check, input validation and
 * body limit, and the OpenAPI document.
 */
import { BlocklistService, SightingService } from '../../feeds/index.js';
import type { IntelService } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import { mountBlocklistRoutes } from './blocklists.js';
import { mountMispFeedRoutes } from './misp.js';
import { mountSightingRoutes } from './sightings.js';

export function mountFeedRoutes(routes: ApiRoutes, intel: IntelService, now: () => number): void {
  const lists = new BlocklistService(intel, now);
  mountBlocklistRoutes(routes, intel, now);
  mountSightingRoutes(routes, new SightingService(intel, lists, now), lists);
  mountMispFeedRoutes(routes, intel, now);
}
