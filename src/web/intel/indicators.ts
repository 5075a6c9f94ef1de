/**
 * Indicator lookup: one value, canonicalised as intake stores it, with its aggregates and the
 * campaigns the caller may see. A value no readable report holds answers 404 like an unknown one.
 */
import { KobanError } from '../../core/index.js';
import type { IntelService } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import { IndicatorQuery, IndicatorSchema } from './schemas.js';
import { indicatorBody } from './views.js';

export function mountIndicatorRoutes(api: ApiRoutes, intel: IntelService, now: () => number): void {
  api.add(
    {
      method: 'get',
      path: '/api/v1/indicators',
      operationId: 'lookupIndicator',
      summary: 'Look one indicator up',
      description:
        'The canonical indicator with its aggregates (reports, distinct organisations, sectors and ' +
        'prefectures, first and last seen) and campaigns, as far as the caller may see them: it is ' +
        'found only if a report the caller may read holds it, and read under that report’s label.',
      tags: ['indicators'],
      auth: 'actor',
      scope: 'indicators:read',
      query: IndicatorQuery,
      responses: { 200: { description: 'The indicator.', schema: IndicatorSchema } },
      errors: [404],
    },
    async ({ actor, query }) => {
      const v = await intel.indicators.lookup(actor, query.value, query.type);
      if (!v) throw new KobanError('E_NOT_FOUND', 'no such indicator among the reports you may read');
      return { status: 200, body: await indicatorBody(intel, actor, v, now()) };
    },
  );
}
