/**
 * Declassification over HTTP (intel/declassify.ts): center staff request that members' reports may
 * be published below their labels; an org admin of the reporting organisation consents, or a
 * second center admin approves (four eyes), or either refuses. Each step is audited; alerts quote
 * a report below its label only under an approved request.
 */
import { z } from 'zod';
import {
  DECLASSIFICATION_STATUSES,
  type Declassification,
  DeclassifyRequestSchema,
  type IntelService,
  TlpSchema,
} from '../../intel/index.js';
import type { ApiRoutes } from '../api-route.js';
import { signedIn } from './accounts.js';
import { IdParams } from './schemas.js';
import { iso } from './views.js';

const Id = z.number().int().positive();
const Timestamp = z.iso.datetime();
const MAX_BYTES = 64 * 1024;

export const DeclassificationSchema = z.strictObject({
  id: Id,
  reportId: Id,
  fromTlp: TlpSchema.describe('The report’s label when requested; a label raised since voids an approval.'),
  toTlp: TlpSchema.describe('The least restrictive label the report may then be published under.'),
  reason: z.string(),
  requestedBy: Id,
  requestedAt: Timestamp,
  status: z.enum(DECLASSIFICATION_STATUSES),
  approval: z
    .enum(['consent', 'second-admin'])
    .nullable()
    .describe(
      'consent: an admin of the reporting organisation; second-admin: a center admin other than the requester.',
    ),
  decidedBy: Id.nullable(),
  decidedAt: Timestamp.nullable(),
  note: z.string().nullable(),
});
const ListSchema = z.strictObject({ declassifications: z.array(DeclassificationSchema) });
const DecisionBody = z.strictObject({ note: z.string().trim().min(1).max(2000).optional() });
const RefusalBody = z.strictObject({ reason: z.string().trim().min(3).max(2000) });
const ListQuery = z.object({ status: z.enum(DECLASSIFICATION_STATUSES).optional() });

function body(d: Declassification): z.output<typeof DeclassificationSchema> {
  return {
    id: d.id,
    reportId: d.reportId,
    fromTlp: d.fromTlp,
    toTlp: d.toTlp,
    reason: d.reason,
    requestedBy: d.requestedBy,
    requestedAt: iso(d.requestedMs),
    status: d.status,
    approval: d.approval,
    decidedBy: d.decidedBy,
    decidedAt: d.decidedMs === null ? null : iso(d.decidedMs),
    note: d.note,
  };
}

export function mountDeclassificationRoutes(api: ApiRoutes, intel: IntelService): void {
  api.registry.name(
    DeclassificationSchema,
    'Declassification',
    'A request to publish a report below its label.',
  );
  api.registry.name(DeclassifyRequestSchema, 'DeclassifyRequest');
  const tags = ['declassifications'];

  api.add(
    {
      method: 'post',
      path: '/api/v1/declassifications',
      operationId: 'requestDeclassification',
      summary: 'Ask to publish reports below their labels (center staff; one request per report)',
      tags,
      auth: 'actor',
      scope: 'campaigns:write',
      body: { json: { schema: DeclassifyRequestSchema, maxBytes: MAX_BYTES } },
      responses: { 201: { description: 'The pending requests.', schema: ListSchema } },
      errors: [404, 409],
    },
    async ({ actor, body: b }) => ({
      status: 201,
      body: { declassifications: (await intel.declassifications.request(actor, b.value)).map(body) },
    }),
  );

  api.add(
    {
      method: 'get',
      path: '/api/v1/declassifications',
      operationId: 'listDeclassifications',
      summary: 'Requests, newest first: all for the center, its own reports’ for an org admin',
      tags,
      auth: 'actor',
      query: ListQuery,
      responses: { 200: { description: 'At most 1,000.', schema: ListSchema } },
      errors: [401, 403],
    },
    async ({ actor, query }) => ({
      status: 200,
      body: { declassifications: (await intel.declassifications.list(signedIn(actor), query)).map(body) },
    }),
  );

  mountDecisionRoutes(api, intel, tags);
}

function mountDecisionRoutes(api: ApiRoutes, intel: IntelService, tags: string[]): void {
  api.add(
    {
      method: 'get',
      path: '/api/v1/declassifications/{id}',
      operationId: 'getDeclassification',
      summary: 'One request',
      tags,
      auth: 'actor',
      params: IdParams,
      responses: { 200: { description: 'The request.', schema: DeclassificationSchema } },
      errors: [404],
    },
    async ({ actor, params }) => ({
      status: 200,
      body: body(await intel.declassifications.get(signedIn(actor), params.id)),
    }),
  );

  for (const [verb, summary] of [
    ['consent', 'Consent as an admin of the reporting organisation'],
    ['approve', 'Approve as a second center admin (not the requester)'],
  ] as const) {
    api.add(
      {
        method: 'post',
        path: `/api/v1/declassifications/{id}/${verb}`,
        operationId: `${verb}Declassification`,
        summary,
        tags,
        auth: 'actor',
        params: IdParams,
        body: { json: { schema: DecisionBody, maxBytes: MAX_BYTES } },
        responses: { 200: { description: 'The approved request.', schema: DeclassificationSchema } },
        errors: [401, 403, 404, 409],
      },
      async ({ actor, params, body: b }) => {
        const d =
          verb === 'consent'
            ? await intel.declassifications.consent(signedIn(actor), params.id, b.value)
            : await intel.declassifications.approve(signedIn(actor), params.id, b.value);
        return { status: 200, body: body(d) };
      },
    );
  }

  api.add(
    {
      method: 'post',
      path: '/api/v1/declassifications/{id}/refuse',
      operationId: 'refuseDeclassification',
      summary: 'Refuse a pending request (the reporting organisation’s admin or a second center admin)',
      tags,
      auth: 'actor',
      params: IdParams,
      body: { json: { schema: RefusalBody, maxBytes: MAX_BYTES } },
      responses: { 200: { description: 'The refused request.', schema: DeclassificationSchema } },
      errors: [401, 403, 404, 409],
    },
    async ({ actor, params, body: b }) => ({
      status: 200,
      body: body(await intel.declassifications.refuse(signedIn(actor), params.id, b.value)),
    }),
  );
}
