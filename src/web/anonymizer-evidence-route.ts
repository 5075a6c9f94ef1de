/**
 * `POST /api/v1/anonymizer/evidence` and `GET /api/v1/anonymizer/evidence[/{id}]`
 * (docs/anonymizer.md#site-evidence): a website under `allow-and-record` posts what it recorded of
 * a request from a listed address; the center checks the site's policy and the listing at that
 * time (anon context) and keeps the record with its own answer as evidence under custody (intel
 * context), for center investigators holding `evidence:read`.
 */
import { z } from 'zod';
import type { AnonymizerService } from '../anon/index.js';
import { KobanError } from '../core/index.js';
import type { Actor, IntelService } from '../intel/index.js';
import type { ApiRoutes } from './api-route.js';

export const ANONYMIZER_EVIDENCE_PATH = '/api/v1/anonymizer/evidence';
const MAX_EVIDENCE_BODY_BYTES = 32 * 1024;
const MAX_HEADERS = 32;

// RFC 9110 §5.1 field names (tokens); values bounded so one record stays small.
const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/, 'a header field name (RFC 9110)');

export const SiteEvidenceBodySchema = z.strictObject({
  time: z.iso.datetime().describe('When the site received the request.'),
  ip: z.string().min(2).max(64).describe('The visitor address.'),
  port: z.number().int().min(1).max(65_535).optional().describe('The service port it connected to.'),
  account: z.string().min(1).max(256).optional().describe('The account the request acted as.'),
  contentSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 in hex')
    .transform((s) => s.toLowerCase())
    .describe('SHA-256 of what the request posted.'),
  headers: z
    .record(HeaderName, z.string().max(1024))
    .refine((h) => Object.keys(h).length <= MAX_HEADERS, `at most ${MAX_HEADERS} headers`)
    .describe('The request headers the site chose to keep.'),
  note: z.string().max(2000).optional(),
});

export const SiteEvidenceSchema = z.strictObject({
  id: z.number().int(),
  recordSha256: z.string().describe("SHA-256 of the record's canonical JSON: its custody key."),
  siteOrgId: z.number().int(),
  received: z.iso.datetime(),
  time: z.iso.datetime(),
  ip: z.string(),
  port: z.number().int().nullable(),
  account: z.string().nullable(),
  contentSha256: z.string(),
  headers: z.record(z.string(), z.string()),
  note: z.string().nullable(),
  listing: z.record(z.string(), z.unknown()).describe("The center's anonymizer answer for the address then."),
  postedBy: z.string(),
});

const ListQuery = z.strictObject({
  ip: z.string().min(2).max(64).optional(),
  site: z.coerce.number().int().positive().optional().describe('The posting organisation.'),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const IdParams = z.strictObject({ id: z.coerce.number().int().positive() });

type View = Awaited<ReturnType<IntelService['siteEvidence']['get']>>;

function wire(v: View): z.infer<typeof SiteEvidenceSchema> {
  const { receivedMs, requestMs, ...rest } = v;
  return { ...rest, received: new Date(receivedMs).toISOString(), time: new Date(requestMs).toISOString() };
}

export function mountAnonymizerEvidenceRoutes(
  api: ApiRoutes,
  anonymizer: Pick<AnonymizerService, 'checkForSite' | 'sitePolicy'>,
  intel: Pick<IntelService, 'siteEvidence'>,
): void {
  api.registry.name(
    SiteEvidenceSchema,
    'SiteEvidence',
    'What a site recorded of a request from an anonymizer.',
  );
  api.add(
    {
      tags: ['anonymizer'],
      auth: 'actor',
      scope: 'reports:write',
      method: 'post',
      path: ANONYMIZER_EVIDENCE_PATH,
      operationId: 'postSiteEvidence',
      summary: 'Keep what a site under allow-and-record recorded of a request from a listed address',
      description:
        "403 unless the posting organisation's site policy is `allow-and-record`; 409 unless the address " +
        'was listed at `time`; 503 E_STALE when the lists do not cover `time`. Kept write-once with the ' +
        "center's answer then; 201 for a new record, 200 with the kept one for the same record again.",
      body: { json: { schema: SiteEvidenceBodySchema, maxBytes: MAX_EVIDENCE_BODY_BYTES } },
      responses: {
        200: { description: 'The same record, kept before.', schema: SiteEvidenceSchema },
        201: { description: 'The record, kept.', schema: SiteEvidenceSchema },
      },
      errors: [409, 503],
    },
    async ({ actor, body }) => postEvidence(anonymizer, intel, actor, body.value),
  );
  api.add(
    {
      tags: ['anonymizer'],
      auth: 'actor',
      scope: 'evidence:read',
      method: 'get',
      path: ANONYMIZER_EVIDENCE_PATH,
      operationId: 'listSiteEvidence',
      summary: 'Evidence sites posted, newest first (investigators)',
      description: 'Center staff with `evidence:read`; every record returned is a `viewed` custody entry.',
      query: ListQuery,
      responses: { 200: { description: 'The records.', schema: z.array(SiteEvidenceSchema) } },
    },
    async ({ actor, query }) => {
      const views = await intel.siteEvidence.list(actor, {
        ip: query.ip,
        siteOrgId: query.site,
        limit: query.limit,
      });
      return { status: 200, body: views.map(wire) };
    },
  );
  api.add(
    {
      tags: ['anonymizer'],
      auth: 'actor',
      scope: 'evidence:read',
      method: 'get',
      path: `${ANONYMIZER_EVIDENCE_PATH}/{id}`,
      operationId: 'getSiteEvidence',
      summary: 'One record a site posted (investigators)',
      params: IdParams,
      responses: { 200: { description: 'The record.', schema: SiteEvidenceSchema } },
      errors: [404],
    },
    async ({ actor, params }) => ({
      status: 200,
      body: wire(await intel.siteEvidence.get(actor, params.id)),
    }),
  );
}

/** Policy first (403), then the listing at the request's time (409), then the write-once record. */
async function postEvidence(
  anonymizer: Pick<AnonymizerService, 'checkForSite' | 'sitePolicy'>,
  intel: Pick<IntelService, 'siteEvidence'>,
  actor: Actor,
  b: z.infer<typeof SiteEvidenceBodySchema>,
) {
  if (actor.kind !== 'user' || actor.orgId === null)
    throw new KobanError('E_FORBIDDEN', 'only a site (a website-operator organisation) posts its evidence');
  const policy = await anonymizer.sitePolicy(actor.orgId);
  if (policy !== 'allow-and-record')
    throw new KobanError(
      'E_FORBIDDEN',
      `the site's policy is ${policy}, not allow-and-record: nothing to record`,
    );
  const requestMs = Date.parse(b.time);
  const answer = await anonymizer.checkForSite(actor.orgId, b.ip, { atMs: requestMs, port: b.port });
  if (!answer.listed)
    throw new KobanError('E_CONFLICT', `${answer.ip} was not on an anonymizer list at ${answer.at}`);
  const r = await intel.siteEvidence.record(actor, {
    requestMs,
    ip: answer.ip,
    port: b.port ?? null,
    account: b.account ?? null,
    contentSha256: b.contentSha256,
    headers: b.headers,
    note: b.note ?? null,
    listing: { ...answer },
  });
  return { status: r.created ? 201 : 200, body: wire(r.view) };
}
