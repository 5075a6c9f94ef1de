/**
 * `GET /api/v1/anonymizer/check?ip=&port=&at=` (docs/anonymizer.md#http): whether an address is (or
 * was, `at`) on an anonymizer list — a Tor exit, a relay, an open proxy, a VPN exit — with the
 * evidence (which list, which relay, since when), for any authenticated caller (a site's API token)
 * or the operator. Stale data is refused (503, E_STALE) rather than answered as "not listed".
 */
import { z } from 'zod';
import { type AnonymizerService, SITE_ACTIONS } from '../anon/index.js';
import { KobanError } from '../core/index.js';
import type { ApiRoutes } from './api-route.js';

export const ANONYMIZER_CHECK_PATH = '/api/v1/anonymizer/check';

const Iso = z.iso.datetime();

export const AnonymizerEvidenceSchema = z.strictObject({
  list: z.string(),
  kind: z.string().describe('tor-exit, tor-relay, proxy, vpn or other.'),
  entry: z.string().describe('The address or block that matched.'),
  fingerprint: z.string().nullable().describe('The Tor relay, when the list names one.'),
  policy: z.record(z.string(), z.array(z.string())).nullable().describe('Its exit policy summary then.'),
  portAllowed: z
    .boolean()
    .nullable()
    .describe('Whether that policy lets `port` out; null: no port, or no policy.'),
  reason: z.string().nullable(),
  from: Iso.describe('Start of the interval during which the address was on the list.'),
  to: Iso.nullable().describe('Its end; null: still on the newest list.'),
  firstList: z.strictObject({ source: z.string(), published: Iso }),
  lastList: z.strictObject({ source: z.string(), published: Iso }),
});

export const AnonymizerCheckSchema = z.strictObject({
  ip: z.string(),
  at: Iso,
  port: z.number().int().nullable(),
  listed: z.boolean(),
  action: z
    .enum([...SITE_ACTIONS, 'none'])
    .nullable()
    .describe(
      "What the calling site's policy says to do with this visitor: its policy when listed, `none` when not; null for the operator token (no site).",
    ),
  evidence: z.array(AnonymizerEvidenceSchema),
});

export const AnonymizerCheckQuery = z.strictObject({
  ip: z.string().min(2).max(64).describe('The visitor address (IPv4 or IPv6).'),
  port: z.coerce.number().int().min(1).max(65_535).optional().describe('The service port it connected to.'),
  at: Iso.optional().describe('When (default: now): an investigator asks about a past request.'),
});

export function mountAnonymizerRoutes(
  api: ApiRoutes,
  anonymizer: Pick<AnonymizerService, 'check' | 'checkForSite'>,
): void {
  api.registry.name(
    AnonymizerEvidenceSchema,
    'AnonymizerEvidence',
    'Why an address is on an anonymizer list.',
  );
  api.add(
    {
      tags: ['anonymizer'],
      auth: 'observer',
      method: 'get',
      path: ANONYMIZER_CHECK_PATH,
      operationId: 'checkAnonymizer',
      summary: 'Is this address a Tor exit (or another anonymizer), now or at a time',
      description:
        'Answers from the history of the imported lists: the intervals during which the address was ' +
        'listed, with the relay and its exit policy then. With `port`, an address is listed unless every ' +
        "matching exit's policy refuses that port. 503 E_STALE when the newest list is older than " +
        '`anonymizer.staleHours` before the time asked, or the time precedes the history. `action` is ' +
        "what the calling organisation's site policy says to do (docs/anonymizer.md#site-policies).",
      query: AnonymizerCheckQuery,
      responses: { 200: { description: 'The answer with its evidence.', schema: AnonymizerCheckSchema } },
    },
    async ({ query, actor, operator }) => {
      if (!operator && actor.kind === 'anonymous')
        throw new KobanError('E_AUTH', 'an API token or session is required');
      const opts = { port: query.port, atMs: query.at === undefined ? undefined : Date.parse(query.at) };
      const answer =
        actor.orgId === null
          ? { ...anonymizer.check(query.ip, opts), action: null }
          : await anonymizer.checkForSite(actor.orgId, query.ip, opts);
      return { status: 200, body: answer };
    },
  );
}
