/**
 * Campaigns the caller may read (a campaign has its own label; within it, only the reports the
 * caller may read are counted and listed), a page at a time, and one campaign in full.
 */
import { KobanError } from '../../core/index.js';
import type { CampaignSummary, IntelService } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import { CampaignPageSchema, CampaignSchema, IdParams, PageQuery } from './schemas.js';
import { campaignBody, campaignSummary } from './views.js';

/** Newest change first; the id breaks ties so that pages neither skip nor repeat. */
function newestFirst(a: CampaignSummary, b: CampaignSummary): number {
  return b.updatedMs - a.updatedMs || b.id - a.id;
}

function cursorOf(c: CampaignSummary): string {
  return `${c.updatedMs}-${c.id}`;
}

function parseCursor(s: string): { updatedMs: number; id: number } {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(s);
  if (!m) throw new KobanError('E_USAGE', 'query: cursor: not a cursor of this list');
  return { updatedMs: Number(m[1]), id: Number(m[2]) };
}

export function mountCampaignRoutes(api: ApiRoutes, intel: IntelService): void {
  api.add(
    {
      method: 'get',
      path: '/api/v1/campaigns',
      operationId: 'listCampaigns',
      summary: 'Campaigns the caller may read, most recently changed first',
      tags: ['campaigns'],
      auth: 'actor',
      scope: 'campaigns:read',
      query: PageQuery,
      responses: { 200: { description: 'One page.', schema: CampaignPageSchema } },
    },
    async ({ actor, query }) => {
      const after = query.cursor === undefined ? null : parseCursor(query.cursor);
      // CampaignService.list answers at most 1,000 (all of them, today); the page is cut here.
      const all = [...(await intel.campaigns.list(actor))].sort(newestFirst);
      const rest = after
        ? all.filter(
            (c) => c.updatedMs < after.updatedMs || (c.updatedMs === after.updatedMs && c.id < after.id),
          )
        : all;
      const page = rest.slice(0, query.limit);
      const last = page.at(-1);
      return {
        status: 200,
        body: {
          campaigns: page.map(campaignSummary),
          nextCursor: rest.length > page.length && last ? cursorOf(last) : null,
        },
      };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/v1/campaigns/{id}',
      operationId: 'getCampaign',
      summary: 'One campaign, with its readable reports and most shared values',
      tags: ['campaigns'],
      auth: 'actor',
      scope: 'campaigns:read',
      params: IdParams,
      responses: { 200: { description: 'The campaign.', schema: CampaignSchema } },
      errors: [404],
    },
    async ({ actor, params }) => ({
      status: 200,
      body: campaignBody(await intel.campaigns.get(actor, params.id)),
    }),
  );
}
