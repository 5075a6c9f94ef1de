/**
 * Sightings back from the service-provider council (docs/sharing.md#sightings):
 * `POST /api/v1/feeds/sightings` (JSON `{ "sightings": [{ value, customer_hash, seen }] }` or CSV
 * with that header) from a provider's token; `GET /api/v1/feeds/sightings` — per destination and
 * campaign, distinct customers and providers (center staff: all; a provider: its own);
 * `GET /api/v1/feeds/sightings/mine?since=` — a provider's infected customers first reported after
 * a time, under the pseudonyms the center files them by.
 */
import { z } from 'zod';
import { KobanError } from '../../core/index.js';
import {
  type BlocklistService,
  MAX_SIGHTINGS,
  type SightingService,
  sightingsFromCsv,
} from '../../feeds/index.js';
import type { ApiRoutes } from '../api-route.js';
import { BlocklistQuery } from './blocklists.js';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

const SightingsBody = z.object({ sightings: z.array(z.unknown()).max(MAX_SIGHTINGS) });

const Receipt = z.object({
  accepted: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), reason: z.string() })),
  newInfected: z.array(
    z.object({
      customer_hash: z.string(),
      customer_key: z.string(),
      value: z.string(),
      campaigns: z.array(z.string()),
    }),
  ),
});

const Summary = z.object({
  destinations: z.array(
    z.object({
      type: z.string(),
      value: z.string(),
      customers: z.number().int(),
      providers: z.number().int(),
      campaigns: z.array(z.string()),
    }),
  ),
  campaigns: z.array(
    z.object({
      campaign: z.string(),
      destinations: z.number().int(),
      customers: z.number().int(),
      providers: z.number().int(),
    }),
  ),
});

const Mine = z.object({
  customers: z.array(
    z.object({
      customer_key: z.string(),
      type: z.string(),
      value: z.string(),
      first_seen: z.string(),
      last_seen: z.string(),
      count: z.number().int(),
      received: z.string(),
    }),
  ),
});

function requireToken(kind: string): void {
  if (kind === 'anonymous') throw new KobanError('E_AUTH', 'sightings need a token');
}

export function mountSightingRoutes(
  api: ApiRoutes,
  sightings: SightingService,
  lists: BlocklistService,
): void {
  api.add(
    {
      method: 'post',
      path: '/api/v1/feeds/sightings',
      operationId: 'reportSightings',
      summary: 'Report customers seen connecting to listed C2 destinations',
      description:
        'A provider (organisation of kind security-service-provider or isp) reports, row by row, that a ' +
        'customer — named only by the provider’s own hash — connected to a destination on its blocklist. ' +
        'The center keeps only an HMAC of that hash under a per-provider secret salt. The answer lists ' +
        'rejected rows with reasons and the customers first seen now (newly infected).',
      tags: ['feeds'],
      auth: 'actor',
      scope: 'reports:write',
      body: {
        json: { schema: SightingsBody, maxBytes: MAX_BODY_BYTES },
        raw: {
          mediaTypes: ['text/csv'],
          maxBytes: MAX_BODY_BYTES,
          description: 'CSV with a header row: value,customer_hash,seen',
        },
      },
      responses: { 200: { description: 'What was recorded.', schema: Receipt } },
    },
    async ({ actor, body }) => {
      requireToken(actor.kind);
      await lists.requireSubscriber(actor);
      const rows =
        body.kind === 'json' ? body.value.sightings : sightingsFromCsv(body.bytes.toString('utf8'));
      return { status: 200, body: await sightings.report(actor, rows) };
    },
  );
  api.add(
    {
      method: 'get',
      path: '/api/v1/feeds/sightings',
      operationId: 'getSightingSummary',
      summary: 'Infected customers per C2 destination and campaign',
      description:
        'Distinct customers of how many providers were seen per destination and per campaign: every ' +
        'provider’s for the center’s staff, its own for a provider.',
      tags: ['feeds'],
      auth: 'actor',
      scope: 'indicators:read',
      responses: { 200: { description: 'Counts.', schema: Summary } },
    },
    async ({ actor }) => {
      requireToken(actor.kind);
      await lists.requireSubscriber(actor);
      return { status: 200, body: await sightings.summary(actor) };
    },
  );
  api.add(
    {
      method: 'get',
      path: '/api/v1/feeds/sightings/mine',
      operationId: 'getMySightings',
      summary: 'A provider’s infected customers first reported after a time',
      tags: ['feeds'],
      auth: 'actor',
      scope: 'indicators:read',
      query: BlocklistQuery.pick({ since: true }),
      responses: { 200: { description: 'Customers by pseudonym.', schema: Mine } },
    },
    async ({ actor, query }) => {
      requireToken(actor.kind);
      return { status: 200, body: { customers: await sightings.mine(actor, query.since ?? 0) } };
    },
  );
}
