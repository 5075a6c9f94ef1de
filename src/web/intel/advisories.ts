/**
 * Advisories (注意喚起, alerts to members) over HTTP under /api/v1/advisories: center staff draft
 * one from a report or campaign (the answer is the sanitisation preview), send it to an audience,
 * and members read it and answer "we received this too" in one call. The rules (TLP × audience,
 * label floor, who reads what) live in the intel service; these routes translate only. The paths
 * of the previous release, /api/v1/alerts…, keep answering for one more (the list, which the
 * operator token shared, in web/deprecated-alerts.ts).
 */
import { z } from 'zod';
import {
  AlertListFilterSchema,
  DraftAlertInputSchema,
  type IntelService,
  ReceivedTooInputSchema,
  SendAlertInputSchema,
} from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import {
  AdvisoryContentSchema,
  AdvisorySummarySchema,
  AdvisoryViewSchema,
  advisorySummaryBody,
  advisoryViewBody,
} from './advisory-views.js';
import { IdParams, MAX_JSON_BYTES } from './schemas.js';

export const ADVISORIES_PATH = '/api/v1/advisories';
/** Where advisories were served in the previous release. */
export const FORMER_ADVISORIES_PATH = '/api/v1/alerts';

const Tlp = z.string().describe('TLP 2.0 label, e.g. TLP:GREEN');

const AdvisoryPreviewSchema = z.looseObject({
  alertId: z.number().int(),
  status: z.string(),
  version: z.number().int(),
  content: AdvisoryContentSchema,
  tlpFloor: Tlp,
  excluded: z.array(z.looseObject({ type: z.string(), value: z.string(), reason: z.string() })),
  redactions: z.number().int(),
  anonymisedReporters: z.number().int(),
});

const SendResultSchema = z.looseObject({
  alertId: z.number().int(),
  version: z.number().int(),
  recipients: z.looseObject({ orgIds: z.array(z.number()), userIds: z.array(z.number()) }),
  deliveries: z.looseObject({ inbox: z.number(), email: z.number(), webhook: z.number() }),
});

const ReceivedTooResultSchema = z.looseObject({
  sightingId: z.number().int(),
  alertId: z.number().int(),
  orgId: z.number().int(),
  reportId: z.number().int().nullable(),
  created: z.boolean(),
});

const QueryId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** The service's filter, with the numbers a query string carries as text read as numbers. */
export const AdvisoryListQuery = AlertListFilterSchema.extend({
  campaignId: QueryId.optional(),
  beforeId: QueryId.optional().describe('Advisories with a smaller id (paging, newest first).'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const AdvisoryListSchema = z.object({ advisories: z.array(AdvisorySummarySchema) });

/** A path of this module as the previous release named it, with the operation id it had. */
function former(path: string, operationId: string) {
  return [{ path: path.replace(ADVISORIES_PATH, FORMER_ADVISORIES_PATH), operationId }];
}

/**
 * Mounts the routes. `afterSend` runs (not awaited) once an advisory has been sent, so deliveries
 * (e-mail, webhooks) start without holding the answer.
 */
export function mountAdvisoryRoutes(
  api: ApiRoutes,
  intel: IntelService,
  afterSend: () => void = () => undefined,
): void {
  api.registry.name(AdvisoryPreviewSchema, 'AdvisoryPreview');
  api.registry.name(AdvisoryViewSchema, 'Advisory');
  api.registry.name(AdvisorySummarySchema, 'AdvisorySummary');
  api.registry.name(DraftAlertInputSchema, 'DraftAdvisory');
  api.registry.name(SendAlertInputSchema, 'SendAdvisory');
  api.registry.name(ReceivedTooInputSchema, 'ReceivedToo');
  mountDraftAndSend(api, intel, afterSend);
  mountReading(api, intel);
}

function mountDraftAndSend(api: ApiRoutes, intel: IntelService, afterSend: () => void): void {
  const common = { tags: ['advisories'], auth: 'actor', scope: 'campaigns:write' } as const;
  api.add(
    {
      ...common,
      method: 'post',
      path: ADVISORIES_PATH,
      formerPaths: former(ADVISORIES_PATH, 'draftAlert'),
      operationId: 'draftAdvisory',
      summary: 'Draft an advisory to members from a report or campaign; answers the sanitisation preview',
      body: { json: { schema: DraftAlertInputSchema, maxBytes: MAX_JSON_BYTES } },
      responses: {
        201: { description: 'The draft, as recipients would see it.', schema: AdvisoryPreviewSchema },
      },
      errors: [404],
    },
    async ({ actor, body }) => ({ status: 201, body: await intel.memberAlerts.draft(actor, body.value) }),
  );
  const send = `${ADVISORIES_PATH}/{id}/send`;
  api.add(
    {
      ...common,
      method: 'post',
      path: send,
      formerPaths: former(send, 'sendAlert'),
      operationId: 'sendAdvisory',
      summary: 'Send a draft to its audience (TLP 2.0 rules apply)',
      params: IdParams,
      body: { json: { schema: SendAlertInputSchema, maxBytes: MAX_JSON_BYTES } },
      responses: { 200: { description: 'Recipients and queued deliveries.', schema: SendResultSchema } },
      errors: [404, 409],
    },
    async ({ actor, params, body }) => {
      const result = await intel.memberAlerts.send(actor, params.id, body.value);
      afterSend();
      return { status: 200, body: result };
    },
  );
}

function mountReading(api: ApiRoutes, intel: IntelService): void {
  const one = `${ADVISORIES_PATH}/{id}`;
  api.add(
    {
      method: 'get',
      path: one,
      formerPaths: former(one, 'getAlert'),
      operationId: 'getAdvisory',
      summary: 'One advisory, as the caller may read it',
      tags: ['advisories'],
      auth: 'actor',
      scope: 'campaigns:read',
      params: IdParams,
      responses: { 200: { description: 'The advisory.', schema: AdvisoryViewSchema } },
      errors: [404],
    },
    async ({ actor, params }) => ({
      status: 200,
      body: advisoryViewBody(await intel.memberAlerts.get(actor, params.id)),
    }),
  );
  api.add(
    {
      method: 'get',
      path: ADVISORIES_PATH,
      operationId: 'listAdvisories',
      summary: 'Advisories the caller may read, newest first',
      tags: ['advisories'],
      auth: 'actor',
      scope: 'campaigns:read',
      query: AdvisoryListQuery,
      responses: { 200: { description: 'Advisories.', schema: AdvisoryListSchema } },
    },
    async ({ actor, query }) => ({
      status: 200,
      body: { advisories: (await intel.memberAlerts.list(actor, query)).map(advisorySummaryBody) },
    }),
  );
  mountReceivedToo(api, intel);
}

function mountReceivedToo(api: ApiRoutes, intel: IntelService): void {
  const received = `${ADVISORIES_PATH}/{id}/received`;
  api.add(
    {
      method: 'post',
      path: received,
      formerPaths: former(received, 'receivedToo'),
      operationId: 'advisoryReceivedToo',
      summary:
        '"We received this too": counts the caller’s organisation and links its report to the campaign',
      tags: ['advisories'],
      auth: 'actor',
      scope: 'reports:write',
      params: IdParams,
      body: { json: { schema: ReceivedTooInputSchema, maxBytes: MAX_JSON_BYTES } },
      responses: {
        200: {
          description: 'The recorded answer (idempotent per organisation).',
          schema: ReceivedTooResultSchema,
        },
      },
      errors: [404],
    },
    async ({ actor, params, body }) => ({
      status: 200,
      body: await intel.memberAlerts.receivedToo(actor, params.id, body.value),
    }),
  );
}
