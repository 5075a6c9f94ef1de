/**
 * Alerts to members (注意喚起) over HTTP: center staff draft one from a report or campaign (the
 * answer is the sanitisation preview), send it to an audience, and members read it and answer
 * "we received this too" in one call. The rules (TLP × audience, label floor, who reads what)
 * live in the intel service; these routes translate only.
 */
import { z } from 'zod';
import {
  AdvisoryListFilterSchema,
  DraftAdvisoryInputSchema,
  type IntelService,
  ReceivedTooInputSchema,
  SendAdvisoryInputSchema,
  systemActor,
} from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import {
  AlertContentSchema,
  AlertSummarySchema,
  AlertViewSchema,
  alertSummaryBody,
  alertViewBody,
} from './alert-views.js';
import { IdParams, MAX_JSON_BYTES } from './schemas.js';

const Tlp = z.string().describe('TLP 2.0 label, e.g. TLP:GREEN');

const AlertPreviewSchema = z.looseObject({
  alertId: z.number().int(),
  status: z.string(),
  version: z.number().int(),
  content: AlertContentSchema,
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

/**
 * Mounts the routes. `afterSend` runs (not awaited) once an alert has been sent, so deliveries
 * (e-mail, webhooks) start without holding the answer.
 */
export function mountAlertRoutes(
  api: ApiRoutes,
  intel: IntelService,
  afterSend: () => void = () => undefined,
): void {
  api.registry.name(AlertPreviewSchema, 'AlertPreview');
  api.registry.name(AlertViewSchema, 'Alert');
  api.registry.name(AlertSummarySchema, 'AlertSummary');
  api.registry.name(DraftAdvisoryInputSchema, 'DraftAlert');
  api.registry.name(SendAdvisoryInputSchema, 'SendAlert');
  api.registry.name(ReceivedTooInputSchema, 'ReceivedToo');

  api.add(
    {
      method: 'post',
      path: '/api/v1/alerts',
      operationId: 'draftAlert',
      summary: 'Draft an alert to members from a report or campaign; answers the sanitisation preview',
      tags: ['alerts'],
      auth: 'actor',
      scope: 'campaigns:write',
      body: { json: { schema: DraftAdvisoryInputSchema, maxBytes: MAX_JSON_BYTES } },
      responses: {
        201: { description: 'The draft, as recipients would see it.', schema: AlertPreviewSchema },
      },
      errors: [404],
    },
    async ({ actor, body }) => ({ status: 201, body: await intel.advisories.draft(actor, body.value) }),
  );

  api.add(
    {
      method: 'post',
      path: '/api/v1/alerts/{id}/send',
      operationId: 'sendAlert',
      summary: 'Send a draft to its audience (TLP 2.0 rules apply)',
      tags: ['alerts'],
      auth: 'actor',
      scope: 'campaigns:write',
      params: IdParams,
      body: { json: { schema: SendAdvisoryInputSchema, maxBytes: MAX_JSON_BYTES } },
      responses: { 200: { description: 'Recipients and queued deliveries.', schema: SendResultSchema } },
      errors: [404, 409],
    },
    async ({ actor, params, body }) => {
      const result = await intel.advisories.send(actor, params.id, body.value);
      afterSend();
      return { status: 200, body: result };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/v1/alerts/{id}',
      operationId: 'getAlert',
      summary: 'One alert to members, as the caller may read it',
      tags: ['alerts'],
      auth: 'actor',
      scope: 'campaigns:read',
      params: IdParams,
      responses: { 200: { description: 'The alert.', schema: AlertViewSchema } },
      errors: [404],
    },
    async ({ actor, params }) => ({
      status: 200,
      body: alertViewBody(await intel.advisories.get(actor, params.id)),
    }),
  );

  api.add(
    {
      method: 'get',
      path: '/api/v1/alerts',
      operationId: 'listAlerts',
      summary:
        'Alerts to members the caller may read, newest first. (With the operator token, this path ' +
        'lists the center’s detection alerts instead.)',
      tags: ['alerts'],
      auth: 'actor',
      scope: 'campaigns:read',
      query: AdvisoryListFilterSchema,
      responses: {
        200: { description: 'Alerts.', schema: z.object({ alerts: z.array(AlertSummarySchema) }) },
      },
    },
    async ({ actor, query }) => ({
      status: 200,
      body: { alerts: (await intel.advisories.list(actor, query)).map(alertSummaryBody) },
    }),
  );

  api.add(
    {
      method: 'post',
      path: '/api/v1/alerts/{id}/received',
      operationId: 'receivedToo',
      summary:
        '"We received this too": counts the caller’s organisation and links its report to the campaign',
      tags: ['alerts'],
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
      body: await intel.advisories.receivedToo(actor, params.id, body.value),
    }),
  );
}

/** Runs due alert deliveries as the system (e-mail, webhooks); errors stay in the delivery log. */
export async function deliverAlerts(intel: IntelService): Promise<void> {
  await intel.advisories.deliverDue(systemActor('alert delivery'));
}
