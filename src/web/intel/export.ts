/**
 * `GET /api/v1/intel/export?format=stix[&audience=…]`: what the caller may see as a STIX 2.1 bundle,
 * read through intel's one access check with the caller's own access (center staff may name an
 * audience: public, members, org:NAME, sector:NAME). docs/sharing.md has the mapping.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import { exportFormat, StixService } from '../../feeds/index.js';
import type { IntelService } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';

/** Where the formats other than STIX are served (web/feeds/). */
const FEED_ROUTES = {
  'misp-feed': 'GET /api/v1/feeds/misp/manifest.json',
  text: 'GET /api/v1/feeds/blocklist.txt',
  csv: 'GET /api/v1/feeds/blocklist.csv',
  suricata: 'GET /api/v1/feeds/blocklist.rules',
  rpz: 'GET /api/v1/feeds/blocklist.rpz',
} as const;

/** STIX 2.1 §1.7 (and TAXII 2.1 §1.6.8): the media type of STIX 2.1 content. */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

const ExportQuery = z.object({
  format: z.string().min(1).max(20),
  audience: z.string().min(1).max(300).optional(),
});

export function mountExportRoutes(api: ApiRoutes, intel: IntelService, now: () => number): void {
  const stix = new StixService(intel, {}, now);
  api.add(
    {
      method: 'get',
      path: '/api/v1/intel/export',
      operationId: 'exportIntel',
      summary: 'Export what the caller may see (STIX 2.1)',
      description:
        'The reports, campaigns, advisories and indicators the caller may read, as one STIX 2.1 ' +
        'bundle: TLP 2.0 marking definitions, indicators with STIX patterns, sightings, ' +
        'relationships; never a private part, reporting organisations named only with consent. ' +
        'Center staff may ask for an audience (public, members, org:NAME, sector:NAME). The other ' +
        'formats have their own routes (400 names them): the MISP feed under /api/v1/feeds/misp/, ' +
        'the blocklists at /api/v1/feeds/blocklist.{txt,csv,rules,rpz}.',
      tags: ['indicators'],
      auth: 'actor',
      scope: 'indicators:read',
      query: ExportQuery,
      responses: { 200: { description: 'A STIX 2.1 bundle.', mediaType: STIX_MEDIA_TYPE } },
      errors: [404],
    },
    async ({ actor, query }) => {
      const format = exportFormat(query.format);
      if (format !== 'stix')
        throw new KobanError('E_USAGE', `format "${format}" is served at ${FEED_ROUTES[format]}`);
      const bundle = await stix.exportBundle(actor, query.audience);
      return new Response(JSON.stringify(bundle), {
        status: 200,
        headers: { 'content-type': STIX_MEDIA_TYPE },
      });
    },
  );
}
