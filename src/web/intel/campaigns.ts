/**
 * Campaigns the caller may read (a campaign has its own label; within it, only the reports the
 * caller may read are counted and listed), a page at a time, and one campaign in full.
 */
import { KobanError } from '../../core/index.js';
import type { CampaignSummary, IntelService } from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import { CampaignPageSchema, CampaignSchema, IdParams, PageQuery } from './schemas.js';
import { campaignBody, campaignSummary } from './views.js';

/**
 * The cursor is the last campaign's (update time, id): newest change first, the id breaking ties,
 * so pages neither skip nor repeat, and the database reads one page (keyset paging), however many
 * campaigns there are.
 */
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
      const after = query.cursor === undefined ? undefined : parseCursor(query.cursor);
      // One more than the page: whether there is a next page, without counting them all.
      const rows = await intel.campaigns.list(actor, { after, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        status: 200,
        body: {
          campaigns: page.map(campaignSummary),
          nextCursor: rows.length > page.length && last ? cursorOf(last) : null,
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
